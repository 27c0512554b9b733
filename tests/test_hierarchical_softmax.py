"""Hierarchical softmax: hand-worked losses and gradients, probabilities that sum to 1, the two-word case as
logistic regression, word2vec.c's update, and gradchecks of every gradient."""

import numpy as np
import pytest

from w2v_lib.gradcheck import assert_gradcheck
from w2v_lib.hierarchical_softmax import (
    hierarchical_softmax_loss_and_gradient,
    skipgram_hierarchical_softmax_loss_and_gradient,
)
from w2v_lib.huffman import build_huffman_tree

# From the definitions with a pocket calculator (as in test_losses.py):
SIGMOID_HALF = 0.6224593312018546  # σ(0.5)
SIGMOID_MINUS_ONE = 0.2689414213699951  # σ(-1)
NEG_LOG_SIGMOID_HALF = 0.47407698418010663  # -log σ(0.5)
NEG_LOG_SIGMOID_MINUS_HALF = 0.9740769841801068  # -log σ(-0.5)
NEG_LOG_SIGMOID_ONE = 0.3132616875182228  # -log σ(1)
NEG_LOG_SIGMOID_MINUS_ONE = 1.3132616875182228  # -log σ(-1)

# The tree of counts [8, 4, 3, 2] (test_huffman.test_hand_worked_no_ties):
#   word 0: code [0],       path [2]
#   word 1: code [1, 0],    path [2, 1]
#   word 2: code [1, 1, 1], path [2, 1, 0]
#   word 3: code [1, 1, 0], path [2, 1, 0]
TREE = build_huffman_tree([8, 4, 3, 2])
# x = [1, 2]; q_0 = [0.5, 0], q_1 = [0, 0.25], q_2 = [-1, 0]: scores q_0·x = 0.5, q_1·x = 0.5, q_2·x = -1.
INPUT_VEC = np.array([1.0, 2.0])
NODE_VECTORS = np.array([[0.5, 0.0], [0.0, 0.25], [-1.0, 0.0]])


# --- hand-worked ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("word, expected", [
    # bit 0 at a node is the σ(+q·x) turn, bit 1 the σ(-q·x) turn:
    (0, NEG_LOG_SIGMOID_MINUS_ONE),  # -log σ(q_2·x)
    (1, NEG_LOG_SIGMOID_ONE + NEG_LOG_SIGMOID_HALF),  # -log σ(-q_2·x) - log σ(q_1·x)
    (2, NEG_LOG_SIGMOID_ONE + NEG_LOG_SIGMOID_MINUS_HALF + NEG_LOG_SIGMOID_MINUS_HALF),
    (3, NEG_LOG_SIGMOID_ONE + NEG_LOG_SIGMOID_MINUS_HALF + NEG_LOG_SIGMOID_HALF),
])
def test_hand_worked_losses(word, expected):
    loss, _, _ = hierarchical_softmax_loss_and_gradient(INPUT_VEC, word, NODE_VECTORS, TREE)
    assert loss == pytest.approx(expected, rel=1e-14)


def test_hand_worked_gradients():
    # Word 3, path [2, 1, 0], code [1, 1, 0], labels 1 - code = [0, 0, 1]; dJ/dz = σ(z) - (1 - code):
    #   node 2: σ(-1) - 0;  node 1: σ(0.5) - 0;  node 0: σ(0.5) - 1
    # dJ/dx = Σ (σ(z) - (1 - code)) q;  dJ/dq_n = (σ(z) - (1 - code)) x on the path, 0 elsewhere.
    _, grad_input, grad_nodes = hierarchical_softmax_loss_and_gradient(INPUT_VEC, 3, NODE_VECTORS, TREE)
    coefs = np.array([SIGMOID_HALF - 1, SIGMOID_HALF, SIGMOID_MINUS_ONE])  # for nodes 0, 1, 2
    np.testing.assert_allclose(grad_input, [SIGMOID_MINUS_ONE * -1.0 + (SIGMOID_HALF - 1) * 0.5,
                                            SIGMOID_HALF * 0.25], rtol=1e-14)
    np.testing.assert_allclose(grad_nodes, np.outer(coefs, INPUT_VEC), rtol=1e-14)
    # Word 0 touches only the root.
    _, _, grad_nodes = hierarchical_softmax_loss_and_gradient(INPUT_VEC, 0, NODE_VECTORS, TREE)
    np.testing.assert_array_equal(grad_nodes[:2], 0.0)
    np.testing.assert_allclose(grad_nodes[2], (SIGMOID_MINUS_ONE - 1) * INPUT_VEC, rtol=1e-14)


