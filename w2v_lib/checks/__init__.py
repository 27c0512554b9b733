"""Self-checks for the exercises: feedback that says what is wrong without giving the answer away.

A check cell calls one exercise's check from its notebook's specification module, e.g.
``from w2v_lib.checks import nb03`` then ``nb03.check_3_1(neg_sampling_gradients)``. The module ``nbNN.py``
holds the reference, the test cases, the known mistakes and the rules (forbidden functions, the library
function that must not be called), so the check cell shows neither a formula nor an expected value. This
module holds the generic machinery those specifications use: ``check_value``, ``check_function`` and
``check_gradient``.

What a check says
-----------------
* A right answer prints one line starting with ``✓``.
* While the exercise's stub is in place (its cell raises NotImplementedError, or a named answer is None),
  the check raises NotImplementedError with a "not done yet" message: in a student notebook run top to
  bottom, the first error is always one of those.
* A wrong answer raises ``CheckFailed`` (an AssertionError) with one or two sentences saying *what* is wrong:
  which test case, which returned value, which entry; NaN or infinity; a wrong type; a wrong shape, or the
  transposed one; a value that looks rounded where full precision is asked; or, when the answer is exactly
  what a known mistake gives (a flipped sign, the seed's printed equation 3, duplicates lost to ``+=``...),
  the name of that mistake. It never prints the expected value or how far off the answer is: a number you
  could paste back would pass the check and teach nothing.

Rules of a code check
---------------------
* Every array argument reaches your function read-only (a fresh copy for each call), because the
  exercises ask you not to change your inputs. Writing into one fails with a message naming the argument;
  work on a copy (``x.copy()``) or build a new array instead.
* A function the exercise forbids (say ``numpy.add.at``) is looked for in your function's source, and in
  the source of the notebook functions it calls, before anything runs; it is also blocked while your code
  runs, however you reach it.
* Where ``w2v_lib`` already holds the function the exercise asks you to write, calling it from your code
  fails: the point is to write it.

What the run-time watch can and cannot see
------------------------------------------
While your function runs, a profile hook (``sys.setprofile``) watches every call. It sees a blocked Python
function (the library's, or numpy's Python-level functions such as ``numpy.searchsorted``) by its code
object, whatever name, alias, closure or container your code reaches it through, also when another
function calls it for you. It sees C functions and methods of numpy (``np.add.at``, ``np.ufunc.at(np.add,
...)``, ``ndarray.searchsorted``) at the moment they are called. It cannot see: functions compiled with
Cython, such as the methods of ``numpy.random.Generator`` (``rng.choice``), for which only the source scan
helps; calls made from other threads or processes; code that switches the hook off (``sys.setprofile``),
which fails the check instead. The source scan cannot see code built at run time (``exec``, ``eval``,
``getattr`` with a computed name) or functions more than one call away from yours. These checks are
self-checks for learning, not a sandbox: a student who sets out to fool them can.

Why a profile hook rather than replacing the functions: numpy's ufunc methods (``np.add.at``) cannot be
replaced, a replaced module attribute misses every alias made before the check, and the grader fingerprints
module attributes by identity. The hook is installed only around the student's own calls (never around the
reference's) and the previous one is put back, so nothing outlives a check.
"""

import ast
import builtins
import collections
import contextlib
import copy
import importlib
import inspect
import re
import sys
import textwrap
import types
from dataclasses import dataclass

import numpy as np

from w2v_lib.gradcheck import numerical_gradient, relative_error

STUB_MESSAGE = (
    "{name}: not done yet. The exercise cell still raises NotImplementedError: replace that line with your "
    "solution, run the cell, then run this check again."
)

WRITES_ADVICE = "the exercise must not change its inputs: work on a copy (`.copy()`) or build a new array."


class CheckFailed(AssertionError):
    """An exercise answer is wrong; the message says how."""


