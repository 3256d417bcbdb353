#!/usr/bin/python3
"""Writes the ONNX files OnnxImportTest imports: PyTorch modules exported by torch.onnx.export.

Each model NAME_opsetK.onnx is the graph PyTorch writes for it at that opset, with a dynamic batch
axis N (the way models are exported for serving; PyTorch then keeps its Shape/Gather/Concat
arithmetic on the batch size in the graph) except where a name says `fixed`. The test runs each
file in ONNX Runtime and compares it with `nnetc predict` of the imported network.

Needs Debian's python3-torch (1.13) and python3-onnx. Run from anywhere:
    /usr/bin/python3 src/cli/src/test/resources/onnx/make_onnx_models.py
"""
import os
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


class Mlp(nn.Module):
    """Linear layers (Gemm), relu, dropout (absent in eval mode), tanh-approximated GELU (written out
    by PyTorch as Mul/Add/Tanh on constants), leaky relu, a skip joined by Sub, softmax."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3, self.out = nn.Linear(8, 16), nn.Linear(16, 12), nn.Linear(16, 12), nn.Linear(12, 3)
        self.drop, self.gelu = nn.Dropout(0.3), nn.GELU(approximate='tanh')

    def forward(self, x):
        h = self.drop(torch.relu(self.fc1(x)))
        a = self.gelu(self.fc2(h))
        b = F.leaky_relu(self.fc3(h), 0.1)
        return torch.softmax(self.out(torch.tanh(a - b)), -1)


class ExactGelu(nn.Module):
    """PyTorch's default GELU (erf), which nnet imports as its tanh approximation."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(6, 10), nn.Linear(10, 2)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class GatedCnn(nn.Module):
    """A conv gated by x * sigmoid(g), max pooling, a skip joined by Add, channels concatenated,
    average pooling, a flatten written as view(N, -1) and a linear head."""

    def __init__(self):
        super().__init__()
        self.conv, self.gate = nn.Conv2d(2, 4, 3, padding=1), nn.Conv2d(2, 4, 3, padding=1)
        self.conv2, self.side = nn.Conv2d(4, 4, 3, padding=1), nn.Conv2d(4, 2, 1)
        self.head = nn.Linear(6 * 2 * 2, 5)

    def forward(self, x):
        h = torch.relu(self.conv(x)) * torch.sigmoid(self.gate(x))
        p = F.max_pool2d(h, 2)
        q = torch.cat([self.conv2(p) + p, F.leaky_relu(self.side(p), 0.2)], 1)
        q = F.avg_pool2d(q, 2)
        return self.head(q.view(q.size(0), -1))


class StridedCnn(nn.Module):
    """Strided and unpadded convolutions, a strided max pool, torch.flatten (ONNX Flatten)."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 3, 3, stride=2), nn.Conv2d(3, 4, [3, 2], padding=0, bias=False)
        self.head = nn.Linear(4 * 2 * 2, 3)

    def forward(self, x):
        h = F.max_pool2d(torch.tanh(self.conv2(torch.relu(self.conv1(x)))), 3, stride=2)
        return self.head(torch.flatten(h, 1))


class Lstm(nn.Module):
    """Two stacked LSTM layers, batch first, the last step's output into a linear layer."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True)
        self.head = nn.Linear(5, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


class LstmSequence(nn.Module):
    """An LSTM whose whole sequence is read (a linear layer on every step: MatMul + Add), and one
    whose final hidden state h_n is."""

    def __init__(self):
        super().__init__()
        self.encoder, self.decoder = nn.LSTM(4, 6, batch_first=True), nn.LSTM(6, 3, batch_first=True)
        self.per_step = nn.Linear(6, 6)

    def forward(self, x):
        seq, _ = self.encoder(x)
        _, (h, _) = self.decoder(torch.sigmoid(self.per_step(seq)))
        return h[-1]


class MaskedLinear(nn.Module):
    """The seeds' masked layer in PyTorch: weight * mask (a buffer), which the export folds into one constant."""

    def __init__(self, n, m, density, seed):
        super().__init__()
        self.linear = nn.Linear(n, m)
        g = torch.Generator().manual_seed(seed)
        self.register_buffer('mask', (torch.rand(m, n, generator=g) < density).float())

    def forward(self, x):
        return F.linear(x, self.linear.weight * self.mask, self.linear.bias)


class Masked(nn.Module):
    def __init__(self):
        super().__init__()
        self.genes = MaskedLinear(10, 6, 0.4, 3)
        self.out = nn.Linear(6, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(torch.tanh(self.genes(x))))


class BatchNorms(nn.Module):
    """BatchNorm2d on a pooled image (one right after a Conv PyTorch folds into the Conv in eval mode),
    BatchNorm1d after a Linear with its own momentum and eps, and BatchNorm1d without affine (GenNet's
    center=False, scale=False): exported in eval mode, so with the running statistics that
    train_statistics gives them."""

    def __init__(self):
        super().__init__()
        self.conv, self.norm2d = nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3)
        self.fc, self.norm1d = nn.Linear(3 * 3 * 3, 5), nn.BatchNorm1d(5, eps=1e-3, momentum=0.2)
        self.plain, self.head = nn.BatchNorm1d(5, affine=False), nn.Linear(5, 2)

    def forward(self, x):
        p = F.max_pool2d(torch.relu(self.conv(x)), 2)
        h = torch.relu(self.norm1d(self.fc(torch.flatten(self.norm2d(p), 1))))
        return self.head(self.plain(h))

    def train_statistics(self, example):
        """Scales and shifts away from 1 and 0, and running statistics from a few batches in train mode."""
        with torch.no_grad():
            for norm in (self.norm2d, self.norm1d):
                norm.weight.uniform_(0.5, 1.5)
                norm.bias.uniform_(-0.5, 0.5)
            self.train()
            for _ in range(5):
                self(example * 2 + 0.5)


