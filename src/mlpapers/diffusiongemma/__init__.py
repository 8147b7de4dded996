"""DiffusionGemma chapter (problems 413-418): uniform-state discrete diffusion, step by step.

Helpers for the chapter's notebooks; import from the modules themselves:

- ``denoising_viewer``: the diffusion unmasking widget (canvas cells coloured by entropy) and its
  static filmstrip, driven by traces of ``denoise_canvas`` (problems 415 and 418);
- ``target_denoiser``: the tiny "test denoiser" of problem 415;
- ``corruption_explorer`` and ``acceptance_explorer``: the widgets of problems 413 and 414;
- ``toy_denoiser``: the exact-posterior toy language model of the capstone (problem 418).

No module here holds a solution of a problem.
"""
