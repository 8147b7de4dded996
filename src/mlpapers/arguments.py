"""Argument validation the course provides, so students write the paper's idea, not the checks.

A problem notebook calls these above ``### BEGIN SOLUTION``: the release keeps them, the student
writes only what follows. Each raises ``TypeError`` (wrong kind) or ``ValueError`` (wrong value
or shape) with a message that names the argument, what was expected and what came in, and returns
the value in the form the answer works with.

Integers: Python ``int`` and NumPy integers; never ``bool``, never an integer-valued float.
Reals: ints and floats (Python or NumPy); never ``bool``, complex or strings.

Example: ``integer(3, "bits", low=0, high=8)`` -> ``3``; ``integer(1.5, "bits")`` raises
``TypeError: bits must be an integer, got float 1.5``.
"""
from __future__ import annotations

import numbers
from typing import Any, Iterable

import numpy as np

__all__ = ["require", "integer", "real", "choice", "generator", "real_array", "int_array"]


def require(condition: bool, name: str, expected: str, got: Any = None) -> None:
    """Raise ``ValueError("<name> must be <expected>, got <got>")`` unless ``condition``."""
    if not condition:
        raise ValueError(f"{name} must be {expected}" + ("" if got is None else f", got {got}"))


def _bounds(value, name: str, low, high) -> None:
    require(low is None or value >= low, name, f">= {low}", value)
    require(high is None or value <= high, name, f"<= {high}", value)


def integer(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as a Python int within [low, high]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    _bounds(value, name, low, high)
    return value


def real(value: Any, name: str, *, low: float | None = None, high: float | None = None,
         finite: bool = True) -> float:
    """``value`` as a Python float within [low, high] (finite unless ``finite=False``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    require(not finite or np.isfinite(value), name, "finite", value)
    _bounds(value, name, low, high)
    return value


def choice(value: Any, name: str, options: Iterable[str]) -> str:
    """``value`` if it is one of ``options``."""
    options = tuple(options)
    require(isinstance(value, str) and value in options, name, "one of " + ", ".join(map(repr, options)),
            repr(value))
    return value


def generator(rng: Any, name: str = "rng") -> np.random.Generator:
    """``rng`` if it is a ``numpy.random.Generator`` (the course draws all randomness through one)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return rng


def _array(x: Any, name: str, kinds: str, what: str) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged nested lists
        raise ValueError(f"{name} must be an array of {what}, got {type(x).__name__} ({exc})") from None
    if arr.dtype.kind not in kinds:
        raise TypeError(f"{name} must hold {what}, got dtype {arr.dtype}")
    return arr


def _shape(arr: np.ndarray, name: str, ndim, shape) -> None:
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        require(arr.ndim in allowed, name, " or ".join(f"{d}-D" for d in allowed), f"shape {arr.shape}")
    if shape is not None:
        ok = len(shape) == arr.ndim and all(s is None or s == a for s, a in zip(shape, arr.shape))
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        require(ok, name, f"of shape {want}", f"shape {arr.shape}")


def real_array(x: Any, name: str, *, ndim: int | Iterable[int] | None = None,
               shape: tuple[int | None, ...] | None = None, finite: bool = True) -> np.ndarray:
    """``x`` as a float64 array (a copy), with the given dimensions or shape (``None`` = any size)."""
    arr = _array(x, name, "biuf", "real numbers")
    if arr.dtype.kind == "b":
        raise TypeError(f"{name} must hold real numbers, got dtype bool")
    _shape(arr, name, ndim, shape)
    arr = arr.astype(np.float64, copy=True)
    require(not finite or bool(np.all(np.isfinite(arr))), name, "finite (no NaN or inf)")
    return arr


def int_array(x: Any, name: str, *, ndim: int | Iterable[int] | None = None,
              shape: tuple[int | None, ...] | None = None, low: int | None = None,
              high: int | None = None) -> np.ndarray:
    """``x`` as an int64 array (a copy) with entries in [low, high]."""
    arr = _array(x, name, "iu", "integers")
    _shape(arr, name, ndim, shape)
    arr = arr.astype(np.int64, copy=True)
    if arr.size:
        _bounds(int(arr.min()), f"every entry of {name}", low, None)
        _bounds(int(arr.max()), f"every entry of {name}", None, high)
    return arr
