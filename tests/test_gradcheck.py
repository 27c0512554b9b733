"""gradcheck against functions whose derivatives are known in closed form."""

import numpy as np
import pytest

from w2v_lib.gradcheck import assert_gradcheck, gradcheck, numerical_gradient, relative_error


def cubic(x):
    # f(x) = Σ x_i³ + 2 x_0 x_1, so df/dx_i = 3 x_i² + 2 x_1 [i = 0] + 2 x_0 [i = 1]
    grad = 3 * x**2
    grad[0] += 2 * x[1]
    grad[1] += 2 * x[0]
    return float(np.sum(x**3) + 2 * x[0] * x[1]), grad


def test_numerical_gradient_matches_closed_form():
    x = np.array([0.5, -1.0, 2.0])
    expected = np.array([3 * 0.25 + 2 * -1.0, 3 * 1.0 + 2 * 0.5, 3 * 4.0])
    # Central differences are exact for cubics up to the h² f'''/6 = h² term and round-off.
    np.testing.assert_allclose(numerical_gradient(cubic, x), expected, rtol=1e-8)


def test_numerical_gradient_accepts_a_scalar_function_and_matrices():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(numerical_gradient(lambda m: float(np.sum(m**2)), x), 2 * x, atol=1e-8)


def test_gradcheck_passes_correct_gradient_and_reports_details():
    result = gradcheck(cubic, np.array([0.5, -1.0, 2.0]))
    assert result.passed
    assert result.max_rel_error < 1e-8
    assert len(result.worst_index) == 1


def test_gradcheck_rejects_a_wrong_gradient_and_names_the_entry():
    def wrong(x):
        loss, grad = cubic(x)
        grad = grad.copy()
        grad[2] *= 1.01  # a 1 % error in one entry
        return loss, grad

    result = gradcheck(wrong, np.array([0.5, -1.0, 2.0]))
    assert not result.passed
    assert result.worst_index == (2,)
    # relative error of a 1 % scaling: 0.01 a / (2.01 a) = 0.004975
    assert result.max_rel_error == pytest.approx(0.01 / 2.01, rel=1e-5)
    assert result.analytic_value == pytest.approx(12.12)
    assert result.numerical_value == pytest.approx(12.0)
    with pytest.raises(AssertionError, match=r"FAILED.*index \(2,\)"):
        assert_gradcheck(wrong, np.array([0.5, -1.0, 2.0]))


def test_summary_states_only_what_round_off_cannot_change():
    def scaled(factor):
        def loss_and_grad(x):
            loss, grad = cubic(x)
            return loss, grad * factor
        return loss_and_grad

    x = np.array([0.5, -1.0, 2.0])
    assert gradcheck(cubic, x).summary() == "passes (relative error below 1e-06)"
    # Doubling every entry: |2a - a| / (2a + a) = 1/3 in each entry; a flipped sign gives exactly 1.
    assert gradcheck(scaled(2.0), x).summary() == "FAILS (relative error about 3e-01)"
    assert gradcheck(scaled(-1.0), x).summary() == "FAILS (relative error about 1e+00)"


def test_gradcheck_does_not_modify_its_input():
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    before = x.copy()
    gradcheck(lambda m: (float(np.sum(m**2)), 2 * m), x)
    np.testing.assert_array_equal(x, before)


def test_zero_true_gradient_is_meaningful():
    # f depends only on x_0: the true gradient is exactly 0 in the other entries (like untouched rows of U).
    def only_first(x):
        grad = np.zeros_like(x)
        grad[0] = 2 * x[0]
        return float(x[0] ** 2), grad

    assert gradcheck(only_first, np.array([1.5, 0.0, 4.0])).max_rel_error < 1e-9

    def spurious(x):
        loss, grad = only_first(x)
        grad = grad.copy()
        grad[2] = 1e-4  # claims a derivative where there is none
        return loss, grad

    result = gradcheck(spurious, np.array([1.5, 0.0, 4.0]))
    assert not result.passed and result.worst_index == (2,)


def test_relative_error_formula():
    # |1 - 1.1| / (1 + 1.1) = 0.047619; zero vs zero is 0, not NaN.
    errors = relative_error(np.array([1.0, 0.0]), np.array([1.1, 0.0]))
    np.testing.assert_allclose(errors, [0.1 / 2.1, 0.0])


@pytest.mark.parametrize("f, x, error, message", [
    (lambda x: float(np.sum(x)), np.ones(2), TypeError, "f\\(x\\) must return a pair \\(loss, grad\\); got float"),
    (lambda x: (float(np.sum(x)), np.ones(3)), np.ones(2), ValueError,
     r"f\(x\) returned a gradient of shape \(3,\), expected x's shape \(2,\)"),
    (lambda x: (0.0, x), np.ones(0), ValueError, "x must be non-empty"),
])
def test_gradcheck_bad_input(f, x, error, message):
    with pytest.raises(error, match=message):
        gradcheck(f, x)
