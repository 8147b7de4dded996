"""TriAttention chapter (problems 284-289): course-provided synthetic data and widgets.

Import from the modules, e.g. ``from mlpapers.triattention.synth import make_centres``.
"""
