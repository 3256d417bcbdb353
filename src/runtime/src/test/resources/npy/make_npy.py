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
