"""Tests for w2v_lib.sampling against hand-worked numbers, brute force and chi-square tests at fixed seeds."""

import numpy as np
import pytest
from scipy import stats

from w2v_lib.sampling import NegativeSampler, keep_probabilities, noise_distribution, subsample, window_pairs

# --- noise distribution -------------------------------------------------------------------------------------


def test_noise_distribution_by_hand():
    counts = [16, 1, 0, 81]
    # 16^0.75 = 2^3 = 8, 1^0.75 = 1, 81^0.75 = 3^3 = 27; sum 36. A zero count stays at probability 0.
    np.testing.assert_allclose(noise_distribution(counts), [8 / 36, 1 / 36, 0, 27 / 36], rtol=1e-12)
    # power 1: the unigram distribution, counts / 98.
    np.testing.assert_allclose(noise_distribution(counts, power=1), [16 / 98, 1 / 98, 0, 81 / 98], rtol=1e-12)
    # power 0: uniform over the 3 words that occur.
    np.testing.assert_allclose(noise_distribution(counts, power=0), [1 / 3, 1 / 3, 0, 1 / 3], rtol=1e-12)
    # power 0.5 on floats: sqrt(4) = 2, sqrt(9) = 3.
    np.testing.assert_allclose(noise_distribution(np.array([4.0, 9.0]), power=0.5), [0.4, 0.6], rtol=1e-12)
    assert noise_distribution(counts).dtype == np.float64


@pytest.mark.parametrize("counts, power, error, match", [
    ([], 0.75, ValueError, "vocab_size >= 1"),
    ([[1, 2]], 0.75, ValueError, "1-D"),
    ([3, -1], 0.75, ValueError, ">= 0"),
    ([0, 0], 0.75, ValueError, "all zero"),
    ([1, np.inf], 0.75, ValueError, "finite"),
    (["a", "b"], 0.75, TypeError, "numbers"),
    ([1, 2], -0.75, ValueError, "power"),
    ([1, 2], np.nan, ValueError, "power"),
    ([1, 2], "0.75", TypeError, "power"),
])
def test_noise_distribution_bad_input(counts, power, error, match):
    with pytest.raises(error, match=match):
        noise_distribution(counts, power)


# --- negative sampler ---------------------------------------------------------------------------------------


def test_sampler_frequencies_chi_square():
    counts = np.array([100, 50, 20, 5, 1, 0, 30])
    sampler = NegativeSampler(counts)
    draws = sampler.sample((40_000, 5), seed=123)
    assert draws.shape == (40_000, 5) and draws.dtype == np.int32
    observed = np.bincount(draws.ravel(), minlength=len(counts))
    assert observed[5] == 0  # count 0: never drawn
    weights = np.array([100, 50, 20, 5, 1, 30]) ** 0.75  # the occurring words, computed independently
    expected = draws.size * weights / weights.sum()
    result = stats.chisquare(observed[[0, 1, 2, 3, 4, 6]], expected)
    assert result.pvalue > 1e-3


def test_sampler_last_word_and_probabilities():
    # The last word has count 0: rounding at the top of the table must not return it.
    sampler = NegativeSampler([1, 1, 0], power=1)
    np.testing.assert_allclose(sampler.noise_probs, [0.5, 0.5, 0])
    draws = sampler.sample(10_000, seed=0)
    assert draws.shape == (10_000,) and set(np.unique(draws)) == {0, 1}
    assert len(sampler) == 3


def test_alias_table_gives_each_word_its_probability_exactly():
    # Summing the table column by column, independently of how Vose's construction filled it: word w owns
    # accept[w] of its own column and 1 - accept[i] of every column i whose alias is w, each column 1/V.
    counts = np.array([100, 50, 20, 5, 1, 0, 30])
    sampler = NegativeSampler(counts)
    owned = sampler.accept.copy()
    for column, word in enumerate(sampler.alias):
        owned[word] += 1 - sampler.accept[column]
    weights = np.where(counts > 0, counts.astype(float) ** 0.75, 0.0)
    np.testing.assert_allclose(owned / len(counts), weights / weights.sum(), atol=1e-15)
    with pytest.raises(ValueError, match="read-only"):
        sampler.accept[0] = 1.0


def test_sampler_seeded_reproducibility():
    sampler = NegativeSampler(np.arange(1, 50))
    a = sampler.sample((100, 5), seed=42)
    np.testing.assert_array_equal(a, sampler.sample((100, 5), seed=42))
    np.testing.assert_array_equal(a, sampler.sample((100, 5), seed=np.random.default_rng(42)))
    assert not np.array_equal(a, sampler.sample((100, 5), seed=43))


