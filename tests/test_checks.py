"""The check helpers fail with messages that teach, and hidden checks give nothing away."""
import numpy as np
import pytest

from mlpapers.checks import (HiddenCheckFailed, check_close, check_dtype, check_equal, check_raises,
                             check_shape, check_that, hidden)


def test_check_close_passes_within_tolerance():
    check_close([1.0, 2.0 + 1e-12], [1, 2], call="f()")


@pytest.mark.parametrize("got, expected, says", [
    (None, [1.0], "forget to return"),
    ([1.0, 2.0], [[1.0, 2.0]], "has shape (2,), expected (1, 2)"),
    ([1.0, 2.5], [1.0, 2.0], "wrong values"),
    ([np.nan, 2.0], [1.0, 2.0], "NaN"),
    ("abc", [1.0], "not numeric"),
])
def test_check_close_says_what_is_wrong(got, expected, says):
    with pytest.raises(AssertionError) as err:
        check_close(got, expected, call="rms([3, 4])", hint="scale by 1 + weight")
    text = str(err.value)
    assert says in text and "rms([3, 4])" in text and "Hint: scale by 1 + weight" in text


def test_values_message_shows_expected_and_got():
    with pytest.raises(AssertionError, match=r"expected \[0\.849, 1\.131\]\n  got      \[1\.697, 2\.263\]"):
        check_close([1.697, 2.263], [0.849, 1.131], call="rms_norm(x)", rtol=0, atol=1e-3)


def test_check_equal_dtype_shape_and_that():
    check_equal(np.array([1, 2], dtype=np.uint8), [1, 2], call="f()")
    check_equal("mse", "mse", call="f()")
    with pytest.raises(AssertionError, match="expected 'prod', got 'mse'"):
        check_equal("mse", "prod", call="mode()")
    check_dtype(np.zeros(2, np.uint8), np.uint8, call="f()")
    with pytest.raises(AssertionError, match="has dtype int64, expected uint8"):
        check_dtype(np.zeros(2, np.int64), np.uint8, call="f()", what="idx")
    with pytest.raises(AssertionError, match="is a list"):
        check_dtype([1], np.uint8, call="f()")
    check_shape(np.zeros((2, 3)), (2, 3), call="f()")
    with pytest.raises(AssertionError, match="custom"):
        check_that(False, "custom")


def test_check_raises_wants_the_error_and_the_argument_name():
    def bad(d):
        if d < 1:
            raise ValueError(f"d must be >= 1, got {d}")
        return d

    check_raises(bad, 0, call="bad(0)", mentions="d")
    with pytest.raises(AssertionError, match="returned normally"):
        check_raises(bad, 3, call="bad(3)")
    with pytest.raises(AssertionError, match="should name the argument 'rng'"):
        check_raises(bad, 0, call="bad(0)", mentions="rng")
    with pytest.raises(AssertionError, match="raised KeyError"):
        check_raises(lambda: {}["x"], call="f()")
    with pytest.raises(NotImplementedError):
        check_raises(lambda: (_ for _ in ()).throw(NotImplementedError()), call="stub()")


def test_hidden_names_the_property_only():
    with pytest.raises(HiddenCheckFailed) as err:
        with hidden("the estimator is unbiased"):
            check_close([0.123456], [0.654321], call="secret")
    assert str(err.value) == "Hidden check failed: the estimator is unbiased."
    assert "0.65" not in str(err.value) and err.value.__cause__ is None and err.value.__suppress_context__


def test_check_equal_compares_lists_of_words():
    check_equal(["the", "cat"], ["the", "cat"], call="decode(ids)")
    with pytest.raises(AssertionError, match="is wrong"):
        check_equal(["the", "dog"], ["the", "cat"], call="decode(ids)")
