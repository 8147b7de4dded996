"""The course's argument validation: clear errors naming the argument, values in working form."""
import numpy as np
import pytest

from mlpapers.arguments import choice, generator, int_array, integer, real, real_array, require


def test_integer_accepts_python_and_numpy_ints_and_refuses_bools_and_floats():
    assert integer(3, "bits", low=0, high=8) == 3 and type(integer(np.int64(3), "bits")) is int
    for bad in (True, 1.0, "1", None):
        with pytest.raises(TypeError, match="bits must be an integer"):
            integer(bad, "bits")
    with pytest.raises(ValueError, match=r"bits must be <= 8, got 9"):
        integer(9, "bits", high=8)


def test_real_refuses_nan_and_out_of_range_values():
    assert real(np.float32(0.5), "t", low=0, high=1) == 0.5
    with pytest.raises(ValueError, match="t must be finite"):
        real(float("nan"), "t")
    with pytest.raises(ValueError, match="t must be >= 0"):
        real(-0.1, "t", low=0)
    with pytest.raises(TypeError, match="t must be a real number"):
        real(1j, "t")


def test_arrays_are_copies_of_the_right_dtype_and_shape():
    x = [[1, 2], [3, 4]]
    got = real_array(x, "X", ndim=2, shape=(None, 2))
    assert got.dtype == np.float64 and got.shape == (2, 2)
    src = np.ones(3)
    assert real_array(src, "x") is not src
    with pytest.raises(ValueError, match=r"X must be 1-D or 2-D, got shape \(1, 1, 1\)"):
        real_array(np.ones((1, 1, 1)), "X", ndim=(1, 2))
    with pytest.raises(ValueError, match=r"X must be of shape \(any, 3\), got shape \(2, 2\)"):
        real_array(x, "X", shape=(None, 3))
    with pytest.raises(ValueError, match="finite"):
        real_array([1.0, np.inf], "x")
    with pytest.raises(TypeError, match="x must hold real numbers, got dtype bool"):
        real_array([True], "x")
    assert int_array(np.array([0, 3], dtype=np.uint8), "idx", low=0, high=3).dtype == np.int64
    with pytest.raises(ValueError, match="every entry of idx must be <= 3, got 4"):
        int_array([0, 4], "idx", high=3)
    with pytest.raises(TypeError, match="idx must hold integers"):
        int_array([0.0], "idx")


def test_choice_generator_and_require_name_the_argument():
    assert choice("mask", "process", ("uniform", "mask")) == "mask"
    with pytest.raises(ValueError, match="process must be one of 'uniform', 'mask', got 'absorbing'"):
        choice("absorbing", "process", ("uniform", "mask"))
    rng = np.random.default_rng(0)
    assert generator(rng) is rng
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        generator(0)
    with pytest.raises(ValueError, match="centroids must be strictly increasing"):
        require(False, "centroids", "strictly increasing")
