"""Checks of notebook 01's exercises (the sigmoid and gradient checking), called from its check cells.

* Exercise 1.1 (derive first) asks for ``sigmoid_grad(x)``, σ′(x) for a number or an array, finite
  everywhere. Check cell: ``nb01.check_1_1(sigmoid_grad)``.
* Exercise 1.2 (derive first) asks for ``answer_1_2``, the slope of the loss -log σ(x) at x = -ln 3, where
  the model gives a true pair the probability σ(x) = 1/4. Check cell:
  ``nb01.check_1_2(globals().get("answer_1_2"))``.
* Exercise 1.3 (derive first) asks for ``log_sigmoid_stable(x)``, log σ(x) finite and accurate for every
  float, without the library's ``log_sigmoid`` or a ready-made stable function. Check cell:
  ``nb01.check_1_3(log_sigmoid_stable)``.
* Exercise 1.4 (derive first) asks for ``answer_1_4``, the leading truncation-error terms of the forward and
  central differences of sin at x = 1 with h = 0.01, derived from Taylor's theorem. Check cell:
  ``nb01.check_1_4(globals().get("answer_1_4"))``.
* Exercise 1.5 asks for ``forward_difference_gradient(f, x, step)``, one forward difference per entry of a 1-D
  ``x``, without changing ``x`` and without the library's ``numerical_gradient``. Check cell:
  ``nb01.check_1_5(forward_difference_gradient)``.

How the cases are chosen
------------------------
1.1: moderate scores, where every correct form agrees; hidden: very large scores of both signs, where the
chain-rule form e^{-x} / (1 + e^{-x})² is infinity over infinity; a 2-D array, whose shape must be kept.

1.3: moderate scores and very large ones of both signs (stated in the task); hidden: large positive scores
(20 to 700), where log σ(x) ≈ -e^{-x} is tiny and ``log(1 + e^{-x})`` returns 0 or loses most digits, while
``log1p`` keeps them all (the tolerance is relative, with no absolute slack, so a 0 for -2e-9 fails); large
negative scores, where any e^{-x} overflows; a 0-d array and a 2-D array.

1.5: a sum of squares, whose forward difference is exactly 2 θ_k + h (a central difference gives 2 θ_k);
hidden: functions whose entries interact (log-sum-exp, a product), where moving every entry at once gives a
different answer than moving one at a time; a vector of one entry. ``x`` arrives read-only: a function that
perturbs it in place fails and is told so.
"""

import numpy as np

from w2v_lib.checks import Case, Mistake, check_function, check_value
from w2v_lib.losses import log_sigmoid, sigmoid

FORBIDDEN_1_3 = ("scipy.special.log_expit", "numpy.logaddexp", "scipy.special.logsumexp")
LIBRARY_1_3 = ("w2v_lib.losses.log_sigmoid",)
LIBRARY_1_5 = ("w2v_lib.gradcheck.numerical_gradient",)


def _quietly(function):
    """``function`` with numpy's floating-point warnings off: mistakes overflow on purpose."""
    return np.errstate(all="ignore")(function)


# ---------------------------------------------------------------------------------------------------------
# Exercise 1.1: σ′(x)


def _sigmoid_grad(x):
    return sigmoid(x) * sigmoid(-x)  # σ(x)(1 - σ(x)), with 1 - σ(x) = σ(-x)


MISTAKES_1_1 = (
    ("σ(-x) = 1 - σ(x) is the slope of log σ(x); the slope of σ(x) has the factor σ(x) as well",
     lambda x: sigmoid(-x)),
    ("σ(x)²: the second factor is 1 - σ(x), which is σ(-x), not σ(x)", lambda x: sigmoid(x) ** 2),
    ("1 - σ(x)² is the pattern of tanh′ = 1 - tanh²; the sigmoid's is σ(x)(1 - σ(x))",
     lambda x: 1 - sigmoid(x) ** 2),
    ("the chain-rule form e^{-x} / (1 + e^{-x})² overflows for large negative x (infinity over infinity is "
     "NaN): rewrite it with σ", _quietly(lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2)),
)


def check_1_1(sigmoid_grad):
    """Exercise 1.1: compare the student's σ′ with σ(x)σ(-x) on four cases, two hidden."""
    cases = [
        Case("x = 0, a single number", (0.0,)),
        Case("moderate scores", (np.linspace(-6, 6, 13),)),
        Case("very large scores of both signs", (np.array([-1000.0, -40.0, 40.0, 1000.0]),), hidden=True),
        Case("a 2-D array", (np.array([[-2.0, 0.5], [3.0, -0.125]]),), hidden=True),
    ]
    check_function("Exercise 1.1", sigmoid_grad, _sigmoid_grad, cases, atol=1e-12, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_1_1])


