"""Checks used by the graded test cells of every problem notebook.

Each check compares what a student's function returned with an independent expected value and,
when they differ, raises an ``AssertionError`` whose message reads like a tutor's note: which
call, which part of the result, what was expected, what came back, and a hint where a common
mistake is likely. Checks are staged (type, then shape, then dtype, then values) so the first
message names the first thing that is wrong.

Hidden tests wrap their checks in :func:`hidden`, which replaces any failure by a message that
names only the property checked, so feedback never shows expected numbers.

Example: ``check_close(rms([3, 4]), 3.5355, call="rms([3, 4])")``
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import numpy as np

__all__ = [
    "HiddenCheckFailed",
    "check_close",
    "check_dtype",
    "check_equal",
    "check_raises",
    "check_shape",
    "check_that",
    "hidden",
]


class HiddenCheckFailed(AssertionError):
    """A hidden check failed; the message names the property, never the expected values."""


def _fmt(value: Any) -> str:
    """Short, readable rendering of a value for a failure message."""
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
        except Exception:  # ragged or odd objects: fall back to repr
            return repr(value)
        if arr.dtype.kind in "fc":
            return np.array2string(arr, precision=6, threshold=24, edgeitems=3, separator=", ")
        return np.array2string(arr, threshold=24, edgeitems=3, separator=", ")
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.10g}"
    return repr(value)


def _say(call: str, what: str, message: str, hint: str | None) -> str:
    text = f"{call}: {what} {message}"
    if hint:
        text += f"\nHint: {hint}"
    return text


def _as_array(got: Any, call: str, what: str, hint: str | None) -> np.ndarray:
    if got is None:
        raise AssertionError(_say(call, what, "is None: did the function forget to return?", hint))
    try:
        arr = np.asarray(got)
    except Exception as exc:  # e.g. a ragged list
        raise AssertionError(_say(call, what, f"is not array-like ({type(got).__name__}: {exc})", hint)) from None
    if arr.dtype.kind in "OUSV":
        raise AssertionError(_say(call, what, f"is not numeric: got {type(got).__name__} {_fmt(got)}", hint))
    return arr


def check_shape(got: Any, shape: tuple[int, ...], *, call: str, what: str = "the result",
                hint: str | None = None) -> None:
    """Fail unless ``np.shape(got) == shape``.

    Example: ``check_shape(np.zeros((2, 3)), (2, 3), call="f(x)")`` passes.
    """
    arr = _as_array(got, call, what, hint)
    if arr.shape != tuple(shape):
        raise AssertionError(_say(call, what, f"has shape {arr.shape}, expected {tuple(shape)}", hint))


def check_dtype(got: Any, dtype: Any, *, call: str, what: str = "the result",
                hint: str | None = None) -> None:
    """Fail unless ``got`` is an ndarray (or NumPy scalar) of exactly ``dtype``."""
    want = np.dtype(dtype)
    have = getattr(got, "dtype", None)
    if have is None:
        raise AssertionError(_say(call, what, f"is a {type(got).__name__}, expected a NumPy array of dtype {want}", hint))
    if np.dtype(have) != want:
        raise AssertionError(_say(call, what, f"has dtype {have}, expected {want}", hint))


def check_close(got: Any, expected: Any, *, call: str, what: str = "the result",
                rtol: float = 1e-7, atol: float = 1e-9, hint: str | None = None) -> None:
    """Fail unless ``got`` has the shape of ``expected`` and matches it within tolerances.

    Args:
        got: what the student's function returned.
        expected: the independent expected value (array-like or scalar).
        call: the call as the student would write it, e.g. ``"random_rotation(3, default_rng(0))"``.
        what: which part of the result is checked, e.g. ``"Q"``.
        rtol, atol: tolerances of ``np.allclose``; state them in the task text.
        hint: the likely mistake behind a wrong value.
    """
    want = np.asarray(expected, dtype=float)
    arr = _as_array(got, call, what, hint)
    if arr.shape != want.shape:
        raise AssertionError(_say(call, what, f"has shape {arr.shape}, expected {want.shape}", hint))
    if arr.dtype.kind not in "biuf":
        raise AssertionError(_say(call, what, f"has dtype {arr.dtype}, expected real numbers", hint))
    arr = arr.astype(float)
    if not np.array_equal(np.isnan(arr), np.isnan(want)):
        raise AssertionError(_say(call, what, f"has NaN where none was expected: got {_fmt(arr)}", hint))
    if not np.allclose(arr, want, rtol=rtol, atol=atol, equal_nan=True):
        raise AssertionError(_say(
            call, what,
            f"has the right shape, but wrong values:\n  expected {_fmt(want)}\n  got      {_fmt(arr)}\n"
            f"  (tolerance rtol={rtol:g}, atol={atol:g})", hint))


def check_equal(got: Any, expected: Any, *, call: str, what: str = "the result",
                hint: str | None = None) -> None:
    """Fail unless ``got`` equals ``expected`` exactly (integers, booleans, strings, shapes)."""
    if isinstance(expected, (np.ndarray, list, tuple)) and not isinstance(expected, str):
        want = np.asarray(expected)
        if got is None:
            raise AssertionError(_say(call, what, "is None: did the function forget to return?", hint))
        try:
            arr = np.asarray(got)
        except Exception as exc:
            raise AssertionError(_say(call, what, f"is not array-like ({exc})", hint)) from None
        if arr.shape != want.shape:
            raise AssertionError(_say(call, what, f"has shape {arr.shape}, expected {want.shape}", hint))
        if not np.array_equal(arr, want):
            raise AssertionError(_say(call, what, f"is wrong:\n  expected {_fmt(want)}\n  got      {_fmt(arr)}", hint))
        return
    if got is None and expected is not None:
        raise AssertionError(_say(call, what, "is None: did the function forget to return?", hint))
    try:
        same = bool(got == expected)
    except Exception:
        same = False
    if not same:
        raise AssertionError(_say(call, what, f"is wrong: expected {_fmt(expected)}, got {_fmt(got)}", hint))


def check_that(condition: Any, message: str) -> None:
    """Fail with ``message`` unless ``condition`` is true (for invariants not covered above)."""
    if not bool(condition):
        raise AssertionError(message)


def check_raises(func: Callable[..., Any], *args: Any, error: type[BaseException] | tuple = ValueError,
                 call: str, mentions: str | None = None, **kwargs: Any) -> None:
    """Fail unless ``func(*args, **kwargs)`` raises ``error`` (and its message names ``mentions``).

    Example: ``check_raises(random_rotation, 0, rng, call="random_rotation(0, rng)", mentions="d")``
    """
    names = error.__name__ if isinstance(error, type) else " or ".join(e.__name__ for e in error)
    try:
        func(*args, **kwargs)
    except NotImplementedError:
        raise
    except error as exc:
        if mentions is not None and mentions not in str(exc):
            raise AssertionError(
                f"{call} raised {type(exc).__name__}({str(exc)!r}); the message should name "
                f"the argument {mentions!r} so the caller knows what to fix") from None
        return
    except Exception as exc:
        raise AssertionError(f"{call} raised {type(exc).__name__}({exc}), expected {names}") from None
    raise AssertionError(f"{call} returned normally, expected it to raise {names}")


@contextlib.contextmanager
def hidden(prop: str) -> Iterator[None]:
    """Run hidden checks; any failure becomes ``HiddenCheckFailed`` naming only ``prop``.

    Example::

        with hidden("random_rotation is orthogonal for d = 1..64"):
            ...
    """
    try:
        yield
    except Exception:
        raise HiddenCheckFailed(f"Hidden check failed: {prop}.") from None
