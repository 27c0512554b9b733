"""Every behaviour of w2v_lib.checks, on hand-made student functions whose right and wrong answers are worked
out here; and the example specification w2v_lib.checks.nb03 on the usual right, stub and wrong solutions.

Every failure goes through ``fails_with``, which also asserts, with ``record_expected()``, that the message
contains none of the expected values the check compared.
"""

import re
import sys
import textwrap

import numpy as np
import pytest

import w2v_lib.checks
from w2v_lib import losses
from w2v_lib.checks import (
    STUB_MESSAGE,
    Case,
    CheckFailed,
    Mistake,
    check_close,
    check_function,
    check_gradient,
    check_value,
    nb03,
    record_expected,
)
from w2v_lib.losses import neg_sampling_loss_and_gradient as solution_under_another_name
from w2v_lib.losses import sigmoid

NAME = "Exercise 9.9"


def stub(*args):
    raise NotImplementedError("Exercise 9.9: replace this line with your solution.")


def fails_with(check, *args, contains=(), **kwargs):
    """Run ``check(*args, **kwargs)``, expect CheckFailed and return its message.

    The message must contain every string of ``contains`` and none of the expected values compared.
    """
    with record_expected() as expected, pytest.raises(CheckFailed) as failure:
        check(*args, **kwargs)
    message = str(failure.value)
    for words in (contains,) if isinstance(contains, str) else contains:
        assert words in message, message
    assert expected.found_in(message) == [], message
    return message


def not_done_yet(name=NAME):
    # A stub still in place is reported as NotImplementedError, so a student notebook's first error is one.
    return pytest.raises(NotImplementedError, match="^" + re.escape(STUB_MESSAGE.format(name=name)) + "$")


# ---------------------------------------------------------------------------------------------------------
# record_expected and found_in


def test_record_expected_collects_what_was_compared_and_finds_a_leak():
    with record_expected() as expected:
        check_value(NAME, [0.5, 2.0], np.array([0.5, 2.0]))
    assert len(expected.values) == 1
    np.testing.assert_array_equal(expected.values[0], [0.5, 2.0])
    with record_expected() as expected, pytest.raises(CheckFailed):
        check_value(NAME, 0.25, -np.log(3) / 2)
    # The old messages of this module would be caught: the value to 6 digits, to 3, its sign flipped, 0.x.
    assert expected.found_in("Exercise 9.9: got 0.25, expected -0.549306 (off by 0.8).") == ["-0.549306"]
    assert expected.found_in("Exercise 9.9: expected 0.549.") == ["0.549"]
    # Indices, shapes and the exercise's own number are not values.
    assert expected.found_in("Exercise 0.5: at index [3, 0] of shape (6, 3).") == []
    with record_expected() as expected, pytest.raises(CheckFailed):
        check_value(NAME, 1.0, 0.5)
    assert expected.found_in("Exercise 9.9: expected 0.5.") == ["0.5"]


def test_recordings_nest_and_close():
    with record_expected() as outer:
        with record_expected() as inner:
            check_value(NAME, 1.0, 1.0)
        check_value(NAME, 2.0, 2.0)
    assert len(inner.values) == 1 and len(outer.values) == 2


# ---------------------------------------------------------------------------------------------------------
# check_value


def test_right_value_prints_a_tick(capsys):
    check_value(NAME, [0.5, 2.0], np.array([0.5, 2.0 + 1e-9]))
    assert capsys.readouterr().out == "✓ Exercise 9.9: correct.\n"


def test_check_close_keeps_its_positional_tolerances(capsys):
    check_close(NAME, 1.0 + 1e-5, 1.0, 1e-4, 0.0)
    assert capsys.readouterr().out == "✓ Exercise 9.9: correct.\n"
    fails_with(check_close, NAME, 1.0 + 1e-5, 1.0, 1e-6, 1e-6, contains="is wrong")


def test_check_failed_is_an_assertion_error():
    assert issubclass(CheckFailed, AssertionError)


def test_missing_answer_is_not_done_yet():
    # A named answer read with globals().get(...) is None while the stub still raises.
    with not_done_yet():
        check_value(NAME, None, 1.0)


def test_wrong_number_says_only_that_it_is_wrong():
    assert fails_with(check_value, NAME, 0.25, 0.2) == "Exercise 9.9: your answer is wrong."


def test_wrong_entries_give_the_first_index_and_the_count():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    message = fails_with(check_value, NAME, [[1.0, 2.25], [3.5, 4.0]], expected)
    assert message == "Exercise 9.9: your answer is wrong at index [0, 1] (2 of 4 entries are wrong)."


