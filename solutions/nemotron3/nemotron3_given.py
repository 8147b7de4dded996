"""Answers of earlier Nemotron 3 problems, provided for the later problems of the chapter.

Released to students with the chapter, cut to what each notebook imports (408 gets ``layer_counts``
of 406; 410 gets the router of 409). The functions follow the contracts of the problems that
introduce them (shapes, dtypes, errors). Reading order 406 -> 419 -> 407 -> 408 -> 409 -> 410 ->
411 -> 412.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
from torch import nn

from mlpapers.arguments import generator, int_array, integer, real, real_array, require

PATTERN_CHARS = {"M": "mamba", "E": "moe", "*": "attention", "-": "mlp"}


def _config(cfg) -> dict:
    if not isinstance(cfg, dict):
        raise TypeError(f"cfg must be a dict of config fields, got {type(cfg).__name__}")
    return cfg


def _field(cfg: dict, key: str) -> int:
    require(key in cfg, "cfg", f"a config with the field {key!r}", f"fields {sorted(cfg)}")
    return integer(cfg[key], f"cfg[{key!r}]", low=1)


def _byte_size(value, name: str) -> float:
    value = real(value, name)
    require(value > 0, name, "> 0", value)
    return value


# --- problem 406: what a token costs --------------------------------------------------------------

def layer_counts(pattern: str) -> dict[str, int]:
    """Problem 406. {"mamba": #M, "moe": #E, "attention": #*, "mlp": #-} of a hybrid_override_pattern."""
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be a str, got {type(pattern).__name__}")
    require(len(pattern) > 0, "pattern", "non-empty", repr(pattern))
    bad = sorted(set(pattern) - set(PATTERN_CHARS))
    require(not bad, "pattern", "made of the characters M, E, * and -", f"{bad}")
    return {name: pattern.count(ch) for ch, name in PATTERN_CHARS.items()}


def _pattern(cfg: dict) -> dict[str, int]:
    require("hybrid_override_pattern" in cfg, "cfg", "a config with 'hybrid_override_pattern'", sorted(cfg))
    return layer_counts(cfg["hybrid_override_pattern"])


def kv_cache_bytes(cfg: dict, seq_len: int, batch: int = 1, bytes_per_elem: float = 2.0) -> float:
    """Problem 406. n_attention * 2 * n_kv * head_dim * seq_len * batch * bytes (keys and values, GQA)."""
    cfg = _config(cfg)
    seq_len = integer(seq_len, "seq_len", low=0)
    batch = integer(batch, "batch", low=1)
    beta = _byte_size(bytes_per_elem, "bytes_per_elem")
    n_attn = _pattern(cfg)["attention"]
    if n_attn == 0:
        return 0.0
    return float(n_attn * 2 * _field(cfg, "num_key_value_heads") * _field(cfg, "head_dim") * seq_len * batch * beta)


def decode_cache_bytes(cfg: dict, seq_len: int, batch: int = 1, kv_bytes: float = 2.0,
                       ssm_bytes: float = 4.0, conv_bytes: float = 2.0) -> dict[str, float]:
    """Problem 406. {"kv", "ssm", "conv", "total"}: KV grows with seq_len, the Mamba state does not."""
    cfg = _config(cfg)
    kv = kv_cache_bytes(cfg, seq_len, batch, kv_bytes)
    b_ssm = _byte_size(ssm_bytes, "ssm_bytes")
    b_conv = _byte_size(conv_bytes, "conv_bytes")
    n_m = _pattern(cfg)["mamba"]
    ssm = conv = 0.0
    if n_m:
        H, P, N = _field(cfg, "mamba_num_heads"), _field(cfg, "mamba_head_dim"), _field(cfg, "ssm_state_size")
        G, K = _field(cfg, "n_groups"), _field(cfg, "conv_kernel")
        ssm = float(n_m * batch * H * P * N * b_ssm)
        conv = float(n_m * batch * (K - 1) * (H * P + 2 * G * N) * b_conv)
    return {"kv": kv, "ssm": ssm, "conv": conv, "total": kv + ssm + conv}


def attention_only_config(cfg: dict) -> dict:
    """Problem 406. A shallow copy of cfg with every Mamba layer ("M") turned into attention ("*")."""
    cfg = _config(cfg)
    _pattern(cfg)
    out = dict(cfg)
    out["hybrid_override_pattern"] = cfg["hybrid_override_pattern"].replace("M", "*")
    return out


# --- problem 419: Mamba-2's selective scan --------------------------------------------------------

def mamba2_dt(dt_raw, dt_bias, dt_min: float = 0.0, dt_max: float = math.inf) -> np.ndarray:
    """Problem 419. clip(softplus(dt_raw + dt_bias), dt_min, dt_max), overflow-safe."""
    raw = real_array(dt_raw, "dt_raw")
    require(raw.ndim >= 1, "dt_raw", "of shape (..., H)", f"shape {raw.shape}")
    bias = real_array(dt_bias, "dt_bias", ndim=1)
    require(bias.shape[0] == raw.shape[-1], "dt_bias", f"of length {raw.shape[-1]} (dt_raw's last axis)", bias.shape[0])
    lo = real(dt_min, "dt_min", low=0.0)
    hi = real(dt_max, "dt_max", finite=False)
    require(lo <= hi, "dt_min", f"<= dt_max = {hi}", lo)
    return np.clip(np.logaddexp(0.0, raw + bias), lo, hi)


def _ssd_args(x, dt, A, B, C, D, initial_state):
    x = real_array(x, "x", ndim=3)
    L, H, P = x.shape
    dt = real_array(dt, "dt", shape=(L, H))
    require(bool(np.all(dt >= 0)), "dt", ">= 0 everywhere")
    A = real_array(A, "A", shape=(H,))
    require(bool(np.all(A <= 0)), "A", "<= 0 everywhere")
    B = real_array(B, "B", ndim=3)
    require(B.shape[0] == L, "B", f"of shape ({L}, G, N)", f"shape {B.shape}")
    G, N = B.shape[1], B.shape[2]
    require(G >= 1 and H % G == 0, "B", f"with a group count G dividing H = {H}", f"G = {G}")
    C = real_array(C, "C", shape=(L, G, N))
    D = np.zeros(H) if D is None else real_array(D, "D", shape=(H,))
    h0 = np.zeros((H, P, N)) if initial_state is None else real_array(initial_state, "initial_state", shape=(H, P, N))
    heads_per_group = H // G
    group = np.arange(H) // heads_per_group
    return x, dt, A, B[:, group, :], C[:, group, :], D, h0


def ssd_recurrent(x, dt, A, B, C, D=None, initial_state=None) -> tuple[np.ndarray, np.ndarray]:
    """Problem 419. The O(L) recurrence H_t = exp(dt A) H_(t-1) + dt x B^T, y_t = H_t C + D x: (y, final state)."""
    x, dt, A, Bh, Ch, D, h = _ssd_args(x, dt, A, B, C, D, initial_state)
    y = np.empty_like(x)
    for t in range(x.shape[0]):
        h = np.exp(dt[t] * A)[:, None, None] * h + (dt[t][:, None] * x[t])[:, :, None] * Bh[t][:, None, :]
        y[t] = np.einsum("hpn,hn->hp", h, Ch[t]) + D[:, None] * x[t]
    return y, h


def ssd_chunked(x, dt, A, B, C, D=None, initial_state=None, chunk_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Problem 419. The same outputs by chunks: attention-like work inside a chunk, recurrence across chunks."""
    x, dt, A, Bh, Ch, D, h = _ssd_args(x, dt, A, B, C, D, initial_state)
    chunk_size = integer(chunk_size, "chunk_size", low=1)
    L = x.shape[0]
    y = np.empty_like(x)
    for s in range(0, L, chunk_size):
        e = min(s + chunk_size, L)
        a = dt[s:e] * A                      # (l, H)
        c = np.cumsum(a, axis=0)             # inclusive
        u = dt[s:e][:, :, None] * x[s:e]     # (l, H, P)
        causal = np.tril(np.ones((e - s, e - s), dtype=bool))
        # mask with -inf before exponentiating: above the diagonal c_t - c_tau > 0 could overflow
        decay = np.exp(np.where(causal[:, :, None], c[:, None, :] - c[None, :, :], -np.inf))  # (t, tau, H)
        scores = np.einsum("thn,shn->tsh", Ch[s:e], Bh[s:e]) * decay
        y_in = np.einsum("tsh,shp->thp", scores, u)
        y_carry = np.exp(c)[:, :, None] * np.einsum("hpn,thn->thp", h, Ch[s:e])
        y[s:e] = y_in + y_carry + D[None, :, None] * x[s:e]
        w = np.exp(c[-1][None, :] - c)       # (tau, H)
        h = np.exp(c[-1])[:, None, None] * h + np.einsum("sh,shp,shn->hpn", w, u, Bh[s:e])
    return y, h


# --- problem 407: the MoE roofline ---------------------------------------------------------------

def gemm_intensity(tokens: float, d_in: int, d_out: int, w_bytes: float = 2.0, a_bytes: float = 2.0) -> float:
    """Problem 407. 2 t d_in d_out / (w_bytes d_in d_out + a_bytes t (d_in + d_out)) FLOP per byte."""
    t = real(tokens, "tokens")
    require(t > 0, "tokens", "> 0", t)
    d_in = integer(d_in, "d_in", low=1)
    d_out = integer(d_out, "d_out", low=1)
    bw, ba = _byte_size(w_bytes, "w_bytes"), _byte_size(a_bytes, "a_bytes")
    return 2.0 * t * d_in * d_out / (bw * d_in * d_out + ba * t * (d_in + d_out))


def expected_active_experts(batch_tokens: int, n_experts: int, top_k: int) -> float:
    """Problem 407. N (1 - (1 - K/N)^B): distinct experts touched by B uniformly routed tokens."""
    B = integer(batch_tokens, "batch_tokens", low=1)
    N = integer(n_experts, "n_experts", low=1)
    K = integer(top_k, "top_k", low=1, high=N)
    return float(N * (1.0 - (1.0 - K / N) ** B))


def moe_roofline(batch_tokens: int, d_model: int, d_ff: int, n_experts: int, top_k: int,
                 latent_dim: int | None = None, *, peak_flops: float, mem_bw: float,
                 w_bytes: float = 2.0, a_bytes: float = 2.0) -> dict:
    """Problem 407. FLOPs, bytes, intensity, ridge, time and bound of one MoE layer's routed path."""
    B = integer(batch_tokens, "batch_tokens", low=1)
    d = integer(d_model, "d_model", low=1)
    m = integer(d_ff, "d_ff", low=1)
    N = integer(n_experts, "n_experts", low=1)
    K = integer(top_k, "top_k", low=1, high=N)
    lat = None if latent_dim is None else integer(latent_dim, "latent_dim", low=1, high=d)
    peak, bw = _byte_size(peak_flops, "peak_flops"), _byte_size(mem_bw, "mem_bw")
    bw_w, bw_a = _byte_size(w_bytes, "w_bytes"), _byte_size(a_bytes, "a_bytes")
    de = d if lat is None else lat
    flops = 4.0 * B * K * de * m
    nbytes = bw_w * expected_active_experts(B, N, K) * 2 * de * m + bw_a * 2 * B * K * (de + m)
    if lat is not None:
        flops += 4.0 * B * d * lat
        nbytes += bw_w * 2 * d * lat + bw_a * 2 * B * (d + lat)
    t_compute, t_memory = flops / peak, nbytes / bw
    return {"flops": flops, "bytes": nbytes, "intensity": flops / nbytes, "ridge": peak / bw,
            "time_s": max(t_compute, t_memory), "bound": "memory" if t_memory >= t_compute else "compute"}


# --- problem 408: counting LatentMoE ---------------------------------------------------------------

def moe_layer_params(d_model: int, d_ff: int, n_experts: int, top_k: int, latent_dim: int | None = None,
                     d_shared: int = 0) -> dict[str, int]:
    """Problem 408. {"total", "active"} weights of one MoE layer (non-gated experts, router, latent, shared)."""
    d = integer(d_model, "d_model", low=1)
    m = integer(d_ff, "d_ff", low=1)
    N = integer(n_experts, "n_experts", low=1)
    K = integer(top_k, "top_k", low=1, high=N)
    lat = None if latent_dim is None else integer(latent_dim, "latent_dim", low=1)
    ds = integer(d_shared, "d_shared", low=0)
    de = d if lat is None else lat
    common = d * N + (0 if lat is None else 2 * d * lat) + 2 * d * ds
    return {"total": N * 2 * de * m + common, "active": K * 2 * de * m + common}


def moe_flops_per_token(d_model, d_ff, n_experts, top_k, latent_dim=None, d_shared=0) -> int:
    """Problem 408. 2 x active weights: one multiply-add per weight a token passes through."""
    return 2 * moe_layer_params(d_model, d_ff, n_experts, top_k, latent_dim, d_shared)["active"]


def all_to_all_bytes_per_token(d_model: int, top_k: int, latent_dim: int | None = None,
                               bytes_per_elem: float = 2.0) -> float:
    """Problem 408. 2 K d_e bytes_per_elem: dispatch to and combine from K experts, rows of width d_e."""
    d = integer(d_model, "d_model", low=1)
    K = integer(top_k, "top_k", low=1)
    lat = None if latent_dim is None else integer(latent_dim, "latent_dim", low=1)
    beta = _byte_size(bytes_per_elem, "bytes_per_elem")
    return float(2 * K * (d if lat is None else lat) * beta)


def model_params(cfg: dict) -> dict[str, int]:
    """Problem 408. {"total", "active"} weights of a whole hybrid model from its config."""
    cfg = _config(cfg)
    counts = _pattern(cfg)
    d = _field(cfg, "hidden_size")
    V = _field(cfg, "vocab_size")
    total = active = 0
    if counts["mamba"]:
        H, P, N = _field(cfg, "mamba_num_heads"), _field(cfg, "mamba_head_dim"), _field(cfg, "ssm_state_size")
        G, Kc = _field(cfg, "n_groups"), _field(cfg, "conv_kernel")
        conv_ch = H * P + 2 * G * N
        per = (d * (2 * H * P + 2 * G * N + H) + conv_ch * Kc + (conv_ch if cfg.get("use_conv_bias", True) else 0)
               + 3 * H + H * P + H * P * d + d)
        total += counts["mamba"] * per
        active += counts["mamba"] * per
    if counts["attention"]:
        nq, nkv, dh = _field(cfg, "num_attention_heads"), _field(cfg, "num_key_value_heads"), _field(cfg, "head_dim")
        per = d * nq * dh + 2 * d * nkv * dh + nq * dh * d + d
        total += counts["attention"] * per
        active += counts["attention"] * per
    if counts["moe"]:
        lat = cfg.get("moe_latent_size")
        n_shared = integer(cfg.get("n_shared_experts", 0), "cfg['n_shared_experts']", low=0)
        ds = n_shared * _field(cfg, "moe_shared_expert_intermediate_size") if n_shared else 0
        layer = moe_layer_params(d, _field(cfg, "moe_intermediate_size"), _field(cfg, "n_routed_experts"),
                                 _field(cfg, "num_experts_per_tok"), lat, ds)
        total += counts["moe"] * (layer["total"] + d)
        active += counts["moe"] * (layer["active"] + d)
    if counts["mlp"]:
        per = 2 * d * _field(cfg, "intermediate_size") + d
        total += counts["mlp"] * per
        active += counts["mlp"] * per
    tied = bool(cfg.get("tie_word_embeddings", False))
    total += V * d + (0 if tied else V * d) + d
    active += V * d + d          # the LM head (the tied matrix counts once here too), final norm
    return {"total": total, "active": active}


# --- problem 409: sigmoid top-k routing ------------------------------------------------------------

def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))


