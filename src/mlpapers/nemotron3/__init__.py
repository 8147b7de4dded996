"""Nemotron 3 chapter: published configs, figures and widgets (no graded answers live here)."""
