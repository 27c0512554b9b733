"""Every message of w2v_lib.checks, on hand-made answers whose right and wrong values are worked out here."""

import re

import numpy as np
import pytest

from w2v_lib.checks import CheckFailed, check_close, check_function, check_gradient

STUB = ("Exercise 9.9: not done yet. The exercise cell still raises NotImplementedError: replace that line "
        "with your solution, run the cell, then run this check again.")


def stub(*args):
    raise NotImplementedError("Exercise 9.9: replace this line with your solution.")


def fails_with(message):
    return pytest.raises(CheckFailed, match="^" + re.escape(message) + "$")


def not_done_yet():
    # A stub still in place is reported as NotImplementedError, so a student notebook's first error is one.
    return pytest.raises(NotImplementedError, match="^" + re.escape(STUB) + "$")


# ---------------------------------------------------------------------------------------------------------
# check_close


def test_close_answer_prints_a_tick(capsys):
    check_close("Exercise 9.9", [0.5, 2.0], np.array([0.5, 2.0 + 1e-9]))
    assert capsys.readouterr().out == "✓ Exercise 9.9: correct.\n"


def test_check_failed_is_an_assertion_error():
    assert issubclass(CheckFailed, AssertionError)


def test_missing_answer_gets_the_stub_message():
    # A named answer read with globals().get(...) is None while the stub still raises.
    with not_done_yet():
        check_close("Exercise 9.9", None, 1.0)


def test_wrong_shape():
    with fails_with("Exercise 9.9: your answer has shape (3,), expected shape (2, 3)."):
        check_close("Exercise 9.9", [1.0, 2.0, 3.0], np.ones((2, 3)))


def test_wrong_entry_names_the_worst_index_and_the_difference():
    # Entry (1, 0) is off by 0.5 and entry (0, 1) by 0.25: the worst one is reported.
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = np.array([[1.0, 2.25], [3.5, 4.0]])
    with fails_with("Exercise 9.9: your answer is wrong at index (1, 0): got 3.5, expected 3 (off by 0.5)."):
        check_close("Exercise 9.9", got, expected)


def test_wrong_scalar_has_no_index():
    with fails_with("Exercise 9.9: your answer is wrong: got 0.25, expected 0.2 (off by 0.05)."):
        check_close("Exercise 9.9", 0.25, 0.2)


def test_tolerances_decide_what_is_close():
    check_close("Exercise 9.9", 1.0 + 1e-7, 1.0)  # |difference| = 1e-7 <= atol + rtol * 1 = 2e-6
    with pytest.raises(CheckFailed, match="off by 1e-05"):
        check_close("Exercise 9.9", 1.0 + 1e-5, 1.0)
    check_close("Exercise 9.9", 1.0 + 1e-5, 1.0, atol=1e-4)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinity(bad):
    with fails_with("Exercise 9.9: your answer contains NaN or infinity; check for overflow or a division by zero."):
        check_close("Exercise 9.9", [1.0, bad], [1.0, 2.0])


def test_not_a_number():
    with fails_with("Exercise 9.9: your answer should be a number or array, got str 'two'."):
        check_close("Exercise 9.9", "two", 2.0)


# ---------------------------------------------------------------------------------------------------------
# check_function


def reference_pair(x):
    """loss = sum(x**2) / 2, gradient x (hand-derived)."""
    return float(np.sum(x**2)) / 2, x.copy()


def test_right_function_prints_the_number_of_cases(capsys):
    check_function("Exercise 9.9", lambda x: x * 2, lambda x: x + x, [(np.arange(3.0),), (np.ones((2, 2)),)])
    assert capsys.readouterr().out == "✓ Exercise 9.9: correct on all 2 test cases.\n"


def test_stub_function():
    with not_done_yet():
        check_function("Exercise 9.9", stub, np.square, [(np.arange(3.0),)])


def test_student_function_raising_names_the_error_and_the_case():
    def student(x):
        if x.size > 2:
            raise ValueError("too long")
        return x**2

    with fails_with("Exercise 9.9: your function raised ValueError on test case 2: too long"):
        check_function("Exercise 9.9", student, np.square, [(np.arange(2.0),), (np.arange(3.0),)])


def test_wrong_returned_value_names_case_index_and_difference():
    # On case 2, x = [0, 1, 2]: the right answer is [0, 1, 4]; x ** 3 gives [0, 1, 8], off by 4 at index 2.
    with fails_with("Exercise 9.9: on test case 2, the returned value is wrong at index (2,): got 8, expected 4 "
                    "(off by 4)."):
        check_function("Exercise 9.9", lambda x: x**3, np.square, [(np.array([1.0]),), (np.arange(3.0),)])


def test_wrong_shape_of_a_returned_value():
    with fails_with("Exercise 9.9: on test case 1, the returned value has shape (1, 3), expected shape (3,)."):
        check_function("Exercise 9.9", lambda x: x[None, :], np.square, [(np.zeros(3),)])


