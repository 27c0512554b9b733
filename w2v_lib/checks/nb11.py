"""Checks of notebook 11's exercises (what SGNS learns: PMI and the optimum of the expected loss).

One public function per check cell, named after the exercise, taking the student's function or answer:

* Exercise 11.1: ``pmi_from_counts(counts)``, the PMI of every cell of a dense (n_centers, n_outside) count matrix,
  PMI(c, o) = log(#(c, o) |D| / (#(c, ·) #(·, o))), -inf where #(c, o) = 0; without the library's
  ``w2v_lib.pmi`` functions. Check cell: ``nb11.check_11_1(pmi_from_counts)``.
* Exercise 11.2 (derive first): the score that minimizes one cell's part of the expected loss,
  L_co(x) = #(c, o) (-log σ(x)) + K #(c, ·) P_n(o) (-log σ(-x)).
  By hand, ``answer_11_2`` for #(c, o) = 12, #(c, ·) = 200, K = 5, P_n(o) = 0.004 (and P(o) = 0.006, given
  to tell the two apart): log 3. Check cell: ``nb11.check_11_2(globals().get("answer_11_2"))``.
  In code, ``optimal_score(pair_counts, center_counts, noise_probs, negative)`` elementwise, -inf for a pair
  never seen. Check cell: ``nb11.check_11_2_code(optimal_score)``.
* Exercise 11.3 (derive first, by hand): ``answer_11_3``, L_co''(x*) for #(c, o) = 6, #(c, ·) = 100, K = 5,
  P_n(o) = 0.006: n+ n- / (n+ + n-) = 2 with n+ = 6, n- = 3. Check cell: ``nb11.check_11_3(globals().get("answer_11_3"))``.

How the cases are chosen
------------------------
* 11.1: a symmetric square count matrix (the pairs of a tiny corpus); an asymmetric square one, whose row
  and column sums differ (taking the row sums for both marginals gives another answer); hidden: a single
  pair (PMI 0), a word never a center and one never outside (a zero row and column: -inf, never NaN),
  weighted counts in a rectangular matrix (a transposed marginal has the wrong shape), and a larger random
  matrix with many zeros.
* 11.2: the numbers make every usual slip a different number: no shift (log 15), the shift added (log 75),
  P(o) in place of P_n(o) (log 2), σ(x*) = 3/4 instead of x*, e^{x*} = 3, the sign. The code check adds a pair
  never seen (-inf, not NaN or 0), K = 1 (no shift at all) and a single cell.
* 11.3: the optimum is not at x = 0, so σ'(0) = 1/4 in place of σ(x*) σ(-x*) is wrong; each half of L_co, the
  first derivative (0) and the optimum itself are other numbers.
"""

import functools

import numpy as np

from w2v_lib import pmi as pmi_module
from w2v_lib.checks import Case, Mistake, check_function, check_value
from w2v_lib.checks.nb03 import library_functions

LIBRARY_PMI = library_functions("w2v_lib.pmi.pmi", "w2v_lib.pmi.shifted_positive_pmi", "w2v_lib.pmi._pmi_entries")


def _logs_of_zero_allowed(function):
    """``function`` with numpy's warnings about log(0) and 0/0 silenced: a pair never seen has log 0 = -inf.

    ``functools.wraps`` keeps the wrapped function's signature, so messages name its arguments.
    """
    @functools.wraps(function)
    def quiet(*args):
        with np.errstate(divide="ignore", invalid="ignore"):
            return function(*args)
    return quiet


# ---------------------------------------------------------------------------------------------------------
# Exercise 11.1: PMI from a count matrix


def _pmi_from_counts(counts):
    """The right answer, from the library."""
    return pmi_module.pmi(counts)


def _marginals(counts):
    counts = np.asarray(counts, dtype=np.float64)
    return counts, counts.sum(axis=1, keepdims=True), counts.sum(axis=0, keepdims=True), counts.sum()


@_logs_of_zero_allowed
def _pmi_row_sums_for_both(counts):
    counts, row, _, total = _marginals(counts)
    if counts.shape[0] != counts.shape[1]:
        return np.zeros(0)  # the mistake cannot even be computed; it is never named on such a case
    return np.log(counts * total / (row * row.T))


