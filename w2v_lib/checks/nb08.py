"""Checks of notebook 08's exercises (evaluation), called from its check cells.

* Exercise 8.1 asks for ``three_cos_add(vectors, a, b, c)``: the row of the 3CosAdd answer to a : b :: c : ?,
  for raw (unnormalized) vectors of shape (V, d), the query rows a, b, c excluded, without the library's
  ``KeyedVectors.most_similar`` / ``analogy`` and the evaluation functions built on them.
  Check cell: ``nb08.check_8_1(three_cos_add)``.
* Exercise 8.2 asks for ``spearman(x, y)``: Spearman's correlation of two 1-D arrays that may contain ties
  (average ranks), without ``scipy.stats.spearmanr`` or ``scipy.stats.rankdata``.
  Check cell: ``nb08.check_8_2(spearman)``.
* Exercise 8.3 asks for ``bootstrap_interval(human, model, n_resamples, seed)``: the 95 % percentile bootstrap
  interval ``(low, high)`` of the Spearman correlation, the resamples drawn as
  ``np.random.default_rng(seed).integers(n, size=(n_resamples, n))``, without the library's interval functions.
  Check cell: ``nb08.check_8_3(bootstrap_interval)``.
* Exercise 8.4 asks for ``wilson(correct, total, z)``: the Wilson score interval ``(low, high)`` of an accuracy,
  without ``scipy.stats.binomtest`` and the library's ``wilson_interval``.
  Check cell: ``nb08.check_8_4(wilson)``.

How the cases are chosen
------------------------
8.1: random vectors whose norms differ by a factor of up to 100, so that offsets of raw vectors (or dot
products instead of cosines) pick another word; in every case b or c is the word nearest to b - a + c, so that
forgetting to exclude them shows; a hidden case where the answer's row comes after a query row, so that an index
counted after deleting the query rows is off; every case's best score leads the second by more than 1e-3, so
round-off cannot change the answer.

8.2: a case without ties (where ordinal ranks and the ``1 - 6 Σ d² / (n(n² - 1))`` formula are right), then ties
in one array, in both, and many ties (scores 0-3), where they are not; a monotone transform (exp), where Pearson's
correlation of the values differs from the rank correlation.

8.3: correlated scores, scores with ties, and a negative correlation; every interval has a width that the
mistakes (pairs broken, a 90 % interval, draws without replacement, the normal approximation) change.

8.4: counts inside (0, n), then 0 correct and all correct, where the textbook (Wald) interval collapses to a
point, a tiny n = 3 and a large n with z = 1.645 (90 %).
"""

import numpy as np
from scipy import stats

from w2v_lib.checks import Case, Mistake, check_function
from w2v_lib.evaluate import bootstrap_spearman, wilson_interval

# ---------------------------------------------------------------------------------------------------------
# Exercise 8.1: 3CosAdd, query words excluded

LIBRARY_8_1 = ("w2v_lib.keyed_vectors.KeyedVectors.most_similar", "w2v_lib.keyed_vectors.KeyedVectors.analogy",
               "w2v_lib.evaluate.analogy_answers", "w2v_lib.evaluate.planted_analogy_accuracy",
               "w2v_lib.evaluate.evaluate_analogies")


def _unit(vectors):
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _scores_8_1(vectors, a, b, c):
    """cos(w, b̂ - â + ĉ) for every row w, in float64."""
    unit = _unit(np.asarray(vectors, dtype=np.float64))
    query = unit[b] - unit[a] + unit[c]
    return unit @ query / np.linalg.norm(query)


def _best(scores, excluded):
    scores = scores.copy()
    scores[list(excluded)] = -np.inf
    return int(np.argmax(scores))


def _three_cos_add(vectors, a, b, c):
    return _best(_scores_8_1(vectors, a, b, c), (a, b, c))


def _not_excluded(vectors, a, b, c):
    return _best(_scores_8_1(vectors, a, b, c), ())


def _raw_offsets(vectors, a, b, c):
    vectors = np.asarray(vectors, dtype=np.float64)
    query = vectors[b] - vectors[a] + vectors[c]
    return _best(_unit(vectors) @ query, (a, b, c))


