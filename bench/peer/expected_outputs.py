#!/usr/bin/python3
"""Writes the expected outputs of src/test/resources/run/ as PyTorch computes them.

Each case is a network of that folder with, beside it, weights (NAME.safetensors, random values
everywhere, at absent connections too), inputs (NAME.in.csv, one sample per row) and the outputs
PyTorch gives (NAME.expected.csv). RunCasesTest holds nnet's interpreter and generated code to
them. Needs Debian's python3-torch: /usr/bin/python3 bench/peer/expected_outputs.py
"""
import json, os, struct, sys
import numpy as np
import torch

RUN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'compiler', 'src', 'test', 'resources', 'run')


def write_safetensors(path, tensors):
    header, data, offset = {}, b'', 0
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array, dtype='<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(array.shape), 'data_offsets': [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + data)


def write_csv(path, rows):
    with open(path, 'w') as f:
        for row in rows:
            f.write(','.join('%.9g' % v for v in row) + '\n')


def lstm_bias_mask(rng):
    """lstm(seq[4, 3], 2, sequences: true, bias: mask [1, 0, 1, 1, 0, 1, 1, 0]), Keras layout, gates i, f, c, o."""
    t, f, u = 4, 3, 2
    mask = np.array([1, 0, 1, 1, 0, 1, 1, 0], dtype=np.float32)
    w = {'h.kernel': rng.uniform(-1, 1, (f, 4 * u)), 'h.recurrent_kernel': rng.uniform(-1, 1, (u, 4 * u)),
         'h.bias': rng.uniform(-1, 1, 4 * u)}  # values at absent bias entries too: nnet ignores them
    x = rng.uniform(-2, 2, (5, t * f))
    lstm = torch.nn.LSTM(f, u, batch_first=True)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor(w['h.kernel'].T))
        lstm.weight_hh_l0.copy_(torch.tensor(w['h.recurrent_kernel'].T))
        lstm.bias_ih_l0.copy_(torch.tensor(w['h.bias'] * mask))
        lstm.bias_hh_l0.zero_()
        out, _ = lstm(torch.tensor(x, dtype=torch.float32).reshape(-1, t, f))
    return w, x, out.reshape(x.shape[0], -1).numpy()


def layernorm_rows(rng):
    """layernorm(seq[3, 5], epsilon: 0.00001): torch.nn.LayerNorm(5, eps=1e-5) on each step, gamma and beta as trained ones."""
    w = {'h.gamma': rng.uniform(0.5, 1.5, 5), 'h.beta': rng.uniform(-1, 1, 5)}
    x = rng.uniform(-2, 2, (6, 15)) * rng.uniform(0.1, 3, (6, 1))  # rows of several scales
    norm = torch.nn.LayerNorm(5, eps=1e-5)
    with torch.no_grad():
        norm.weight.copy_(torch.tensor(w['h.gamma']))
        norm.bias.copy_(torch.tensor(w['h.beta']))
        out = norm(torch.tensor(x, dtype=torch.float32).reshape(-1, 3, 5))
    return w, x, out.reshape(x.shape[0], -1).numpy()


CASES = {'lstm_bias_mask': lstm_bias_mask, 'layernorm_rows': layernorm_rows}

if __name__ == '__main__':
    for name, case in CASES.items():
        weights, inputs, expected = case(np.random.default_rng(7))
        base = os.path.join(RUN, name)
        write_safetensors(base + '.safetensors', {k: v.astype(np.float32) for k, v in weights.items()})
        write_csv(base + '.in.csv', inputs.astype(np.float32))
        write_csv(base + '.expected.csv', expected)
        print(name, 'written')