@dataclass(frozen=True)
class Case:
    """One test case of ``check_function``.

    Attributes
    ----------
    description : str
        A few words shown in a failure message, saying what makes this case special, e.g.
        ``"repeated negative indices"``. Never the answer.
    args : tuple
        Positional arguments, given to the student's function (read-only) and to the reference.
    hidden : bool
        A hidden case is one the exercise does not announce; a failure on it still names its description.
    """

    description: str
    args: tuple
    hidden: bool = False


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: when the student's answer is exactly what it gives, the message names it.

    Attributes
    ----------
    description : str
        Completes the sentence "... matches a known mistake: ", e.g. ``"the seed's printed equation 3, which
        has u_o where v_c belongs"``. Say what went wrong, not what the right answer is.
    answer : object or callable
        For ``check_value``, the mistaken number or array. For ``check_function``, a function taking the
        same arguments as the reference and returning what the mistake returns (a tuple if the reference
        returns one). For ``check_gradient``, a function of the parameter blocks returning the mistaken
        gradient (a tuple with one gradient per block when ``blocks`` is given).
    """

    description: str
    answer: object


# ---------------------------------------------------------------------------------------------------------
# Recording the expected values (for the classroom self-test)

# The record_expected() blocks now open. The list is appended to and removed from, never rebound: the
# grader fingerprints this module's attributes by identity.
_OPEN_RECORDINGS = []


class ExpectedValues:
    """Every expected number or array that the checks compared while ``record_expected()`` was open.

    Attributes
    ----------
    values : list of ndarray
        Copies, in the order compared: check_value's ``expected``, every output of check_function's
        reference, check_gradient's finite-difference gradients.
    """

    def __init__(self):
        self.values = []

    def found_in(self, message):
        """Numbers in ``message`` that spell an expected value, to the digits they show.

        A number counts when it equals an expected entry rounded to as many significant digits as it shows
        (signs ignored) and it has a decimal point or at least two digits: one-digit integers are the
        indices, shapes and counts that messages do show. So an integer index of 10 or more that happens to
        equal an expected value is reported too. The leading ``"Exercise N.k:"`` name is skipped.

        Parameters
        ----------
        message : str

        Returns
        -------
        list of str
            The offending numbers as written in the message; empty when the message gives nothing away.
        """
        text = message.split(": ", 1)[-1]
        entries = {abs(float(entry)) for value in self.values if np.asarray(value).dtype.kind in "biuf"
                   for entry in np.ravel(value) if np.isfinite(entry)}
        found = []
        for token in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", text):
            mantissa = token.lstrip("-").split("e")[0].split("E")[0]
            digits = len(mantissa.replace(".", "").lstrip("0"))
            if digits == 0 or (digits == 1 and "." not in mantissa):
                continue
            if any(float(f"{entry:.{digits - 1}e}") == abs(float(token)) for entry in entries):
                found.append(token)
        return found


@contextlib.contextmanager
def record_expected():
    """Collect every expected value the checks compare inside the ``with`` block.

    For the classroom's self-test, which asserts that no failure message contains an expected value::

        with record_expected() as expected:
            with pytest.raises(CheckFailed) as failure:
                nb03.check_3_3(wrong_answer)
        assert expected.found_in(str(failure.value)) == []

    Yields
    ------
    ExpectedValues
    """
    recording = ExpectedValues()
    _OPEN_RECORDINGS.append(recording)
    try:
        yield recording
    finally:
        _OPEN_RECORDINGS.remove(recording)


def _note_expected(value):
    for recording in _OPEN_RECORDINGS:
        recording.values.append(np.array(value, copy=True))


# ---------------------------------------------------------------------------------------------------------
# The three checks


def check_value(name, got, expected, atol=1e-6, rtol=1e-6, *, mistakes=()):
    """Check a number or array answer, e.g. the result of a derivation done by hand.

    Parameters
    ----------
    name : str
        Shown in every message, e.g. ``"Exercise 3.3"``.
    got : float, array_like or None
        The student's answer. None (a stub, or a missing variable read with ``globals().get``) means not
        answered yet.
    expected : float or array_like
    atol, rtol : float
        Tolerances as in ``numpy.isclose``.
    mistakes : sequence of Mistake
        Known wrong answers, named when ``got`` matches one (and the mistake differs from ``expected``).

    Raises
    ------
    NotImplementedError
        ``got`` is None.
    CheckFailed
        The answer is wrong; the message says how, without the expected value.
    """
    if got is None:
        raise NotImplementedError(STUB_MESSAGE.format(name=name))
    problem = _judge(got, expected, atol, rtol, lambda: [(m.description, _mistaken(m, ())) for m in mistakes])
    if problem:
        raise CheckFailed(_sentence(f"{name}: your answer {problem}"))
    print(f"✓ {name}: correct.")


# The name today's notebooks use; the same function.
check_close = check_value


def check_function(name, func, reference, cases, atol=1e-6, rtol=1e-6, *, mistakes=(), forbidden=(),
                   library=(), returns=None):
    """Call the student's ``func`` and a correct ``reference`` on each case and compare every output.

    Parameters
    ----------
    name : str
    func : callable or None
        The student's function. None means not written yet.
    reference : callable
        A correct implementation with the same signature. It gets its own writable copies of the arguments
        and runs outside the watch, so it may be the library function the student must not call.
    cases : sequence of Case or of tuple
        A bare tuple is a case without description: ``Case("", args)``.
    atol, rtol : float
        Tolerances as in ``numpy.isclose``.
    mistakes : sequence of Mistake
        Each ``answer`` is a function with the reference's signature returning the mistaken output. It is
        named only on a case where it differs from the reference.
    forbidden : sequence of str
        Dotted names of functions the student may not use, e.g. ``"numpy.add.at"``,
        ``"numpy.random.Generator.choice"``, ``"numpy.searchsorted"``.
    library : sequence of str or callable
        The ``w2v_lib`` functions that already solve the exercise, e.g.
        ``"w2v_lib.losses.neg_sampling_loss_and_gradient"``; reaching one fails the check.
    returns : sequence of str, optional
        Names of the returned values when the reference returns a tuple, used in messages.

    Raises
    ------
    NotImplementedError
        ``func`` is None or raises NotImplementedError.
    CheckFailed
        At the first case where something is wrong.
    """
    if func is None:
        raise NotImplementedError(STUB_MESSAGE.format(name=name))
    guard = _Guard(name, forbidden, library)
    guard.scan(func)
    cases = [case if isinstance(case, Case) else Case("", tuple(case)) for case in cases]
    visible = 0
    for case in cases:
        visible += not case.hidden
        where = _case_words(case, visible)
        got = _call_student(name, func, case.args, where, guard)
        expected = reference(*_copies(case.args))
        _compare_outputs(name, where, got, expected, atol, rtol, case, mistakes, returns)
    hidden = sum(case.hidden for case in cases)
    counted = f" ({hidden} of them hidden)" if hidden else ""
    print(f"✓ {name}: correct on all {len(cases)} test cases{counted}.")


def check_gradient(name, loss_and_grad, x, tolerance=1e-6, *, blocks=None, mistakes=(), forbidden=(),
                   library=(), student=None, step=1e-5):
    """Gradcheck a ``(loss, gradient)`` function and say which block fails, first at which entry.

    Parameters
    ----------
    name : str
    loss_and_grad : callable
        Without ``blocks``: ``loss_and_grad(x) -> (loss, grad)``, ``grad`` of ``x``'s shape. With
        ``blocks``: ``loss_and_grad(*x) -> (loss, grads)``, one gradient per parameter block. The
        forbidden and library functions are blocked during every call of it, so a specification's wrapper
        computes its loss without them.
    x : array_like, or sequence of array_like with ``blocks``
        The point to check at; the function gets read-only float64 copies.
    tolerance : float
        Largest relative error (``w2v_lib.gradcheck.relative_error``) that passes.
    blocks : sequence of str, optional
        Names of the parameter blocks, e.g. ``("∇_v_c J", "∇_U J")``.
    mistakes : sequence of Mistake
        Each ``answer`` is a function of the parameter blocks returning the mistaken gradient (a tuple of
        blocks when ``blocks`` is given); named when the student's failing block equals it.
    forbidden, library : sequence
        As in ``check_function``.
    student : callable, optional
        The student's function that ``loss_and_grad`` calls, whose source is scanned for forbidden
        functions (default: ``loss_and_grad`` itself).
    step : float
        Central-difference step.

    Raises
    ------
    NotImplementedError
        The student's code raises NotImplementedError.
    CheckFailed
        Wrong output, or a block whose gradient disagrees with finite differences.
    """
    params = (np.array(x, dtype=np.float64),) if blocks is None else tuple(
        np.array(block, dtype=np.float64) for block in x)
    names = ("your gradient",) if blocks is None else tuple(blocks)
    guard = _Guard(name, forbidden, library)
    guard.scan(student or loss_and_grad)
    where = "during the gradient check"

    def evaluate(point):
        loss, grads = _loss_and_gradients(name, _call_student(name, loss_and_grad, point, where, guard),
                                          blocks, params)
        if not np.isfinite(loss):
            raise CheckFailed(f"{name}: {where}, your loss is NaN or infinite.")
        return loss, grads

    _, analytic = evaluate(params)
    numerical, failures = [], []
    for number, (block_name, param, grad) in enumerate(zip(names, params, analytic)):
        problem = (_shape_or_type_problem(grad, param.shape)
                   or _non_finite_problem(grad, np.zeros(param.shape)))
        if problem:
            raise CheckFailed(_sentence(f"{name}: {where}, {block_name} {problem}"))

        def loss_of_block(value, number=number):
            return evaluate(params[:number] + (value,) + params[number + 1:])[0]

        numerical.append(numerical_gradient(loss_of_block, param, step))
        _note_expected(numerical[-1])
        wrong = relative_error(np.asarray(grad, dtype=np.float64), numerical[-1]) > tolerance
        failures.append(_at_index(_first(wrong)) if wrong.any() else None)
    if all(index is None for index in failures):
        print(f"✓ {name}: gradcheck passed (max relative error below {tolerance:.0e}).")
        return
    known = _gradient_mistake(mistakes, params, analytic, numerical, failures, blocks is not None, tolerance)
    advice = f"; it matches a known mistake: {known}." if known else ": re-derive it with the chain rule."
    if blocks is None:
        raise CheckFailed(f"{name}: your gradient disagrees with finite differences, "
                          f"first{failures[0]}{advice}")
    verdicts = ", ".join(f"{block} passes" if index is None else f"{block} fails (first{index})"
                         for block, index in zip(names, failures))
    raise CheckFailed(f"{name}: gradcheck per block: {verdicts}{advice}")


# ---------------------------------------------------------------------------------------------------------
# Judging one value


def _judge(got, expected, atol, rtol, mistaken=lambda: ()):
    """Return None when ``got`` is right, else words completing "<your answer> ...".

    ``mistaken()`` gives the (description, mistaken value) pairs; it is called only for a wrong answer.
    Every comparison of the module comes through here, so ``record_expected`` sees every expected value.
    """
    _note_expected(expected)
    expected = np.asarray(expected)
    if expected.dtype.kind not in "biuf":  # words, rows of a table: right or wrong, nothing in between
        if np.shape(got) != expected.shape:
            return f"has shape {np.shape(got)} instead of {expected.shape}"
        return None if _exactly_equal(got, expected) else "is wrong"
    if got is None:
        return "is None: did you forget the `return`?"
    problem = _shape_or_type_problem(got, None)
    if problem:
        return problem
    got = np.asarray(got, dtype=np.float64)
    expected = expected.astype(np.float64)
    if got.shape == expected.shape and _close(got, expected, atol, rtol).all():
        return None
    for description, value in mistaken():
        value = np.asarray(value, dtype=np.float64)
        differs = value.shape != expected.shape or not _close(value, expected, atol, rtol).all()
        if differs and value.shape == got.shape and _close(got, value, atol, rtol).all():
            return f"matches a known mistake: {description}"
    problem = _shape_or_type_problem(got, expected.shape) or _non_finite_problem(got, expected)
    if problem:
        return problem
    wrong = ~_close(got, expected, atol, rtol)
    if not _close(expected, -expected, atol, rtol).all() and _close(got, -expected, atol, rtol).all():
        return "has the opposite sign: check the sign of each term"
    if _looks_rounded(got[wrong], expected[wrong]):
        return ("looks rounded: full precision is asked, so compute it in code or write an exact expression "
                "(a fraction, np.log(3), ...) instead of typing decimals")
    if expected.ndim == 0:
        return "is wrong"
    count = f"{int(wrong.sum())} of {wrong.size} entries are wrong"
    return f"is wrong{_at_index(_first(wrong))} ({count})"


def _shape_or_type_problem(got, expected_shape):
    """Words for an answer that is not an array of real numbers, or not of ``expected_shape`` (if given)."""
    try:
        array = np.asarray(got)
        shape = array.astype(np.float64).shape if array.dtype.kind != "c" else None
    except (TypeError, ValueError):
        return f"should be a number or an array of numbers, not {_describe(got)}"
    if shape is None:
        return "should be real numbers, not complex ones"
    if expected_shape is None or shape == tuple(expected_shape):
        return None
    if expected_shape == ():
        return f"should be a single number, not an array of shape {shape}"
    if shape == ():
        return f"should be an array of shape {expected_shape}, not a single number"
    if len(shape) >= 2 and shape == tuple(expected_shape)[::-1]:
        return f"has shape {shape} instead of {expected_shape}: transposed?"
    return f"has shape {shape} instead of {expected_shape}"


def _non_finite_problem(got, expected):
    """Words for NaN or infinity where the right answer is finite."""
    got = np.asarray(got, dtype=np.float64)
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if not bad.any():
        return None
    index = _first(bad)
    if np.isnan(got[index]):
        return f"contains NaN{_at_index(index)}: look for 0/0, inf - inf or the log of a negative number"
    return (f"contains infinity{_at_index(index)}: look for an overflow (exp of a large number) or a "
            "division by zero")


def _looks_rounded(got, expected):
    """True when every wrong entry is its right value rounded to 2 to 12 significant digits.

    One significant digit is not counted: a wrong 0.5 is more often a real mistake than a rounded 0.549.
    """
    def is_rounding(g, e):
        return g != 0 and any(float(f"{e:.{digits - 1}e}") == g for digits in range(2, 13))

    return got.size > 0 and all(is_rounding(g, e) for g, e in zip(got.tolist(), expected.tolist()))


def _close(got, expected, atol, rtol):
    return np.isclose(got, expected, atol=atol, rtol=rtol, equal_nan=True)


def _first(mask):
    """The index of the first True entry of ``mask``, in reading order."""
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(mask)), mask.shape))


def _at_index(index):
    """``" at index [4, 0]"``, as numpy indexing (the student can look at ``grad[4, 0]``); "" for a number."""
    return f" at index [{', '.join(str(i) for i in index)}]" if index else ""


def _exactly_equal(got, expected):
    try:
        return bool(np.array_equal(np.asarray(got), expected))  # not asarray(dtype=...): it would cut strings
    except (TypeError, ValueError):
        return False


def _sentence(words):
    return words if words.endswith("?") else words + "."


def _describe(value):
    if isinstance(value, (tuple, list)):
        # Not the repr: a tuple of arrays would print every entry.
        return f"a {type(value).__name__} of {len(value)} values"
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"{type(value).__name__} with shape {shape}"
    if isinstance(value, (str, int, float)):
        return f"{type(value).__name__} {value!r}"
    return type(value).__name__


# ---------------------------------------------------------------------------------------------------------
# Outputs of check_function and check_gradient


def _case_words(case, visible_number):
    what = f" ({case.description})" if case.description else ""
    return f"on a hidden test case{what}" if case.hidden else f"on test case {visible_number}{what}"


def _compare_outputs(name, where, got, expected, atol, rtol, case, mistakes, returns):
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            listed = f" ({', '.join(returns)})" if returns else ""
            raise CheckFailed(f"{name}: {where}, your function should return {len(expected)} values{listed}, "
                              f"not {_describe(got)}.")
        parts = list(zip(got, expected))
    elif isinstance(got, tuple):
        raise CheckFailed(f"{name}: {where}, your function should return one value, not {_describe(got)}.")
    else:
        parts = [(got, expected)]
    for number, (got_part, expected_part) in enumerate(parts):
        what = "the returned value" if len(parts) == 1 else f"returned value {number + 1}" + (
            f" ({returns[number]})" if returns else "")

        def mistaken(number=number):
            outputs = [(m.description, _mistaken(m, _copies(case.args))) for m in mistakes]
            return [(d, out[number] if isinstance(expected, tuple) else out) for d, out in outputs]

        problem = _judge(got_part, expected_part, atol, rtol, mistaken)
        if problem:
            raise CheckFailed(_sentence(f"{name}: {where}, {what} {problem}"))


def _mistaken(mistake, args):
    return mistake.answer(*args) if callable(mistake.answer) else mistake.answer


def _loss_and_gradients(name, output, blocks, params):
    """Split a gradient function's output into (loss, tuple of gradients), or say what is wrong with it."""
    where = "during the gradient check"
    if not (isinstance(output, (tuple, list)) and len(output) == 2):
        what = "gradient" if blocks is None else "gradients"
        raise CheckFailed(f"{name}: {where}, the function should return a pair (loss, {what}), "
                          f"not {_describe(output)}.")
    loss, grads = output[0], ((output[1],) if blocks is None else output[1])
    if not (isinstance(grads, (tuple, list)) and len(grads) == len(params)):
        raise CheckFailed(f"{name}: {where}, your function should return {len(params)} gradients "
                          f"({', '.join(blocks)}), not {_describe(grads)}.")
    if _shape_or_type_problem(loss, ()):
        raise CheckFailed(f"{name}: {where}, the loss should be a single number, not {_describe(loss)}.")
    return float(np.asarray(loss, dtype=np.float64)), tuple(grads)