def _dot_products(vectors, a, b, c):
    vectors = np.asarray(vectors, dtype=np.float64)
    unit = _unit(vectors)
    return _best(vectors @ (unit[b] - unit[a] + unit[c]), (a, b, c))


def _reversed_offset(vectors, a, b, c):
    unit = _unit(np.asarray(vectors, dtype=np.float64))
    return _best(unit @ (unit[a] - unit[b] + unit[c]), (a, b, c))


def _index_after_deleting(vectors, a, b, c):
    scores = _scores_8_1(vectors, a, b, c)
    return int(np.argmax(np.delete(scores, sorted({a, b, c}))))


MISTAKES_8_1 = (
    ("the query words are not excluded: b (or c) itself is the word nearest to b - a + c", _not_excluded),
    ("the offset is built from the raw vectors; 3CosAdd adds unit vectors, so that a long (frequent) word does "
     "not outweigh the other two", _raw_offsets),
    ("the candidates are scored by dot products, which favour long vectors; score them by cosine",
     _dot_products),
    ("the offset points the wrong way: the answer d should satisfy d - c ≈ b - a", _reversed_offset),
    ("the row is counted after deleting the query rows, so every row after one of them is off by one or more",
     _index_after_deleting),
)


def _cases_8_1():
    rng = np.random.default_rng(81)
    cases = []
    for description, vocab_size, dim, hidden in [
        ("30 words in 5 dimensions, norms from 0.1 to 10", 30, 5, False),
        ("50 words in 8 dimensions", 50, 8, False),
        ("the answer's row comes after the query rows", 40, 6, True),
        ("400 words in 20 dimensions", 400, 20, True),
    ]:
        while True:
            vectors = rng.normal(size=(vocab_size, dim)) * 10 ** rng.uniform(-1, 1, size=(vocab_size, 1))
            a, b, c = (int(row) for row in rng.choice(vocab_size, size=3, replace=False))
            scores = np.sort(_scores_8_1(vectors, a, b, c)[np.setdiff1d(np.arange(vocab_size), [a, b, c])])
            answer = _three_cos_add(vectors, a, b, c)
            clear = scores[-1] - scores[-2] > 1e-3
            if "after" in description:
                clear = clear and answer > max(a, b, c)
            if clear and all(mistake(vectors, a, b, c) != answer for _, mistake in MISTAKES_8_1):
                break
        cases.append(Case(description, (vectors, a, b, c), hidden=hidden))
    return cases


def check_8_1(three_cos_add):
    """Exercise 8.1: the 3CosAdd answer's row on four cases, two hidden."""
    check_function("Exercise 8.1", three_cos_add, _three_cos_add, _cases_8_1(), atol=0, rtol=0,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_8_1],
                   library=LIBRARY_8_1)


# ---------------------------------------------------------------------------------------------------------
# Exercise 8.2: Spearman's correlation with ties

FORBIDDEN_8_2 = ("scipy.stats.spearmanr", "scipy.stats.rankdata")
LIBRARY_8_2 = ("w2v_lib.evaluate.evaluate_word_pairs", "w2v_lib.evaluate.bootstrap_spearman",
               "w2v_lib.evaluate._spearman_of_resamples", "w2v_lib.evaluate._resample_ranks",
               "w2v_lib.evaluate._rank_correlation")


def _spearman(x, y):
    return float(stats.spearmanr(x, y).statistic)


def _ordinal_ranks(values):
    return np.argsort(np.argsort(values, kind="stable"), kind="stable").astype(np.float64)


def _pearson(x, y):
    return float(np.corrcoef(x, y)[0, 1])


def _no_ties_formula(rank_x, rank_y):
    n = len(rank_x)
    return float(1 - 6 * np.sum((rank_x - rank_y) ** 2) / (n * (n**2 - 1)))