def route_tokens(x, w_router, e_bias, top_k: int, routed_scaling_factor: float = 1.0,
                 norm_topk_prob: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Problem 409. Top-k of sigmoid(x W^T) + bias (choice only); weights from the unbiased scores."""
    x = real_array(x, "x", ndim=2)
    w = real_array(w_router, "w_router", ndim=2)
    require(w.shape[1] == x.shape[1], "w_router", f"of shape (N, {x.shape[1]})", f"shape {w.shape}")
    N = w.shape[0]
    bias = real_array(e_bias, "e_bias", shape=(N,))
    K = integer(top_k, "top_k", low=1, high=N)
    rho = real(routed_scaling_factor, "routed_scaling_factor")
    require(rho > 0, "routed_scaling_factor", "> 0", rho)
    if not isinstance(norm_topk_prob, (bool, np.bool_)):
        raise TypeError(f"norm_topk_prob must be a bool, got {type(norm_topk_prob).__name__}")
    scores = _sigmoid(x @ w.T)
    idx = np.argsort(-(scores + bias), axis=1, kind="stable")[:, :K].astype(np.int64)
    chosen = np.take_along_axis(scores, idx, axis=1)
    if norm_topk_prob:
        chosen = chosen / (chosen.sum(axis=1, keepdims=True) + 1e-20)
    return idx, rho * chosen


def expert_counts(indices, n_experts: int) -> np.ndarray:
    """Problem 409. (N,) int64: how many (token, slot) pairs chose each expert."""
    N = integer(n_experts, "n_experts", low=1)
    idx = int_array(indices, "indices", low=0, high=N - 1)
    return np.bincount(idx.reshape(-1), minlength=N).astype(np.int64)


def update_expert_bias(e_bias, counts, update_rate: float) -> np.ndarray:
    """Problem 409. b + u sign(mean(c) - c): under-loaded experts up, over-loaded down."""
    b = real_array(e_bias, "e_bias", ndim=1)
    c = real_array(counts, "counts", shape=b.shape)
    require(bool(np.all(c >= 0)), "counts", ">= 0 everywhere")
    u = real(update_rate, "update_rate", low=0.0)
    return b + u * np.sign(c.mean() - c)


# --- problem 410: a LatentMoE layer in PyTorch -----------------------------------------------------

def relu2(x):
    """Problem 410. relu(x)^2, the non-gated expert activation of Nemotron 3."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    return torch.relu(x).square()


_MOE_KEYS = ("router_weight", "e_score_correction_bias", "experts_up", "experts_down")


def latent_moe_forward(x, params: dict, top_k: int, routed_scaling_factor: float = 1.0,
                       norm_topk_prob: bool = True):
    """Problem 410. y = W_up sum_i g_i e_i(W_down x) + shared(x), routed on x; (..., d) -> (..., d)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of tensors, got {type(params).__name__}")
    for key in _MOE_KEYS:
        require(params.get(key) is not None, "params", f"a dict with {key!r}", sorted(params))
    Wr, bias, up, down = (params[k] for k in _MOE_KEYS)
    N, d = Wr.shape
    require(x.ndim >= 1 and x.shape[-1] == d, "x", f"of shape (..., {d})", tuple(x.shape))
    K = integer(top_k, "top_k", low=1, high=N)
    rho = real(routed_scaling_factor, "routed_scaling_factor")
    require(rho > 0, "routed_scaling_factor", "> 0", rho)
    if not isinstance(norm_topk_prob, bool):
        raise TypeError(f"norm_topk_prob must be a bool, got {type(norm_topk_prob).__name__}")
    fc1, fc2 = params.get("fc1_latent"), params.get("fc2_latent")
    require((fc1 is None) == (fc2 is None), "params", "with both fc1_latent and fc2_latent or neither")
    de = d if fc1 is None else fc1.shape[0]
    require(tuple(up.shape[::2]) == (N, de) and tuple(down.shape[:2]) == (N, de) and down.shape[2] == up.shape[1],
            "params", f"experts_up (N, m, {de}) and experts_down (N, {de}, m)", (tuple(up.shape), tuple(down.shape)))
    shape = x.shape
    xs = x.reshape(-1, d)
    rdtype = torch.promote_types(x.dtype, torch.float32)
    scores = torch.sigmoid(xs.to(rdtype) @ Wr.to(rdtype).T)
    idx = torch.topk(scores + bias.to(rdtype), K, dim=-1).indices
    weights = scores.gather(1, idx)
    if norm_topk_prob:
        weights = weights / (weights.sum(dim=-1, keepdim=True) + 1e-20)
    weights = (rho * weights).to(x.dtype)
    z = xs if fc1 is None else xs @ fc1.T
    out = torch.zeros_like(z)
    for e in range(N):
        tok, slot = torch.nonzero(idx == e, as_tuple=True)
        if tok.numel():
            h = relu2(z[tok] @ up[e].T) @ down[e].T
            out.index_add_(0, tok, h * weights[tok, slot, None])
    y = out if fc2 is None else out @ fc2.T
    if params.get("shared_up") is not None:
        y = y + relu2(xs @ params["shared_up"].T) @ params["shared_down"].T
    return y.reshape(shape)


class LatentMoE(nn.Module):
    """Problem 410. The Super-style MoE sub-layer with its tensors as parameters (HF names in comments)."""

    def __init__(self, d_model: int, d_ff: int, n_experts: int, top_k: int, latent_dim: int | None = None,
                 d_shared: int = 0, routed_scaling_factor: float = 1.0, norm_topk_prob: bool = True,
                 *, device=None, dtype=None):
        super().__init__()
        d = integer(d_model, "d_model", low=1)
        m = integer(d_ff, "d_ff", low=1)
        N = integer(n_experts, "n_experts", low=1)
        self.top_k = integer(top_k, "top_k", low=1, high=N)
        lat = None if latent_dim is None else integer(latent_dim, "latent_dim", low=1)
        ds = integer(d_shared, "d_shared", low=0)
        self.routed_scaling_factor = real(routed_scaling_factor, "routed_scaling_factor")
        self.norm_topk_prob = norm_topk_prob
        kw = {"device": device, "dtype": dtype}
        de = d if lat is None else lat
        self.router_weight = nn.Parameter(torch.empty(N, d, **kw))            # gate.weight
        self.register_buffer("e_score_correction_bias", torch.zeros(N, **kw))  # gate.e_score_correction_bias
        self.experts_up = nn.Parameter(torch.empty(N, m, de, **kw))           # experts.up_proj
        self.experts_down = nn.Parameter(torch.empty(N, de, m, **kw))         # experts.down_proj
        self.fc1_latent = None if lat is None else nn.Parameter(torch.empty(lat, d, **kw))
        self.fc2_latent = None if lat is None else nn.Parameter(torch.empty(d, lat, **kw))
        self.shared_up = None if ds == 0 else nn.Parameter(torch.empty(ds, d, **kw))
        self.shared_down = None if ds == 0 else nn.Parameter(torch.empty(d, ds, **kw))
        self.reset_parameters()

    def reset_parameters(self, generator=None) -> None:
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=generator, dtype=torch.float64).to(p) * 0.02)

    def forward(self, x):
        params = {k: getattr(self, k) for k in ("router_weight", "e_score_correction_bias", "experts_up",
                                                "experts_down", "fc1_latent", "fc2_latent", "shared_up",
                                                "shared_down")}
        return latent_moe_forward(x, params, self.top_k, self.routed_scaling_factor, self.norm_topk_prob)


# --- problem 411: NVFP4 by hand -------------------------------------------------------------------

E2M1_GRID = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0])
E2M1_MAX, E4M3_MAX = 6.0, 448.0


def _finite(x, name: str) -> np.ndarray:
    return real_array(x, name)


def _rne_on_grid(mag: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Round non-negative magnitudes to the nearest grid value; ties to the even grid index."""
    i = np.clip(np.searchsorted(grid, mag, side="right") - 1, 0, grid.size - 1)
    j = np.minimum(i + 1, grid.size - 1)
    lo, hi = grid[i], grid[j]
    up = (mag - lo > hi - mag) | ((mag - lo == hi - mag) & (i % 2 == 1))
    return np.where(up, hi, lo)


def round_to_e2m1(x) -> np.ndarray:
    """Problem 411. Round to the nearest E2M1 value (ties to even mantissa), saturating at +-6."""
    x = _finite(x, "x")
    mag = np.minimum(np.abs(x), E2M1_MAX)
    return np.sign(x) * _rne_on_grid(mag, E2M1_GRID)


def round_to_e4m3(x) -> np.ndarray:
    """Problem 411. Round to FP8 E4M3 (fn): 3 mantissa bits, subnormals below 2^-6, saturating at +-448."""
    x = _finite(x, "x")
    mag = np.minimum(np.abs(x), E4M3_MAX)
    with np.errstate(divide="ignore"):
        e = np.floor(np.log2(np.where(mag > 0, mag, 1.0)))
    step = np.exp2(np.maximum(e, -6.0) - 3.0)
    q = np.round(mag / step) * step          # np.round: half to even on the integer multiple
    return np.sign(x) * np.minimum(q, E4M3_MAX)


def _blocks(x: np.ndarray, size: int, name: str) -> np.ndarray:
    require(x.ndim >= 1 and x.shape[-1] > 0 and x.shape[-1] % size == 0, name,
            f"of shape (..., n) with n a positive multiple of {size}", f"shape {x.shape}")
    return x.reshape(x.shape[:-1] + (x.shape[-1] // size, size))


def nvfp4_quantize(x) -> tuple[np.ndarray, np.ndarray, float]:
    """Problem 411. (E2M1 codes, E4M3 block scales per 16, FP32 tensor scale s_enc = 448 * 6 / amax)."""
    x = _finite(x, "x")
    xb = _blocks(x, 16, "x")
    amax = float(np.max(np.abs(x)))
    s_enc = 1.0 if amax == 0 else E4M3_MAX * E2M1_MAX / amax
    s_b = round_to_e4m3(np.max(np.abs(xb), axis=-1) / E2M1_MAX * s_enc)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(s_b[..., None] > 0, xb * s_enc / s_b[..., None], 0.0)
    q = round_to_e2m1(scaled)
    return q.reshape(x.shape), s_b, float(s_enc)


def nvfp4_dequantize(q, scales, global_scale: float) -> np.ndarray:
    """Problem 411. x_hat = q * s_b / s_enc, block by block."""
    q = _finite(q, "q")
    qb = _blocks(q, 16, "q")
    s = real_array(scales, "scales", shape=qb.shape[:-1])
    g = real(global_scale, "global_scale")
    require(g > 0, "global_scale", "> 0", g)
    return (qb * s[..., None] / g).reshape(q.shape)


def nvfp4_fake_quant(x) -> np.ndarray:
    """Quantise and dequantise with NVFP4 (a helper of problem 411's comparison, not graded)."""
    return nvfp4_dequantize(*nvfp4_quantize(x))


def mxfp4_fake_quant(x) -> np.ndarray:
    """Problem 411. MXFP4: blocks of 32, power-of-two scale 2^(floor(log2 amax) - 2), E2M1 codes."""
    x = _finite(x, "x")
    xb = _blocks(x, 32, "x")
    amax = np.max(np.abs(xb), axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):
        e = np.clip(np.floor(np.log2(np.where(amax > 0, amax, 1.0))) - 2, -127, 127)
    scale = np.exp2(e)
    return (round_to_e2m1(xb / scale) * scale).reshape(x.shape)


def fp8_fake_quant(x) -> np.ndarray:
    """Per-tensor FP8 E4M3: scale 448 / amax, round, scale back (a helper of problem 411, not graded)."""
    x = _finite(x, "x")
    amax = float(np.max(np.abs(x))) if x.size else 0.0
    s = 1.0 if amax == 0 else E4M3_MAX / amax
    return round_to_e4m3(x * s) / s


def stochastic_round_e2m1(x, rng: np.random.Generator) -> np.ndarray:
    """Problem 411. Unbiased rounding to E2M1: up with probability (|v| - lo) / (hi - lo); one rng.random call."""
    x = _finite(x, "x")
    rng = generator(rng)
    u = rng.random(x.shape)
    mag = np.minimum(np.abs(x), E2M1_MAX)
    i = np.clip(np.searchsorted(E2M1_GRID, mag, side="right") - 1, 0, E2M1_GRID.size - 1)
    j = np.minimum(i + 1, E2M1_GRID.size - 1)
    lo, hi = E2M1_GRID[i], E2M1_GRID[j]
    gap = hi - lo
    p_up = np.where(gap > 0, (mag - lo) / np.where(gap > 0, gap, 1.0), 0.0)
    return np.sign(x) * np.where(u < p_up, hi, lo)


def hadamard16() -> np.ndarray:
    """The 16 x 16 Sylvester Hadamard matrix (entries +-1)."""
    H = np.array([[1.0]])
    while H.shape[0] < 16:
        H = np.block([[H, H], [H, -H]])
    return H


def rht16(x, signs, inverse: bool = False) -> np.ndarray:
    """Problem 411. Random Hadamard transform per 16-block: y = x_blocks @ T, T = diag(signs) H16 / 4."""
    x = _finite(x, "x")
    xb = _blocks(x, 16, "x")
    s = real_array(signs, "signs", shape=(16,))
    require(bool(np.all(np.abs(s) == 1)), "signs", "16 values of +1 or -1")
    T = s[:, None] * hadamard16() / 4.0
    return (xb @ (T.T if inverse else T)).reshape(x.shape)


# --- problem 412: MTP drafting and speculative decoding -------------------------------------------

def _tensor(v, name: str):
    if not isinstance(v, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(v).__name__}")
    return v


def _alpha_k(alpha, k) -> tuple[float, int]:
    return real(alpha, "alpha", low=0.0, high=1.0), integer(k, "k", low=0)


def expected_tokens_per_step(alpha: float, k: int) -> float:
    """Problem 412. (1 - alpha^(k+1)) / (1 - alpha), k + 1 when alpha = 1 (Leviathan et al., Eq. 1)."""
    alpha, k = _alpha_k(alpha, k)
    if alpha == 1.0:
        return float(k + 1)
    return (1.0 - alpha ** (k + 1)) / (1.0 - alpha)


def simulate_tokens_per_step(alpha: float, k: int, n_trials: int, generator) -> float:
    """Problem 412. Mean of (#leading accepts + 1) over n_trials rows of u < alpha, u ~ U(0,1)^k in float64."""
    alpha, k = _alpha_k(alpha, k)
    n = integer(n_trials, "n_trials", low=1)
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    u = torch.rand((n, k), generator=generator, dtype=torch.float64)
    leading = torch.cumprod((u < alpha).to(torch.int64), dim=1).sum(dim=1)
    return float((leading + 1).double().mean())


def _distribution(v, name: str, ndim: int):
    v = _tensor(v, name)
    require(v.ndim == ndim and v.is_floating_point(), name, f"a {ndim}-D floating-point tensor", tuple(v.shape))
    require(bool((v >= 0).all()) and bool(torch.allclose(v.sum(-1).double(), torch.ones((), dtype=torch.float64),
                                                          atol=1e-6)), name,
            "non-negative rows summing to 1 (atol 1e-6)")
    return v


def acceptance_probability(p, q) -> float:
    """Problem 412. beta = sum_v min(p_v, q_v): chance one drafted token from q survives verification by p."""
    p = _distribution(p, "p", 1)
    q = _distribution(q, "q", 1)
    require(p.shape == q.shape, "q", f"shaped like p {tuple(p.shape)}", tuple(q.shape))
    return float(torch.minimum(p.double(), q.double()).sum())


def _tokens(v, name: str, ndim: int, vocab: int | None = None):
    v = _tensor(v, name)
    require(v.ndim == ndim and not v.is_floating_point() and not v.is_complex() and v.dtype != torch.bool,
            name, f"a {ndim}-D integer tensor", (tuple(v.shape), v.dtype))
    if vocab is not None and v.numel():
        require(int(v.min()) >= 0 and int(v.max()) < vocab, name, f"token ids in [0, {vocab})")
    return v


def greedy_verify(draft_tokens, target_logits):
    """Problem 412. Accept drafts while they equal the target's argmax; emit the accepted prefix plus one target token."""
    logits = _tensor(target_logits, "target_logits")
    require(logits.ndim == 2 and logits.shape[0] >= 1, "target_logits", "of shape (k + 1, V)", tuple(logits.shape))
    drafts = _tokens(draft_tokens, "draft_tokens", 1, logits.shape[1])
    k = drafts.shape[0]
    require(logits.shape[0] == k + 1, "target_logits", f"with k + 1 = {k + 1} rows", logits.shape[0])
    best = logits.argmax(dim=-1).to(torch.int64)
    n = 0
    while n < k and int(drafts[n]) == int(best[n]):
        n += 1
    return torch.cat([drafts[:n].to(torch.int64).cpu(), best[n:n + 1].cpu()]).to(logits.device), n


def _inverse_cdf(w, u: float) -> int:
    c = torch.cumsum(w.double(), dim=0)
    return int(torch.nonzero(c > u * c[-1])[0, 0])


def rejection_verify(draft_tokens, draft_probs, target_probs, generator):
    """Problem 412. Leviathan et al.'s Algorithm 1 with one draw of k + 1 uniforms: output distributed as p."""
    q = _distribution(draft_probs, "draft_probs", 2)
    p = _distribution(target_probs, "target_probs", 2)
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    drafts = _tokens(draft_tokens, "draft_tokens", 1, q.shape[1])
    k, V = q.shape
    require(drafts.shape[0] == k, "draft_probs", f"with one row per draft ({drafts.shape[0]})", k)
    require(tuple(p.shape) == (k + 1, V), "target_probs", f"of shape ({k + 1}, {V})", tuple(p.shape))
    u = torch.rand(k + 1, generator=generator, dtype=torch.float64)
    out = []
    for i in range(k):
        d = int(drafts[i])
        qi, pi = float(q[i, d]), float(p[i, d])
        require(qi > 0, "draft_probs", f"positive at the drafted token (row {i}, token {d})", qi)
        if float(u[i]) * qi < pi:
            out.append(d)
            continue
        out.append(_inverse_cdf(torch.clamp(p[i].double() - q[i].double(), min=0.0), float(u[k])))
        return torch.tensor(out, dtype=torch.int64, device=p.device), i
    out.append(_inverse_cdf(p[k], float(u[k])))
    return torch.tensor(out, dtype=torch.int64, device=p.device), k


class MTPDrafter(nn.Module):
    """Problem 412. A shared-weight MTP head: f = W_eh [rms(emb(t)); rms(h)], ReLU^2 MLP residual, final norm, LM head."""

    def __init__(self, embedding, lm_head, d_ff: int | None = None, eps: float = 1e-6):
        super().__init__()
        if not isinstance(embedding, nn.Embedding):
            raise TypeError(f"embedding must be a torch.nn.Embedding, got {type(embedding).__name__}")
        if not isinstance(lm_head, nn.Linear):
            raise TypeError(f"lm_head must be a torch.nn.Linear, got {type(lm_head).__name__}")
        d = embedding.embedding_dim
        require(lm_head.in_features == d, "lm_head", f"with in_features = {d}", lm_head.in_features)
        m = 4 * d if d_ff is None else integer(d_ff, "d_ff", low=1)
        self.eps = real(eps, "eps", low=0.0)
        kw = {"device": embedding.weight.device, "dtype": embedding.weight.dtype}
        self.embedding, self.lm_head = embedding, lm_head
        self.enorm_weight = nn.Parameter(torch.ones(d, **kw))
        self.hnorm_weight = nn.Parameter(torch.ones(d, **kw))
        self.eh_proj = nn.Linear(2 * d, d, bias=False, **kw)
        self.up = nn.Linear(d, m, bias=False, **kw)
        self.down = nn.Linear(m, d, bias=False, **kw)
        self.final_norm_weight = nn.Parameter(torch.ones(d, **kw))

    def _rms(self, v, w):
        return v * torch.rsqrt(v.pow(2).mean(-1, keepdim=True) + self.eps) * w

    def forward(self, hidden, token_ids):
        f = self.eh_proj(torch.cat([self._rms(self.embedding(token_ids), self.enorm_weight),
                                    self._rms(hidden, self.hnorm_weight)], dim=-1))
        h = f + self.down(relu2(self.up(f)))
        h = self._rms(h, self.final_norm_weight)
        return self.lm_head(h), h

    @torch.no_grad()
    def draft(self, hidden_last, token_last, k: int):
        k = integer(k, "k", low=0)
        h, t, out = hidden_last, torch.as_tensor(token_last, device=hidden_last.device).reshape(()), []
        for _ in range(k):
            logits, h = self.forward(h, t)
            t = logits.argmax(dim=-1)
            out.append(int(t))
        return torch.tensor(out, dtype=torch.int64, device=hidden_last.device)


def _prompt(prompt):
    prompt = _tokens(prompt, "prompt", 1)
    require(prompt.numel() >= 1, "prompt", "non-empty")
    return prompt


def greedy_generate(target: Callable, prompt, max_new_tokens: int):
    """Problem 412. Plain greedy decoding: one target call per new token, (max_new_tokens,) int64."""
    prompt = _prompt(prompt)
    n = integer(max_new_tokens, "max_new_tokens", low=1)
    ids = prompt.clone()
    for _ in range(n):
        logits, _hidden = target(ids)
        ids = torch.cat([ids, logits[-1].argmax().reshape(1).to(ids)])
    return ids[prompt.numel():].to(torch.int64)


def speculative_generate(target: Callable, drafter, prompt, max_new_tokens: int, k: int):
    """Problem 412. Draft k tokens with the MTP head, verify them in one target call; same tokens as greedy."""
    prompt = _prompt(prompt)
    n = integer(max_new_tokens, "max_new_tokens", low=1)
    k = integer(k, "k", low=0)
    logits, hidden = target(prompt)
    t, h = logits[-1].argmax().reshape(()), hidden[-1]
    out = [int(t)]
    stats = {"target_calls": 1, "verify_steps": 0, "accepted_drafts": 0}
    while len(out) < n:
        drafts = drafter.draft(h, t, k).to(prompt.device, torch.int64)
        ids = torch.cat([prompt, torch.tensor(out, dtype=prompt.dtype, device=prompt.device), drafts.to(prompt.dtype)])
        logits, hidden = target(ids)
        stats["target_calls"] += 1
        n0 = prompt.numel() + len(out) - 1
        emitted, accepted = greedy_verify(drafts, logits[n0:n0 + k + 1])
        out.extend(int(v) for v in emitted)
        stats["verify_steps"] += 1
        stats["accepted_drafts"] += accepted
        h, t = hidden[n0 + accepted], emitted[-1].reshape(())
    stats["mean_accepted"] = stats["accepted_drafts"] / stats["verify_steps"] if stats["verify_steps"] else 0.0
    return torch.tensor(out[:n], dtype=torch.int64, device=prompt.device), stats


def toy_target(vocab: int = 13, dim: int = 8, seed: int = 0):
    """The toy causal target of problem 412's tests: (ids (L,)) -> (logits (L, V), hidden (L, d))."""
    g = torch.Generator().manual_seed(seed)
    E = torch.randn(vocab, dim, generator=g)
    W = torch.randn(dim, dim, generator=g) / dim ** 0.5
    U = torch.randn(dim, dim, generator=g) / dim ** 0.5
    Hd = 2 * torch.randn(vocab, dim, generator=g)

    def target(ids):
        e = E[ids]
        pref = torch.cumsum(e, 0) / torch.arange(1, ids.numel() + 1).unsqueeze(1)
        hidden = torch.tanh(pref @ W + e @ U)
        return hidden @ Hd.T, hidden

    return target
