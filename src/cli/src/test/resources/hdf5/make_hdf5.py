#!/usr/bin/python3
"""Writes the HDF5 files Hdf5RowsTest and DataTablesTest read, as h5py writes them (Debian's
python3-h5py 3.7, HDF5 1.10), and what numpy reads from each: expected.npz holds, for every
dataset D of FILE, np.asarray(f[D]).astype(np.float32) as the array FILE:D (slashes as '|').

  dtypes.h5     a [5, 3] dataset per dtype (float16/32/64, int8-64, uint8-64, bool, big-endian
                too), values at the edges of each range; contiguous
  chunked.h5    chunked datasets: uint8 gzip+shuffle with edge chunks, lzf, chunks across columns,
                a 3-D array, one with chunks never written (the fill value)
  genotype.h5   GenNet's layout: X uint8 [40, 12] (subjects x SNPs), chunked and gzip as GenNet's own
  groups.h5     one 2-D dataset in a group beside 1-D ones: the file's only 2-D dataset
  two.h5        two 2-D datasets: the file needs a dataset named
  subjects.csv  GenNet's subjects table for genotype.h5, written by pandas: patient_id, labels,
                genotype_row (0-based rows of X, not in order), set (1 train, 2 validation, 3 test),
                weight (a sample weight: 3 for label 1, 1 for label 0)
  gennet_splits.npz  each set's rows of X and labels as numpy selects them: x_train, t_train, x_val, ...
  gennet/       GenNet's layout for examples/gennet's networks (its topology.csv: 100 SNPs, 10 genes):
                genotype.h5 (X uint8 [300, 100], chunked and gzip) and subjects.csv (pandas), the label
                a case when the minor alleles of the first two genes' SNPs (HERC2, BRCA2: 0-9) outnumber 10

Run: /usr/bin/python3 make_hdf5.py (in this folder).
"""
import os

import h5py
import numpy as np
import pandas as pd

expected = {}


def keep(path):
    with h5py.File(path, 'r') as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind in 'fiub':
                expected[path + ':' + name.replace('/', '|')] = np.asarray(obj).astype(np.float32)
        f.visititems(visit)


# the values of the runtime's dtype fixtures (src/runtime/src/test/resources/npy/make_npy.py): the
# same edges of every range, so both readers are held to the same values
NPY = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../../../runtime/src/test/resources/npy')
KINDS = ['f2', 'f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8']
with h5py.File('dtypes.h5', 'w') as f:
    for kind in KINDS:
        f['/' + kind] = np.load(os.path.join(NPY, 'dtype_%s.npy' % kind))
        if kind not in ('i1', 'u1'):
            f['/be_' + kind] = np.load(os.path.join(NPY, 'dtype_be_%s.npy' % kind))
    f['/b1'] = np.load(os.path.join(NPY, 'dtype_b1.npy'))
keep('dtypes.h5')

rng = np.random.default_rng(25)
with h5py.File('chunked.h5', 'w') as f:
    f.create_dataset('gzip', data=rng.integers(0, 3, (50, 7), dtype=np.uint8), chunks=(8, 3), compression='gzip', shuffle=True)
    f.create_dataset('lzf', data=rng.normal(size=(33, 5)).astype(np.float32), chunks=(10, 5), compression='lzf')
    f.create_dataset('columns', data=rng.integers(-1000, 1000, (12, 10), dtype=np.int16), chunks=(12, 4), compression='gzip')
    f.create_dataset('cube', data=rng.normal(size=(10, 2, 3)), chunks=(4, 1, 2), compression='gzip')
    sparse = f.create_dataset('unwritten', shape=(20, 4), dtype=np.float32, chunks=(5, 4), fillvalue=7)
    sparse[5:10] = np.arange(20, dtype=np.float32).reshape(5, 4)  # the other chunks are never written
keep('chunked.h5')

subjects, snps = 40, 12
genotype = rng.integers(0, 3, (subjects, snps), dtype=np.uint8)
with h5py.File('genotype.h5', 'w') as f:
    f.create_dataset('X', data=genotype, chunks=(7, snps), compression='gzip')
keep('genotype.h5')
order = rng.permutation(subjects)
labels = (genotype[order, :3].sum(axis=1) > 3).astype(int)
sets = np.array([1] * 24 + [2] * 8 + [3] * 8)
# a sample weight per subject: GenNet's weighted loss (-wpc 3: the positive class weighs 3), as a column
weights = np.where(labels == 1, 3.0, 1.0)
pd.DataFrame({'patient_id': 1000 + order, 'labels': labels, 'genotype_row': order, 'set': sets, 'weight': weights}).to_csv('subjects.csv')
# each set's rows and labels as GenNet's users cut them by hand with numpy: x_train, t_train, ...
subjects_table = pd.read_csv('subjects.csv')
splits = {}
for name, code in [('train', 1), ('val', 2), ('test', 3)]:
    part = subjects_table[subjects_table['set'] == code]
    splits['x_' + name] = genotype[part['genotype_row'].to_numpy()].astype(np.float32)
    splits['t_' + name] = part['labels'].to_numpy().astype(np.float32).reshape(-1, 1)
np.savez('gennet_splits.npz', **splits)

example = np.random.default_rng(24)
os.makedirs('gennet', exist_ok=True)
genotype = example.integers(0, 3, (300, 100), dtype=np.uint8)
with h5py.File('gennet/genotype.h5', 'w') as f:
    f.create_dataset('X', data=genotype, chunks=(32, 100), compression='gzip')
order = example.permutation(300)
pd.DataFrame({'patient_id': 5000 + order, 'labels': (genotype[order, :10].sum(axis=1) > 10).astype(int), 'genotype_row': order,
              'set': [1] * 200 + [2] * 50 + [3] * 50}).to_csv('gennet/subjects.csv')

with h5py.File('groups.h5', 'w') as f:
    f['data/X'] = np.arange(12, dtype=np.float64).reshape(4, 3) / 4
    f['ids'] = np.arange(4)
    f['data/names'] = np.array([b'a', b'b', b'c', b'd'])
keep('groups.h5')

with h5py.File('two.h5', 'w') as f:
    f['a'] = np.zeros((2, 2), dtype=np.float32)
    f['b/c'] = np.ones((3, 2), dtype=np.float32)
keep('two.h5')

np.savez('expected.npz', **expected)