def test_wrong_part_of_a_tuple_is_named_by_position():
    # The gradient of sum(x**2) / 2 is x; returning 2x is wrong by x = 3 at index 1.
    with fails_with("Exercise 9.9: on test case 1, returned value 2 is wrong at index (1,): got 6, expected 3 "
                    "(off by 3)."):
        check_function("Exercise 9.9", lambda x: (float(np.sum(x**2)) / 2, 2 * x), reference_pair,
                       [(np.array([0.0, 3.0]),)])


def test_nan_in_a_returned_value():
    with fails_with("Exercise 9.9: on test case 1, returned value 1 contains NaN or infinity; check for overflow "
                    "or a division by zero."):
        check_function("Exercise 9.9", lambda x: (np.nan, x.copy()), reference_pair, [(np.ones(2),)])


def test_wrong_tuple_length():
    with fails_with("Exercise 9.9: on test case 1 your function should return 2 values (a tuple), got a tuple of "
                    "3 values."):
        check_function("Exercise 9.9", lambda x: (1.0, x, x), reference_pair, [(np.ones(2),)])


def test_single_value_where_a_tuple_is_expected():
    with fails_with("Exercise 9.9: on test case 1 your function should return 2 values (a tuple), got ndarray "
                    "with shape (2,)."):
        check_function("Exercise 9.9", lambda x: x, reference_pair, [(np.ones(2),)])


def test_a_function_that_modifies_its_input_cannot_change_the_reference_s_input():
    def student(x):
        x += 1.0  # modifies the caller's array in place
        return x**2

    # The student's answer for x = [1, 2] is [4, 9]; the reference still sees [1, 2] and expects [1, 4].
    argument = np.array([1.0, 2.0])
    with fails_with("Exercise 9.9: on test case 1, the returned value is wrong at index (1,): got 9, expected 4 "
                    "(off by 5)."):
        check_function("Exercise 9.9", student, np.square, [(argument,)])
    np.testing.assert_array_equal(argument, [1.0, 2.0])


# ---------------------------------------------------------------------------------------------------------
# check_gradient


def test_right_gradient_prints_a_tick(capsys):
    check_gradient("Exercise 9.9", reference_pair, np.array([0.5, -1.0, 2.0]))
    assert capsys.readouterr().out == "✓ Exercise 9.9: gradcheck passed (max relative error below 1e-06).\n"


def test_gradient_failing_gradcheck_names_the_worst_entry():
    # The true gradient of sum(x**2) / 2 is x. Doubling entry 1 gives a relative error
    # |2x - x| / (|2x| + |x|) = 1/3 there and about 0 elsewhere (central differences are exact for a quadratic
    # up to round-off): analytic 2 * (-1) = -2, numerical -1.
    def student(x):
        grad = x.copy()
        grad[1] *= 2
        return float(np.sum(x**2)) / 2, grad

    with pytest.raises(CheckFailed) as failure:
        check_gradient("Exercise 9.9", student, np.array([0.5, -1.0, 2.0]))
    message = str(failure.value)
    assert message.startswith("Exercise 9.9: your gradient disagrees with finite differences. gradcheck FAILED: "
                              "max relative error 3.33e-01 (tolerance 1e-06) at index (1,): analytic -2, "
                              "numerical -1")
    assert message.endswith("Look at entry (1,) first: re-derive that component with the chain rule.")


def test_stub_gradient():
    with not_done_yet():
        check_gradient("Exercise 9.9", stub, np.ones(3))


def test_gradient_function_raising():
    with fails_with("Exercise 9.9: your function raised ZeroDivisionError on test case 1: division by zero"):
        check_gradient("Exercise 9.9", lambda x: (1 / 0, x), np.ones(3))


def test_gradient_of_the_wrong_shape():
    with fails_with("Exercise 9.9: f(x) returned a gradient of shape (2,), expected x's shape (3,)"):
        check_gradient("Exercise 9.9", lambda x: (float(np.sum(x**2)) / 2, x[:2]), np.ones(3))


def test_gradient_function_not_returning_a_pair():
    with fails_with("Exercise 9.9: f(x) must return a pair (loss, grad); got float"):
        check_gradient("Exercise 9.9", lambda x: float(np.sum(x**2)) / 2, np.ones(3))


def test_gradient_raising_during_finite_differences_is_explained():
    calls = []

    def fails_on_second_call(x):
        calls.append(1)
        if len(calls) > 1:
            raise ZeroDivisionError("division by zero")
        return float(x @ x), 2 * x

    with fails_with("Exercise 9.9: checking your gradient raised ZeroDivisionError: division by zero"):
        check_gradient("Exercise 9.9", fails_on_second_call, np.ones(2))


def test_nan_gradient_is_named():
    with pytest.raises(CheckFailed, match="NaN or infinity"):
        check_gradient("Exercise 9.9", lambda x: (float(x @ x), np.full_like(x, np.nan)), np.ones(2))
