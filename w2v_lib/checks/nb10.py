"""Checks of notebook 10's exercises (settings and uncertainty), called from its check cells.

* Exercise 10.1 asks for ``answer_10_1``: the correlation between two models' bootstrap scores implied by the
  half-widths of notebook 08's intervals (each score ±0.06, their paired difference ±0.017), from
  Var(ρ1* - ρ2*) = SD1² + SD2² - 2 corr SD1 SD2. Check cell: ``nb10.check_10_1(globals().get("answer_10_1"))``.
* Exercise 10.2 asks for ``paired_difference_sd(correct_a, correct_b)``: the standard deviation of the paired
  bootstrap distribution of the difference of two accuracies on the same questions (boolean arrays, one entry
  per question), in closed form. Check cell: ``nb10.check_10_2(paired_difference_sd)``.
* Exercise 10.3 asks for ``exact_bootstrap(human, model)``: the mean and standard deviation of Spearman's ρ
  over all n^n equally likely resamples of n pairs (resamples with constant scores left out), and the
  probability of such an undefined resample, without the library's bootstrap functions.
  Check cell: ``nb10.check_10_3(exact_bootstrap)``.
* Exercise 10.4 asks for ``coverage(interval, total, p)``: the exact probability that ``interval(correct,
  total)`` contains p when ``correct`` is binomial(total, p). Check cell: ``nb10.check_10_4(coverage)``.

How the cases are chosen
------------------------
10.2: two models with unequal accuracies and many discordant questions (where the unpaired formula, the n - 1
divisor and the missing (n10 - n01)² term all give other numbers), a pair that disagrees on a single question,
and a hidden case of 180 questions with a large difference.

10.3: 4 pairs without ties, 4 pairs with tied human scores (more undefined resamples than n^(1-n)), and a
hidden negative correlation with ties in both arrays; n = 4 (256 resamples) keeps the enumeration quick.
Distinct multisets (``combinations_with_replacement``) are not equally likely, so enumerating them instead of
the n^n ordered resamples gives other moments; so do the n - 1 divisor and counting undefined resamples as 0.

10.4: Wilson and the textbook (Wald) interval at small n and extreme p, where Wald's coverage collapses, and a
moderate case; the counts 0 and n both matter there, so a sum that stops at n - 1 is caught.
"""

import itertools

import numpy as np
from scipy import stats

from w2v_lib.checks import Case, Mistake, check_function, check_value
from w2v_lib.evaluate import _spearman_of_resamples, wilson_interval

# ---------------------------------------------------------------------------------------------------------
# Exercise 10.1: what pairing buys, from the widths

HALF_SCORE, HALF_DIFFERENCE = 0.06, 0.017  # notebook 08's WordSim-353 intervals, as the exercise states them


def check_10_1(answer):
    """Exercise 10.1: the implied correlation of the two bootstrap distributions."""
    ratio = (HALF_DIFFERENCE / HALF_SCORE) ** 2
    check_value("Exercise 10.1", answer, 1 - ratio / 2, atol=2e-3, rtol=0, mistakes=[
        Mistake("the factor 2 is missing: Var(ρ1* - ρ2*) = SD1² + SD2² - 2 corr SD1 SD2, with SD1 = SD2 = SD "
                "gives 2 SD² (1 - corr)", 1 - ratio),
        Mistake("this is the ratio of the standard deviations, not a correlation; write the variance of the "
                "difference and solve it for r", HALF_DIFFERENCE / HALF_SCORE),
        Mistake("the sign of the covariance term is flipped: Var(A - B) = Var A + Var B - 2 Cov(A, B)",
                ratio / 2 - 1),
        Mistake("this is what independent scores would give; the narrow paired interval says they are not "
                "independent", 0.0),
    ])


# ---------------------------------------------------------------------------------------------------------
# Exercise 10.2: the standard deviation of a paired difference of accuracies

def _paired_sd(correct_a, correct_b):
    differences = np.asarray(correct_a, dtype=np.float64) - np.asarray(correct_b, dtype=np.float64)
    return float(np.sqrt(np.var(differences) / len(differences)))


def _unpaired_sd(correct_a, correct_b):
    n = len(correct_a)
    p_a, p_b = np.mean(correct_a), np.mean(correct_b)
    return float(np.sqrt(p_a * (1 - p_a) / n + p_b * (1 - p_b) / n))