@pytest.mark.parametrize("got, words", [
    ([1.0, 2.0, 3.0], "your answer has shape (3,) instead of (2, 3)."),
    (np.ones((3, 2)), "your answer has shape (3, 2) instead of (2, 3): transposed?"),
    (1.0, "your answer should be an array of shape (2, 3), not a single number."),
])
def test_wrong_shapes(got, words):
    assert fails_with(check_value, NAME, got, np.arange(6.0).reshape(2, 3)) == f"{NAME}: {words}"


def test_an_array_where_a_number_is_asked():
    assert fails_with(check_value, NAME, [0.5], 0.5) == (
        "Exercise 9.9: your answer should be a single number, not an array of shape (1,).")


def test_nan_and_infinity_are_named_with_their_index():
    fails_with(check_value, NAME, [1.0, np.nan], [1.0, 2.0], contains="contains NaN at index [1]")
    fails_with(check_value, NAME, [-np.inf, 2.0], [1.0, 2.0], contains="contains infinity at index [0]")
    assert fails_with(check_value, NAME, np.nan, 2.0).startswith("Exercise 9.9: your answer contains NaN: look")


@pytest.mark.parametrize("got, words", [("two", "not str 'two'"), (1 + 2j, "not complex ones"),
                                        ([[1.0], [2.0, 3.0]], "not a list of 2 values")])
def test_wrong_types(got, words):
    fails_with(check_value, NAME, got, 2.0, contains=words)


def test_flipped_sign_is_recognised_without_declaring_it():
    fails_with(check_value, NAME, [-1.5, 0.0, 2.0], [1.5, 0.0, -2.0], contains="has the opposite sign")


def test_rounded_answer_is_named_where_full_precision_is_asked():
    value = np.log(3) / 2  # 0.5493061443...
    fails_with(check_value, NAME, [0.549, 0.0], [value, 0.0], contains="looks rounded")
    fails_with(check_value, NAME, 0.5493, value, contains="looks rounded")
    # One significant digit is more likely a real mistake than a rounding: just wrong.
    assert fails_with(check_value, NAME, 0.5, value) == "Exercise 9.9: your answer is wrong."
    # Where the tolerance allows a rounded answer, it passes.
    check_value(NAME, 0.549, value, atol=1e-3)


def test_known_mistake_is_named():
    mistakes = [Mistake("equation 4 alone", [0.75, 0.0]), Mistake("equation 3 alone", [-0.25, 0.0])]
    assert fails_with(check_value, NAME, [-0.25, 0.0], [0.5, 0.0], mistakes=mistakes) == (
        "Exercise 9.9: your answer matches a known mistake: equation 3 alone.")


def test_a_mistake_equal_to_the_right_answer_is_never_named():
    # Within the tolerance (2e-6 around 1) the mistake is the right answer, so the answer 1 + 2.5e-6,
    # although within the tolerance of the mistake, is only "wrong".
    mistakes = [Mistake("off by a hair", 1.0 + 1e-6)]
    message = fails_with(check_value, NAME, 1.0 + 2.5e-6, 1.0, mistakes=mistakes)
    assert message == "Exercise 9.9: your answer is wrong."


def test_words_are_compared_exactly():
    check_value(NAME, ["king", "queen"], np.array(["king", "queen"]))
    assert fails_with(check_value, NAME, ["queen", "king"], np.array(["king", "queen"])) == (
        "Exercise 9.9: your answer is wrong.")
    fails_with(check_value, NAME, ["kingdom"], np.array(["king"]), contains="your answer is wrong.")
    fails_with(check_value, NAME, ["king"], np.array(["king", "queen"]), contains="has shape (1,) instead of (2,).")


# ---------------------------------------------------------------------------------------------------------
# check_function: cases, outputs, mistakes


def reference_pair(x):
    """loss = sum(x**2) / 2, gradient x (hand-derived)."""
    return float(np.sum(x**2)) / 2, x.copy()


def test_right_function_prints_the_number_of_cases(capsys):
    check_function(NAME, lambda x: x * 2, lambda x: x + x, [(np.arange(3.0),), (np.ones((2, 2)),)])
    assert capsys.readouterr().out == "✓ Exercise 9.9: correct on all 2 test cases.\n"


def test_hidden_cases_are_counted_apart(capsys):
    cases = [Case("a few numbers", (np.arange(3.0),)), Case("a matrix", (np.ones((2, 2)),), hidden=True)]
    check_function(NAME, np.square, lambda x: x * x, cases)
    assert capsys.readouterr().out == "✓ Exercise 9.9: correct on all 2 test cases (1 of them hidden).\n"


def test_stub_function_and_missing_function():
    with not_done_yet():
        check_function(NAME, stub, np.square, [(np.arange(3.0),)])
    with not_done_yet():
        check_function(NAME, None, np.square, [(np.arange(3.0),)])