def test_two_words_is_logistic_regression():
    # One inner node: p(word 1 | x) = σ(q·x) (word 1, the rarer, has code 0), p(word 0 | x) = 1 - σ(q·x).
    # The loss is the logistic (binary cross-entropy) loss log(1 + e^{-y z}) with z = q·x and y = +1 for word 1,
    # -1 for word 0, and its gradient w.r.t. x is (σ(z) - [word is 1]) q.
    tree = build_huffman_tree([5, 2])
    rng = np.random.default_rng(0)
    for _ in range(20):
        input_vec, node_vectors = rng.normal(size=4), rng.normal(scale=2.0, size=(1, 4))
        z = float(node_vectors[0] @ input_vec)
        for word, y in ((1, 1.0), (0, -1.0)):
            loss, grad_input, grad_nodes = hierarchical_softmax_loss_and_gradient(input_vec, word, node_vectors,
                                                                                 tree)
            assert loss == pytest.approx(np.log1p(np.exp(-y * z)), rel=1e-12)
            label = 1.0 if word == 1 else 0.0
            np.testing.assert_allclose(grad_input, (1 / (1 + np.exp(-z)) - label) * node_vectors[0], rtol=1e-12)
            np.testing.assert_allclose(grad_nodes[0], (1 / (1 + np.exp(-z)) - label) * input_vec, rtol=1e-12)


def test_code_bit_zero_is_the_sigmoid_plus_turn():
    # A large positive q·x sends the walk to the bit-0 child with probability ≈ 1.
    tree = build_huffman_tree([5, 2])
    loss_bit0, _, _ = hierarchical_softmax_loss_and_gradient([1.0], 1, [[30.0]], tree)
    loss_bit1, _, _ = hierarchical_softmax_loss_and_gradient([1.0], 0, [[30.0]], tree)
    assert loss_bit0 < 1e-12 and loss_bit1 == pytest.approx(30.0)


def test_update_matches_word2vec_c():
    # word2vec.c, per node d of the target's path: f = σ(x·q), g = (1 - code[d] - f) * alpha,
    # neu1e += g q (the input's update), q += g x. So its updates are -alpha times our gradients.
    rng = np.random.default_rng(1)
    tree = build_huffman_tree([9, 7, 4, 4, 2, 1])
    input_vec, node_vectors, alpha = rng.normal(size=3), rng.normal(size=(5, 3)), 0.025
    for word in range(6):
        _, grad_input, grad_nodes = hierarchical_softmax_loss_and_gradient(input_vec, word, node_vectors, tree)
        neu1e, syn1 = np.zeros(3), node_vectors.copy()
        for node, code in zip(tree.paths[word], tree.codes[word]):
            f = 1 / (1 + np.exp(-(input_vec @ syn1[node])))
            g = (1 - code - f) * alpha
            neu1e += g * syn1[node]
            syn1[node] += g * input_vec
        np.testing.assert_allclose(neu1e, -alpha * grad_input, rtol=1e-12)
        np.testing.assert_allclose(syn1 - node_vectors, -alpha * grad_nodes, rtol=1e-12, atol=1e-17)


# --- probabilities sum to 1 -------------------------------------------------------------------------------------