@_logs_of_zero_allowed
def _pmi_without_total(counts):
    counts, row, col, _ = _marginals(counts)
    return np.log(counts / (row * col))


@_logs_of_zero_allowed
def _pmi_conditional(counts):
    counts, row, _, _ = _marginals(counts)
    return np.log(counts / row)


@_logs_of_zero_allowed
def _pmi_zero_for_unseen(counts):
    result = pmi_module.pmi(counts)
    return np.where(np.isneginf(result), 0.0, result)


@_logs_of_zero_allowed
def _pmi_nan_for_unseen(counts):
    result = pmi_module.pmi(counts)
    return np.where(np.isneginf(result), np.nan, result)


@_logs_of_zero_allowed
def _pmi_base_2(counts):
    return pmi_module.pmi(counts) / np.log(2)


@_logs_of_zero_allowed
def _pmi_shifted(counts):
    return pmi_module.pmi(counts) - np.log(5)


MISTAKES_11_1 = (
    ("P(o) taken from the row sums: #(·, o) is the sum of column o (the pairs whose outside word is o), and "
     "the row and column sums differ when the counts are not symmetric", _pmi_row_sums_for_both),
    ("the probabilities are not normalized: each count must be divided by |D|, the total of all counts, so "
     "|D| appears once in the numerator", _pmi_without_total),
    ("this is log P(o | c), the conditional probability: PMI divides by P(o) as well", _pmi_conditional),
    ("a pair never seen gets 0: its count is 0, so its PMI is log 0 = -inf (np.log(0) gives -inf)",
     _pmi_zero_for_unseen),
    ("a pair never seen gets NaN: its count is 0, so its PMI is log 0 = -inf, also where its whole row or column "
     "is zero and the marginals give 0/0",
     _pmi_nan_for_unseen),
    ("the logarithm is in base 2: the course's PMI uses the natural log (np.log)", _pmi_base_2),
    ("shifted by log 5: this exercise asks for the PMI itself, without the log K of SGNS", _pmi_shifted),
)


def _cases_11_1():
    tiny = np.array([[0.0, 3.0, 2.0], [3.0, 0.0, 0.0], [2.0, 0.0, 0.0]])  # "a b a c a b", one word each side
    asymmetric = np.array([[0.0, 4.0, 1.0, 0.0], [2.0, 0.0, 3.0, 1.0], [0.0, 5.0, 0.0, 2.0],
                           [1.0, 0.0, 6.0, 0.0]])
    single = np.zeros((3, 3))
    single[2, 0] = 4.0
    empty_row_and_column = np.array([[2.0, 0.0, 1.0], [0.0, 0.0, 0.0], [3.0, 0.0, 5.0]])
    weighted = np.array([[0.5, 1.25, 0.0, 2.0, 0.75], [3.0, 0.0, 0.25, 0.5, 0.0], [0.0, 2.5, 1.0, 0.0, 4.0]])
    rng = np.random.default_rng(1101)
    larger = rng.poisson(0.6, size=(12, 12)).astype(np.float64)
    return [
        Case("the pairs of a tiny corpus, symmetric", (tiny,)),
        Case("asymmetric counts: row and column sums differ", (asymmetric,)),
        Case("a single pair", (single,), hidden=True),
        Case("a word never a center and a word never outside", (empty_row_and_column,), hidden=True),
        Case("weighted counts, more outside words than centers", (weighted,), hidden=True),
        Case("a larger matrix with many zeros", (larger,), hidden=True),
    ]


def check_11_1(pmi_from_counts):
    """Exercise 11.1: compare the student's PMI with the library's on six cases, four hidden."""
    check_function("Exercise 11.1", _logs_of_zero_allowed(pmi_from_counts) if pmi_from_counts else None,
                   _pmi_from_counts, _cases_11_1(), atol=1e-10, rtol=1e-10,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_11_1], library=LIBRARY_PMI)