def test_student_function_raising_names_the_error_and_the_case():
    def student(x):
        if x.size > 2:
            raise ValueError("too long")
        return x**2

    cases = [Case("two numbers", (np.arange(2.0),)), Case("three numbers", (np.arange(3.0),))]
    assert fails_with(check_function, NAME, student, np.square, cases) == (
        "Exercise 9.9: on test case 2 (three numbers), your function raised ValueError: too long")


def test_wrong_value_names_the_case_and_the_entry():
    # On x = [0, 1, 2] the right answer is [0, 1, 4]; x ** 3 gives [0, 1, 8].
    cases = [Case("one number", (np.array([1.0]),)), Case("zero, one, two", (np.arange(3.0),))]
    assert fails_with(check_function, NAME, lambda x: x**3, np.square, cases) == (
        "Exercise 9.9: on test case 2 (zero, one, two), the returned value is wrong at index [2] "
        "(1 of 3 entries are wrong).")


def test_failure_on_a_hidden_case_says_so():
    def right_for_short_inputs(x):
        return x**2 if x.size < 4 else x

    cases = [Case("three numbers", (np.arange(3.0),)), Case("a long input", (np.arange(5.0),), hidden=True)]
    fails_with(check_function, NAME, right_for_short_inputs, np.square, cases,
               contains="on a hidden test case (a long input), the returned value is wrong")


def test_tuple_outputs_are_named_by_position_and_name():
    # The gradient of sum(x**2) / 2 is x; returning 2x is wrong at index 1 (x = [0, 3]).
    message = fails_with(check_function, NAME, lambda x: (float(np.sum(x**2)) / 2, 2 * x), reference_pair,
                         [(np.array([0.0, 3.0]),)], returns=("loss", "grad"))
    assert message == ("Exercise 9.9: on test case 1, returned value 2 (grad) is wrong at index [1] "
                       "(1 of 2 entries are wrong).")


@pytest.mark.parametrize("student, words", [
    (lambda x: (1.0, x, x), "should return 2 values (loss, grad), not a tuple of 3 values."),
    (lambda x: x, "should return 2 values (loss, grad), not ndarray with shape (2,)."),
])
def test_wrong_number_of_returned_values(student, words):
    fails_with(check_function, NAME, student, reference_pair, [(np.ones(2),)], returns=("loss", "grad"),
               contains=words)


def test_a_tuple_where_one_value_is_asked():
    fails_with(check_function, NAME, lambda x: (x, x), np.square, [(np.ones(2),)],
               contains="should return one value, not a tuple of 2 values.")


def test_function_without_return():
    def forgot_return(x):
        x**2

    fails_with(check_function, NAME, forgot_return, np.square, [(np.ones(2),)],
               contains="the returned value is None: did you forget the `return`?")


def test_transposed_output():
    fails_with(check_function, NAME, lambda x: np.outer(x, [1.0, 2.0]).T, lambda x: np.outer(x, [1.0, 2.0]),
               [(np.arange(3.0),)], contains="has shape (2, 3) instead of (3, 2): transposed?")


def test_mistake_is_named_only_on_a_case_where_it_differs():
    # Without the max shift, this log-softmax is right on moderate scores and overflows on large ones;
    # the mistake (-inf where exp overflows) is named on case 2 only.
    def log_softmax(x):
        return x - np.log(np.sum(np.exp(x - x.max()))) - x.max()

    def unshifted(x):
        with np.errstate(over="ignore", invalid="ignore"):
            return x - np.log(np.sum(np.exp(x)))

    mistakes = [Mistake("no max shift: exp overflows for large scores", unshifted)]
    cases = [Case("moderate scores", (np.array([0.5, -1.0, 2.0]),)),
             Case("large scores", (np.array([1000.0, 1001.0]),))]
    check_function(NAME, unshifted, log_softmax, cases[:1], mistakes=mistakes)
    message = fails_with(check_function, NAME, unshifted, log_softmax, cases, mistakes=mistakes)
    assert message.startswith("Exercise 9.9: on test case 2 (large scores), the returned value matches a known "
                              "mistake: no max shift")


# ---------------------------------------------------------------------------------------------------------
# check_function: read-only arguments


def test_arguments_are_read_only_and_cannot_be_made_writable():
    seen = []

    def student(x, indices):
        seen.append((x.flags.writeable, indices.flags.writeable))
        for array in (x, x.base):
            with pytest.raises(ValueError, match="WRITEABLE"):
                array.setflags(write=True)
        return x * 2

    check_function(NAME, student, lambda x, indices: x + x, [(np.arange(3.0), np.array([0, 1]))])
    assert seen == [(False, False)]


def test_writing_into_an_argument_names_it():
    def student(values, indices):
        indices.sort()
        return values[indices]

    argument = np.array([2, 0, 1])
    fails_with(check_function, NAME, student, lambda values, indices: values[indices],
               [(np.arange(3.0), argument)],
               contains="your function writes into its argument `indices`; the exercise must not change its inputs")
    np.testing.assert_array_equal(argument, [2, 0, 1])