# ---------------------------------------------------------------------------------------------------------
# Exercise 1.2: the slope of the loss -log σ(x) where the model is wrong


def check_1_2(answer_1_2):
    """Exercise 1.2: d/dx[-log σ(x)] at x = -ln 3, where σ(x) = 1/4 and σ(-x) = 3/4."""
    x = -np.log(3)
    probability = sigmoid(x)  # 1/4
    expected = -sigmoid(-x)  # -(1 - σ(x))
    slope_of_sigma = probability * (1 - probability)
    mistakes = [
        Mistake("-σ(x): the chain rule through the log gives σ′(x)/σ(x) = 1 - σ(x) = σ(-x), not σ(x)",
                -probability),
        Mistake("the sign: the loss is minus log σ(x), and log σ grows with x", -expected),
        Mistake("σ′(x) = σ(x)(1 - σ(x)) is the slope of σ itself; the log's chain rule divides it by σ(x)",
                -slope_of_sigma),
        Mistake("σ′(x) = σ(x)(1 - σ(x)), and with the wrong sign: the log's chain rule divides it by σ(x), "
                "and "                "the loss is minus log σ(x)", slope_of_sigma),
        Mistake("1/σ(x) alone: the derivative of log y is y′/y, and here y′ = σ′(x), not 1",
                -1 / probability),
    ]
    check_value("Exercise 1.2", answer_1_2, expected, atol=0, rtol=1e-9, mistakes=mistakes)


# ---------------------------------------------------------------------------------------------------------
# Exercise 1.3: a stable log σ(x)


MISTAKES_1_3 = (
    ("`log(1 + e^{-|x|})` instead of `log1p(e^{-|x|})`: for large x the tiny e^{-|x|} is lost when it is "
     "added to 1 (all of it once it is below about 1e-16), and the log returns 0 or a few digits where "
     "log σ(x) is a tiny negative number",
     _quietly(lambda x: np.minimum(x, 0) - np.log(1 + np.exp(-np.abs(x))))),
    ("the log of the textbook σ: for large negative x, e^{-x} overflows, σ(x) becomes 0 and its log -inf; "
     "exponentiate only -|x|", _quietly(lambda x: np.log(1 / (1 + np.exp(-x))))),
    ("e^{-x} overflows for large negative x: exponentiate only -|x|",
     _quietly(lambda x: -np.log1p(np.exp(-x)))),
    ("e^{x} overflows for large positive x: exponentiate only -|x|",
     _quietly(lambda x: x - np.log1p(np.exp(x)))),
    ("the branch for negative x lost its x: there, log σ(x) = x - log(1 + e^{x})",
     _quietly(lambda x: -np.log1p(np.exp(-np.abs(x))))),
)


def check_1_3(log_sigmoid_stable):
    """Exercise 1.3: compare the student's log σ with the library's on six cases, four hidden."""
    cases = [
        Case("moderate scores", (np.array([-3.0, -0.5, 0.0, 0.5, 3.0]),)),
        Case("very large scores of both signs", (np.array([-1000.0, 1000.0]),)),
        Case("large positive scores, where 1 + e^{-x} rounds to 1 or nearly",
             (np.array([20.0, 37.0, 40.0, 50.0, 100.0, 700.0]),), hidden=True),
        Case("large negative scores", (np.array([-745.0, -50.0, -30.0]),), hidden=True),
        Case("a single number (a 0-d array)", (np.array(2.5),), hidden=True),
        Case("a 2-D array", (np.array([[-12.0, 0.25], [18.0, -0.75]]),), hidden=True),
    ]
    check_function("Exercise 1.3", log_sigmoid_stable, log_sigmoid, cases, atol=0, rtol=1e-12,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_1_3],
                   forbidden=FORBIDDEN_1_3, library=LIBRARY_1_3)


# ---------------------------------------------------------------------------------------------------------
# Exercise 1.4: the leading truncation-error terms, from Taylor's theorem