def _sample_variance(correct_a, correct_b):
    differences = np.asarray(correct_a, dtype=np.float64) - np.asarray(correct_b, dtype=np.float64)
    return float(np.sqrt(np.var(differences, ddof=1) / len(differences)))


def _discordant_only(correct_a, correct_b):
    correct_a, correct_b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    return float(np.sqrt(np.sum(correct_a != correct_b)) / len(correct_a))


def _not_divided_by_n(correct_a, correct_b):
    differences = np.asarray(correct_a, dtype=np.float64) - np.asarray(correct_b, dtype=np.float64)
    return float(np.std(differences))


MISTAKES_10_2 = (
    ("this is the unpaired standard deviation, as if the two models were scored on independent questions; "
     "the paired one depends only on the questions where they disagree", _unpaired_sd),
    ("this divides by n - 1: the bootstrap draws from the n questions as they are, so its variance of one "
     "draw divides by n", _sample_variance),
    ("the (n10 - n01)² term is missing: the variance of one draw of Δ_i is its mean square minus its "
     "squared mean", _discordant_only),
    ("this is the standard deviation of one question's difference; the mean of n draws varies √n times less",
     _not_divided_by_n),
)


def _cases_10_2():
    rng = np.random.default_rng(102)
    correct_a = rng.random(60) < 0.6
    correct_b = np.where(rng.random(60) < 0.7, correct_a, rng.random(60) < 0.3)
    one = np.zeros(20, dtype=bool)
    one_b = one.copy()
    one[[2, 5, 11]] = True
    one_b[[2, 5, 11, 17]] = True
    big_a = rng.random(180) < 0.45
    big_b = big_a | (rng.random(180) < 0.4)
    return [
        Case("60 questions, accuracies about 60 % and 50 %", (correct_a, correct_b)),
        Case("20 questions, the models disagree on one", (one, one_b)),
        Case("180 questions, B right wherever A is and on more", (big_a, big_b), hidden=True),
    ]


def check_10_2(paired_difference_sd):
    """Exercise 10.2: the paired bootstrap's standard deviation of the difference, on three cases, one hidden."""
    check_function("Exercise 10.2", paired_difference_sd, _paired_sd, _cases_10_2(), atol=1e-12, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_10_2])


# ---------------------------------------------------------------------------------------------------------
# Exercise 10.3: the exact bootstrap distribution of a Spearman correlation

LIBRARY_10_3 = ("w2v_lib.evaluate.bootstrap_spearman", "w2v_lib.evaluate.paired_bootstrap_spearman",
                "w2v_lib.evaluate.word_pairs_interval", "w2v_lib.evaluate.compare_word_pairs",
                "w2v_lib.evaluate._spearman_of_resamples")
RETURNS_10_3 = ("mean", "sd", "undefined")


def _spearman_values(human, model, resamples):
    values = []
    for rows in resamples:
        rows = list(rows)
        x, y = human[rows], model[rows]
        values.append(np.nan if np.all(x == x[0]) or np.all(y == y[0]) else stats.spearmanr(x, y).statistic)
    return np.array(values)


def _moments(values, ddof=0):
    defined = values[~np.isnan(values)]
    return float(defined.mean()), float(defined.std(ddof=ddof)), float(np.isnan(values).mean())


def _exact(human, model):
    n = len(human)
    every_resample = np.array(list(itertools.product(range(n), repeat=n)))
    return _moments(_spearman_of_resamples(every_resample, np.asarray(human, float), np.asarray(model, float)))


def _multisets(human, model):
    n = len(human)
    return _moments(_spearman_values(human, model, itertools.combinations_with_replacement(range(n), n)))


def _divided_by_n_minus_1(human, model):
    n = len(human)
    return _moments(_spearman_values(human, model, itertools.product(range(n), repeat=n)), ddof=1)


def _undefined_as_zero(human, model):
    n = len(human)
    values = _spearman_values(human, model, itertools.product(range(n), repeat=n))
    undefined = float(np.isnan(values).mean())
    values = np.nan_to_num(values, nan=0.0)
    return float(values.mean()), float(values.std()), undefined


