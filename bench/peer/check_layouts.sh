#!/usr/bin/env bash
# Loads nnet's weights into PyTorch's own lstm, conv2d and max_pool2d and compares the outputs
# with `nnetc predict`: evidence that the weights layout of LANGUAGE.md §6 (Keras layout, gates
# i, f, c, o; conv kernel [filters, C, kh, kw]; 'same' padding) is what other tools expect.
# Needs Debian's python3-torch. Prints the largest difference of each (float32 rounding, ~1e-7).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/l.nnet" <<'NET'
network L {
  input seq[5, 3]
  h = lstm(seq, 4, sequences: true)
  output h
}
NET
cat > "$tmp/c.nnet" <<'NET'
network C {
  input img[2, 7, 6]
  c = conv2d(img, 3, [3, 2], pad: same, stride: 2)
  m = maxpool(img, 2)
  output c, m
}
NET
/usr/bin/python3 -c "import random; random.seed(1); print(','.join('%.4f' % random.uniform(-1, 1) for _ in range(15)))" > "$tmp/lx.csv"
/usr/bin/python3 -c "import random; random.seed(2); print(','.join('%.4f' % random.uniform(-1, 1) for _ in range(84)))" > "$tmp/cx.csv"
for n in l c; do
  "$root/nnetc" init "$tmp/$n.nnet" --seed 4 -o "$tmp/$n.safetensors"
  "$root/nnetc" predict "$tmp/$n.nnet" --weights "$tmp/$n.safetensors" --input "$tmp/${n}x.csv" -o "$tmp/$n.out.csv"
done
/usr/bin/python3 - "$tmp" <<'PY'
import json, struct, sys, torch, torch.nn.functional as F
tmp = sys.argv[1]
def tensors(path):
    b = open(path, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; hdr = json.loads(b[8:8 + n]); data = b[8 + n:]
    def t(name):
        s, e = hdr[name]['data_offsets']
        return torch.frombuffer(bytearray(data[s:e]), dtype=torch.float32).reshape(hdr[name]['shape'])
    return t
def csv(path):
    return torch.tensor([float(v) for v in open(path).read().strip().split(',')])
t = tensors(f'{tmp}/l.safetensors')
lstm = torch.nn.LSTM(3, 4, batch_first=True)
with torch.no_grad():
    lstm.weight_ih_l0.copy_(t('h.kernel').T); lstm.weight_hh_l0.copy_(t('h.recurrent_kernel').T)
    lstm.bias_ih_l0.copy_(t('h.bias')); lstm.bias_hh_l0.zero_()
    out, _ = lstm(csv(f'{tmp}/lx.csv').reshape(1, 5, 3))
print('lstm vs torch.nn.LSTM: max abs diff', (out.flatten() - csv(f'{tmp}/l.out.csv')).abs().max().item())
t = tensors(f'{tmp}/c.safetensors')
x = csv(f'{tmp}/cx.csv').reshape(1, 2, 7, 6)
ph, pw = max(3 * 2 + 3 - 7, 0), max(2 * 2 + 2 - 6, 0)   # 'same': (out - 1) * stride + k - in, extra after
c = F.conv2d(F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2)), t('c.kernel'), t('c.bias'), stride=2)
ref = torch.cat([c.flatten(), F.max_pool2d(x, 2).flatten()])
print('conv2d + maxpool vs torch: max abs diff', (ref - csv(f'{tmp}/c.out.csv')).abs().max().item())
PY
