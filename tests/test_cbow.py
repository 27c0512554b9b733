"""CBOW with negative sampling and with hierarchical softmax: hand-worked windows, the one-word window as
word2vec.c's skip-gram pair, word2vec.c's update (and its factor n), and gradchecks with repeated words."""

import numpy as np
import pytest

from w2v_lib.cbow import cbow_hierarchical_softmax_loss_and_gradient, cbow_neg_sampling_loss_and_gradient
from w2v_lib.gradcheck import assert_gradcheck
from w2v_lib.hierarchical_softmax import (
    hierarchical_softmax_loss_and_gradient,
    skipgram_hierarchical_softmax_loss_and_gradient,
)
from w2v_lib.huffman import build_huffman_tree
from w2v_lib.losses import neg_sampling_loss_and_gradient

SIGMOID_HALF = 0.6224593312018546  # σ(0.5)
SIGMOID_MINUS_ONE = 0.2689414213699951  # σ(-1)
# The hand-worked pair of test_losses.py: v_c = [1, 2], u_o = [0.5, 0], negatives u_1 = [0, 0.25], u_2 = [-1, 0].
PAIR_LOSS = 0.47407698418010663 + 0.9740769841801068 + 0.3132616875182228
PAIR_GRAD_INPUT = (-(1 - SIGMOID_HALF) * np.array([0.5, 0.0]) + SIGMOID_HALF * np.array([0.0, 0.25])
                   + SIGMOID_MINUS_ONE * np.array([-1.0, 0.0]))

OUTSIDE_VECTORS = np.array([[0.5, 0.0], [0.0, 0.25], [-1.0, 0.0]])


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# --- hand-worked --------------------------------------------------------------------------------------------------

def test_hand_worked_neg_sampling_window():
    # Outside words 1 and 2 with input vectors [2, 0] and [0, 4]: their mean is [1, 2], the v_c of the pair
    # case, and the center word 0 plays the outside word u_o = [0.5, 0]. So the loss is that pair's loss,
    # dJ/dU is its dJ/dU, and each of the two outside rows gets half of its dJ/dv_c.
    center_vectors = np.array([[9.0, 9.0], [2.0, 0.0], [0.0, 4.0]])
    loss, grad_center_vectors, grad_outside_vectors = cbow_neg_sampling_loss_and_gradient(
        0, [1, 2], center_vectors, OUTSIDE_VECTORS, [1, 2])
    assert loss == pytest.approx(PAIR_LOSS, rel=1e-14)
    np.testing.assert_allclose(grad_center_vectors, [[0.0, 0.0], PAIR_GRAD_INPUT / 2, PAIR_GRAD_INPUT / 2],
                               rtol=1e-14)
    mean = np.array([1.0, 2.0])
    np.testing.assert_allclose(grad_outside_vectors, [-(1 - SIGMOID_HALF) * mean, SIGMOID_HALF * mean,
                                                      SIGMOID_MINUS_ONE * mean], rtol=1e-14)


def test_hand_worked_repeated_outside_word():
    # Outside words [1, 1, 2] with vectors [1.5, 0], [1.5, 0], [0, 6]: the mean is again [1, 2]. Word 1 occurs
    # twice out of three, so its row gets 2/3 of dJ/dv̄ and word 2's row 1/3.
    center_vectors = np.array([[9.0, 9.0], [1.5, 0.0], [0.0, 6.0]])
    loss, grad_center_vectors, _ = cbow_neg_sampling_loss_and_gradient(0, [1, 1, 2], center_vectors,
                                                                       OUTSIDE_VECTORS, [1, 2])
    assert loss == pytest.approx(PAIR_LOSS, rel=1e-14)
    np.testing.assert_allclose(grad_center_vectors[1:], [2 / 3 * PAIR_GRAD_INPUT, 1 / 3 * PAIR_GRAD_INPUT],
                               rtol=1e-14)


def test_hand_worked_hierarchical_softmax_window():
    # Tree of counts [8, 4, 3, 2]: word 0 has code [0] and path [2] (the root). With the mean [1, 2] and
    # q_2 = [-1, 0]: J = -log σ(q_2·v̄) = -log σ(-1), dJ/dv̄ = (σ(-1) - 1) q_2, dJ/dq_2 = (σ(-1) - 1) v̄.
    tree = build_huffman_tree([8, 4, 3, 2])
    center_vectors = np.array([[9.0, 9.0], [2.0, 0.0], [0.0, 4.0], [7.0, 7.0]])
    node_vectors = np.array([[0.5, 0.0], [0.0, 0.25], [-1.0, 0.0]])
    loss, grad_center_vectors, grad_nodes = cbow_hierarchical_softmax_loss_and_gradient(
        0, [1, 2], center_vectors, node_vectors, tree)
    assert loss == pytest.approx(1.3132616875182228, rel=1e-14)
    half = (SIGMOID_MINUS_ONE - 1) * np.array([-1.0, 0.0]) / 2
    np.testing.assert_allclose(grad_center_vectors, [[0, 0], half, half, [0, 0]], rtol=1e-14)
    np.testing.assert_allclose(grad_nodes, [[0, 0], [0, 0], (SIGMOID_MINUS_ONE - 1) * np.array([1.0, 2.0])],
                               rtol=1e-14)


