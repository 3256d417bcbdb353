#!/usr/bin/python3
"""The hot loops of C2-compiled generated kernels, from the hex dump HotSpot prints without a
disassembler plugin: per method, the instructions of the loop that holds its FMAs, the FMAs, and the
vector registers moved to or from the stack (spills). Needs objdump (binutils). BENCHMARKS.md, "No
spills, checked in the machine code":
  java --add-modules=jdk.incubator.vector -XX:+UnlockDiagnosticVMOptions \\
       '-XX:CompileCommand=print,nnet.generated.*::forward*' [-XX:UseAVX=2] \\
       -jar src/cli/target/nnetc.jar bench bench/networks/mlp_dense.nnet --batch 64 > asm.txt 2>&1
  bench/jit/loops.py asm.txt
"""
import os
import re
import subprocess
import sys
import tempfile

bin_path = os.path.join(tempfile.mkdtemp(), "code.bin")
# For each C2 (normal entry) nmethod: its hex disassembled by objdump, the loop that holds the FMAs (the first
# backward jump after the last FMA whose target is at or before the first), and its counts.
t = open(sys.argv[1], errors='replace').read()
for part in re.split(r'\n(?==+ C[12]-compiled nmethod)', t):
    m = re.search(r'Compiled method \(c2\)\s+\d+\s+\d+\s+(%?)\s*4\s+(\S+)', part)
    if not m or m.group(1): continue
    code = part.split('[MachCode]')[1]
    bs = bytearray(); start = None
    for line in code.split('\n'):
        mm = re.match(r'\s*0x([0-9a-f]+): ((?:[0-9a-f]{4} ?|\| ?)+)$', line.strip())
        if not mm: continue
        addr = int(mm.group(1), 16); start = addr if start is None else start
        data = bytes.fromhex(''.join(mm.group(2).replace('|', '').split()))
        off = addr - start
        if off > len(bs): bs.extend(b'\x90' * (off - len(bs)))
        bs[off:off + len(data)] = data
    open(bin_path, 'wb').write(bs)
    dis = subprocess.run(['objdump', '-D', '-b', 'binary', '-mi386:x86-64', '-M', 'intel', bin_path], capture_output=True, text=True).stdout.split('\n')
    ins = [(int(x.group(1), 16), l) for l in dis for x in [re.match(r'\s*([0-9a-f]+):\s', l)] if x]
    fmas = [a for a, l in ins if 'vfmadd' in l]
    if not fmas: continue
    # the backward jump whose target is at or before the first FMA and which sits after the last FMA
    loop = None
    for a, l in ins:
        j = re.search(r'\bj\w+\s+0x([0-9a-f]+)', l)
        if j and a > fmas[-1]:
            tgt = int(j.group(1), 16)
            if tgt <= fmas[0]: loop = (tgt, a); break
    L = [l for a, l in ins if loop and loop[0] <= a <= loop[1]]
    print(f"{m.group(2)}: loop of {len(L)} instructions, {sum('vfmadd' in l for l in L)} FMAs, "
          f"{sum(bool(re.search(r'[xyz]mm', l)) and 'rsp' in l for l in L)} vector spills, {sum('rsp' in l for l in L)} stack accesses")