def test_a_write_that_changes_nothing_is_still_named():
    def student(x):
        x *= 1.0
        return x

    fails_with(check_function, NAME, student, lambda x: x, [(np.ones(2),)], contains="its argument `x`")


def test_making_an_argument_writable_again_counts_as_writing():
    def student(x):
        x.setflags(write=True)
        return x

    fails_with(check_function, NAME, student, lambda x: x, [(np.ones(2),)], contains="writes into its argument `x`")


def test_changing_a_list_argument_is_named():
    def student(words, n):
        words.append("extra")
        return len(words) - 1 + n

    fails_with(check_function, NAME, student, lambda words, n: len(words) + n, [(["a", "b"], 1)],
               contains="your function changed its argument `words`")


def test_a_generator_argument_is_copied_for_each_call():
    # The student draws first; the reference must still see the generator's original stream.
    check_function(NAME, lambda rng: rng.random(3), lambda rng: rng.random(3), [(np.random.default_rng(5),)])


def test_the_reference_gets_its_own_writable_copies():
    def reference(x):
        x += 1.0  # a reference may work in place on its copy
        return x

    check_function(NAME, lambda x: x + 1.0, reference, [(np.arange(3.0),)])


# ---------------------------------------------------------------------------------------------------------
# check_function: forbidden functions


def scatter_reference(indices, updates, size):
    result = np.zeros(size)
    np.add.at(result, indices, updates)
    return result


SCATTER_CASES = [Case("repeated indices", (np.array([1, 1, 3]), np.array([1.0, 2.0, 4.0]), 5))]


def scatter_with_add_at(indices, updates, size):
    result = np.zeros(size)
    np.add.at(result, indices, updates)
    return result


def scatter_add_at_through_an_alias(indices, updates, size):
    result, add = np.zeros(size), np.add
    add.at(result, indices, updates)
    return result


def scatter_helper(indices, updates, size):
    return scatter_with_add_at(indices, updates, size)


def scatter_by_a_helper(indices, updates, size):
    return scatter_helper(indices, updates, size)  # np.add.at two calls away: beyond the source scan


def scatter_with_bincount(indices, updates, size):
    return np.bincount(indices, weights=updates, minlength=size)


def test_forbidden_function_is_found_in_the_source():
    assert fails_with(check_function, NAME, scatter_with_add_at, scatter_reference, SCATTER_CASES,
                      forbidden=("numpy.add.at",)) == (
        "Exercise 9.9: your function uses numpy.add.at, which this exercise does not allow.")
    fails_with(check_function, NAME, scatter_add_at_through_an_alias, scatter_reference, SCATTER_CASES,
               forbidden=("numpy.add.at",), contains="uses numpy.add.at")
    fails_with(check_function, NAME, scatter_helper, scatter_reference, SCATTER_CASES, forbidden=("numpy.add.at",),
               contains="uses numpy.add.at (in `scatter_with_add_at`, which it calls)")


def test_forbidden_function_is_blocked_at_run_time_where_the_scan_cannot_see_it():
    fails_with(check_function, NAME, scatter_by_a_helper, scatter_reference, SCATTER_CASES,
               forbidden=("numpy.add.at",),
               contains="on test case 1 (repeated indices), your function called numpy.add.at, which this "
                        "exercise does not allow.")
    assert np.array_equal(scatter_reference(*SCATTER_CASES[0].args), [0, 3, 0, 4, 0])  # np.add.at works again


def from_source_without_file(source, name):
    """A function whose source inspect cannot find, like one made with exec: only the run-time watch sees it."""
    namespace = {"np": np}
    exec(textwrap.dedent(source), namespace)
    return namespace[name]


@pytest.mark.parametrize("forbidden, source", [
    ("numpy.add.at", "def f(x):\n    y = np.zeros(3)\n    np.ufunc.at(np.add, y, [0], 1.0)\n    return x\n"),
    ("numpy.searchsorted", "def f(x):\n    np.searchsorted(np.arange(3), 1)\n    return x\n"),
    ("numpy.ndarray.searchsorted", "def f(x):\n    np.arange(3).searchsorted(1)\n    return x\n"),
])
def test_run_time_watch_sees_c_methods_and_python_functions(forbidden, source):
    student = from_source_without_file(source, "f")
    fails_with(check_function, NAME, student, lambda x: x, [(np.ones(2),)], forbidden=(forbidden,),
               contains=f"your function called {forbidden}, which this exercise does not allow.")


def test_catching_the_watch_s_error_does_not_help():
    def student(indices, updates, size):
        try:
            return scatter_by_a_helper(indices, updates, size)
        except Exception:
            return scatter_with_bincount(indices, updates, size)

    fails_with(check_function, NAME, student, scatter_reference, SCATTER_CASES, forbidden=("numpy.add.at",),
               contains="your function called numpy.add.at")