# --- a one-word window is word2vec.c's skip-gram pair ---------------------------------------------------------------

def test_one_outside_word_is_word2vec_c_skipgram_pair_with_negative_sampling():
    # word2vec.c's skip-gram scores syn0[outside word] against syn1neg[center word] and the negatives: the
    # course's pair loss with v = V[o] as the input and c as the word to predict. CBOW with the window [o] is
    # exactly that.
    rng = np.random.default_rng(0)
    center_vectors, outside_vectors = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    center_idx, outside_idx, negatives = 4, 1, np.array([0, 4, 4, 2])
    loss, grad_center_vectors, grad_outside_vectors = cbow_neg_sampling_loss_and_gradient(
        center_idx, [outside_idx], center_vectors, outside_vectors, negatives)
    pair_loss, pair_grad_input, pair_grad_outside = neg_sampling_loss_and_gradient(
        center_vectors[outside_idx], center_idx, outside_vectors, negatives)
    assert loss == pytest.approx(pair_loss, rel=1e-14)
    expected = np.zeros_like(center_vectors)
    expected[outside_idx] = pair_grad_input
    np.testing.assert_allclose(grad_center_vectors, expected, rtol=1e-14)
    np.testing.assert_allclose(grad_outside_vectors, pair_grad_outside, rtol=1e-14)


def test_one_outside_word_is_word2vec_c_skipgram_pair_with_hierarchical_softmax():
    rng = np.random.default_rng(1)
    tree = build_huffman_tree([9, 7, 4, 4, 2, 1])
    center_vectors, node_vectors = rng.normal(size=(6, 3)), rng.normal(size=(5, 3))
    center_idx, outside_idx = 5, 2
    loss, grad_center_vectors, grad_nodes = cbow_hierarchical_softmax_loss_and_gradient(
        center_idx, [outside_idx], center_vectors, node_vectors, tree)
    pair_loss, pair_grad_input, pair_grad_nodes = hierarchical_softmax_loss_and_gradient(
        center_vectors[outside_idx], center_idx, node_vectors, tree)
    assert loss == pytest.approx(pair_loss, rel=1e-14)
    np.testing.assert_allclose(grad_center_vectors[outside_idx], pair_grad_input, rtol=1e-14)
    np.testing.assert_allclose(grad_nodes, pair_grad_nodes, rtol=1e-14)
    # In the course's skip-gram direction, that is the window of center o with the single outside word c.
    window = skipgram_hierarchical_softmax_loss_and_gradient(outside_idx, [center_idx], center_vectors,
                                                             node_vectors, tree)
    assert window[0] == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(window[1], grad_center_vectors, rtol=1e-14)
    np.testing.assert_allclose(window[2], grad_nodes, rtol=1e-14)


# --- word2vec.c's update: -alpha dJ/dv̄ added to every outside word, n times the gradient step --------------------

def test_word2vec_c_update_is_n_times_the_gradient_for_input_rows():
    # word2vec.c's CBOW step (cbow_mean, negative sampling), written from its loop in float64 without the
    # sigmoid table: neu1 = mean of syn0 rows; for the target (label 1) and each negative (label 0):
    # g = (label - σ(neu1·syn1neg[t])) alpha, neu1e += g syn1neg[t], syn1neg[t] += g neu1; then
    # syn0[o] += neu1e for every outside occurrence. Negatives distinct and not the center, so the order of
    # the updates does not matter.
    rng = np.random.default_rng(2)
    syn0, syn1neg, alpha = rng.normal(size=(8, 3)), rng.normal(size=(8, 3)), 0.025
    center_idx, outside_indices, negatives = 0, np.array([3, 5, 3, 7]), np.array([1, 2, 6])
    _, grad_center_vectors, grad_outside_vectors = cbow_neg_sampling_loss_and_gradient(
        center_idx, outside_indices, syn0, syn1neg, negatives)

    new_syn0, new_syn1neg = syn0.copy(), syn1neg.copy()
    neu1 = syn0[outside_indices].mean(axis=0)
    neu1e = np.zeros(3)
    for target, label in [(center_idx, 1)] + [(negative, 0) for negative in negatives]:
        g = (label - sigmoid(neu1 @ new_syn1neg[target])) * alpha
        neu1e += g * new_syn1neg[target]
        new_syn1neg[target] += g * neu1
    for outside in outside_indices:
        new_syn0[outside] += neu1e

    n = len(outside_indices)
    np.testing.assert_allclose(new_syn1neg - syn1neg, -alpha * grad_outside_vectors, rtol=1e-12, atol=1e-17)
    np.testing.assert_allclose(new_syn0 - syn0, -alpha * n * grad_center_vectors, rtol=1e-12, atol=1e-17)


# --- gradchecks ---------------------------------------------------------------------------------------------------

SHAPES = [(2, 1, 1, 1), (3, 2, 2, 2), (5, 4, 3, 4), (7, 3, 5, 6), (12, 5, 2, 10)]  # (V, d, K, n)