MISTAKES_8_2 = (
    ("tied values got different ranks (np.argsort twice breaks ties by position); tied values share the mean of "
     "the ranks they occupy",
     lambda x, y: _pearson(_ordinal_ranks(x), _ordinal_ranks(y))),
    ("1 - 6 Σ d² / (n(n² - 1)) holds only without ties; with ties, take Pearson's correlation of the ranks",
     lambda x, y: _no_ties_formula(stats.rankdata(x), stats.rankdata(y))),
    ("1 - 6 Σ d² / (n(n² - 1)) on ranks that break ties by position; with ties, average the ranks and take "
     "Pearson's correlation of them",
     lambda x, y: _no_ties_formula(_ordinal_ranks(x), _ordinal_ranks(y))),
    ("this is Pearson's correlation of the values; Spearman's is Pearson's correlation of their ranks",
     _pearson),
)


def _cases_8_2():
    rng = np.random.default_rng(82)
    x = rng.normal(size=60)
    human = np.round(rng.uniform(0, 10, size=80), 1)
    return [
        Case("no ties", (np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([0.1, 0.4, 0.3, 0.9, 0.7]))),
        Case("ties in the first array", (np.array([2.0, 2.0, 1.0, 3.0, 3.0, 3.0]),
                                        np.array([0.5, 0.1, 0.2, 0.9, 0.3, 0.8]))),
        Case("ties in both arrays", (human, np.round(human + rng.normal(size=80), 0)), hidden=True),
        Case("scores 0 to 3 only", (rng.integers(0, 4, size=50).astype(float),
                                    rng.integers(0, 4, size=50).astype(float)), hidden=True),
        Case("a monotone transform", (x, np.exp(x) + 0.05 * rng.normal(size=60)), hidden=True),
    ]


def check_8_2(spearman):
    """Exercise 8.2: Spearman's ρ with average ranks, on five cases, three hidden."""
    check_function("Exercise 8.2", spearman, _spearman, _cases_8_2(), atol=1e-9, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_8_2],
                   forbidden=FORBIDDEN_8_2, library=LIBRARY_8_2)


# ---------------------------------------------------------------------------------------------------------
# Exercise 8.3: a percentile bootstrap interval

LIBRARY_8_3 = ("w2v_lib.evaluate.bootstrap_spearman", "w2v_lib.evaluate.paired_bootstrap_spearman",
               "w2v_lib.evaluate.word_pairs_interval", "w2v_lib.evaluate.compare_word_pairs",
               "w2v_lib.evaluate._spearman_of_resamples", "w2v_lib.evaluate._percentile_interval")
RETURNS_8_3 = ("low", "high")


def _interval(human, model, n_resamples, seed):
    result = bootstrap_spearman(human, model, n_resamples=n_resamples, seed=seed)
    return result["low"], result["high"]


def _spearman_rows(draws_x, draws_y, human, model):
    return np.array([stats.spearmanr(human[rows_x], model[rows_y]).statistic
                     for rows_x, rows_y in zip(draws_x, draws_y)])


def _pairs_broken(human, model, n_resamples, seed):
    rng = np.random.default_rng(seed)
    draws_x = rng.integers(len(human), size=(n_resamples, len(human)))
    draws_y = rng.integers(len(human), size=(n_resamples, len(human)))
    return tuple(np.quantile(_spearman_rows(draws_x, draws_y, human, model), [0.025, 0.975]))


def _ninety_percent(human, model, n_resamples, seed):
    result = bootstrap_spearman(human, model, n_resamples=n_resamples, seed=seed, level=0.9)
    return result["low"], result["high"]


def _without_replacement(human, model, n_resamples, seed):
    point = _spearman(human, model)
    return point, point


def _normal_approximation(human, model, n_resamples, seed):
    result = bootstrap_spearman(human, model, n_resamples=n_resamples, seed=seed)
    spread = 1.96 * np.std(result["distribution"], ddof=1)
    return result["spearman"] - spread, result["spearman"] + spread


MISTAKES_8_3 = (
    ("the human and model scores were resampled separately, which breaks the pairs: draw pair indices once "
     "and take both scores of each drawn pair", _pairs_broken),
    ("this is a 90 % interval: a 95 % interval leaves 2.5 % of the resamples out on each side",
     _ninety_percent),
    ("every resample holds each pair exactly once (drawn without replacement), so every resample has the same "
     "correlation; draw with replacement", _without_replacement),
    ("this is the normal approximation (estimate ± 1.96 standard deviations); the percentile interval takes the "
     "quantiles of the resampled correlations", _normal_approximation),
)


