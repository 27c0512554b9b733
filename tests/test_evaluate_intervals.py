"""Confidence intervals of the evaluation scores: the bootstrap against the exact bootstrap distribution (all
n^n resamples) and against a plain loop with the same draws, the paired bootstrap of a difference, the Wilson
interval against hand-worked numbers and scipy, and the point estimates against evaluate_word_pairs."""

import itertools
import math

import numpy as np
import pytest
from gensim.test.utils import datapath
from scipy import stats

from w2v_lib.evaluate import (
    analogies_interval,
    bootstrap_spearman,
    compare_word_pairs,
    evaluate_analogies,
    evaluate_word_pairs,
    interval_coverage,
    paired_bootstrap_spearman,
    wilson_interval,
    word_pair_scores,
    word_pairs_interval,
)
from w2v_lib.keyed_vectors import KeyedVectors

LEVEL_Z1 = math.erf(1 / math.sqrt(2))  # P(|Z| <= 1) = 0.6827: the level whose z is exactly 1


def spearman_or_nan(x, y):
    """scipy's Spearman correlation; NaN when an input is constant (scipy would warn)."""
    if np.all(x == x[0]) or np.all(y == y[0]):
        return np.nan
    return stats.spearmanr(x, y).statistic


# --- the bootstrap distribution: exact enumeration of all n^n resamples -------------------------------------------

def exact_bootstrap_distribution(statistic, n):
    """Each of the n^n equally likely resamples (index tuples) and its statistic."""
    return np.array([statistic(np.array(indices)) for indices in itertools.product(range(n), repeat=n)])


def assert_same_distribution(sampled, exact, tolerance):
    """The sampled values' share of undefined (NaN) results and their CDF at every atom of the exact
    distribution agree with the exact ones within ``tolerance`` (a few standard errors)."""
    assert abs(np.isnan(sampled).mean() - np.isnan(exact).mean()) < tolerance
    sampled, exact = sampled[~np.isnan(sampled)], exact[~np.isnan(exact)]
    atoms = np.unique(np.round(exact, 10))
    sampled_cdf = (np.round(sampled, 10)[:, None] <= atoms).mean(axis=0)
    exact_cdf = (np.round(exact, 10)[:, None] <= atoms).mean(axis=0)
    assert np.abs(sampled_cdf - exact_cdf).max() < tolerance
    # Every sampled value is one of the exact atoms.
    assert np.isin(np.round(sampled, 10), atoms).all()


@pytest.mark.parametrize("human, model", [
    ([1.0, 2.0, 3.0, 4.0], [0.1, 0.4, 0.3, 0.8]),
    ([1.0, 2.0, 2.0, 3.0, 5.0], [0.3, 0.1, 0.5, 0.4, 0.9]),  # tied human scores: average ranks
])
def test_bootstrap_matches_the_exact_bootstrap_distribution(human, model):
    human, model = np.array(human), np.array(model)
    exact = exact_bootstrap_distribution(lambda idx: spearman_or_nan(human[idx], model[idx]), len(human))
    result = bootstrap_spearman(human, model, n_resamples=40_000, seed=0)
    # DKW: with 40,000 draws the CDF is off by more than 0.012 with probability below 2 exp(-2 · 40000 · 0.012²).
    assert_same_distribution(result["distribution"], exact, tolerance=0.012)
    assert result["undefined_resamples"] == np.isnan(result["distribution"]).sum() > 0
    assert result["spearman"] == pytest.approx(stats.spearmanr(human, model).statistic, abs=1e-14)


def test_paired_bootstrap_matches_the_exact_bootstrap_distribution():
    human = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    model_a, model_b = np.array([0.2, 0.1, 0.5, 0.4, 0.9]), np.array([0.5, 0.1, 0.2, 0.9, 0.3])
    exact = exact_bootstrap_distribution(
        lambda idx: spearman_or_nan(human[idx], model_a[idx]) - spearman_or_nan(human[idx], model_b[idx]), 5)
    result = paired_bootstrap_spearman(human, model_a, model_b, n_resamples=40_000, seed=1)
    assert_same_distribution(result["distribution"], exact, tolerance=0.012)


# --- the bootstrap against a plain loop with the same draws -------------------------------------------------------

def loop_bootstrap(human, model_a, model_b, level, n_resamples, seed):
    """The documented procedure one resample at a time: draws from default_rng(seed).integers(n, (B, n)),
    scipy's Spearman per resample, undefined ones dropped, numpy's quantiles."""
    draws = np.random.default_rng(seed).integers(len(human), size=(n_resamples, len(human)))
    values = []
    for indices in draws:
        value = spearman_or_nan(human[indices], model_a[indices])
        if model_b is not None:
            value -= spearman_or_nan(human[indices], model_b[indices])
        values.append(value)
    values = np.array(values)
    low, high = np.quantile(values[~np.isnan(values)], [(1 - level) / 2, (1 + level) / 2])
    return values, low, high


