"""A tiny exact denoiser that stands in for DiffusionGemma in problems 413, 417 and 418.

DiffusionGemma (Google DeepMind, 2026) runs one transformer in two modes: an *encoder* pass reads
the prompt and every finished canvas causally and fills a KV cache, and a *denoiser* pass reads the
cache plus the current noisy canvas (bidirectionally) and predicts the clean canvas. Its noise is
uniform-state: a canvas starts as uniformly random tokens and rejected positions are refilled with
fresh uniform tokens, so the model never knows for sure which tokens are noise.

:class:`ToyWordDenoiser` keeps that interface and replaces the network by exact Bayesian inference
over a small language:

* **Language.** Words whose letters all differ (from each other and from every other word's) are
  joined by a separator ``"_"``. Inside a word the next letter is fixed, after the last letter comes
  ``"_"``, after ``"_"`` a uniformly random word starts. That is a first-order Markov chain with a
  ``(V, V)`` transition matrix ``P``; with the default words ``V = 20``.
* **Noise model.** Each canvas token is read as an independent noisy observation of the clean token:
  ``e_l(v) = alpha_l [v == canvas_l] + (1 - alpha_l) / V``. This is the uniform-state corruption of
  problem 413 with keep-probability ``alpha_l``.
* **Posterior.** Given the last cached token ``c`` the clean canvas has the prior
  ``P[c, x_1] prod_l P[x_(l-1), x_l]`` (a chain), so the posterior marginals
  ``p(x_l = v | cache, canvas)`` follow from one forward-backward pass. Nothing is learned or
  approximated: every number is the exact posterior of this generative model, which is why the
  capstone's results are deterministic and checkable by hand. Impossible tokens get ``-inf``.
* **Self-conditioning.** DiffusionGemma feeds the previous step's (temperature-shaped) prediction back
  into the denoiser. The toy uses it the way a trained model would: a canvas token that agrees with
  the previous argmax was most likely *accepted* rather than fresh noise, so its trust is raised from
  ``trust_noise`` to ``trust_self``.

What it leaves out: attention, learned weights, an end-of-sequence token, batching of the cache
(one cache for the whole batch). The counters ``encoder_calls``, ``decoder_calls`` and ``ar_calls``
count forward passes, the quantity DiffusionGemma's tokens-per-forward metric divides by. Because
the posterior is deterministic, ``denoise`` memoises identical requests (a settled canvas is sent
again and again); every call still counts and returns a fresh array.

Used by problem 418 (the capstone) and, for its vocabulary, by the widgets of 413 and 416; problem 417
explains the ``encode``/``denoise`` split it imitates.

Example::

    model = ToyWordDenoiser()
    model.encode(model.encode_text("jumping"))
    logp = model.denoise(np.zeros((1, 16), dtype=np.int64), None)   # (1, 16, 20) log-probabilities
"""
from __future__ import annotations

import numpy as np

__all__ = ["RecordingToy", "ToyWordDenoiser"]


