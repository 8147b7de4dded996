"""Gemma 4 chapter: published configurations, figures and widgets (no graded answers live here)."""