def tied_scores(seed, n):
    rng = np.random.default_rng(seed)
    human = rng.integers(0, 6, size=n).astype(float)  # many ties, as human ratings have
    model = human + rng.normal(scale=2.0, size=n)
    return rng, human, model


@pytest.mark.parametrize("seed, level, n", [(0, 0.95, 30), (1, 0.9, 12), (2, 0.5, 60), (3, 0.99, 4)])
def test_bootstrap_equals_a_loop_with_the_same_draws(seed, level, n):
    _, human, model = tied_scores(seed, n)
    values, low, high = loop_bootstrap(human, model, None, level, 400, seed)
    result = bootstrap_spearman(human, model, level=level, n_resamples=400, seed=seed)
    np.testing.assert_allclose(result["distribution"], values, rtol=0, atol=1e-12)  # NaN in the same places
    assert result["low"] == pytest.approx(low, abs=1e-12) and result["high"] == pytest.approx(high, abs=1e-12)
    assert (result["level"], result["n_resamples"], result["pairs"]) == (level, 400, n)
    assert result["undefined_resamples"] == np.isnan(values).sum()


@pytest.mark.parametrize("seed", [0, 5])
def test_paired_bootstrap_equals_a_loop_with_the_same_draws(seed):
    rng, human, model_a = tied_scores(seed, 40)
    model_b = human + rng.normal(scale=3.0, size=40)
    values, low, high = loop_bootstrap(human, model_a, model_b, 0.95, 300, seed)
    result = paired_bootstrap_spearman(human, model_a, model_b, n_resamples=300, seed=seed)
    np.testing.assert_allclose(result["distribution"], values, rtol=0, atol=1e-12)
    assert result["low"] == pytest.approx(low, abs=1e-12) and result["high"] == pytest.approx(high, abs=1e-12)
    expected_a, expected_b = stats.spearmanr(human, model_a).statistic, stats.spearmanr(human, model_b).statistic
    assert result["spearman_a"] == pytest.approx(expected_a, abs=1e-14)
    assert result["spearman_b"] == pytest.approx(expected_b, abs=1e-14)
    assert result["difference"] == pytest.approx(expected_a - expected_b, abs=1e-14)


def test_a_single_bootstrap_uses_the_same_draws_as_the_paired_one():
    _, human, model = tied_scores(6, 25)
    single = bootstrap_spearman(human, model, n_resamples=200, seed=9)
    paired = paired_bootstrap_spearman(human, model, np.zeros(25) + np.arange(25), n_resamples=200, seed=9)
    expected = loop_bootstrap(human, model, np.arange(25.0), 0.95, 200, 9)[0]
    np.testing.assert_allclose(paired["distribution"], expected, atol=1e-12)
    np.testing.assert_allclose(single["distribution"] - paired["distribution"],
                               loop_bootstrap(human, np.arange(25.0), None, 0.95, 200, 9)[0], atol=1e-12)


# --- reproducibility ----------------------------------------------------------------------------------------------

def test_same_seed_same_interval_and_a_generator_works():
    _, human, model = tied_scores(7, 50)
    first = bootstrap_spearman(human, model, n_resamples=500, seed=3)
    again = bootstrap_spearman(human, model, n_resamples=500, seed=3)
    generator = bootstrap_spearman(human, model, n_resamples=500, seed=np.random.default_rng(3))
    other = bootstrap_spearman(human, model, n_resamples=500, seed=4)
    for result in (again, generator):
        np.testing.assert_array_equal(result["distribution"], first["distribution"])
        assert (result["low"], result["high"]) == (first["low"], first["high"])
    assert (other["low"], other["high"]) != (first["low"], first["high"])
    assert bootstrap_spearman(human, model, n_resamples=50)["low"] == bootstrap_spearman(
        human, model, n_resamples=50)["low"]  # the default seed is fixed too


def test_inputs_are_not_modified():
    _, human, model = tied_scores(8, 20)
    human_copy, model_copy = human.copy(), model.copy()
    paired_bootstrap_spearman(human, model, model[::-1].copy(), n_resamples=50)
    np.testing.assert_array_equal(human, human_copy)
    np.testing.assert_array_equal(model, model_copy)


# --- what the paired bootstrap is for -----------------------------------------------------------------------------