def _gradient_mistake(mistakes, params, analytic, numerical, failures, has_blocks, tolerance):
    """Description of the first mistake whose gradient equals the student's on every failing block."""
    for mistake in mistakes:
        value = _mistaken(mistake, _copies(params))
        value = tuple(value) if has_blocks else (value,)
        if all(index is None or _explains(value[number], analytic[number], numerical[number], tolerance)
               for number, index in enumerate(failures)):
            return mistake.description
    return None


def _explains(mistaken, grad, numerical, tolerance):
    """True when the student's block equals the mistaken one and finite differences reject the mistake."""
    mistaken, grad = np.asarray(mistaken, dtype=np.float64), np.asarray(grad, dtype=np.float64)
    return bool(mistaken.shape == grad.shape and (relative_error(mistaken, grad) <= tolerance).all()
                and (relative_error(mistaken, numerical) > tolerance).any())


# ---------------------------------------------------------------------------------------------------------
# Calling the student's code: read-only arguments, under the guard


def _call_student(name, func, args, where, guard):
    """Call ``func`` on read-only copies of ``args``; turn whatever goes wrong into a message."""
    passed = tuple(_read_only(arg) for arg in args)
    guard.where = where
    try:
        with guard:
            result = func(*passed)
    except NotImplementedError:
        raise NotImplementedError(STUB_MESSAGE.format(name=name)) from None
    except Exception as error:
        guard.raise_if_tripped()  # the student's code may have caught the guard's own CheckFailed
        if _is_write_error(error):
            raise CheckFailed(_writes_message(name, func, args, where, guard)) from None
        raise CheckFailed(f"{name}: {where}, your function raised {type(error).__name__}: {error}") from None
    guard.raise_if_tripped()
    changed = [number for number, (arg, seen) in enumerate(zip(args, passed)) if not _same(arg, seen)]
    if changed:
        raise CheckFailed(f"{name}: {where}, your function changed its argument "
                          f"{_argument_names(func, len(args))[changed[0]]}; {WRITES_ADVICE}")
    return result


