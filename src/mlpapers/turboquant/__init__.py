"""TurboQuant chapter (problems 173-178): widgets and helpers for the notebooks.

Paper: A. Zandieh, M. Daliri, M. Hadian, V. Mirrokni, *TurboQuant: Online Vector Quantization
with Near-optimal Distortion Rate*, arXiv:2504.19874. Import from the modules, e.g.
``from mlpapers.turboquant.codebook_widget import codebook_explorer``. Nothing here solves a
problem: every widget takes the student's own functions as arguments.
"""
