#!/usr/bin/python3
"""Writes the NumPy files NpyTest reads, as numpy itself writes them (Debian's python3-numpy).

Every array holds arange(size) / 4 in row-major order of its shape, whatever its dtype, byte order
or memory order, so the test knows each value. Run: /usr/bin/python3 make_npy.py (in this folder).
"""
import numpy as np


def values(shape, dtype='<f4'):
    return (np.arange(np.prod(shape)) / 4).reshape(shape).astype(dtype)


np.save('f4_c.npy', values((3, 2)))
np.save('f8_fortran.npy', np.asfortranarray(values((3, 2, 4), '<f8')))
np.save('f4_big_endian.npy', values((2, 3), '>f4'))
np.save('i8.npy', np.arange(6, dtype='<i8').reshape(3, 2))
np.save('f4_1d.npy', values((5,)))
np.save('scalar.npy', np.float32(3))
np.save('complex.npy', np.zeros((2, 2), dtype=np.complex64))
np.savez('xy_stored.npz', x=values((4, 2)), y=values((4, 3), '<f8'))
np.savez_compressed('x_deflated.npz', x=values((4, 1, 2, 2)))

# Every dtype the readers widen (dtype_NAME.npy, [5, 3]), with values at the edges of each range,
# and what numpy makes of each as float32: dtypes_as_float32.npz, the array NAME. RowSourceTest
# reads the files a block at a time and holds every value to numpy's.
EDGES = {
    'f2': [0, -0.0, 1 / 3, 65504, -65504, 6e-8, 1e-4, -2.5, 0.1, 1, 2, 3, 4, 5, 6],
    'f4': [0, -0.0, 1 / 3, 3.4e38, -3.4e38, 1.4e-45, 1e-30, -2.5, 0.1, 1, 2, 3, 4, 5, 6],
    'f8': [0, -0.0, 1 / 3, 1e300, -1e-300, 5e-324, 16777217, -2.5, 0.1, 1, 2, 3, 4, 5, 6],
    'i1': [0, -1, 1, 127, -128, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    'i2': [0, -1, 1, 32767, -32768, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    'i4': [0, -1, 16777217, 2**31 - 1, -2**31, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    'i8': [0, -1, 2**53 + 1, 2**63 - 1, -2**63, 2**24 + 1, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    'u1': [0, 1, 2, 255, 128, 127, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    'u2': [0, 1, 2, 65535, 32768, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    'u4': [0, 1, 16777217, 2**32 - 1, 2**31, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    'u8': [0, 1, 2**53 + 1, 2**64 - 1, 2**63, 2**63 + 2**40 + 1, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    '?': [True, False] * 7 + [True],
}
as_float32 = {}
for kind, edge in EDGES.items():
    for order in ('<', '>'):
        if order == '>' and kind in ('i1', 'u1', '?'):
            continue
        a = np.array(edge, dtype=np.dtype(order + kind) if kind != '?' else np.bool_).reshape(5, 3)
        name = ('be_' if order == '>' else '') + ('b1' if kind == '?' else kind)
        np.save('dtype_%s.npy' % name, a)
        as_float32[name] = a.astype(np.float32)
np.savez('dtypes_as_float32.npz', **as_float32)