def _writes_message(name, func, args, where, guard):
    """Name the argument a function writes into: run it again with one array argument read-only at a time."""
    for number, arg in enumerate(args):
        if not isinstance(arg, np.ndarray):
            continue
        passed = _copies(args[:number]) + (_read_only(arg),) + _copies(args[number + 1:])
        try:
            with guard:
                func(*passed)
        except Exception as error:
            if _is_write_error(error):
                argument = _argument_names(func, len(args))[number]
                return f"{name}: {where}, your function writes into its argument {argument}; {WRITES_ADVICE}"
    # No single argument explains it: a library function wants writable arrays it would not change.
    return (f"{name}: {where}, your function passes an input array to a function that wants a writable one; "
            "the inputs are read-only: pass that function a copy (`.copy()`).")


def _is_write_error(error):
    # numpy's words for writing into a read-only array, and for trying to make it writable again
    return isinstance(error, ValueError) and ("read-only" in str(error) or "WRITEABLE" in str(error))


def _argument_names(func, count):
    try:
        names = [p.name for p in inspect.signature(func).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return [f"`{names[i]}`" if i < len(names) else f"number {i + 1}" for i in range(count)]


def _read_only(arg):
    """A fresh copy the callee cannot write to, not even after ``setflags(write=True)``."""
    if isinstance(arg, np.ndarray) and arg.dtype != object:
        # The data lives in an immutable bytes object, so numpy refuses to make any view of it writable.
        return np.frombuffer(np.ascontiguousarray(arg).tobytes(), dtype=arg.dtype).reshape(arg.shape)
    if isinstance(arg, np.ndarray):
        frozen = arg.copy()
        frozen.flags.writeable = False
        return frozen
    return _copy(arg)


def _copies(args):
    return tuple(_copy(arg) for arg in args)


def _copy(arg):
    if isinstance(arg, np.ndarray):
        return arg.copy()
    if isinstance(arg, (list, dict, set, np.random.Generator)):
        return copy.deepcopy(arg)  # a Generator too: the student's draws must not shift the reference's
    return arg  # numbers, strings, functions and other objects are given as they are


def _same(original, passed):
    """False when ``passed`` (given to the student) no longer equals the ``original`` argument."""
    if isinstance(original, np.ndarray):
        return original.shape == np.shape(passed) and bool(
            np.array_equal(original, passed, equal_nan=original.dtype.kind in "fc"))
    if isinstance(original, (list, dict, set)):
        try:
            return bool(original == passed)
        except (TypeError, ValueError):  # lists of arrays do not compare with ==
            return True
    return True


# ---------------------------------------------------------------------------------------------------------
# The guard: forbidden functions and the library's solution


class _Guard:
    """Watches the student's code for forbidden functions and for the library's own solution.

    Made afresh for each check. Used as ``with guard:`` around each call of the student's code: it installs
    a profile hook for the duration of the call and puts back whatever was there before.
    """

    def __init__(self, name, forbidden, library):
        self.name = name
        self.targets = [_Target(spec, "forbidden") for spec in forbidden] + [
            _Target(spec, "library") for spec in library]
        # Python functions are recognised by the identity of their code object, C functions when called.
        self.by_code = {id(t.code): t for t in self.targets if t.code is not None}
        self.c_targets = [t for t in self.targets if t.code is None]
        self.where = ""
        self.tripped = None
        self.previous = None
        self.hook = self._watch  # one bound-method object, so that sys.getprofile() can be compared with it

    def scan(self, func):
        """Fail when the source of ``func``, or of a notebook function it calls, names a forbidden one."""
        forbidden = [t for t in self.targets if t.kind == "forbidden"]
        if not forbidden:
            return
        for function, caller in _functions_to_scan(func):
            tree, namespace = _syntax_tree(function), _namespace(function)
            for node in ast.walk(tree) if tree else ():
                for target in forbidden:
                    if isinstance(node, (ast.Name, ast.Attribute)) and target.is_named_by(node, namespace):
                        inside = f" (in `{function.__name__}`, which it calls)" if caller else ""
                        raise CheckFailed(f"{self.name}: your function uses {target.label}{inside}, which "
                                          "this exercise does not allow.")

    def __enter__(self):
        if self.targets:
            self.previous = sys.getprofile()
            sys.setprofile(self.hook)
        return self

    def __exit__(self, *exception):
        if self.targets:
            switched_off = sys.getprofile() is not self.hook
            sys.setprofile(self.previous)
            # Raising from the hook removes it; only a removal without a trip is the student's doing.
            if switched_off and self.tripped is None:
                self.tripped = CheckFailed(f"{self.name}: {self.where}, your function switched off the "
                                           "check's watch (sys.setprofile); remove that line.")
        return False

    def raise_if_tripped(self):
        if self.tripped is not None:
            raise self.tripped

    def _watch(self, frame, event, arg):
        if event == "call":
            target = self.by_code.get(id(frame.f_code))
        elif event == "c_call":
            target = next((t for t in self.c_targets if t.is_c_function(arg)), None)
        else:
            return
        if target is not None and self.tripped is None:
            self.tripped = CheckFailed(target.message(self.name, self.where))
            raise self.tripped


class _Target:
    """One function to block, given by dotted name (``"numpy.add.at"``) or as the object itself."""

    def __init__(self, spec, kind):
        self.kind = kind
        if isinstance(spec, str):
            self.label = spec
            self.obj, owner = _import_dotted(spec)
        else:
            self.label = f"{spec.__module__}.{spec.__qualname__}"
            self.obj, owner = spec, getattr(spec, "__self__", None)
        self.attribute = self.label.rsplit(".", 1)[-1]
        # A method (of a class or of an object such as np.add) can be reached from any receiver, which the
        # source scan cannot always resolve; a module-level function cannot.
        self.is_method = owner is not None and not isinstance(owner, types.ModuleType)
        function = inspect.unwrap(self.obj)
        # numpy's dispatchers (np.searchsorted, ...) wrap a Python function
        function = getattr(function, "_implementation", function)
        function = getattr(function, "__func__", function)  # a bound Python method
        self.code = getattr(function, "__code__", None)

    def message(self, name, where):
        if self.kind == "library":
            return (f"{name}: {where}, your function called {self.label}, the library's own solution to this "
                    "exercise; write the computation yourself.")
        return f"{name}: {where}, your function called {self.label}, which this exercise does not allow."

    def is_c_function(self, called):
        if getattr(called, "__name__", None) != self.attribute:
            return False
        if called is self.obj or _equal(called, self.obj):  # a bound C method is made anew at each access
            return True
        receiver = getattr(called, "__self__", None)  # ndarray.searchsorted reached as x.searchsorted
        return receiver is not None and getattr(type(receiver), self.attribute, None) is self.obj

    def is_named_by(self, node, namespace):
        found = _resolve(node, namespace)
        if found is _UNKNOWN:
            # `rng.choice(...)` with `rng` a local variable: judged by the method's name alone.
            return (self.is_method and isinstance(node, ast.Attribute) and node.attr == self.attribute
                    and _resolve(node.value, namespace) is _UNKNOWN)
        if found is self.obj or _equal(found, self.obj):
            return True
        function = getattr(inspect.unwrap(found), "_implementation", found) if callable(found) else None
        return self.code is not None and getattr(function, "__code__", None) is self.code


def _import_dotted(path):
    """The object named by ``path`` and the object it is an attribute of (None for a module)."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        owner = None
        for part in parts[split:]:
            owner, obj = obj, getattr(obj, part)
        return obj, owner
    raise ImportError(f"cannot find {path!r}: give a dotted name such as 'numpy.add.at'")


def _equal(a, b):
    try:
        return (a == b) is True
    except Exception:  # arrays, odd objects: not the function we look for
        return False


_UNKNOWN = object()  # what the source scan cannot resolve: local variables, computed values


def _resolve(node, namespace):
    if isinstance(node, ast.Name):
        return namespace.get(node.id, _UNKNOWN)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        if owner is not _UNKNOWN:
            try:
                return getattr(owner, node.attr)
            except Exception:
                return _UNKNOWN
    return _UNKNOWN


def _namespace(function):
    """The names a function's body can see besides its locals: closure, globals, builtins."""
    closure = {}
    with contextlib.suppress(TypeError, ValueError):
        closure = dict(inspect.getclosurevars(function).nonlocals)
    return collections.ChainMap(closure, getattr(function, "__globals__", {}), vars(builtins))


def _syntax_tree(function):
    """The parsed source of ``function``, or None where Python has none (exec, C functions)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    if function.__name__ == "<lambda>":  # getsource gives the whole line; keep the lambda itself
        return ast.Module(body=[ast.Expr(node) for node in ast.walk(tree) if isinstance(node, ast.Lambda)],
                          type_ignores=[])
    return tree


def _functions_to_scan(func):
    """``func`` and the functions of its own namespace (the notebook) that it names, one level deep."""
    found = [(func, None)]
    tree = _syntax_tree(func) if isinstance(func, types.FunctionType) else None
    if tree is None:
        return found
    namespace = _namespace(func)
    for node in ast.walk(tree):
        called = namespace.get(node.id) if isinstance(node, ast.Name) else None
        if (isinstance(called, types.FunctionType) and called.__globals__ is func.__globals__
                and all(called is not f for f, _ in found)):
            found.append((called, func))
    return found