def test_same_ranking_is_an_exact_tie():
    # exp is increasing, so both models rank every resample's pairs the same way: the two Spearman
    # correlations are equal in every resample, and the difference is exactly 0, although each score alone
    # has a wide interval.
    _, human, model = tied_scores(9, 80)
    result = paired_bootstrap_spearman(human, model, np.exp(model), n_resamples=1000, seed=0)
    assert result["difference"] == 0.0 and result["low"] == 0.0 and result["high"] == 0.0
    alone = bootstrap_spearman(human, model, n_resamples=1000, seed=0)
    assert alone["high"] - alone["low"] > 0.1


def test_paired_interval_separates_what_overlapping_intervals_cannot():
    # Model b is model a with extra noise: worse on almost every resample, yet by less than the spread that
    # the choice of pairs causes, so the two intervals overlap while the paired one excludes 0.
    rng = np.random.default_rng(10)
    human = rng.normal(size=300)
    model_a = human + rng.normal(size=300)
    model_b = model_a + 0.7 * rng.normal(size=300)
    a = bootstrap_spearman(human, model_a, n_resamples=2000, seed=1)
    b = bootstrap_spearman(human, model_b, n_resamples=2000, seed=1)
    assert a["low"] < b["high"] and b["low"] < a["high"]
    paired = paired_bootstrap_spearman(human, model_a, model_b, n_resamples=2000, seed=1)
    assert 0 < paired["low"] < paired["difference"] < paired["high"]


# --- Wilson score interval ----------------------------------------------------------------------------------------

def test_wilson_hand_worked():
    # z = 1. 0 of 1: center (0 + 1/2) / 2 = 1/4, half-width sqrt(0 + 1/4) / 2 = 1/4: [0, 1/2].
    low, high = wilson_interval(0, 1, LEVEL_Z1)
    assert low == 0.0 and high == pytest.approx(0.5, rel=1e-14)
    # 1 of 2: center (1/2 + 1/4) / (3/2) = 1/2, half-width sqrt(1/8 + 1/16) / (3/2) = 1 / (2 √3).
    low, high = wilson_interval(1, 2, LEVEL_Z1)
    assert low == pytest.approx(0.5 - 1 / (2 * math.sqrt(3)), rel=1e-14)
    assert high == pytest.approx(0.5 + 1 / (2 * math.sqrt(3)), rel=1e-14)
    # 8 of 10 at 95 %, z = 1.95996: center (0.8 + 0.19207) / 1.38415 = 0.71674,
    # half-width 1.95996 sqrt(0.016 + 0.0096036) / 1.38415 = 0.22658: [0.4902, 0.9433].
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433, abs=1e-4)