def test_switching_the_watch_off_fails():
    def student(indices, updates, size):
        sys.setprofile(None)
        return scatter_with_bincount(indices, updates, size)

    fails_with(check_function, NAME, student, scatter_reference, SCATTER_CASES, forbidden=("numpy.add.at",),
               contains="your function switched off the check's watch")


def test_generator_choice_is_found_by_the_scan_through_a_local_generator():
    def sampler(probabilities, seed):
        rng = np.random.default_rng(seed)
        return np.bincount(rng.choice(len(probabilities), 10_000, p=probabilities), minlength=2) > 0

    fails_with(check_function, NAME, sampler, lambda p, seed: np.array([True, True]), [(np.array([0.5, 0.5]), 0)],
               forbidden=("numpy.random.Generator.choice",), contains="uses numpy.random.Generator.choice")


def test_allowed_code_passes_and_the_profiler_is_restored(capsys):
    def previous_profiler(frame, event, arg):
        return None

    sys.setprofile(previous_profiler)
    try:
        check_function(NAME, scatter_with_bincount, scatter_reference, SCATTER_CASES, forbidden=("numpy.add.at",))
        assert sys.getprofile() is previous_profiler
    finally:
        sys.setprofile(None)
    assert capsys.readouterr().out.startswith("✓")


# ---------------------------------------------------------------------------------------------------------
# check_function: the library's solution


CENTER_VEC = np.array([0.3, -0.2, 0.5])
OUTSIDE_VECTORS = np.arange(12.0).reshape(4, 3) / 10
PAIR_CASES = [Case("a repeated negative", (CENTER_VEC, 0, OUTSIDE_VECTORS, np.array([1, 1, 2])))]
# The window loss reaches the pair computation through the private helper that both share, so a spec lists
# that helper too.
LIBRARY = ("w2v_lib.losses.neg_sampling_loss_and_gradient", "w2v_lib.losses._pair_loss_and_gradients")


def pair_reference(center_vec, outside_idx, outside_vectors, negative_indices):
    return losses.neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, negative_indices)[0]


def by_module_attribute(*args):
    return losses.neg_sampling_loss_and_gradient(*args)[0]


def by_imported_name(*args):
    return solution_under_another_name(*args)[0]


def by_default_argument(*args, solve=losses.neg_sampling_loss_and_gradient):
    return solve(*args)[0]


def by_another_library_function(center_vec, outside_idx, outside_vectors, negative_indices):
    center_vectors = np.vstack([center_vec, outside_vectors[1:]])
    return losses.skipgram_loss_and_gradient(0, np.array([outside_idx]), center_vectors, outside_vectors,
                                             negative_indices[None, :])[0]


@pytest.mark.parametrize(("student", "reached"), [
    (by_module_attribute, "neg_sampling_loss_and_gradient"), (by_imported_name, "neg_sampling_loss_and_gradient"),
    (by_default_argument, "neg_sampling_loss_and_gradient"), (by_another_library_function, "_pair_loss_and_gradients")])
def test_calling_the_library_s_solution_fails_however_it_is_reached(student, reached):
    assert fails_with(check_function, NAME, student, pair_reference, PAIR_CASES, library=LIBRARY) == (
        f"Exercise 9.9: on test case 1 (a repeated negative), your function called w2v_lib.losses.{reached}, the "
        "library's own solution to this exercise; write the computation yourself.")


def test_library_function_may_be_given_as_the_function_itself(capsys):
    fails_with(check_function, NAME, by_imported_name, pair_reference, PAIR_CASES,
               library=(losses.neg_sampling_loss_and_gradient,), contains="the library's own solution")

    def own_loss(center_vec, outside_idx, outside_vectors, negative_indices):
        scores = outside_vectors[negative_indices] @ center_vec
        outside_score = outside_vectors[outside_idx] @ center_vec
        return float(-losses.log_sigmoid(outside_score) - losses.log_sigmoid(-scores).sum())

    check_function(NAME, own_loss, pair_reference, PAIR_CASES, library=LIBRARY)  # the reference may use it
    assert capsys.readouterr().out.startswith("✓")


def test_no_module_attribute_is_rebound_by_a_check():
    modules = [w2v_lib.checks, nb03, losses, np, np.random]

    def fingerprint():
        return {(module.__name__, key): id(value) for module in modules for key, value in vars(module).items()}

    before = fingerprint()
    for student in (by_module_attribute, scatter_by_a_helper):
        with pytest.raises(CheckFailed):
            check_function(NAME, student, pair_reference, PAIR_CASES, forbidden=("numpy.add.at",), library=LIBRARY)
    assert fingerprint() == before
    assert sys.getprofile() is None


# ---------------------------------------------------------------------------------------------------------
# check_gradient


def half_square(x):
    return float(np.sum(x**2)) / 2, x.copy()


