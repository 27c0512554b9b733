"""Losses against hand-worked cases, gradients against finite differences, and every validation error."""

import numpy as np
import pytest

from w2v_lib.gradcheck import assert_gradcheck
from w2v_lib.losses import (
    log_sigmoid,
    naive_softmax_loss_and_gradient,
    neg_sampling_loss_and_gradient,
    sigmoid,
    skipgram_loss_and_gradient,
)

# Reference values, from the definitions with a pocket calculator:
SIGMOID_HALF = 0.6224593312018546  # σ(0.5) = 1 / (1 + e^-0.5)
SIGMOID_ONE = 0.7310585786300049  # σ(1)
SIGMOID_MINUS_ONE = 0.2689414213699951  # σ(-1) = 1 - σ(1)


# --- sigmoid and log-sigmoid -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_limits_without_overflow(dtype):
    x = np.array([-1e3, -50.0, 0.0, 50.0, 1e3], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # overflow would raise FloatingPointError (underflow to 0 is the right answer)
        result = sigmoid(x)
    assert result.dtype == dtype
    assert result[0] == 0.0 and result[-1] == 1.0 and result[2] == 0.5
    # σ(-50) = e^-50 / (1 + e^-50) ≈ e^-50 = 1.9287e-22, representable in both types
    assert result[1] == pytest.approx(1.9287498479639178e-22, rel=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_sigmoid_limits(dtype):
    x = np.array([-1e3, 0.0, 1e3], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        result = log_sigmoid(x)
    assert result.dtype == dtype
    # log σ(-1000) = -1000 - log(1 + e^-1000) = -1000 exactly in floating point; log σ(0) = -log 2
    np.testing.assert_array_equal(result[[0, 2]], np.array([-1e3, 0.0], dtype=dtype))
    assert result[1] == pytest.approx(-np.log(2.0), rel=1e-6)


def test_sigmoid_and_log_sigmoid_hand_values():
    x = np.array([-1.0, 0.5, 1.0])
    np.testing.assert_allclose(sigmoid(x), [SIGMOID_MINUS_ONE, SIGMOID_HALF, SIGMOID_ONE], rtol=1e-15)
    np.testing.assert_allclose(log_sigmoid(x), np.log([SIGMOID_MINUS_ONE, SIGMOID_HALF, SIGMOID_ONE]), rtol=1e-15)


def test_sigmoid_scalar_and_integer_input():
    assert sigmoid(0) == 0.5
    assert isinstance(sigmoid(1.0), float)
    assert log_sigmoid(0) == pytest.approx(-np.log(2))


# --- naive softmax -----------------------------------------------------------------------------------------

def test_naive_softmax_hand_worked():
    # v_c = [1, 0]; U rows [1, 0], [0, 1], [0, 0]; o = 0.
    # scores = U v_c = [1, 0, 0];  y_hat = [e, 1, 1] / (e + 2) = [0.57612, 0.21194, 0.21194]
    # J = -log(e / (e + 2)) = log(e + 2) - 1 = 0.5514447139320509
    # dJ/dv_c = Uᵀ(y_hat - y) = [y_hat_0 - 1, y_hat_1];  dJ/dU = (y_hat - y) v_cᵀ: first column y_hat - y, second 0
    y0, y1 = 0.5761168847658291, 0.21194155761708547
    loss, grad_center, grad_outside = naive_softmax_loss_and_gradient(
        np.array([1.0, 0.0]), 0, np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    )
    assert loss == pytest.approx(0.5514447139320509, rel=1e-14)
    np.testing.assert_allclose(grad_center, [y0 - 1, y1], rtol=1e-14)
    np.testing.assert_allclose(grad_outside, [[y0 - 1, 0.0], [y1, 0.0], [y1, 0.0]], rtol=1e-14)


def test_naive_softmax_large_scores_do_not_overflow():
    center_vec = np.array([1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grad_center, _ = naive_softmax_loss_and_gradient(center_vec, 1, np.array([[1.0], [0.0]]))
    # scores [1000, 0]: J = log(e^1000 + 1) - 0 = 1000 (to double precision)
    assert loss == pytest.approx(1000.0)
    assert np.all(np.isfinite(grad_center))


# --- negative sampling ------------------------------------------------------------------------------------

def test_neg_sampling_hand_worked():
    # v_c = [1, 2]; u_0 = [0.5, 0] (outside), negatives u_1 = [0, 0.25], u_2 = [-1, 0].
    # Scores: u_o·v_c = 0.5, u_1·v_c = 0.5, u_2·v_c = -1.
    # J = -log σ(0.5) - log σ(-0.5) - log σ(1)
    #   = 0.47407698418010663 + 0.9740769841801068 + 0.3132616875182228
    # dJ/dv_c = -(1 - σ(0.5)) u_o + σ(0.5) u_1 + σ(-1) u_2
    # dJ/du_o = -(1 - σ(0.5)) v_c;  dJ/du_1 = σ(0.5) v_c;  dJ/du_2 = σ(-1) v_c
    center_vec = np.array([1.0, 2.0])
    outside_vectors = np.array([[0.5, 0.0], [0.0, 0.25], [-1.0, 0.0]])
    loss, grad_center, grad_outside = neg_sampling_loss_and_gradient(center_vec, 0, outside_vectors, [1, 2])
    assert loss == pytest.approx(0.47407698418010663 + 0.9740769841801068 + 0.3132616875182228, rel=1e-14)
    expected_center = (-(1 - SIGMOID_HALF) * np.array([0.5, 0.0]) + SIGMOID_HALF * np.array([0.0, 0.25])
                       + SIGMOID_MINUS_ONE * np.array([-1.0, 0.0]))
    np.testing.assert_allclose(grad_center, expected_center, rtol=1e-14)
    np.testing.assert_allclose(grad_outside, [[-(1 - SIGMOID_HALF) * 1, -(1 - SIGMOID_HALF) * 2],
                                              [SIGMOID_HALF * 1, SIGMOID_HALF * 2],
                                              [SIGMOID_MINUS_ONE * 1, SIGMOID_MINUS_ONE * 2]], rtol=1e-14)


def test_neg_sampling_repeated_negative_counts_every_occurrence():
    # The same negative twice doubles its row of the gradient: dJ/du_1 = 2 σ(u_1·v_c) v_c = 2 σ(0.5) v_c.
    center_vec = np.array([1.0, 2.0])
    outside_vectors = np.array([[0.5, 0.0], [0.0, 0.25]])
    _, _, grad_outside = neg_sampling_loss_and_gradient(center_vec, 0, outside_vectors, [1, 1])
    np.testing.assert_allclose(grad_outside[1], 2 * SIGMOID_HALF * center_vec, rtol=1e-14)


def test_neg_sampling_negative_equal_to_outside_word():
    # Row o receives both terms: -(1 - σ(0.5)) v_c from the positive pair plus σ(0.5) v_c from the negative,
    # which is (2 σ(0.5) - 1) v_c.
    center_vec = np.array([1.0, 2.0])
    outside_vectors = np.array([[0.5, 0.0], [0.0, 0.25]])
    _, _, grad_outside = neg_sampling_loss_and_gradient(center_vec, 0, outside_vectors, [0])
    np.testing.assert_allclose(grad_outside[0], (2 * SIGMOID_HALF - 1) * center_vec, rtol=1e-14)
    np.testing.assert_array_equal(grad_outside[1], [0.0, 0.0])


# --- skip-gram window -------------------------------------------------------------------------------------

def test_skipgram_window_is_sum_of_pairs_hand_worked():
    # A window with outside words [0, 0] (the same word twice) and one negative row each: the loss is twice the
    # pair loss of the hand-worked case above when both rows hold the same negatives.
    center_vectors = np.array([[9.0, 9.0], [1.0, 2.0], [7.0, 7.0]])
    outside_vectors = np.array([[0.5, 0.0], [0.0, 0.25], [-1.0, 0.0]])
    loss, grad_center_vectors, grad_outside_vectors = skipgram_loss_and_gradient(
        1, [0, 0], center_vectors, outside_vectors, [[1, 2], [1, 2]])
    pair_loss = 0.47407698418010663 + 0.9740769841801068 + 0.3132616875182228
    assert loss == pytest.approx(2 * pair_loss, rel=1e-14)
    # Only the center row has a gradient; rows 0 and 2 of center_vectors are untouched by this window.
    np.testing.assert_array_equal(grad_center_vectors[[0, 2]], 0.0)
    np.testing.assert_allclose(grad_outside_vectors[0], 2 * -(1 - SIGMOID_HALF) * np.array([1.0, 2.0]), rtol=1e-14)


# --- gradcheck of every gradient on random shapes --------------------------------------------------------

SHAPES = [  # (vocab_size, d, k, n_outside)
    (2, 1, 1, 1),
    (2, 3, 1, 2),
    (5, 1, 3, 4),
    (7, 4, 5, 4),
    (10, 8, 2, 6),
]


def _random_problem(vocab_size, d, k, n_outside, seed):
    rng = np.random.default_rng(seed)
    center_vectors = rng.normal(scale=0.8, size=(vocab_size, d))
    outside_vectors = rng.normal(scale=0.8, size=(vocab_size, d))
    outside_indices = rng.integers(vocab_size, size=n_outside)
    negative_indices = rng.integers(vocab_size, size=(n_outside, k))
    return rng, center_vectors, outside_vectors, outside_indices, negative_indices


@pytest.mark.parametrize("shape", SHAPES)
def test_gradcheck_naive_softmax(shape):
    vocab_size, d, _, _ = shape
    rng, center_vectors, outside_vectors, _, _ = _random_problem(*shape, seed=1)
    outside_idx = int(rng.integers(vocab_size))
    center_vec = center_vectors[0]
    assert_gradcheck(lambda v: naive_softmax_loss_and_gradient(v, outside_idx, outside_vectors)[:2], center_vec)
    assert_gradcheck(lambda u: _loss_and_third(naive_softmax_loss_and_gradient(center_vec, outside_idx, u)),
                     outside_vectors)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("negatives", ["random", "repeated", "include_outside"])
def test_gradcheck_neg_sampling(shape, negatives):
    vocab_size, d, k, _ = shape
    rng, center_vectors, outside_vectors, _, _ = _random_problem(*shape, seed=2)
    outside_idx = int(rng.integers(vocab_size))
    negative_indices = {
        "random": rng.integers(vocab_size, size=k),
        "repeated": np.full(k + 1, (outside_idx + 1) % vocab_size),
        "include_outside": np.append(rng.integers(vocab_size, size=k - 1), outside_idx),
    }[negatives]
    center_vec = center_vectors[0]
    assert_gradcheck(
        lambda v: neg_sampling_loss_and_gradient(v, outside_idx, outside_vectors, negative_indices)[:2], center_vec)
    assert_gradcheck(
        lambda u: _loss_and_third(neg_sampling_loss_and_gradient(center_vec, outside_idx, u, negative_indices)),
        outside_vectors)


@pytest.mark.parametrize("shape", SHAPES)
def test_gradcheck_skipgram_window(shape):
    vocab_size, _, _, _ = shape
    _, center_vectors, outside_vectors, outside_indices, negative_indices = _random_problem(*shape, seed=3)
    center_idx = vocab_size - 1
    assert_gradcheck(lambda c: skipgram_loss_and_gradient(
        center_idx, outside_indices, c, outside_vectors, negative_indices)[:2], center_vectors)
    assert_gradcheck(lambda u: _loss_and_third(skipgram_loss_and_gradient(
        center_idx, outside_indices, center_vectors, u, negative_indices)), outside_vectors)


def test_gradients_float32_inputs_keep_dtype():
    rng = np.random.default_rng(4)
    center_vec = rng.normal(size=3).astype(np.float32)
    outside_vectors = rng.normal(size=(4, 3)).astype(np.float32)
    _, grad_center, grad_outside = neg_sampling_loss_and_gradient(center_vec, 1, outside_vectors, [2, 3])
    assert grad_center.dtype == np.float32 and grad_outside.dtype == np.float32


def _loss_and_third(result):
    return result[0], result[2]


# --- validation errors --------------------------------------------------------------------------------------

CENTER = np.zeros(3)
OUTSIDE = np.zeros((4, 3))


@pytest.mark.parametrize("call, error, pieces", [
    (lambda: neg_sampling_loss_and_gradient(np.zeros((3, 1)), 0, OUTSIDE, [1]), ValueError,
     ["center_vec", "(d,)", "(3, 1)"]),
    (lambda: neg_sampling_loss_and_gradient(CENTER, 0, np.zeros((4, 2)), [1]), ValueError,
     ["outside_vectors", "(V, 3)", "(4, 2)"]),
    (lambda: neg_sampling_loss_and_gradient(CENTER, 0, np.zeros(4), [1]), ValueError,
     ["outside_vectors", "(4,)"]),
    (lambda: neg_sampling_loss_and_gradient(CENTER, 4, OUTSIDE, [1]), IndexError,
     ["outside_idx", "4", "4 words"]),
    (lambda: neg_sampling_loss_and_gradient(CENTER, -1, OUTSIDE, [1]), IndexError, ["outside_idx", "-1"]),
    (lambda: neg_sampling_loss_and_gradient(CENTER, 1.0, OUTSIDE, [1]), TypeError, ["outside_idx", "float"]),
    (lambda: neg_sampling_loss_and_gradient(CENTER, 0, OUTSIDE, [1, 9]), IndexError, ["negative_indices", "9"]),
    (lambda: neg_sampling_loss_and_gradient(CENTER, 0, OUTSIDE, [[1]]), ValueError,
     ["negative_indices", "(K,)", "(1, 1)"]),
    (lambda: neg_sampling_loss_and_gradient(CENTER, 0, OUTSIDE, [0.5]), TypeError, ["negative_indices", "float"]),
    (lambda: neg_sampling_loss_and_gradient(np.array(["a", "b", "c"]), 0, OUTSIDE, [1]), TypeError,
     ["center_vec", "dtype"]),
    (lambda: naive_softmax_loss_and_gradient(CENTER, 7, OUTSIDE), IndexError, ["outside_idx", "7"]),
    (lambda: naive_softmax_loss_and_gradient(np.zeros(0), 0, np.zeros((4, 0))), ValueError, ["center_vec", "(0,)"]),
    (lambda: skipgram_loss_and_gradient(0, [1, 2], OUTSIDE, np.zeros((5, 3)), [[1], [2]]), ValueError,
     ["outside_vectors", "(4, 3)", "(5, 3)"]),
    (lambda: skipgram_loss_and_gradient(0, [1, 2], OUTSIDE, OUTSIDE, [[1], [2], [3]]), ValueError,
     ["negative_indices", "(2, K)", "(3, 1)"]),
    (lambda: skipgram_loss_and_gradient(0, [1, 2], OUTSIDE, OUTSIDE, [1, 2]), ValueError,
     ["negative_indices", "(n_outside, K)", "(2,)"]),
    (lambda: skipgram_loss_and_gradient(5, [1], OUTSIDE, OUTSIDE, [[1]]), IndexError, ["center_idx", "5"]),
    (lambda: skipgram_loss_and_gradient(0, [[1]], OUTSIDE, OUTSIDE, [[1]]), ValueError,
     ["outside_indices", "(1, 1)"]),
    (lambda: skipgram_loss_and_gradient(0, [1, 4], OUTSIDE, OUTSIDE, [[1], [2]]), IndexError,
     ["outside_indices", "4"]),
])
def test_validation_errors_name_argument_and_shapes(call, error, pieces):
    with pytest.raises(error) as raised:
        call()
    for piece in pieces:
        assert piece in str(raised.value)