@pytest.mark.parametrize("total", [1, 2, 5, 10, 37, 100, 1000, 19544])
@pytest.mark.parametrize("level", [0.5, 0.9, 0.95, 0.99])
def test_wilson_equals_scipy(total, level):
    for correct in sorted({0, 1, total // 3, total - 1, total}):
        expected = stats.binomtest(correct, total).proportion_ci(confidence_level=level, method="wilson")
        low, high = wilson_interval(correct, total, level)
        assert low == pytest.approx(expected.low, rel=1e-12, abs=1e-15)
        assert high == pytest.approx(expected.high, rel=1e-12, abs=1e-15)


def test_wilson_ends_are_exact_at_zero_and_all_correct():
    for total in (1, 3, 100, 19544):
        assert wilson_interval(0, total)[0] == 0.0
        assert wilson_interval(total, total)[1] == 1.0


# --- the file-level functions: the same pairs and questions as the point estimates ---------------------------------

@pytest.fixture(scope="module")
def pair_kv():
    """The words of WordSim-353 and SimLex-999 with noisy 'similarity' vectors, some case variants, and fillers."""
    rng = np.random.default_rng(0)
    vectors = {}
    for name in ("wordsim353.tsv", "simlex999.txt"):
        with open(datapath(name), encoding="utf-8") as file:
            for line in file:
                if line.startswith("#"):
                    continue
                for word in line.split("\t")[:2]:
                    vectors.setdefault(word, rng.normal(size=8))
    for word in list(vectors)[::7]:
        vectors.setdefault(word.capitalize(), vectors[word] + 0.3 * rng.normal(size=8))
    for i in range(100):
        vectors[f"filler{i}"] = rng.normal(size=8)
    words = list(vectors)
    order = rng.permutation(len(words))
    return KeyedVectors([words[i] for i in order], np.array([vectors[words[i]] for i in order]))


@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
@pytest.mark.parametrize("restrict_vocab", [None, 800])
@pytest.mark.parametrize("case_insensitive", [True, False])
@pytest.mark.parametrize("dummy4unknown", [False, True])
def test_word_pairs_interval_uses_the_pairs_of_the_point_estimate(pair_kv, name, restrict_vocab, case_insensitive,
                                                                 dummy4unknown):
    options = dict(case_insensitive=case_insensitive, dummy4unknown=dummy4unknown, restrict_vocab=restrict_vocab)
    point = evaluate_word_pairs(pair_kv, datapath(name), **options)
    result = word_pairs_interval(pair_kv, datapath(name), n_resamples=300, seed=0, **options)
    assert result["spearman"] == pytest.approx(point["spearman"], abs=1e-12)
    assert (result["pairs"], result["oov_pairs"]) == (point["pairs"], point["oov_pairs"])
    assert result["low"] < result["spearman"] < result["high"]


def test_word_pair_scores_hand_worked(tmp_path):
    # The hand-worked file of test_evaluate.py: cosines a·b = 0, a·c = 3/5, c·D = 7 / (5 √2); "zzz" unknown.
    kv = KeyedVectors(["a", "b", "c", "D"], [[1.0, 0.0], [0.0, 1.0], [3.0, 4.0], [1.0, 1.0]])
    path = tmp_path / "pairs.tsv"
    path.write_text("# a comment\na\tb\t1.0\na\tc\t5.5\nc\td\t9\nb\tzzz\t3\n")
    scores = word_pair_scores(kv, path)
    np.testing.assert_array_equal(scores["human"], [1.0, 5.5, 9.0, 3.0])
    np.testing.assert_allclose(scores["model"], [0.0, 0.6, 7 / (5 * math.sqrt(2)), 0.0], atol=1e-7)
    np.testing.assert_array_equal(scores["known"], [True, True, True, False])
    assert scores["vocabulary_searched"] == 4
    exact_case = word_pair_scores(kv, path, case_insensitive=False)
    np.testing.assert_array_equal(exact_case["known"], [True, True, False, False])


def test_compare_word_pairs_scores_both_on_the_pairs_both_know(pair_kv):
    # kv_b knows only some of the words: the comparison uses the pairs both know, so each score equals the
    # point estimate of that embedding restricted to the common words.
    rng = np.random.default_rng(1)
    keep = [word for word in pair_kv.words if rng.random() < 0.7]
    kv_b = KeyedVectors(keep, np.array([pair_kv[word] for word in keep]) + rng.normal(size=(len(keep), 8)))
    kv_a_common = KeyedVectors(keep, np.array([pair_kv[word] for word in keep]))
    path = datapath("wordsim353.tsv")
    result = compare_word_pairs(pair_kv, kv_b, path, n_resamples=300, seed=0, case_insensitive=False)
    point_a = evaluate_word_pairs(kv_a_common, path, case_insensitive=False)
    point_b = evaluate_word_pairs(kv_b, path, case_insensitive=False)
    assert result["spearman_a"] == pytest.approx(point_a["spearman"], abs=1e-12)
    assert result["spearman_b"] == pytest.approx(point_b["spearman"], abs=1e-12)
    assert (result["pairs"], result["oov_pairs"]) == (point_b["pairs"], point_b["oov_pairs"])
    assert result["low"] < result["difference"] < result["high"]


def test_compare_an_embedding_with_itself_is_an_exact_tie(pair_kv):
    result = compare_word_pairs(pair_kv, pair_kv, datapath("simlex999.txt"), n_resamples=200)
    assert (result["difference"], result["low"], result["high"]) == (0.0, 0.0, 0.0)


def test_analogies_interval_hand_worked(tmp_path):
    # man : king :: woman : queen is answered right and "... apple" wrong (test_evaluate.py): 1 of 2 in
    # "royal"; "fruit" has only a question with an unknown word.
    kv = KeyedVectors(["man", "woman", "king", "queen", "apple"],
                      [[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 0]])
    path = tmp_path / "q.txt"
    path.write_text(": royal\nman king woman queen\nman king woman apple\n: fruit\nman king woman pear\n")
    result = analogies_interval(kv, path, level=LEVEL_Z1)
    assert (result["accuracy"], result["correct"], result["total"], result["level"]) == (0.5, 1, 2, LEVEL_Z1)
    half_width = 1 / (2 * math.sqrt(3))  # 1 of 2 at z = 1, see test_wilson_hand_worked
    for scored in (result, result["sections"]["royal"]):
        assert scored["low"] == pytest.approx(0.5 - half_width) and scored["high"] == pytest.approx(0.5 + half_width)
    assert (result["sections"]["fruit"]["low"], result["sections"]["fruit"]["high"]) == (0.0, 1.0)
    counted = analogies_interval(kv, path, dummy4unknown=True)
    expected = stats.binomtest(0, 1).proportion_ci(method="wilson")
    assert counted["sections"]["fruit"]["high"] == pytest.approx(expected.high, rel=1e-12)
    assert evaluate_analogies(kv, path)["correct"] == result["correct"]


# --- validation ---------------------------------------------------------------------------------------------------

HUMAN, MODEL = np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.1, 0.3])