def test_right_gradient_prints_a_tick(capsys):
    check_gradient(NAME, half_square, np.array([0.5, -1.0, 2.0]))
    assert capsys.readouterr().out == "✓ Exercise 9.9: gradcheck passed (max relative error below 1e-06).\n"


def test_wrong_gradient_names_the_first_wrong_entry_not_the_values():
    # The true gradient of sum(x**2) / 2 is x; entry 1 doubled fails there only.
    def student(x):
        grad = x.copy()
        grad[1] *= 2
        return float(np.sum(x**2)) / 2, grad

    assert fails_with(check_gradient, NAME, student, np.array([0.5, -1.0, 2.0])) == (
        "Exercise 9.9: your gradient disagrees with finite differences, first at index [1]: re-derive it with the "
        "chain rule.")


def two_blocks(a, b):
    """loss = a·b + sum(b**2), gradients b and a + 2b."""
    return float(a @ b + b @ b), (b.copy(), a + 2 * b)


BLOCK_POINT = (np.array([1.0, -2.0]), np.array([0.5, 3.0]))
BLOCK_NAMES = ("∇_a", "∇_b")


def test_blocks_pass_or_fail_one_by_one():
    check_gradient(NAME, two_blocks, BLOCK_POINT, blocks=BLOCK_NAMES)

    def second_block_forgets_a(a, b):
        return float(a @ b + b @ b), (b.copy(), 2 * b)

    assert fails_with(check_gradient, NAME, second_block_forgets_a, BLOCK_POINT, blocks=BLOCK_NAMES) == (
        "Exercise 9.9: gradcheck per block: ∇_a passes, ∇_b fails (first at index [0]): re-derive it with the "
        "chain rule.")


def test_gradient_mistake_is_named():
    def flipped(a, b):
        return float(a @ b + b @ b), (-b, -(a + 2 * b))

    mistakes = [Mistake("forgot the a·b term", lambda a, b: (np.zeros_like(a), 2 * b)),
                Mistake("the gradient of -J", lambda a, b: (-b, -(a + 2 * b)))]
    fails_with(check_gradient, NAME, flipped, BLOCK_POINT, blocks=BLOCK_NAMES, mistakes=mistakes,
               contains="∇_a fails (first at index [0]), ∇_b fails (first at index [0]); it matches a known "
                        "mistake: the gradient of -J.")
    fails_with(check_gradient, NAME, lambda x: (float(x @ x) / 2, -x), np.array([1.0, 2.0]),
               mistakes=[Mistake("flipped sign", lambda x: -x)],
               contains="it matches a known mistake: flipped sign.")


def test_stub_gradient():
    with not_done_yet():
        check_gradient(NAME, stub, np.ones(3))


@pytest.mark.parametrize("student, words", [
    (lambda x: (1 / 0, x), "during the gradient check, your function raised ZeroDivisionError: division by zero"),
    (lambda x: float(x @ x), "the function should return a pair (loss, gradient), not float"),
    (lambda x: (x, x), "the loss should be a single number, not ndarray with shape (3,)."),
    (lambda x: (float(x @ x) / 2, x[:2]), "your gradient has shape (2,) instead of (3,)."),
    (lambda x: (float(x @ x) / 2, np.full_like(x, np.nan)), "your gradient contains NaN at index [0]"),
    (lambda x: (np.inf, x), "your loss is NaN or infinite."),
])
def test_malformed_gradient_functions(student, words):
    fails_with(check_gradient, NAME, student, np.ones(3), contains=words)


def test_transposed_gradient_block():
    def student(a, b):
        return float(np.sum(a * b)), (b.T, a.T)

    point = (np.ones((2, 3)), np.arange(6.0).reshape(2, 3))
    fails_with(check_gradient, NAME, student, point, blocks=BLOCK_NAMES,
               contains="∇_a has shape (3, 2) instead of (2, 3): transposed?")


def test_gradient_function_raising_during_finite_differences():
    calls = []

    def fails_on_second_call(x):
        calls.append(1)
        if len(calls) > 1:
            raise ZeroDivisionError("division by zero")
        return float(x @ x), 2 * x

    fails_with(check_gradient, NAME, fails_on_second_call, np.ones(2),
               contains="during the gradient check, your function raised ZeroDivisionError")


def test_gradient_function_writing_into_x_is_named():
    def student(x):
        x -= 0.0
        return float(x @ x) / 2, x

    fails_with(check_gradient, NAME, student, np.ones(2), contains="writes into its argument `x`")


# ---------------------------------------------------------------------------------------------------------
# The example specification, nb03 (notebook 03's exercises)


def center_right(center_vec, outside_vec, negative_vecs):
    """Equation 2, worked out in notebook 03, independent of the library."""
    return (-(1 - sigmoid(outside_vec @ center_vec)) * outside_vec
            + sigmoid(negative_vecs @ center_vec) @ negative_vecs)