# ---------------------------------------------------------------------------------------------------------
# Exercise 11.2: the optimum of one cell, by hand and in code

PAIR_COUNT, CENTER_COUNT, NEGATIVE, NOISE_PROB, UNIGRAM_PROB = 12, 200, 5, 0.004, 0.006


def check_11_2(answer_11_2):
    """Exercise 11.2: x* for #(c, o) = 12, #(c, ·) = 200, K = 5, P_n(o) = 0.004 (P(o) = 0.006)."""
    positives, negatives = PAIR_COUNT, NEGATIVE * CENTER_COUNT * NOISE_PROB  # 12 and 4
    expected = np.log(positives / negatives)
    mistakes = [
        Mistake("the shift is missing: this is log(#(c, o) / (#(c, ·) P_n(o))); each of the K negatives adds "
                "its own term, so the negatives' weight has a factor K", np.log(positives * NEGATIVE / negatives)),
        Mistake("the shift has the wrong sign: K multiplies the negatives' weight, so log K is subtracted",
                np.log(positives * NEGATIVE**2 / negatives)),
        Mistake("P(o) in place of P_n(o): the negatives are drawn from the noise distribution P_n, so P_n(o) "
                "is what sets how often o is a negative of c",
                np.log(positives / (NEGATIVE * CENTER_COUNT * UNIGRAM_PROB))),
        Mistake("this is σ(x*), the probability the model gives the pair at the optimum; the exercise asks "
                "for the score x* itself", positives / (positives + negatives)),
        Mistake("this is e^{x*}: the score is the logarithm of that ratio", positives / negatives),
        Mistake("the sign is flipped: L_co'(x) = -#(c, o) σ(-x) + K #(c, ·) P_n(o) σ(x) is zero where "
                "e^x = #(c, o) / (K #(c, ·) P_n(o))", -expected),
    ]
    check_value("Exercise 11.2", answer_11_2, expected, atol=1e-9, rtol=1e-9, mistakes=mistakes)


@_logs_of_zero_allowed
def _optimal_score(pair_counts, center_counts, noise_probs, negative):
    """The right answer: log(#(c, o) / (K #(c, ·) P_n(o))), -inf for a pair never seen."""
    pair_counts = np.asarray(pair_counts, dtype=np.float64)
    return np.log(pair_counts) - np.log(negative * np.asarray(center_counts) * np.asarray(noise_probs))


@_logs_of_zero_allowed
def _score_without_shift(pair_counts, center_counts, noise_probs, negative):
    return _optimal_score(pair_counts, center_counts, noise_probs, negative) + np.log(negative)


@_logs_of_zero_allowed
def _score_shift_added(pair_counts, center_counts, noise_probs, negative):
    return _optimal_score(pair_counts, center_counts, noise_probs, negative) + 2 * np.log(negative)


@_logs_of_zero_allowed
def _score_sign_flipped(pair_counts, center_counts, noise_probs, negative):
    return -_optimal_score(pair_counts, center_counts, noise_probs, negative)


@_logs_of_zero_allowed
def _score_probability(pair_counts, center_counts, noise_probs, negative):
    negatives = negative * np.asarray(center_counts) * np.asarray(noise_probs)
    return np.asarray(pair_counts) / (np.asarray(pair_counts) + negatives)


@_logs_of_zero_allowed
def _score_exponential(pair_counts, center_counts, noise_probs, negative):
    return np.exp(_optimal_score(pair_counts, center_counts, noise_probs, negative))


@_logs_of_zero_allowed
def _score_zero_for_unseen(pair_counts, center_counts, noise_probs, negative):
    scores = _optimal_score(pair_counts, center_counts, noise_probs, negative)
    return np.where(np.isneginf(scores), 0.0, scores)


@_logs_of_zero_allowed
def _score_nan_for_unseen(pair_counts, center_counts, noise_probs, negative):
    scores = _optimal_score(pair_counts, center_counts, noise_probs, negative)
    return np.where(np.isneginf(scores), np.nan, scores)


