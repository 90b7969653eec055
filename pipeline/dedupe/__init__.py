"""Exact and near duplicates, and stories across outlets (README, the dedupe stage).

fingerprints.py  plain functions of the cleaned text: content hash, MinHash bands, story keys
lookup.py        duplicate and story decisions against the index and the batch being written
"""
