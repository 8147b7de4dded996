"""Frontier ML papers, problem by problem: the course package.

Holds what the notebooks, the instructors and CI share: the catalog of problems, the checks used by
graded cells, the widgets and synthetic data of each chapter, and the course CLI
(``python -m mlpapers --help``). It never holds a solution to a problem.
"""
__version__ = "0.1.0"
