#!/usr/bin/python3
"""Writes the CSV files CsvTest reads, as pandas itself writes them (Debian's python3-pandas).

quote_all.csv: every cell quoted (quoting=csv.QUOTE_ALL), header and numbers alike, as users
write data for tools that want quotes; quote_all_index.csv: the same with pandas' index column
(an empty quoted name above it). Run: /usr/bin/python3 make_csv.py (in this folder).
"""
import csv

import pandas as pd

frame = pd.DataFrame({'x1': [0.0, 0.0, 1.0, 1.0], 'x 2': [0.0, 1.0, 0.0, 1.0], 'y, label': [0.25, -1.5, 3e-8, 2.0]})
frame.to_csv('quote_all.csv', index=False, quoting=csv.QUOTE_ALL)
frame.to_csv('quote_all_index.csv', quoting=csv.QUOTE_ALL)
