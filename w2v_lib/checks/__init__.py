"""Self-checks for the exercises: plain-words feedback a student can act on.

Every check cell of a notebook calls one of these. A check prints one line starting with ``✓`` when the
answer is right and raises ``CheckFailed`` (an AssertionError) with a message saying what is wrong when it
is not: which entry, by how much, the expected shape, or the gradcheck result. While the exercise's
``raise NotImplementedError`` stub is still in place, the check raises NotImplementedError itself, with a
message saying so: in a student notebook run top to bottom, the first error is always a NotImplementedError.
The grader counts an exercise as passed when all of its check cells run without error.
"""

import numpy as np

from w2v_lib.gradcheck import gradcheck

STUB_MESSAGE = (
    "{name}: not done yet. The exercise cell still raises NotImplementedError: replace that line with your "
    "solution, run the cell, then run this check again."
)


class CheckFailed(AssertionError):
    """An exercise answer is wrong; the message says how."""


def check_close(name, got, expected, atol=1e-6, rtol=1e-6):
    """Check a number or array answer against the expected value.

    Parameters
    ----------
    name : str
        Shown in the message, e.g. ``"Exercise 3.2"``.
    got : float, array_like or None
        The student's answer. None (or a missing variable read with ``globals().get``) means not answered.
    expected : float or array_like
    atol, rtol : float
        Tolerances as in ``numpy.allclose``.
    """
    if got is None:
        raise NotImplementedError(STUB_MESSAGE.format(name=name))
    _compare(name, "your answer", got, expected, atol, rtol)
    print(f"✓ {name}: correct.")


def check_function(name, func, reference, cases, atol=1e-6, rtol=1e-6):
    """Call ``func`` and ``reference`` on each case and compare every output.

    Parameters
    ----------
    name : str
    func : callable
        The student's function.
    reference : callable
        A correct implementation with the same signature.
    cases : list of tuple
        Positional arguments for each call. Arrays are copied before each call, so a function that
        modifies its input cannot affect the reference.
    """
    for case_number, args in enumerate(cases, start=1):
        got = _call_student(name, func, args, case_number)
        expected = reference(*_copy_args(args))
        got_parts = got if isinstance(expected, tuple) else (got,)
        expected_parts = expected if isinstance(expected, tuple) else (expected,)
        if isinstance(expected, tuple) and (not isinstance(got, tuple) or len(got) != len(expected)):
            raise CheckFailed(
                f"{name}: on test case {case_number} your function should return {len(expected)} values "
                f"(a tuple), got {_describe(got)}."
            )
        for part_number, (got_part, expected_part) in enumerate(zip(got_parts, expected_parts), start=1):
            what = f"on test case {case_number}, " + (
                f"returned value {part_number}" if len(expected_parts) > 1 else "the returned value")
            _compare(name, what, got_part, expected_part, atol, rtol)
    print(f"✓ {name}: correct on all {len(cases)} test cases.")


def check_gradient(name, loss_and_grad, x, tolerance=1e-6):
    """Gradcheck the student's ``loss_and_grad(x) -> (loss, grad)`` at ``x`` and explain a failure."""
    _call_student(name, loss_and_grad, (np.array(x, dtype=np.float64),), 1)
    try:
        result = gradcheck(loss_and_grad, x, tolerance=tolerance)
    except (ValueError, TypeError) as error:  # gradcheck's own messages: wrong shape, not a pair
        raise CheckFailed(f"{name}: {error}") from None
    except Exception as error:  # the student's code runs again at every perturbed point
        raise CheckFailed(f"{name}: checking your gradient raised {type(error).__name__}: {error}") from None
    if not np.all(np.isfinite(result.analytic)):
        raise CheckFailed(f"{name}: your gradient contains NaN or infinity; check for overflow or a division "
                          "by zero.")
    if not result.passed:
        raise CheckFailed(
            f"{name}: your gradient disagrees with finite differences. {result}. Look at entry "
            f"{result.worst_index} first: re-derive that component with the chain rule."
        )
    print(f"✓ {name}: gradcheck passed (max relative error below {tolerance:.0e}).")


def _call_student(name, func, args, case_number):
    try:
        return func(*_copy_args(args))
    except NotImplementedError:
        raise NotImplementedError(STUB_MESSAGE.format(name=name)) from None
    except Exception as error:
        raise CheckFailed(
            f"{name}: your function raised {type(error).__name__} on test case {case_number}: {error}"
        ) from None


def _compare(name, what, got, expected, atol, rtol):
    expected = np.asarray(expected, dtype=np.float64)
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name}: {what} should be a number or array, got {_describe(got)}.") from None
    if got_array.shape != expected.shape:
        raise CheckFailed(f"{name}: {what} has shape {got_array.shape}, expected shape {expected.shape}.")
    if not np.all(np.isfinite(got_array)):
        raise CheckFailed(f"{name}: {what} contains NaN or infinity; check for overflow or a division by zero.")
    if not np.allclose(got_array, expected, atol=atol, rtol=rtol):
        difference = np.abs(got_array - expected)
        worst = np.unravel_index(np.argmax(difference), difference.shape) if difference.ndim else ()
        where = f" at index {tuple(int(i) for i in worst)}" if worst else ""
        raise CheckFailed(
            f"{name}: {what} is wrong{where}: got {float(got_array[worst]):.6g}, expected "
            f"{float(expected[worst]):.6g} (off by {float(difference[worst]):.3g})."
        )


def _copy_args(args):
    return tuple(np.array(a) if isinstance(a, np.ndarray) else a for a in args)


def _describe(value):
    if isinstance(value, (tuple, list)):
        # Not the repr: a tuple of arrays would print every entry.
        return f"a {type(value).__name__} of {len(value)} values"
    shape = getattr(value, "shape", None)
    return f"{type(value).__name__} with shape {shape}" if shape is not None else f"{type(value).__name__} {value!r}"