def _cases_8_3():
    rng = np.random.default_rng(83)
    human = rng.uniform(0, 10, size=40)
    tied = np.round(rng.uniform(0, 10, size=30))
    opposite = rng.normal(size=25)
    return [
        Case("40 pairs, positive correlation, 500 resamples",
             (human, human + 4 * rng.normal(size=40), 500, 1)),
        Case("30 pairs with tied human scores, 400 resamples, seed 7",
             (tied, tied + 3 * rng.normal(size=30), 400, 7), hidden=True),
        Case("a negative correlation, 300 resamples", (opposite, -opposite + rng.normal(size=25), 300, 2),
             hidden=True),
    ]


def check_8_3(bootstrap_interval):
    """Exercise 8.3: the percentile interval from the stated draws, on three cases, two hidden."""
    check_function("Exercise 8.3", bootstrap_interval, _interval, _cases_8_3(), atol=1e-9, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_8_3],
                   library=LIBRARY_8_3, returns=RETURNS_8_3)


# ---------------------------------------------------------------------------------------------------------
# Exercise 8.4: the Wilson score interval

FORBIDDEN_8_4 = ("scipy.stats.binomtest",)
LIBRARY_8_4 = ("w2v_lib.evaluate.wilson_interval", "w2v_lib.evaluate.analogies_interval")
RETURNS_8_4 = ("low", "high")


def _wilson(correct, total, z):
    return wilson_interval(correct, total, level=2 * stats.norm.cdf(z) - 1)


def _parts(correct, total, z):
    p_hat = correct / total
    return p_hat, z**2 / total, z * np.sqrt(p_hat * (1 - p_hat) / total + z**2 / (4 * total**2))


def _wald(correct, total, z):
    p_hat = correct / total
    half = z * np.sqrt(p_hat * (1 - p_hat) / total)
    return p_hat - half, p_hat + half


def _wald_clipped(correct, total, z):
    low, high = _wald(correct, total, z)
    return max(low, 0.0), min(high, 1.0)


def _no_denominator(correct, total, z):
    p_hat, z2_n, root = _parts(correct, total, z)
    return p_hat + z2_n / 2 - root, p_hat + z2_n / 2 + root


def _centre_not_moved(correct, total, z):
    p_hat, z2_n, root = _parts(correct, total, z)
    return (p_hat - root) / (1 + z2_n), (p_hat + root) / (1 + z2_n)


def _centre_moved_twice(correct, total, z):
    p_hat, z2_n, root = _parts(correct, total, z)
    return (p_hat + z2_n - root) / (1 + z2_n), (p_hat + z2_n + root) / (1 + z2_n)


MISTAKES_8_4 = (
    ("this is the textbook (Wald) interval p̂ ± z sqrt(p̂(1 - p̂)/n), which is what the Wilson interval "
     "replaces", _wald),
    ("this is the Wald interval cut to [0, 1]; solve the quadratic in p instead", _wald_clipped),
    ("the division by 1 + z²/n is missing (the coefficient of p² in the quadratic)", _no_denominator),
    ("the centre is p̂ / (1 + z²/n); the quadratic's linear term moves it to (p̂ + z²/2n) / (1 + z²/n)",
     _centre_not_moved),
    ("the centre is moved by z²/n; the quadratic's linear term gives z²/2n", _centre_moved_twice),
)


def _cases_8_4():
    return [
        Case("5 correct of 106, z = 1.96", (5, 106, 1.96)),
        Case("210 correct of 420, z = 1.96", (210, 420, 1.96)),
        Case("none correct", (0, 20, 1.96), hidden=True),
        Case("all correct", (20, 20, 1.96), hidden=True),
        Case("1 correct of 3, z = 2.576", (1, 3, 2.576), hidden=True),
        Case("4282 correct of 11911, z = 1.645", (4282, 11911, 1.645), hidden=True),
    ]


def check_8_4(wilson):
    """Exercise 8.4: both ends of the Wilson interval on six cases, four hidden."""
    check_function("Exercise 8.4", wilson, _wilson, _cases_8_4(), atol=1e-9, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_8_4],
                   forbidden=FORBIDDEN_8_4, library=LIBRARY_8_4, returns=RETURNS_8_4)
