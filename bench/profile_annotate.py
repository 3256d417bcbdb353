"""bench/profile --annotate's second half: a C2 method's code with each instruction's perf samples.

profile_annotate.py STDOUT PERF_DATA. STDOUT holds the JVM's -XX:CompileCommand=print output (the code as hex,
no disassembler plugin needed); the method's last normal C2 compile is decoded with objdump and matched with the
timer samples' addresses. Prints the method's share, each loop's (a backward jump's range) and the hottest loop.
"""
import re
import subprocess
import sys

HEX_LINE = re.compile(r'\s*0x([0-9a-f]+): ((?:[0-9a-f]{2,8} ?\|? ?)+)$')
INSTRUCTION = re.compile(r'\s*([0-9a-f]+):\t(.*)$')
BACKWARD_JUMP = re.compile(r'\sj[a-z]+\s+0x([0-9a-f]+)')


def last_c2_code(lines):
    """(name, start address, bytes) of the last compile printed by C2 that is not an on-stack replacement."""
    starts = [i for i, l in enumerate(lines) if l.startswith('Compiled method (c2)') and ' % ' not in l]
    if not starts:
        sys.exit('profile_annotate: no C2 compile of the method was printed (is the name Class::method, and hot?)')
    name, code, base = lines[starts[-1]].split(None, 6)[-1], bytearray(), None
    for line in lines[starts[-1] + 1:]:
        if line.startswith('Compiled method') or '[Stub Code]' in line or '[Exception Handler]' in line:
            break
        m = HEX_LINE.match(line)
        if not m or ';' in line:
            continue
        address = int(m.group(1), 16)
        base = address if base is None else base
        if address < base + len(code):
            continue
        code += b'\x90' * (address - base - len(code)) + bytes.fromhex(m.group(2).replace('|', '').replace(' ', ''))
    return name, base, bytes(code)


def main(stdout, data):
    name, base, code = last_c2_code(open(stdout, errors='replace').read().split('\n'))
    with open(data + '.code', 'wb') as f:
        f.write(code)
    ips = subprocess.run(['perf', 'script', '-i', data, '-F', 'ip'], capture_output=True, text=True, check=True).stdout.split()
    samples = {}
    for ip in ips:
        a = int(ip, 16)
        if base <= a < base + len(code):
            samples[a] = samples.get(a, 0) + 1
    listing = subprocess.run(['objdump', '-D', '-b', 'binary', '-mi386:x86-64', '--adjust-vma=%#x' % base, data + '.code'],
                             capture_output=True, text=True, check=True).stdout
    rows = [(int(m.group(1), 16), m.group(2)) for m in map(INSTRUCTION.match, listing.split('\n')) if m]
    inside = sum(samples.values())
    print(f'\n{name}: {inside} of {len(ips)} samples ({100 * inside / max(1, len(ips)):.1f}%)')
    loops = []
    for address, text in rows:
        jump = BACKWARD_JUMP.search(text)
        if jump and base <= int(jump.group(1), 16) < address:
            start = int(jump.group(1), 16)
            loops.append((sum(c for a, c in samples.items() if start <= a <= address), start, address))
    for count, start, end in sorted(loops, reverse=True)[:5]:
        print(f'loop {start - base:#x}-{end - base:#x}: {100 * count / max(1, inside):.1f}% of the method')
    hot = [loop for loop in loops if loop[0] >= 0.2 * inside]
    if hot:  # the innermost of the loops that hold a fifth of the samples: the most samples per byte of code
        _, start, end = max(hot, key=lambda loop: loop[0] / (loop[2] - loop[1] + 1))
        print(f'\nthe hottest inner loop ({start - base:#x}-{end - base:#x}), samples per instruction:')
        for address, text in rows:
            if start <= address <= end:
                print(f'{samples.get(address, 0):6d}  {address - base:#06x}  {text}')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