def _permutations(human, model):
    n = len(human)
    return _moments(_spearman_values(human, model, itertools.permutations(range(n))))


MISTAKES_10_3 = (
    ("these are the distinct multisets of pairs (combinations with replacement), which are not equally likely: "
     "a resample drawing 4 different pairs arises in 4! orders, one drawing the same pair 4 times in one; "
     "enumerate the n^n ordered draws", _multisets),
    ("this divides by n - 1 (ddof=1): the exact distribution is the whole population of resamples, so its "
     "variance divides by their number", _divided_by_n_minus_1),
    ("the undefined resamples were counted as ρ = 0; leave them out of the mean and the standard deviation",
     _undefined_as_zero),
    ("these are the permutations of the pairs (drawn without replacement), which all have the same ρ; a "
     "bootstrap draws with replacement", _permutations),
)


def _cases_10_3():
    return [
        Case("4 pairs, no ties", (np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.2, 0.1, 0.5, 0.4]))),
        Case("4 pairs, tied human scores", (np.array([2.0, 2.0, 5.0, 7.0]), np.array([0.1, 0.3, 0.2, 0.6]))),
        Case("4 pairs, negative correlation, ties in both", (np.array([1.0, 3.0, 3.0, 8.0]),
                                                             np.array([0.9, 0.4, 0.7, 0.4])),
             hidden=True),
    ]


def check_10_3(exact_bootstrap):
    """Exercise 10.3: the exact bootstrap moments and undefined share, on three cases, one hidden."""
    check_function("Exercise 10.3", exact_bootstrap, _exact, _cases_10_3(), atol=1e-9, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_10_3],
                   library=LIBRARY_10_3, returns=RETURNS_10_3)


# ---------------------------------------------------------------------------------------------------------
# Exercise 10.4: the exact coverage of an interval for a proportion

def _wald_interval(correct, total):
    """The textbook 95 % interval p̂ ± 1.96 sqrt(p̂(1 - p̂)/n), a test input of exercise 10.4."""
    p_hat = correct / total
    half_width = 1.959963984540054 * np.sqrt(p_hat * (1 - p_hat) / total)
    return p_hat - half_width, p_hat + half_width


def _contains(interval, total, p):
    return np.array([low <= p <= high for low, high in (interval(k, total) for k in range(total + 1))])


def _coverage(interval, total, p):
    pmf = stats.binom.pmf(np.arange(total + 1), total, p)
    return float(pmf[_contains(interval, total, p)].sum())


def _misses(interval, total, p):
    return 1 - _coverage(interval, total, p)


def _last_count_left_out(interval, total, p):
    pmf = stats.binom.pmf(np.arange(total), total, p)
    return float(pmf[_contains(interval, total, p)[:-1]].sum())


def _first_count_left_out(interval, total, p):
    pmf = stats.binom.pmf(np.arange(1, total + 1), total, p)
    return float(pmf[_contains(interval, total, p)[1:]].sum())


def _counted_not_weighted(interval, total, p):
    return float(_contains(interval, total, p).mean())


MISTAKES_10_4 = (
    ("this is the probability that the interval misses p, one minus the coverage", _misses),
    ("the count correct = total is left out: it runs from 0 to total inclusive", _last_count_left_out),
    ("the count correct = 0 is left out: it runs from 0 to total inclusive", _first_count_left_out),
    ("this is the fraction of counts whose interval contains p; weight each count by its binomial "
     "probability", _counted_not_weighted),
)


def _cases_10_4():
    return [
        Case("Wilson, 20 questions, p = 0.3", (wilson_interval, 20, 0.3)),
        Case("Wald, 20 questions, p = 0.05", (_wald_interval, 20, 0.05)),
        Case("Wald, 30 questions, p = 0.97", (_wald_interval, 30, 0.97), hidden=True),
        Case("Wilson, 10 questions, p = 0.9", (wilson_interval, 10, 0.9), hidden=True),
        Case("Wilson, 180 questions, p = 0.02", (wilson_interval, 180, 0.02), hidden=True),
    ]


def check_10_4(coverage):
    """Exercise 10.4: the exact coverage on four cases, two hidden."""
    check_function("Exercise 10.4", coverage, _coverage, _cases_10_4(), atol=1e-9, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_10_4])