class LayerNorms(nn.Module):
    """LayerNorm over each step of a sequence (with its own eps), over a vector's features, and one as
    initialised (its weight of ones and bias of zeros stored weights all the same): ONNX's LayerNormalization
    from opset 17. (PyTorch 1.13 writes elementwise_affine=False with an empty scale input, which ONNX
    Runtime refuses as an invalid model.)"""

    def __init__(self):
        super().__init__()
        self.steps, self.fc, self.norm = nn.LayerNorm(3, eps=1e-3), nn.Linear(6, 6), nn.LayerNorm(6)
        self.plain, self.head = nn.LayerNorm(6), nn.Linear(6, 2)
        with torch.no_grad():
            for norm in (self.steps, self.norm):
                norm.weight.uniform_(0.5, 1.5)
                norm.bias.uniform_(-0.5, 0.5)

    def forward(self, x):
        h = torch.relu(self.norm(self.fc(torch.flatten(self.steps(x), 1))))
        return self.head(self.plain(h))


class Elu(nn.Module):
    """An operator nnet does not have (Elu)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return F.elu(self.fc(x))


def export(name, module, example, opset, dynamic=True):
    module.eval()
    path = os.path.join(HERE, f'{name}_opset{opset}.onnx')
    axes = {'x': {0: 'N'}, 'y': {0: 'N'}} if dynamic else None
    torch.onnx.export(module, example, path, opset_version=opset, input_names=['x'], output_names=['y'], dynamic_axes=axes)


if __name__ == '__main__':
    torch.manual_seed(27)
    mlp, gelu, cnn, strided, lstm, sequence, masked = Mlp(), ExactGelu(), GatedCnn(), StridedCnn(), Lstm(), LstmSequence(), Masked()
    for opset in (11, 17):
        export('mlp', mlp, torch.randn(2, 8), opset)
        export('gated_cnn', cnn, torch.randn(2, 2, 8, 8), opset)
        export('lstm', lstm, torch.randn(2, 4, 3), opset)
    export('mlp_fixed', mlp, torch.randn(3, 8), 13, dynamic=False)
    export('exact_gelu', gelu, torch.randn(2, 6), 13)
    export('strided_cnn', strided, torch.randn(2, 1, 15, 13), 13)
    export('lstm_sequence', sequence, torch.randn(2, 5, 4), 14)
    export('masked', masked, torch.randn(2, 10), 15)
    norms = BatchNorms()
    norms.train_statistics(torch.randn(16, 2, 7, 7))
    for opset in (11, 15):  # from 14 on, BatchNormalization has a training_mode attribute
        export('batchnorm', norms, torch.randn(2, 2, 7, 7), opset)
    export('elu', Elu(), torch.randn(2, 4), 13)
    export('layernorm', LayerNorms(), torch.randn(2, 2, 3), 17)
