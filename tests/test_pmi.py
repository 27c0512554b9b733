"""Co-occurrence counts, PMI, SPPMI and the SVD embedding: against a Counter, plain loops over the definitions,
hand-worked numbers, a numerical minimization of SGNS's expected loss per cell, and numpy's dense SVD."""

import math
from collections import Counter

import numpy as np
import pytest
from scipy import optimize, sparse

from w2v_lib.losses import log_sigmoid
from w2v_lib.pmi import cooccurrence_counts, pmi, shifted_positive_pmi, svd_embedding

# Pairs of a tiny corpus "a b a c a b" (ids a=0, b=1, c=2) with a fixed window of one word on each side:
# (a,b) (b,a) (b,a) (a,b) (a,c) (c,a) (c,a) (a,c) (a,b) (b,a)
TINY_CENTERS = [0, 1, 1, 0, 0, 2, 2, 0, 0, 1]
TINY_OUTSIDES = [1, 0, 0, 1, 2, 0, 0, 2, 1, 0]


def brute_force_pmi(counts, noise_probs=None):
    """PMI of each cell by the definition, one cell at a time with Python floats."""
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    result = np.empty_like(counts)
    for c in range(counts.shape[0]):
        for o in range(counts.shape[1]):
            p_co = counts[c, o] / total
            p_c = counts[c].sum() / total
            p_o = counts[:, o].sum() / total if noise_probs is None else noise_probs[o]
            result[c, o] = math.log(p_co / (p_c * p_o)) if p_co > 0 else -math.inf
    return result


def asymmetric_counts():
    """Rectangular weighted counts whose row and column sums differ, with zero cells and an empty row."""
    counts = np.array([[3.0, 0.0, 1.0, 2.5],
                       [0.0, 0.0, 0.0, 0.0],
                       [1.0, 7.0, 0.0, 0.5],
                       [0.0, 2.0, 4.0, 0.0],
                       [6.0, 1.0, 0.0, 1.0]])
    return counts


def test_counts_of_a_tiny_corpus_by_hand():
    counts = cooccurrence_counts(TINY_CENTERS, TINY_OUTSIDES, 3)
    assert sparse.issparse(counts) and counts.shape == (3, 3)
    np.testing.assert_array_equal(counts.toarray(), [[0, 3, 2], [3, 0, 0], [2, 0, 0]])


def test_counts_match_a_counter_on_random_pairs():
    rng = np.random.default_rng(0)
    centers, outsides = rng.integers(0, 7, size=500), rng.integers(0, 7, size=500)
    counts = cooccurrence_counts(centers, outsides, 9)  # words 7 and 8 never occur
    expected = np.zeros((9, 9), dtype=int)
    for (c, o), n in Counter(zip(centers.tolist(), outsides.tolist())).items():
        expected[c, o] = n
    np.testing.assert_array_equal(counts.toarray(), expected)
    assert counts.nnz == np.count_nonzero(expected)  # only the pairs that occur are stored


def test_pmi_by_hand():
    # |D| = 10; #(a,·) = #(·,a) = 5, #(b,·) = #(·,b) = 3, #(c,·) = #(·,c) = 2
    result = pmi(cooccurrence_counts(TINY_CENTERS, TINY_OUTSIDES, 3))
    assert result[0, 1] == pytest.approx(math.log(3 * 10 / (5 * 3)))
    assert result[0, 2] == pytest.approx(math.log(2 * 10 / (5 * 2)))
    assert result[2, 0] == pytest.approx(math.log(2))
    assert np.isneginf(result[[0, 1, 1, 2, 2], [0, 1, 2, 1, 2]]).all()


@pytest.mark.parametrize("as_sparse", [False, True])
def test_pmi_matches_the_definition_on_asymmetric_counts(as_sparse):
    counts = asymmetric_counts()
    given = sparse.csr_array(counts) if as_sparse else counts
    np.testing.assert_allclose(pmi(given), brute_force_pmi(counts), rtol=1e-12)


def test_pmi_with_noise_probabilities_matches_the_definition():
    counts = asymmetric_counts()
    noise_probs = np.array([0.4, 0.3, 0.2, 0.1])
    np.testing.assert_allclose(pmi(counts, noise_probs), brute_force_pmi(counts, noise_probs), rtol=1e-12)


def test_a_single_pair_has_pmi_zero():
    counts = np.zeros((3, 4))
    counts[1, 2] = 5
    result = pmi(counts)
    assert result[1, 2] == 0.0
    assert np.isneginf(np.delete(result.ravel(), 1 * 4 + 2)).all()


def test_huge_counts_do_not_overflow():
    counts = np.array([[1e200, 1e200], [1e200, 3e200]])
    np.testing.assert_allclose(pmi(counts), brute_force_pmi(counts / 1e200), rtol=1e-12)