def center_from_the_library(center_vec, outside_vec, negative_vecs):
    outside_vectors = np.vstack([outside_vec, negative_vecs])
    return losses.neg_sampling_loss_and_gradient(center_vec, 0, outside_vectors,
                                                 np.arange(1, len(outside_vectors)))[1]


def center_not_summed(center_vec, outside_vec, negative_vecs):
    # The negatives' terms weighted row by row but never added up: shape (K, d).
    return (-(1 - sigmoid(outside_vec @ center_vec)) * outside_vec
            + sigmoid(negative_vecs @ center_vec)[:, None] * negative_vecs)


def rows_right(center_vec, outside_idx, outside_vectors, negative_indices):
    """Equations 3 and 4 written into their rows, every draw added by a loop."""
    grad = np.zeros_like(outside_vectors)
    grad[outside_idx] += -(1 - sigmoid(outside_vectors[outside_idx] @ center_vec)) * center_vec
    for row in negative_indices:
        grad[row] += sigmoid(outside_vectors[row] @ center_vec) * center_vec
    return grad


def rows_from_the_library(*args):
    return losses.neg_sampling_loss_and_gradient(*args)[2]


def rows_writing_into_u(center_vec, outside_idx, outside_vectors, negative_indices):
    outside_vectors[outside_idx] *= 1.0
    return rows_right(center_vec, outside_idx, outside_vectors, negative_indices)


def rows_transposed(*args):
    return rows_right(*args).T


def rows_with_nan(*args):
    grad = rows_right(*args)
    grad[0, 1] = np.nan
    return grad


def scatter_rows_right(indices, updates, vocab_size):
    return np.stack([np.bincount(indices, weights=updates[:, j], minlength=vocab_size)
                     for j in range(updates.shape[1])], axis=1)


def scatter_rows_with_add_at(indices, updates, vocab_size):
    result = np.zeros((vocab_size, updates.shape[1]))
    np.add.at(result, indices, updates)
    return result


def scatter_rows_with_subtract_at(indices, updates, vocab_size):
    result = np.zeros((vocab_size, updates.shape[1]))
    np.subtract.at(result, indices, -updates)
    return result


def scatter_rows_with_the_library(indices, updates, vocab_size):
    result = np.zeros((vocab_size, updates.shape[1]))
    scatter_add = nb03.LIBRARY_SCATTER[0]  # scatter_add_products(target, indices, weights, vectors)
    scatter_add(result, indices[:, None], np.ones((len(indices), 1)), updates)
    return result


def test_nb03_right_answers_pass(capsys):
    nb03.check_3_1(center_right)
    nb03.check_3_1_gradient(center_right)
    nb03.check_3_2(np.array([-1 / 4, 0.0]))  # -(1 - σ) v_c with σ = 3/4 and v_c = [1, 0]
    nb03.check_3_3(rows_right)
    nb03.check_3_3_gradient(rows_right)
    nb03.check_3_4(np.array([np.log(3) / 2, 0.0]))  # (2σ - 1) v_c with σ = 3/4 and v_c = [ln 3, 0]
    nb03.check_3_5(scatter_rows_right)
    assert capsys.readouterr().out == (
        "✓ Exercise 3.1: correct on all 6 test cases (4 of them hidden).\n"
        "✓ Exercise 3.1: gradcheck passed (max relative error below 1e-06).\n"
        "✓ Exercise 3.2: correct.\n"
        "✓ Exercise 3.3: correct on all 6 test cases (4 of them hidden).\n"
        "✓ Exercise 3.3: gradcheck passed (max relative error below 1e-06).\n"
        "✓ Exercise 3.4: correct.\n"
        "✓ Exercise 3.5: correct on all 6 test cases (4 of them hidden).\n")


def test_nb03_stubs_are_not_done_yet():
    for name, checks in [("Exercise 3.1", (nb03.check_3_1, nb03.check_3_1_gradient)),
                         ("Exercise 3.3", (nb03.check_3_3, nb03.check_3_3_gradient)),
                         ("Exercise 3.5", (nb03.check_3_5,))]:
        for check in checks:
            with not_done_yet(name):
                check(stub)
    for name, check in [("Exercise 3.2", nb03.check_3_2), ("Exercise 3.4", nb03.check_3_4)]:
        with not_done_yet(name):
            check(None)


# The specification builds some mistakes from the library's function, which the watch blocks while the
# student's code runs; here the mistakes play the student, so they start from the versions above instead.


@pytest.mark.parametrize("description, mistake", nb03.MISTAKES_3_1, ids=[f.__name__ for _, f in nb03.MISTAKES_3_1])
def test_nb03_each_known_mistake_of_3_1_is_named(description, mistake):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nb03, "_grad_center_vec", center_right)
        fails_with(nb03.check_3_1, mistake, contains=f"matches a known mistake: {description}.")
        fails_with(nb03.check_3_1_gradient, mistake, contains=f"it matches a known mistake: {description}.")