@pytest.mark.parametrize("counts", [[7], [7, 0, 0]])
def test_sampler_needs_two_words(counts):
    with pytest.raises(ValueError, match="too few to sample negatives from"):
        NegativeSampler(counts)


# --- subsampling --------------------------------------------------------------------------------------------


def test_keep_probabilities_by_hand():
    counts = [900, 90, 9, 1, 0]
    # total = 1000 and t = 1e-3, so t / f = t * total / count = 1 / count.
    # 900: sqrt(1/900) + 1/900 = 1/30 + 1/900 = 31/900;  90: sqrt(1/90) + 1/90;  9: 1/3 + 1/9 = 4/9;
    # 1: 1 + 1 = 2, capped at 1;  0: never occurs, 1 by convention.
    expected = [31 / 900, 1 / np.sqrt(90) + 1 / 90, 4 / 9, 1.0, 1.0]
    np.testing.assert_allclose(keep_probabilities(counts, sample=1e-3), expected, rtol=1e-12)
    # t = 1e-4: t / f = 0.1 / count; for 900: sqrt(1/9000) + 1/9000.
    assert keep_probabilities(counts, sample=1e-4)[0] == pytest.approx(1 / np.sqrt(9000) + 1 / 9000, rel=1e-12)


@pytest.mark.parametrize("sample", [0, 0.0, None])
def test_keep_probabilities_off(sample):
    np.testing.assert_array_equal(keep_probabilities([5, 1, 1000], sample=sample), [1, 1, 1])


@pytest.mark.parametrize("sample, error", [(-1e-3, ValueError), (np.inf, ValueError), ("1e-3", TypeError)])
def test_keep_probabilities_bad_sample(sample, error):
    with pytest.raises(error, match="sample"):
        keep_probabilities([5, 1], sample=sample)


def test_subsample_keep_rates():
    keep_probs = np.array([0.1, 0.5, 0.9, 1.0, 0.0])
    rng = np.random.default_rng(5)
    token_ids = rng.integers(0, 5, size=50_000)
    kept = subsample(token_ids, keep_probs, seed=9)
    assert kept.dtype == np.int32
    n_seen = np.bincount(token_ids, minlength=5)
    n_kept = np.bincount(kept, minlength=5)
    for word in range(3):
        assert stats.binomtest(int(n_kept[word]), int(n_seen[word]), keep_probs[word]).pvalue > 1e-3
    assert n_kept[3] == n_seen[3] and n_kept[4] == 0


def test_subsample_preserves_order_and_is_reproducible():
    token_ids = np.arange(1000)  # distinct ids, so the kept ones must come out increasing
    keep_probs = np.full(1000, 0.5)
    kept = subsample(token_ids, keep_probs, seed=3)
    assert np.all(np.diff(kept) > 0) and 350 < kept.size < 650
    np.testing.assert_array_equal(kept, subsample(token_ids, keep_probs, seed=np.random.default_rng(3)))
    assert not np.array_equal(kept, subsample(token_ids, keep_probs, seed=4))


def test_subsample_sentence_starts_by_hand():
    # Word 0 is always dropped, word 1 always kept. Positions 1, 3, 4 survive.
    token_ids = [0, 1, 0, 1, 1, 0]
    kept, starts = subsample(token_ids, [0.0, 1.0], seed=0, sentence_starts=[0, 2, 5])
    np.testing.assert_array_equal(kept, [1, 1, 1])
    # Sentence [0, 1] keeps 1 token, [0, 1, 1] keeps 2, [0] keeps none: starts 0, 1, 3.
    np.testing.assert_array_equal(starts, [0, 1, 3])


def test_subsample_bad_input():
    with pytest.raises(IndexError, match="5"):
        subsample([0, 5], [0.5] * 3, seed=0)
    with pytest.raises(ValueError, match="probabilities"):
        subsample([0, 1], [0.5, 1.5], seed=0)
    with pytest.raises(TypeError, match="integer"):
        subsample([0.0, 1.0], [0.5, 0.5], seed=0)


# --- window pairs -------------------------------------------------------------------------------------------


def sentence_of(position, starts):
    """Brute force: the index of the last start at or before ``position`` (-1 before the first)."""
    label = -1
    for i, start in enumerate(starts):
        if start <= position:
            label = i
    return label


