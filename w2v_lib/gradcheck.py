"""Numerical gradient checking with central differences, in float64.

Taught in notebook 01 (sigmoid and gradient checking) and used in notebooks 02-04 to prove every gradient.

A gradient derived by hand is a claim; ``gradcheck`` tests it against the definition of the derivative,

    df/dx_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h),

whose error is O(h²) (forward differences are only O(h)).
"""

from dataclasses import dataclass

import numpy as np

from w2v_lib._validation import ParameterTypeError, ParameterValueError


def numerical_gradient(f, x, step=1e-5):
    """Central-difference gradient of a scalar function at ``x``, in float64.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns the loss, or a tuple whose first element is the loss (so the same ``(loss, grad)``
        function that ``gradcheck`` takes can be passed here).
    x : array_like, any shape
        Not modified: the differences are taken on a float64 copy, and each entry is restored after use.
    step : float
        The step h.

    Returns
    -------
    ndarray, float64, same shape as ``x``
    """
    x = np.array(x, dtype=np.float64)  # a copy: the caller's array is never touched
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + step
        loss_plus = _loss_of(f(x))
        x[index] = original - step
        loss_minus = _loss_of(f(x))
        x[index] = original
        grad[index] = (loss_plus - loss_minus) / (2 * step)
    return grad


@dataclass(frozen=True)
class GradcheckResult:
    """What ``gradcheck`` found.

    Attributes
    ----------
    passed : bool
        ``max_rel_error <= tolerance``.
    max_rel_error : float
        The largest relative error over all entries (see ``relative_error``).
    worst_index : tuple of int
        Where that error occurs.
    analytic_value, numerical_value : float
        The two gradients at ``worst_index``.
    analytic, numerical : ndarray
        Both full gradients, float64.
    tolerance : float
    """

    passed: bool
    max_rel_error: float
    worst_index: tuple
    analytic_value: float
    numerical_value: float
    analytic: np.ndarray
    numerical: np.ndarray
    tolerance: float

    def summary(self):
        """The verdict in words that round-off cannot change, for output that is stored or compared.

        A pass is reported against the tolerance; a failure by the error's order of magnitude (one significant
        digit), since a wrong gradient is off by far more than round-off. ``str(result)`` gives the details
        (worst entry, last digits), which vary with the platform.

        Returns
        -------
        str
            ``"passes (relative error below 1e-06)"`` or, e.g., ``"FAILS (relative error about 1e+00)"``.
        """
        if self.passed:
            return f"passes (relative error below {self.tolerance:.0e})"
        return f"FAILS (relative error about {self.max_rel_error:.0e})"

    def __str__(self):
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"gradcheck {verdict}: max relative error {self.max_rel_error:.2e} "
            f"(tolerance {self.tolerance:.0e}) at index {self.worst_index}: "
            f"analytic {self.analytic_value:.8g}, numerical {self.numerical_value:.8g}"
        )


def relative_error(analytic, numerical, scale_floor=1e-3):
    """Entry-wise relative error |a - n| / max(|a| + |n|, scale_floor * scale), scale = largest |a| or |n|.

    The plain ratio |a - n| / (|a| + |n|) fails where the true gradient is zero (a row of U that no pair
    touches, an entry whose derivative vanishes at x): it is 0/0 where a and n are both 0, and exactly 1
    where a = 0 but n holds a speck of truncation or round-off error, however small. The floor stops the
    denominator from shrinking below a fraction ``scale_floor`` of the gradient's scale, so an entry
    whose |a| + |n| is below scale_floor * scale is judged by its absolute error in those units:
    |a - n| / (scale_floor * scale). An entry that should be zero therefore scores 0 only when n is exactly 0
    as well; a speck of 1e-10 in a gradient whose largest entry is about 1 scores about 1e-7 (with the
    default scale_floor = 1e-3), well under ``gradcheck``'s tolerance of 1e-6. A wrong entry scores close
    to 1 when it is large next to the floor, and 1/scale_floor times its error relative to the scale when it
    is not.

    Parameters
    ----------
    analytic, numerical : array_like, same shape
        The gradient derived by hand and the finite-difference one.
    scale_floor : float
        The fraction of the scale below which the denominator does not shrink.

    Returns
    -------
    ndarray, float64, same shape as ``analytic``
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numerical = np.asarray(numerical, dtype=np.float64)
    scale = max(np.abs(analytic).max(initial=0.0), np.abs(numerical).max(initial=0.0))
    floor = max(scale_floor * scale, np.finfo(np.float64).tiny)
    return np.abs(analytic - numerical) / np.maximum(np.abs(analytic) + np.abs(numerical), floor)


def gradcheck(f, x, step=1e-5, tolerance=1e-6):
    """Compare the gradient returned by ``f`` with central differences.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns ``(loss, grad)`` with ``grad`` of the same shape as ``x``.
    x : array_like
        The point to check at; not modified.
    step : float
        Central-difference step h. 1e-5 balances truncation (~h²) and round-off (~1e-16 / h) in float64.
    tolerance : float
        Largest relative error that passes.

    Returns
    -------
    GradcheckResult
    """
    x = np.array(x, dtype=np.float64)
    if x.size == 0:
        raise ParameterValueError("x", f"must be non-empty, got an array of shape {x.shape}")
    output = f(x.copy())
    if not (isinstance(output, tuple) and len(output) == 2):
        raise ParameterTypeError("f(x)", f"must return a pair (loss, grad); got {type(output).__name__}")
    analytic = np.asarray(output[1], dtype=np.float64)
    if analytic.shape != x.shape:
        raise ParameterValueError("f(x)", f"returned a gradient of shape {analytic.shape}, expected x's shape "
                                          f"{x.shape}")
    numerical = numerical_gradient(f, x, step)
    errors = relative_error(analytic, numerical)
    worst = np.unravel_index(np.argmax(errors), errors.shape)
    max_error = float(errors[worst])
    return GradcheckResult(
        passed=bool(max_error <= tolerance),
        max_rel_error=max_error,
        worst_index=tuple(int(i) for i in worst),
        analytic_value=float(analytic[worst]),
        numerical_value=float(numerical[worst]),
        analytic=analytic,
        numerical=numerical,
        tolerance=tolerance,
    )


def assert_gradcheck(f, x, step=1e-5, tolerance=1e-6):
    """Run ``gradcheck`` and raise AssertionError with its report if it fails; return the result."""
    result = gradcheck(f, x, step=step, tolerance=tolerance)
    if not result.passed:
        raise AssertionError(str(result))
    return result


def _loss_of(output):
    loss = output[0] if isinstance(output, tuple) else output
    return float(loss)