def test_shifted_pmi_is_the_optimum_of_the_expected_sgns_loss():
    # Cell (c, o)'s part of the expected loss: #(c,o) (-log σ(x)) + K #(c,·) P_n(o) (-log σ(-x)).
    counts, negative = asymmetric_counts(), 5
    noise_probs = np.array([0.1, 0.2, 0.3, 0.4])
    optimum = pmi(counts, noise_probs) - np.log(negative)
    for c, o in zip(*np.nonzero(counts)):
        positives, negatives = counts[c, o], negative * counts[c].sum() * noise_probs[o]
        found = optimize.minimize_scalar(lambda x, a=positives, b=negatives: -a * log_sigmoid(x) - b * log_sigmoid(-x),
                                         bounds=(-20, 20), method="bounded", options={"xatol": 1e-10})
        assert found.x == pytest.approx(optimum[c, o], abs=1e-6)


@pytest.mark.parametrize("negative", [1, 5])
def test_shifted_positive_pmi_is_the_clipped_shifted_pmi(negative):
    counts = asymmetric_counts()
    result = shifted_positive_pmi(sparse.csr_array(counts), negative)
    assert sparse.issparse(result) and result.shape == counts.shape
    expected = np.maximum(brute_force_pmi(counts) - np.log(negative), 0)
    np.testing.assert_allclose(result.toarray(), expected, rtol=1e-12, atol=0)
    assert (result.data > 0).all()  # no explicit zeros stored
    noise_probs = np.array([0.4, 0.3, 0.2, 0.1])
    np.testing.assert_allclose(shifted_positive_pmi(counts, negative, noise_probs).toarray(),
                               np.maximum(brute_force_pmi(counts, noise_probs) - np.log(negative), 0), rtol=1e-12)


def test_pmi_functions_do_not_change_their_inputs():
    counts, noise_probs = asymmetric_counts(), np.array([0.4, 0.3, 0.2, 0.1])
    counts.flags.writeable = noise_probs.flags.writeable = False
    pmi(counts, noise_probs)
    shifted_positive_pmi(counts, 5, noise_probs)
    sparse_counts = sparse.csr_array(asymmetric_counts())
    before = sparse_counts.toarray()
    shifted_positive_pmi(sparse_counts, 5)
    np.testing.assert_array_equal(sparse_counts.toarray(), before)


@pytest.mark.parametrize("power", [0.0, 0.5, 1.0])
def test_svd_embedding_is_the_best_rank_d_approximation(power):
    matrix = np.random.default_rng(1).random((30, 20))
    center_vectors, outside_vectors, singular_values = svd_embedding(sparse.csr_array(matrix), 6, singular_value_power=power)
    left, values, right_t = np.linalg.svd(matrix)
    np.testing.assert_allclose(singular_values, values[:6], rtol=1e-10)
    np.testing.assert_allclose(center_vectors @ outside_vectors.T, (left[:, :6] * values[:6]) @ right_t[:6],
                               atol=1e-10)
    # V = W Σ^p with orthonormal W: the columns of V are orthogonal with squared norms σ^(2p).
    np.testing.assert_allclose(center_vectors.T @ center_vectors, np.diag(values[:6] ** (2 * power)), atol=1e-9)
    np.testing.assert_allclose(outside_vectors.T @ outside_vectors, np.diag(values[:6] ** (2 - 2 * power)),
                               atol=1e-9)


def test_svd_embedding_similarities_do_not_depend_on_the_seed():
    matrix = sparse.random_array((40, 40), density=0.3, rng=np.random.default_rng(2))
    first, _, _ = svd_embedding(matrix, 5, seed=0)
    second, _, _ = svd_embedding(matrix, 5, seed=7)
    again, _, _ = svd_embedding(matrix, 5, seed=0)
    np.testing.assert_array_equal(first, again)

    def cosines(vectors):
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return unit @ unit.T

    np.testing.assert_allclose(cosines(first), cosines(second), atol=1e-8)
    # The sign convention: the largest entry of each singular vector is positive, whatever the seed.
    np.testing.assert_allclose(first, second, atol=1e-8)


@pytest.mark.parametrize("call, words", [
    (lambda: pmi(np.array([1.0, 2.0])), "2-D"),
    (lambda: pmi(np.zeros((2, 2))), "all zero"),
    (lambda: pmi(np.array([[1.0, -1.0], [0.0, 1.0]])), ">= 0"),
    (lambda: pmi(np.array([[1.0, np.nan], [0.0, 1.0]])), "finite"),
    (lambda: pmi(np.eye(2), noise_probs=[1.0]), "shape (2,)"),
    (lambda: pmi(np.eye(2), noise_probs=[1.0, 0.0]), "outside word 1"),
    (lambda: shifted_positive_pmi(np.eye(2), negative=0), "negative"),
    (lambda: cooccurrence_counts([0, 1], [1], 2), "one entry per center"),
    (lambda: cooccurrence_counts([0, 2], [1, 1], 2), "out of range"),
    (lambda: cooccurrence_counts([0.0, 1.0], [1, 1], 2), "integer word ids"),
    (lambda: svd_embedding(np.eye(4), 4), "smaller than"),
    (lambda: svd_embedding(np.eye(4), 2, singular_value_power=1.5), "at most 1"),
])
def test_bad_input_is_refused_with_a_message(call, words):
    with pytest.raises((TypeError, ValueError, IndexError), match=None) as error:
        call()
    assert words in str(error.value)