@pytest.mark.parametrize("vocab_size, dim, scale", [(2, 1, 1.0), (3, 2, 1.0), (7, 3, 3.0), (50, 5, 1.0),
                                                    (200, 8, 0.3), (40, 4, 10.0)])
def test_probabilities_over_the_vocabulary_sum_to_one(vocab_size, dim, scale):
    rng = np.random.default_rng(vocab_size)
    tree = build_huffman_tree(np.sort(rng.integers(1, 100, size=vocab_size))[::-1])
    for _ in range(5):
        input_vec = rng.normal(size=dim)
        node_vectors = rng.normal(scale=scale, size=(vocab_size - 1, dim))
        probabilities = [np.exp(-hierarchical_softmax_loss_and_gradient(input_vec, word, node_vectors, tree)[0])
                         for word in range(vocab_size)]
        assert abs(sum(probabilities) - 1.0) < 1e-12
        assert min(probabilities) > 0


# --- gradchecks ---------------------------------------------------------------------------------------------------

SHAPES = [(2, 1), (3, 2), (5, 4), (9, 3), (20, 5)]  # (vocab_size, d)


def random_problem(vocab_size, dim, seed):
    rng = np.random.default_rng(seed)
    tree = build_huffman_tree(np.sort(rng.integers(1, 50, size=vocab_size))[::-1])
    center_vectors = rng.normal(scale=0.8, size=(vocab_size, dim))
    node_vectors = rng.normal(scale=0.8, size=(vocab_size - 1, dim))
    return rng, tree, center_vectors, node_vectors


def loss_and_third(result):
    return result[0], result[2]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("which", ["most_frequent", "least_frequent", "middle"])
