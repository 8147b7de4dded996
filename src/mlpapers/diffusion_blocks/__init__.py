"""DiffusionBlocks chapter: the capstone's 2-D toy, figures and widgets (no graded answers live here)."""
