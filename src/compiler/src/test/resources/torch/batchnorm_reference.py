#!/usr/bin/python3
"""Writes batchnorm_reference.safetensors: PyTorch's BatchNorm1d and BatchNorm2d trained step by step.

Two cases, each a layer feeding a batchnorm under an mse loss, trained by plain SGD (lr 0.1):
  dense  x[5] -> Linear(5, 4) -> BatchNorm1d(4, momentum=0.1, eps=1e-5), batches of 3 (one sample per unit in nnet)
  conv   x[2, 5, 5] -> Conv2d(2, 3, 3) -> BatchNorm2d(3, momentum=0.25, eps=1e-3), batches of 40 (tiles of 32 and 8)
nnet's momentum is Keras' (the weight of the old moving value), so PyTorch's momentum m is nnet's 1 - m.
For each case, the initial weights in nnet's layout (<case>.z.kernel, <case>.z.bias), and per step k:
the batch (<case>.k.x, <case>.k.t), the loss and the training-mode outputs before the step
(<case>.k.loss, <case>.k.y), then after the step the weights (<case>.k.<param>), the moving statistics
(<case>.k.moving_mean, <case>.k.moving_variance) and the predicting outputs on the same batch (<case>.k.predicted).
BatchNormReferenceTest holds nnet's generated train step to them. Needs Debian's python3-torch:
/usr/bin/python3 src/compiler/src/test/resources/torch/batchnorm_reference.py
"""
import os, sys
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', '..', '..', '..', 'bench', 'peer'))
from expected_outputs import write_safetensors  # noqa: E402 (the repository's one safetensors writer)

STEPS = 4


def run(name, layer, norm, in_shape, batch, rng, out):
    torch.manual_seed(0)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(rng.uniform(-0.7, 0.7, tuple(layer.weight.shape)), dtype=torch.float32))
        layer.bias.copy_(torch.tensor(rng.uniform(-0.5, 0.5, tuple(layer.bias.shape)), dtype=torch.float32))
        norm.weight.copy_(torch.tensor(rng.uniform(0.5, 1.5, tuple(norm.weight.shape)), dtype=torch.float32))
        norm.bias.copy_(torch.tensor(rng.uniform(-0.5, 0.5, tuple(norm.bias.shape)), dtype=torch.float32))
    model = torch.nn.Sequential(layer, norm)
    params = {'z.kernel': lambda: layer.weight.detach().numpy().T if layer.weight.dim() == 2 else layer.weight.detach().numpy(),
              'z.bias': lambda: layer.bias.detach().numpy(), 'y.gamma': lambda: norm.weight.detach().numpy(), 'y.beta': lambda: norm.bias.detach().numpy()}
    for p, value in params.items():
        out[name + '.' + p] = value().copy()
    out[name + '.y.moving_mean'] = norm.running_mean.numpy().copy()
    out[name + '.y.moving_variance'] = norm.running_var.numpy().copy()
    sgd = torch.optim.SGD(model.parameters(), lr=0.1)
    for k in range(STEPS):
        x = rng.uniform(-2, 2, (batch,) + in_shape).astype(np.float32)
        model.eval()  # the outputs' shape, without touching the running statistics
        with torch.no_grad():
            shape = tuple(model(torch.tensor(x)).shape)
        t = rng.uniform(-1, 1, shape).astype(np.float32)
        model.train()
        sgd.zero_grad()
        y = model(torch.tensor(x))
        loss = torch.mean((y - torch.tensor(t)) ** 2)
        loss.backward()
        sgd.step()
        pre = '%s.%d.' % (name, k)
        out[pre + 'x'] = x.reshape(batch, -1)
        out[pre + 't'] = t.reshape(batch, -1)
        out[pre + 'loss'] = np.array([loss.item()], dtype=np.float32)
        out[pre + 'y'] = y.detach().numpy().reshape(batch, -1)
        for p, value in params.items():
            out[pre + p] = value().copy()
        out[pre + 'moving_mean'] = norm.running_mean.numpy().copy()
        out[pre + 'moving_variance'] = norm.running_var.numpy().copy()
        model.eval()
        with torch.no_grad():
            out[pre + 'predicted'] = model(torch.tensor(x)).numpy().reshape(batch, -1)
        model.train()


if __name__ == '__main__':
    rng = np.random.default_rng(11)
    out = {}
    run('dense', torch.nn.Linear(5, 4), torch.nn.BatchNorm1d(4, momentum=0.1, eps=1e-5), (5,), 3, rng, out)
    run('conv', torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3, momentum=0.25, eps=1e-3), (2, 5, 5), 40, rng, out)
    write_safetensors(os.path.join(HERE, 'batchnorm_reference.safetensors'), out)