@pytest.mark.parametrize("call, error, pieces", [
    (lambda: bootstrap_spearman(HUMAN, MODEL, level=0.0), ValueError, ["level", "between 0 and 1", "0.0"]),
    (lambda: bootstrap_spearman(HUMAN, MODEL, level=95), ValueError, ["level", "95"]),
    (lambda: bootstrap_spearman(HUMAN, MODEL, level=float("nan")), ValueError, ["level", "finite"]),
    (lambda: bootstrap_spearman(HUMAN, MODEL, level="0.95"), TypeError, ["level", "str"]),
    (lambda: bootstrap_spearman(HUMAN, MODEL, n_resamples=0), ValueError, ["n_resamples", ">= 1"]),
    (lambda: bootstrap_spearman(HUMAN, MODEL, n_resamples=1e4), TypeError, ["n_resamples", "integer"]),
    (lambda: bootstrap_spearman(HUMAN, MODEL[:2]), ValueError, ["model", "(2,)", "human", "(3,)"]),
    (lambda: bootstrap_spearman(HUMAN[:1], MODEL[:1]), ValueError, ["at least 2 pairs", "1"]),
    (lambda: bootstrap_spearman(HUMAN, [1.0, 1.0, 1.0]), ValueError, ["model", "constant"]),
    (lambda: bootstrap_spearman(HUMAN, [1.0, np.nan, 2.0]), ValueError, ["model", "NaN"]),
    (lambda: bootstrap_spearman(HUMAN, MODEL[:, None]), ValueError, ["model", "(d,)", "(3, 1)"]),
    (lambda: paired_bootstrap_spearman(HUMAN, MODEL, MODEL[:2]), ValueError, ["model_b", "(2,)"]),
    (lambda: wilson_interval(3, 2), ValueError, ["correct = 3", "total = 2"]),
    (lambda: wilson_interval(0, 0), ValueError, ["total", ">= 1"]),
    (lambda: wilson_interval(-1, 5), ValueError, ["correct", ">= 0"]),
    (lambda: wilson_interval(0.5, 5), TypeError, ["correct", "integer"]),
    (lambda: wilson_interval(1, 5, level=1.0), ValueError, ["level"]),
])
def test_validation_errors(call, error, pieces):
    with pytest.raises(error) as raised:
        call()
    for piece in pieces:
        assert piece in str(raised.value)


def test_file_without_scorable_pairs(tmp_path):
    kv = KeyedVectors(["a", "b"], np.eye(2))
    path = tmp_path / "none.tsv"
    path.write_text("x\ty\t1\na\tzz\t2\n")
    with pytest.raises(ValueError, match="no word pair .* could be scored"):
        word_pairs_interval(kv, path)
    with pytest.raises(ValueError, match="no word pair .* could be scored"):
        compare_word_pairs(kv, kv, path)


def test_interval_coverage_hand_worked_cases():
    # An interval that always contains p covers it with probability 1; one that contains p only at 0 correct
    # covers it with probability (1 - p)^n; the textbook interval of 0 or n correct is a point, so for n = 1 it
    # never contains a p strictly inside (0, 1).
    assert interval_coverage(lambda correct, total: (0.0, 1.0), 7, 0.3) == pytest.approx(1.0)
    assert interval_coverage(lambda correct, total: (0.0, 1.0) if correct == 0 else (2.0, 3.0), 7, 0.3) == \
        pytest.approx(0.7**7)
    assert interval_coverage(lambda correct, total: (correct / total, correct / total), 1, 0.4) == 0.0


def test_interval_coverage_against_simulation():
    rng = np.random.default_rng(5)
    counts = rng.binomial(20, 0.05, size=200_000)
    intervals = {correct: wilson_interval(correct, 20) for correct in range(21)}
    simulated = np.mean([intervals[c][0] <= 0.05 <= intervals[c][1] for c in counts])
    assert interval_coverage(wilson_interval, 20, 0.05) == pytest.approx(simulated, abs=3e-3)


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_interval_coverage_rejects_a_p_outside_0_1(p):
    with pytest.raises(ValueError, match="p"):
        interval_coverage(wilson_interval, 10, p)