def check_1_4(answer_1_4):
    """Exercise 1.4: (h/2) f″(x) and (h²/6) f‴(x) for f = sin, x = 1, h = 0.01, in that order."""
    x, h = 1.0, 0.01
    second, third = -np.sin(x), -np.cos(x)  # sin″ = -sin, sin‴ = -cos
    forward, central = h / 2 * second, h**2 / 6 * third
    measured = np.array([(np.sin(x + h) - np.sin(x)) / h - np.cos(x),
                         (np.sin(x + h) - np.sin(x - h)) / (2 * h) - np.cos(x)])
    mistakes = [
        Mistake("these are the measured errors of the two difference quotients, which also hold the "
                "higher-order terms; the question asks for the leading term of each Taylor expansion",
                measured),
        Mistake("both signs flipped: the error is the difference quotient minus f′(x), and sin″ = -sin, "
                "sin‴ = -cos", np.array([-forward, -central])),
        Mistake("the forward term is missing the 1/2 of Taylor's (h²/2) f″(x) (divided by h)",
                np.array([2 * forward, central])),
        Mistake("the central term: the h³ terms of f(x + h) and f(x - h) add up to (h³/3) f‴(x), and "
                "dividing by 2h leaves a sixth, not a third", np.array([forward, 2 * central])),
        Mistake("the central difference has no h·f″ term: the even-order terms cancel between f(x + h) and "
                "f(x - h)", np.array([forward, forward])),
        Mistake("the sign of the central term: sin‴ = -cos", np.array([forward, -central])),
        Mistake("the two terms are in the wrong order: the forward difference's first",
                np.array([central, forward])),
    ]
    check_value("Exercise 1.4", answer_1_4, np.array([forward, central]), atol=0, rtol=1e-7,
                mistakes=mistakes)


# ---------------------------------------------------------------------------------------------------------
# Exercise 1.5: a forward-difference gradient


def _forward_difference_gradient(f, x, step):
    """The right answer: move one entry of a copy at a time."""
    x = np.array(x, dtype=np.float64)
    f_x = f(x)
    grad = np.empty(len(x))
    for entry in range(len(x)):
        moved = x.copy()
        moved[entry] += step
        grad[entry] = (f(moved) - f_x) / step
    return grad


def _central_difference_gradient(f, x, step):
    x = np.array(x, dtype=np.float64)
    grad = np.empty(len(x))
    for entry in range(len(x)):
        up, down = x.copy(), x.copy()
        up[entry] += step
        down[entry] -= step
        grad[entry] = (f(up) - f(down)) / (2 * step)
    return grad


def _all_at_once(f, x, step):
    x = np.array(x, dtype=np.float64)
    return np.full(len(x), (f(x + step) - f(x)) / step)


MISTAKES_1_5 = (
    ("this is the central difference (f(θ + h e_k) - f(θ - h e_k)) / 2h; the exercise asks for the forward "
     "difference", _central_difference_gradient),
    ("every entry moved at once: move one entry at a time, θ + h e_k", _all_at_once),
    ("divided by 2h: a forward difference divides by the step h", lambda f, x, step:
     _forward_difference_gradient(f, x, step) / 2),
)


def _sum_of_squares(x):
    return float(np.sum(np.asarray(x) ** 2))


def _log_sum_exp(x):
    x = np.asarray(x)
    return float(np.max(x) + np.log(np.sum(np.exp(x - np.max(x)))))


def _product_and_sine(x):
    x = np.asarray(x)
    return float(np.prod(x) + np.sin(x[-1]))


def check_1_5(forward_difference_gradient):
    """Exercise 1.5: compare with one-entry-at-a-time forward differences on five cases, three hidden."""
    cases = [
        Case("a sum of squares, h = 1e-3", (_sum_of_squares, np.array([1.0, -2.0, 0.5]), 1e-3)),
        Case("a sum of squares, h = 1e-2", (_sum_of_squares, np.array([0.25, 0.0, 3.0, -1.5]), 1e-2)),
        Case("log-sum-exp, whose entries interact", (_log_sum_exp, np.array([0.3, -1.2, 2.0, 0.7]), 1e-4),
             hidden=True),
        Case("a product plus a sine", (_product_and_sine, np.array([1.5, -0.5, 2.0]), 1e-3), hidden=True),
        Case("a vector of one entry", (_sum_of_squares, np.array([-3.0]), 1e-2), hidden=True),
    ]
    check_function("Exercise 1.5", forward_difference_gradient, _forward_difference_gradient, cases,
                   atol=1e-9, rtol=1e-7,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_1_5],
                   library=LIBRARY_1_5)