def check_pairs_brute_force(n, window, starts, seed):
    """With token ids 0..n-1 the returned ids are positions, so every pair can be checked by position."""
    centers, outsides = window_pairs(np.arange(n), window, seed, sentence_starts=starts)
    assert centers.dtype == np.int32 and outsides.dtype == np.int32 and centers.shape == outsides.shape
    starts_list = [] if starts is None else list(starts)
    pairs = list(zip(centers.tolist(), outsides.tolist()))
    assert pairs == sorted(pairs), "pairs are grouped by center, outside positions ascending"
    assert len(set(pairs)) == len(pairs)
    by_center = {}
    for c, o in pairs:
        assert c != o and abs(c - o) <= window
        assert sentence_of(c, starts_list) == sentence_of(o, starts_list), "a pair crosses a sentence"
        by_center.setdefault(c, set()).add(o)
    # Each center's outside set is a full window of some b in 1..window, cut at the sentence ends.
    reduced = {}
    for c in range(n):
        got = by_center.get(c, set())
        same = [j for j in range(n) if j != c and sentence_of(j, starts_list) == sentence_of(c, starts_list)]
        fits = [b for b in range(1, window + 1) if got == {j for j in same if abs(j - c) <= b}]
        assert fits, f"center {c}: {sorted(got)} is not a dynamic window"
        reduced[c] = fits
    return reduced


@pytest.mark.parametrize("n, window, starts", [
    (40, 3, None),
    (40, 5, [0, 7, 8, 8, 20, 33]),  # a one-word sentence, an empty one
    (25, 4, [3, 10, 25]),  # tokens before the first start, an empty last sentence
    (6, 10, [0, 2]),  # window wider than the sentences
    (1, 2, None),
])
def test_window_pairs_brute_force(n, window, starts):
    for seed in range(3):
        check_pairs_brute_force(n, window, starts, seed)


def test_window_pairs_maps_ids():
    # The window draws depend only on the seed and n, so real ids are the positions' ids.
    token_ids = np.array([5, 2, 2, 9, 0, 5, 7, 3])
    pos_c, pos_o = window_pairs(np.arange(8), 3, 11, sentence_starts=[0, 3])
    centers, outsides = window_pairs(token_ids, 3, 11, sentence_starts=[0, 3])
    np.testing.assert_array_equal(centers, token_ids[pos_c])
    np.testing.assert_array_equal(outsides, token_ids[pos_o])


def test_window_pairs_by_hand_window_1():
    # window = 1 means b = 1 always: each word pairs with its neighbours inside its sentence.
    centers, outsides = window_pairs([10, 11, 12, 13], 1, 0, sentence_starts=[0, 2])
    assert list(zip(centers.tolist(), outsides.tolist())) == [(10, 11), (11, 10), (12, 13), (13, 12)]


def test_window_sizes_uniform_chi_square():
    window, n = 5, 30_000
    centers, _ = window_pairs(np.arange(n), window, seed=2024)
    per_center = np.bincount(centers, minlength=n)[window:n - window]  # away from the ends: 2b pairs
    assert np.all(per_center % 2 == 0)
    observed = np.bincount(per_center // 2, minlength=window + 1)
    assert observed[0] == 0
    result = stats.chisquare(observed[1:], np.full(window, per_center.size / window))
    assert result.pvalue > 1e-3


def test_window_pairs_seeded_reproducibility():
    token_ids = np.arange(200) % 17
    a = window_pairs(token_ids, 5, 8)
    b = window_pairs(token_ids, 5, np.random.default_rng(8))
    c = window_pairs(token_ids, 5, 9)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].shape != c[0].shape or not np.array_equal(a[1], c[1])


def test_window_pairs_empty():
    centers, outsides = window_pairs(np.array([], dtype=np.int32), 5, 0)
    assert centers.shape == outsides.shape == (0,) and centers.dtype == np.int32


@pytest.mark.parametrize("kwargs, error, match", [
    ({"window": 0}, ValueError, "window"),
    ({"window": 2.5}, TypeError, "window"),
    ({"window": True}, TypeError, "window"),
    ({"token_ids": [[1, 2]]}, ValueError, "1-D"),
    ({"token_ids": [0.5, 1.0]}, TypeError, "integer"),
    ({"token_ids": [-1, 2]}, IndexError, "-1"),
    ({"sentence_starts": [0, 3, 2]}, ValueError, "sorted"),
    ({"sentence_starts": [0, 9]}, ValueError, "0..4"),
    ({"sentence_starts": [0.0, 2.0]}, TypeError, "integer"),
])
def test_window_pairs_bad_input(kwargs, error, match):
    arguments = {"token_ids": [1, 2, 3, 4], "window": 2, "seed": 0, **kwargs}
    with pytest.raises(error, match=match):
        window_pairs(**arguments)