def random_window(vocab_size, dim, k, n_outside, kind, seed):
    rng = np.random.default_rng(seed)
    center_idx = int(rng.integers(vocab_size))
    outside_indices = {
        "random": rng.integers(vocab_size, size=n_outside),
        "repeated": np.full(n_outside + 1, (center_idx + 1) % vocab_size),
        "include_center": np.append(rng.integers(vocab_size, size=n_outside - 1), center_idx),
    }[kind]
    negative_indices = {
        "random": rng.integers(vocab_size, size=k),
        "repeated": np.full(k + 1, (center_idx + 1) % vocab_size),
        "include_center": np.append(rng.integers(vocab_size, size=k - 1), center_idx),
    }[kind]
    center_vectors = rng.normal(scale=0.8, size=(vocab_size, dim))
    outside_vectors = rng.normal(scale=0.8, size=(vocab_size, dim))
    node_vectors = rng.normal(scale=0.8, size=(vocab_size - 1, dim))
    tree = build_huffman_tree(np.sort(rng.integers(1, 30, size=vocab_size))[::-1])
    return center_idx, outside_indices, negative_indices, center_vectors, outside_vectors, node_vectors, tree


def loss_and_second(result):
    return result[0], result[1]


def loss_and_third(result):
    return result[0], result[2]


KINDS = ["random", "repeated", "include_center"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", KINDS)
def test_gradcheck_cbow_neg_sampling(shape, kind):
    c, outside, negatives, center_vectors, outside_vectors, _, _ = random_window(*shape, kind, seed=3)
    assert_gradcheck(lambda v: loss_and_second(cbow_neg_sampling_loss_and_gradient(
        c, outside, v, outside_vectors, negatives)), center_vectors)
    assert_gradcheck(lambda u: loss_and_third(cbow_neg_sampling_loss_and_gradient(
        c, outside, center_vectors, u, negatives)), outside_vectors)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", KINDS)
def test_gradcheck_cbow_hierarchical_softmax(shape, kind):
    c, outside, _, center_vectors, _, node_vectors, tree = random_window(*shape, kind, seed=4)
    assert_gradcheck(lambda v: loss_and_second(cbow_hierarchical_softmax_loss_and_gradient(
        c, outside, v, node_vectors, tree)), center_vectors)
    assert_gradcheck(lambda q: loss_and_third(cbow_hierarchical_softmax_loss_and_gradient(
        c, outside, center_vectors, q, tree)), node_vectors)


def test_float32_inputs_keep_dtype():
    rng = np.random.default_rng(5)
    center_vectors, outside_vectors = (rng.normal(size=(4, 3)).astype(np.float32) for _ in range(2))
    _, grad_center_vectors, grad_outside_vectors = cbow_neg_sampling_loss_and_gradient(
        0, [1, 2], center_vectors, outside_vectors, [3])
    assert grad_center_vectors.dtype == np.float32 and grad_outside_vectors.dtype == np.float32


# --- validation ---------------------------------------------------------------------------------------------------

TREE = build_huffman_tree([4, 3, 2, 1])
VECTORS = np.zeros((4, 3))
NODES = np.zeros((3, 3))


@pytest.mark.parametrize("call, error, pieces", [
    (lambda: cbow_neg_sampling_loss_and_gradient(0, [], VECTORS, VECTORS, [1]), ValueError,
     ["outside_indices is empty", "at least one outside word"]),
    (lambda: cbow_hierarchical_softmax_loss_and_gradient(0, [], VECTORS, NODES, TREE), ValueError,
     ["outside_indices is empty"]),
    (lambda: cbow_neg_sampling_loss_and_gradient(0, [1], VECTORS, np.zeros((5, 3)), [1]), ValueError,
     ["outside_vectors", "(4, 3)", "(5, 3)"]),
    (lambda: cbow_neg_sampling_loss_and_gradient(4, [1], VECTORS, VECTORS, [1]), IndexError, ["center_idx", "4"]),
    (lambda: cbow_neg_sampling_loss_and_gradient(0, [1, 9], VECTORS, VECTORS, [1]), IndexError,
     ["outside_indices", "9"]),
    (lambda: cbow_neg_sampling_loss_and_gradient(0, [1], VECTORS, VECTORS, [[1]]), ValueError,
     ["negative_indices", "(K,)", "(1, 1)"]),
    (lambda: cbow_hierarchical_softmax_loss_and_gradient(0, [1], np.zeros((5, 3)), NODES, TREE), ValueError,
     ["center_vectors", "(4, d)", "(5, 3)"]),
    (lambda: cbow_hierarchical_softmax_loss_and_gradient(0, [1], VECTORS, np.zeros((4, 3)), TREE), ValueError,
     ["node_vectors", "(3, 3)", "(4, 3)"]),
    (lambda: cbow_hierarchical_softmax_loss_and_gradient(0, [1], VECTORS, NODES, None), TypeError,
     ["tree", "HuffmanTree"]),
])
def test_validation_errors_name_argument_and_shapes(call, error, pieces):
    with pytest.raises(error) as raised:
        call()
    for piece in pieces:
        assert piece in str(raised.value)