def test_gradcheck_pair(shape, which):
    vocab_size, dim = shape
    _, tree, center_vectors, node_vectors = random_problem(vocab_size, dim, seed=2)
    target = {"most_frequent": 0, "least_frequent": vocab_size - 1, "middle": vocab_size // 2}[which]
    input_vec = center_vectors[0]
    assert_gradcheck(lambda x: hierarchical_softmax_loss_and_gradient(x, target, node_vectors, tree)[:2],
                     input_vec)
    assert_gradcheck(lambda q: loss_and_third(hierarchical_softmax_loss_and_gradient(input_vec, target, q, tree)),
                     node_vectors)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("outside", ["random", "repeated", "include_center"])
def test_gradcheck_skipgram_window(shape, outside):
    vocab_size, dim = shape
    rng, tree, center_vectors, node_vectors = random_problem(vocab_size, dim, seed=3)
    center_idx = vocab_size - 1
    outside_indices = {
        "random": rng.integers(vocab_size, size=4),
        "repeated": np.array([0, 0, 1 % vocab_size, 0]),
        "include_center": np.append(rng.integers(vocab_size, size=3), center_idx),
    }[outside]
    assert_gradcheck(lambda v: skipgram_hierarchical_softmax_loss_and_gradient(
        center_idx, outside_indices, v, node_vectors, tree)[:2], center_vectors)
    assert_gradcheck(lambda q: loss_and_third(skipgram_hierarchical_softmax_loss_and_gradient(
        center_idx, outside_indices, center_vectors, q, tree)), node_vectors)


def test_skipgram_window_is_the_sum_of_its_pairs():
    center_vectors = np.array([[9.0, 9.0], [7.0, 7.0], [1.0, 2.0], [5.0, 5.0]])
    loss, grad_center_vectors, grad_nodes = skipgram_hierarchical_softmax_loss_and_gradient(
        2, [3, 0, 3], center_vectors, NODE_VECTORS, TREE)
    # The pair losses are the hand-worked ones at x = v_2 = [1, 2].
    assert loss == pytest.approx(2 * (NEG_LOG_SIGMOID_ONE + NEG_LOG_SIGMOID_MINUS_HALF + NEG_LOG_SIGMOID_HALF)
                                 + NEG_LOG_SIGMOID_MINUS_ONE, rel=1e-14)
    np.testing.assert_array_equal(grad_center_vectors[[0, 1, 3]], 0.0)
    # The root is on all three paths: 2 (σ(-1) - 0) + (σ(-1) - 1) = 3 σ(-1) - 1 times x.
    np.testing.assert_allclose(grad_nodes[2], (3 * SIGMOID_MINUS_ONE - 1) * center_vectors[2], rtol=1e-14)


def test_skipgram_window_without_outside_words_is_zero():
    loss, grad_center_vectors, grad_nodes = skipgram_hierarchical_softmax_loss_and_gradient(
        0, np.array([], dtype=int), np.ones((4, 2)), NODE_VECTORS, TREE)
    assert loss == 0.0 and not grad_center_vectors.any() and not grad_nodes.any()


def test_float32_inputs_keep_dtype():
    _, grad_input, grad_nodes = hierarchical_softmax_loss_and_gradient(
        INPUT_VEC.astype(np.float32), 2, NODE_VECTORS.astype(np.float32), TREE)
    assert grad_input.dtype == np.float32 and grad_nodes.dtype == np.float32


def test_inputs_are_not_modified():
    input_vec, node_vectors = INPUT_VEC.copy(), NODE_VECTORS.copy()
    hierarchical_softmax_loss_and_gradient(input_vec, 3, node_vectors, TREE)
    np.testing.assert_array_equal(input_vec, INPUT_VEC)
    np.testing.assert_array_equal(node_vectors, NODE_VECTORS)


# --- validation ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, pieces", [
    (lambda: hierarchical_softmax_loss_and_gradient(INPUT_VEC, 0, np.zeros((4, 2)), TREE), ValueError,
     ["node_vectors", "(3, 2)", "(4, 2)"]),
    (lambda: hierarchical_softmax_loss_and_gradient(INPUT_VEC, 0, np.zeros((3, 3)), TREE), ValueError,
     ["node_vectors", "(3, 2)", "(3, 3)"]),
    (lambda: hierarchical_softmax_loss_and_gradient(INPUT_VEC, 4, NODE_VECTORS, TREE), IndexError,
     ["target_idx", "4", "4 words"]),
    (lambda: hierarchical_softmax_loss_and_gradient(INPUT_VEC, 1.0, NODE_VECTORS, TREE), TypeError,
     ["target_idx", "float"]),
    (lambda: hierarchical_softmax_loss_and_gradient(np.zeros((2, 1)), 0, NODE_VECTORS, TREE), ValueError,
     ["input_vec", "(d,)"]),
    (lambda: hierarchical_softmax_loss_and_gradient(INPUT_VEC, 0, NODE_VECTORS, [[0], [1]]), TypeError,
     ["tree", "HuffmanTree", "list"]),
    (lambda: skipgram_hierarchical_softmax_loss_and_gradient(0, [1], np.zeros((5, 2)), NODE_VECTORS, TREE),
     ValueError, ["center_vectors", "(4, d)", "(5, 2)"]),
    (lambda: skipgram_hierarchical_softmax_loss_and_gradient(4, [1], np.zeros((4, 2)), NODE_VECTORS, TREE),
     IndexError, ["center_idx", "4"]),
    (lambda: skipgram_hierarchical_softmax_loss_and_gradient(0, [1, 7], np.zeros((4, 2)), NODE_VECTORS, TREE),
     IndexError, ["outside_indices", "7"]),
    (lambda: skipgram_hierarchical_softmax_loss_and_gradient(0, [[1]], np.zeros((4, 2)), NODE_VECTORS, TREE),
     ValueError, ["outside_indices", "(1, 1)"]),
])
def test_validation_errors_name_argument_and_shapes(call, error, pieces):
    with pytest.raises(error) as raised:
        call()
    for piece in pieces:
        assert piece in str(raised.value)