def _check_tokens(tokens, vocab_size: int, name: str, ndim: int) -> np.ndarray:
    """Return ``tokens`` as an int64 array of the given rank, or raise naming ``name``."""
    arr = np.asarray(tokens)
    if arr.dtype == bool or arr.dtype.kind not in "iu":
        if not (arr.size == 0 and arr.dtype.kind == "f"):
            raise TypeError(f"{name} must be an integer array, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= vocab_size):
        raise ValueError(f"{name} holds token ids outside [0, {vocab_size})")
    return arr


class ToyWordDenoiser:
    """Exact-posterior denoiser over a word language; the course's stand-in for DiffusionGemma.

    Args:
        words: the words of the language; every letter may occur only once over all words.
        sep: the one-character separator written between words (token id 0).
        trust_noise: ``alpha`` of a canvas token with no self-conditioning support, in (0, 1).
        trust_self: ``alpha`` of a canvas token that equals the argmax of ``self_cond``, in (0, 1).

    Attributes:
        itos: list of the V characters, ``itos[0] == sep``; ``stoi`` the inverse map.
        P: float64 (V, V) transition matrix, rows sum to one. ``initial = P[0]``.
        encoder_calls, decoder_calls, ar_calls: forward-pass counters, cleared by :meth:`reset`.

    Raises:
        ValueError: a repeated letter, a separator inside a word, or a trust outside (0, 1).
    """

    def __init__(self, words=("jumping", "blocks", "thread"), sep: str = "_",
                 trust_noise: float = 0.5, trust_self: float = 0.99):
        if not isinstance(sep, str) or len(sep) != 1:
            raise ValueError(f"sep must be a single character, got {sep!r}")
        words = tuple(words)
        if not words or not all(isinstance(w, str) and w for w in words):
            raise ValueError("words must be a non-empty sequence of non-empty strings")
        letters = "".join(words)
        if sep in letters:
            raise ValueError(f"words must not contain the separator {sep!r}")
        if len(set(letters)) != len(letters):
            raise ValueError("words: every letter may occur only once over all words "
                             "(otherwise the next letter inside a word is not fixed)")
        for name, value in (("trust_noise", trust_noise), ("trust_self", trust_self)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < value < 1.0:
                raise ValueError(f"{name} must be a number in (0, 1), got {value!r}")
        self.words = words
        self.sep = sep
        self.trust_noise = float(trust_noise)
        self.trust_self = float(trust_self)
        self.itos = [sep] + list(letters)
        self.stoi = {ch: i for i, ch in enumerate(self.itos)}
        V = len(self.itos)
        P = np.zeros((V, V))
        for w in words:
            ids = [self.stoi[ch] for ch in w]
            P[0, ids[0]] = 1.0 / len(words)          # "_" -> first letter of a random word
            for a, b in zip(ids[:-1], ids[1:]):
                P[a, b] = 1.0                         # the next letter inside a word is fixed
            P[ids[-1], 0] = 1.0                       # a word ends with "_"
        self.P = P
        with np.errstate(divide="ignore"):
            self._logP = np.log(P)
        self.initial = P[0].copy()
        self._memo: dict = {}
        self.reset()

    # ------------------------------------------------------------------ state
    def __getstate__(self) -> dict:
        """The model's state without the memo of posteriors (a cache, rebuilt on demand): what the
        grader's judge sends to and from a student's function along with the model."""
        return {**vars(self), "_memo": {}}

    @property
    def vocab_size(self) -> int:
        """V, the number of tokens."""
        return len(self.itos)

    @property
    def cache_len(self) -> int:
        """How many tokens the encoder has appended to the cache since the last reset."""
        return len(self._cache)

    def last_token(self) -> int:
        """The last cached token, or the separator (id 0) when the cache is empty."""
        return self._cache[-1] if self._cache else 0

    def reset(self) -> None:
        """Clear the cache and all three forward-pass counters."""
        self._cache: list[int] = []
        self.encoder_calls = 0
        self.decoder_calls = 0
        self.ar_calls = 0

    # ------------------------------------------------------------------ forward passes
    def encode(self, tokens) -> None:
        """Encoder pass: append clean ``tokens`` (int, 1-D, may be empty) to the cache.

        Counts one encoder call, also for an empty array (a prefill of an empty prompt).
        """
        arr = _check_tokens(tokens, self.vocab_size, "tokens", 1)
        self._cache.extend(int(t) for t in arr)
        self.encoder_calls += 1

    def denoise(self, canvas, self_cond=None) -> np.ndarray:
        """Denoiser pass: exact posterior log-marginals of the clean canvas.

        Args:
            canvas: int (B, L) noisy canvas, ids in [0, V).
            self_cond: None or real (B, L, V) logits of the previous step; where its argmax equals
                the canvas token the token is trusted with ``trust_self`` instead of ``trust_noise``.

        Returns:
            float64 (B, L, V) log-probabilities, each row a normalised distribution; ``-inf`` for
            tokens the language rules out at that position.
        """
        x = _check_tokens(canvas, self.vocab_size, "canvas", 2)
        B, L = x.shape
        V = self.vocab_size
        if L < 1:
            raise ValueError("canvas must hold at least one position")
        alpha = np.full((B, L), self.trust_noise)
        if self_cond is not None:
            sc = np.asarray(self_cond)
            if sc.shape != (B, L, V):
                raise ValueError(f"self_cond must have shape {(B, L, V)}, got {sc.shape}")
            alpha = np.where(np.argmax(sc, axis=-1) == x, self.trust_self, self.trust_noise)
        # emission e_l(v) = alpha_l [v == x_l] + (1 - alpha_l) / V, shape (B, L, V)
        emit = np.broadcast_to(((1.0 - alpha) / V)[..., None], (B, L, V)).copy()
        np.put_along_axis(emit, x[..., None], (alpha + (1.0 - alpha) / V)[..., None], axis=-1)
        # the toy is deterministic: identical requests (common once a canvas has settled) are memoised
        key = (self.last_token(), x.tobytes(), alpha.tobytes(), x.shape)
        post = self._memo.get(key)
        if post is None:
            post = self._forward_backward(emit)
            if len(self._memo) >= self._MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = post
        self.decoder_calls += 1
        with np.errstate(divide="ignore"):
            return np.log(post)                     # a new array on every call

    _MEMO_SIZE = 4096

    def _forward_backward(self, emit: np.ndarray) -> np.ndarray:
        """Posterior marginals (B, L, V) of the clean canvas given the cache and the emissions."""
        B, L, V = emit.shape
        P = self.P
        # forward pass, normalised at every position (the scale cancels in the marginals)
        fwd = np.empty((B, L, V))
        f = np.broadcast_to(P[self.last_token()], (B, V)) * emit[:, 0]
        fwd[:, 0] = f / f.sum(-1, keepdims=True)
        for l in range(1, L):
            f = (fwd[:, l - 1] @ P) * emit[:, l]
            fwd[:, l] = f / f.sum(-1, keepdims=True)
        # backward pass: bwd[l](u) is proportional to p(x_{l+1:} | x_l = u)
        post = np.empty((B, L, V))
        bwd = np.ones((B, V))
        post[:, L - 1] = fwd[:, L - 1]
        for l in range(L - 2, -1, -1):
            bwd = (emit[:, l + 1] * bwd) @ P.T
            bwd = bwd / bwd.sum(-1, keepdims=True)
            post[:, l] = fwd[:, l] * bwd
        post /= post.sum(-1, keepdims=True)
        return post

    def ar_forward(self, new_tokens) -> np.ndarray:
        """Autoregressive pass: append ``new_tokens`` (int, 1-D) and return log P[last, :], shape (V,)."""
        arr = _check_tokens(new_tokens, self.vocab_size, "new_tokens", 1)
        self._cache.extend(int(t) for t in arr)
        self.ar_calls += 1
        return self._logP[self.last_token()].copy()

    # ------------------------------------------------------------------ text helpers
    def encode_text(self, text: str) -> np.ndarray:
        """Characters -> int64 token ids (1-D). Raises ValueError on a character outside the vocabulary."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        unknown = sorted(set(text) - set(self.stoi))
        if unknown:
            raise ValueError(f"text holds characters outside the vocabulary: {unknown}")
        return np.array([self.stoi[ch] for ch in text], dtype=np.int64)

    def decode(self, tokens) -> str:
        """Token ids (any shape, flattened) -> the string they spell."""
        arr = _check_tokens(np.ravel(np.asarray(tokens)), self.vocab_size, "tokens", 1)
        return "".join(self.itos[int(t)] for t in arr)

    def _allowed_transitions(self, prompt, tokens) -> np.ndarray:
        p = _check_tokens(prompt, self.vocab_size, "prompt", 1)
        t = _check_tokens(tokens, self.vocab_size, "tokens", 1)
        prev = np.concatenate([[p[-1] if p.size else 0], t[:-1]]).astype(np.int64)
        return self.P[prev, t] > 0

    def is_valid(self, prompt, tokens) -> bool:
        """True when every transition, from the prompt's last token (or "_") on, is allowed."""
        return bool(np.all(self._allowed_transitions(prompt, tokens)))

    def transition_accuracy(self, prompt, tokens) -> float:
        """Fraction of the generated tokens whose incoming transition is allowed (1.0 = valid)."""
        ok = self._allowed_transitions(prompt, tokens)
        return float(ok.mean()) if ok.size else 1.0


class RecordingToy(ToyWordDenoiser):
    """The toy model, recording what a generation loop sends it (the capstone's tests read it).

    Attributes (cleared by :meth:`reset`): ``encoded`` the token arrays given to :meth:`encode`;
    ``self_conds`` the ``self_cond`` of each :meth:`denoise` call (None or a copy);
    ``raw_outputs`` the logits each :meth:`denoise` call returned.
    """

    def reset(self) -> None:
        super().reset()
        self.encoded, self.self_conds, self.raw_outputs = [], [], []

    def encode(self, tokens) -> None:
        self.encoded.append(np.array(tokens, copy=True))
        super().encode(tokens)

    def denoise(self, canvas, self_cond=None) -> np.ndarray:
        self.self_conds.append(None if self_cond is None else np.array(self_cond, copy=True))
        out = super().denoise(canvas, self_cond)
        self.raw_outputs.append(out.copy())
        return out
