"""DeepSeek-V4 chapter: figures and widgets (no graded answers live here)."""