MISTAKES_11_2 = (
    ("the shift is missing: each of the K negatives adds its own term, so the negatives' weight has a factor K",
     _score_without_shift),
    ("the shift has the wrong sign: K multiplies the negatives' weight, so log K is subtracted",
     _score_shift_added),
    ("the sign is flipped: the optimum is where e^x = #(c, o) / (K #(c, ·) P_n(o))", _score_sign_flipped),
    ("this is σ(x*), the model's probability at the optimum, not the score x*", _score_probability),
    ("this is e^{x*}: the score is the logarithm of that ratio", _score_exponential),
    ("a pair never seen gets 0: with #(c, o) = 0 only the negatives' term is left, which keeps pushing the "
     "score down, so the optimum is -inf", _score_zero_for_unseen),
    ("a pair never seen gets NaN: with #(c, o) = 0 the optimum is log 0 = -inf", _score_nan_for_unseen),
)


def _cases_11_2():
    rng = np.random.default_rng(1102)
    center_counts = rng.integers(50, 400, size=8).astype(np.float64)
    pair_counts = np.floor(center_counts * rng.uniform(0.01, 0.3, size=8))
    noise_probs = rng.uniform(1e-4, 0.05, size=8)
    return [
        Case("three cells", (np.array([12.0, 30.0, 1.0]), np.array([200.0, 150.0, 40.0]),
                             np.array([0.004, 0.02, 0.0005]), 5)),
        Case("a pair never seen", (np.array([0.0, 7.0]), np.array([90.0, 90.0]), np.array([0.01, 0.01]), 5),
             hidden=True),
        Case("one negative per pair", (np.array([3.0, 50.0]), np.array([60.0, 500.0]), np.array([0.2, 0.03]), 1),
             hidden=True),
        Case("a single cell", (np.array([20.0]), np.array([1000.0]), np.array([0.002]), 15), hidden=True),
        Case("eight random cells", (pair_counts, center_counts, noise_probs, 10), hidden=True),
    ]


def check_11_2_code(optimal_score):
    """Exercise 11.2: compare the student's ``optimal_score`` with the derived optimum on five cases, four hidden."""
    check_function("Exercise 11.2", _logs_of_zero_allowed(optimal_score) if optimal_score else None,
                   _optimal_score, _cases_11_2(), atol=1e-10, rtol=1e-10,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_11_2], library=LIBRARY_PMI)


# ---------------------------------------------------------------------------------------------------------
# Exercise 11.3: the curvature of one cell's loss at its optimum, by hand


def check_11_3(answer_11_3):
    """Exercise 11.3: L_co''(x*) for #(c, o) = 6, #(c, ·) = 100, K = 5, P_n(o) = 0.006."""
    positives, negatives = 6.0, 5 * 100 * 0.006  # n+ = 6, n- = 3
    optimum = np.log(positives / negatives)
    sigma = positives / (positives + negatives)  # σ(x*)
    spread = sigma * (1 - sigma)  # σ(x*) σ(-x*)
    mistakes = [
        Mistake("σ(x)σ(-x) taken at x = 0, where it is 1/4; the optimum x* is not 0",
                (positives + negatives) / 4),
        Mistake("only the outside word's term: both terms of L_co curve, and their second derivatives add up",
                positives * spread),
        Mistake("only the negatives' term: both terms of L_co curve, and their second derivatives add up",
                negatives * spread),
        Mistake("the sign is flipped: the second derivative of -log σ(x) is σ(x)σ(-x) > 0", -positives * negatives
                / (positives + negatives)),
        Mistake("this is L_co'(x*), the first derivative, which is zero at the optimum; differentiate once more",
                0.0),
        Mistake("the factor σ(x*)σ(-x*) is missing: d/dx σ(x) = σ(x)σ(-x)", positives + negatives),
        Mistake("the counts are missing: L_co weighs its two terms by #(c, o) and K #(c, ·) P_n(o)", spread),
        Mistake("this is the optimum x* itself; the exercise asks for L_co'' there", optimum),
    ]
    check_value("Exercise 11.3", answer_11_3, positives * negatives / (positives + negatives), atol=1e-9, rtol=1e-9,
                mistakes=mistakes)