@pytest.mark.parametrize("description, mistake", nb03.MISTAKES_3_3, ids=[f.__name__ for _, f in nb03.MISTAKES_3_3])
def test_nb03_each_known_mistake_of_3_3_is_named(description, mistake):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nb03, "_grad_outside_vectors", rows_right)
        fails_with(nb03.check_3_3, mistake, contains=f"matches a known mistake: {description}.")
        fails_with(nb03.check_3_3_gradient, mistake, contains=f"it matches a known mistake: {description}.")


@pytest.mark.parametrize("description, mistake", nb03.MISTAKES_3_5, ids=[f.__name__ for _, f in nb03.MISTAKES_3_5])
def test_nb03_each_known_mistake_of_3_5_is_named(description, mistake):
    fails_with(nb03.check_3_5, mistake, contains=f"matches a known mistake: {description}.")


@pytest.mark.parametrize("check, student, words", [
    (nb03.check_3_1, center_from_the_library,
     "called w2v_lib.losses.neg_sampling_loss_and_gradient, the library's own solution"),
    (nb03.check_3_1, center_not_summed,
     "on test case 1 (a single negative), the returned value has shape (1, 3) instead of (3,)."),
    (nb03.check_3_1_gradient, center_from_the_library, "the library's own solution"),
    (nb03.check_3_3, rows_from_the_library, "the library's own solution"),
    (nb03.check_3_3, rows_writing_into_u, "your function writes into its argument `outside_vectors`"),
    (nb03.check_3_3, rows_transposed, "the returned value has shape (3, 6) instead of (6, 3): transposed?"),
    (nb03.check_3_3, rows_with_nan, "the returned value contains NaN at index [0, 1]"),
    (nb03.check_3_3_gradient, rows_transposed, "your gradient has shape (3, 6) instead of (6, 3): transposed?"),
    (nb03.check_3_5, scatter_rows_with_add_at,
     "Exercise 3.5: your function uses numpy.add.at, which this exercise does not allow."),
    (nb03.check_3_5, scatter_rows_with_subtract_at, "your function called numpy.ufunc.at, which this exercise does not"),
    (nb03.check_3_5, scatter_rows_with_the_library, "the library's own solution"),
])
def test_nb03_checks_explain_wrong_solutions(check, student, words):
    fails_with(check, student, contains=words)


@pytest.mark.parametrize("answer, words", [
    (np.array([-np.log(3) / 4, -1 / 4]), "matches a known mistake: the seed's printed equation 3"),  # -(1/4) u_o
    (np.array([1 / 4, 0.0]), "matches a known mistake: the sign is flipped"),
    (np.array([-3 / 4, 0.0]), "matches a known mistake: σ(u_o·v_c) where the derivative"),
    (np.array([-np.log(3) / 2, 1 / 4]), "matches a known mistake: this is ∇_{v_c} J (equation 2)"),
    (np.zeros(2), "matches a known mistake: the negative's term belongs to the negative's own row"),
    (np.array([-0.25, 1.0]), "is wrong at index [1] (1 of 2 entries are wrong)."),
])
def test_nb03_check_3_2_explains_wrong_answers(answer, words):
    fails_with(nb03.check_3_2, answer, contains=f"Exercise 3.2: your answer {words}")


@pytest.mark.parametrize("answer, words", [
    (np.array([-np.log(3) / 4, 0.0]), "matches a known mistake: equation 3 alone"),  # -(1 - 3/4) v_c
    (np.array([3 * np.log(3) / 4, 0.0]), "matches a known mistake: equation 4 alone"),  # (3/4) v_c
    # -(1/4) u_o + (3/4) v_c
    (np.array([-1 / 4 + 3 * np.log(3) / 4, -5 / 4]), "matches a known mistake: the seed's printed equation 3"),
    # -(1/4) v_c - (3/4) v_c
    (np.array([-np.log(3), 0.0]), "matches a known mistake: the negative's term subtracted"),
    (np.array([-np.log(3) / 2, 0.0]), "matches a known mistake: the signs are flipped"),
    (np.zeros(2), "matches a known mistake: the two terms cancel"),  # -(3/4) v_c + (3/4) v_c
    (np.array([0.549, 0.0]), "looks rounded"),
    (np.array([[np.log(3) / 2], [0.0]]), "has shape (2, 1) instead of (2,)."),
    (np.array([np.log(3) / 2, 1.0]), "is wrong at index [1] (1 of 2 entries are wrong)."),
])
def test_nb03_check_3_4_explains_wrong_answers(answer, words):
    fails_with(nb03.check_3_4, answer, contains=f"Exercise 3.4: your answer {words}")
