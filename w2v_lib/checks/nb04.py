"""Checks of notebook 04's exercises (the skip-gram window, seed equations 5-8), called from its check cells.

One public function per check cell, named after the exercise, taking the student's function or answer:

* Exercise 4.1 (derive first, equation 6): ``window_grad_center_vec(center_vec, outside_indices,
  outside_vectors, negative_indices)`` returning ∇_{v_c} J_skip-gram, shape (d,); each row of
  ``negative_indices`` (shape (n_outside, K)) holds one pair's negatives, in the order of ``outside_indices``.
  Without the library's loss functions.
  Check cells: ``nb04.check_4_1(window_grad_center_vec)`` and ``nb04.check_4_1_gradient(window_grad_center_vec)``.
* Exercise 4.2 (derive first, equation 7, by hand): ``answer_4_2``, ∇_{u_(1)} J_skip-gram for the window
  ``outside_indices = [1, 2, 1, 3]`` (word 1 twice, never a negative), v_c = [4, 0], u_(1) = [ln 3 / 4, 5], so
  that σ(u_(1)·v_c) = 3/4. Check cell: ``nb04.check_4_2(globals().get("answer_4_2"))``.
* Exercise 4.3 (derive first, equation 8, by hand): ``answer_4_3``, ∇_{u_(5)} J_skip-gram for a window of four
  outside words (1-4) whose negatives are ``[[5, 6], [7, 6], [5, 5], [6, 7]]``, v_c = [2, -1] and
  u_(5) = [-ln 3 / 2, 0], so that σ(u_(5)·v_c) = 1/4. Check cell: ``nb04.check_4_3(globals().get("answer_4_3"))``.
* Exercise 4.4: ``window_grad_outside_vectors(center_vec, outside_indices, outside_vectors,
  negative_indices)`` returning ∇_U J_skip-gram, shape (V, d), with ``np.bincount`` and an outer product;
  without ``np.add.at`` (or any ufunc's ``.at``), the library's loss functions or its scatter-add.
  Check cell: ``nb04.check_4_4(window_grad_outside_vectors)``.

How the cases are chosen
------------------------
* four different outside words: the full window of the running example, m = 2;
* a word at two positions of the window: summing over distinct outside words counts it once;
* one outside word (hidden): a truncated window at a sentence edge; shapes (1, K) expose squeezing;
* a negative equal to an outside word (hidden): the row gets both kinds of terms;
* a word drawn twice in one pair and again by another pair (4.4): fancy-index ``+=`` drops draws;
* more dimensions than words, and a larger random window (hidden): misaligned outer products, no answer
  typed by hand.
"""

import numpy as np

from w2v_lib.checks import Case, Mistake, check_function, check_gradient, check_value
from w2v_lib.checks.nb03 import LIBRARY_LOSSES, LIBRARY_SCATTER
from w2v_lib.losses import log_sigmoid, sigmoid, skipgram_loss_and_gradient

FORBIDDEN_4_4 = ("numpy.add.at", "numpy.ufunc.at")


def _window(center_vec, outside_indices, outside_vectors, negative_indices):
    """The library's loss and gradients of a window whose center is row 0 of a center-vector matrix."""
    center_vectors = np.zeros_like(outside_vectors)
    center_vectors[0] = center_vec
    loss, grad_center_vectors, grad_outside_vectors = skipgram_loss_and_gradient(
        0, outside_indices, center_vectors, outside_vectors, negative_indices)
    return loss, grad_center_vectors[0], grad_outside_vectors


def _window_loss(center_vec, outside_indices, outside_vectors, negative_indices):
    """Equation 5 written out: the watch blocks the library's loss functions while the student's code runs."""
    scores = outside_vectors[outside_indices] @ center_vec
    negative_scores = outside_vectors[negative_indices] @ center_vec
    return float(-log_sigmoid(scores).sum() - log_sigmoid(-negative_scores).sum())


def _coefficients(center_vec, outside_indices, outside_vectors, negative_indices):
    """-(1 - σ(u_o·v_c)) per outside word (n_outside,) and σ(u_s·v_c) per draw (n_outside, K)."""
    return (-(1 - sigmoid(outside_vectors[outside_indices] @ center_vec)),
            sigmoid(outside_vectors[negative_indices] @ center_vec))


# ---------------------------------------------------------------------------------------------------------
# Exercise 4.1: ∇_{v_c} J_skip-gram (equation 6)


def _grad_center_vec(*args):
    return _window(*args)[1]


def _center_first_pair_only(center_vec, outside_indices, outside_vectors, negative_indices):
    return _grad_center_vec(center_vec, outside_indices[:1], outside_vectors, negative_indices[:1])


def _center_mean_over_pairs(center_vec, outside_indices, outside_vectors, negative_indices):
    return _grad_center_vec(center_vec, outside_indices, outside_vectors, negative_indices) / len(outside_indices)


def _center_sign_flipped(*args):
    return -_grad_center_vec(*args)


def _center_distinct_outside_words(center_vec, outside_indices, outside_vectors, negative_indices):
    outside_coefs, negative_coefs = _coefficients(center_vec, outside_indices, outside_vectors, negative_indices)
    distinct = np.unique(outside_indices)
    distinct_coefs = -(1 - sigmoid(outside_vectors[distinct] @ center_vec))
    return (distinct_coefs @ outside_vectors[distinct]
            + negative_coefs.ravel() @ outside_vectors[negative_indices.ravel()])


def _center_first_row_of_negatives(center_vec, outside_indices, outside_vectors, negative_indices):
    shared = np.tile(negative_indices[:1], (len(outside_indices), 1))
    return _grad_center_vec(center_vec, outside_indices, outside_vectors, shared)


def _center_sigma_for_one_minus_sigma(center_vec, outside_indices, outside_vectors, negative_indices):
    outside_coefs, negative_coefs = _coefficients(center_vec, outside_indices, outside_vectors, negative_indices)
    return (-(1 + outside_coefs) @ outside_vectors[outside_indices]
            + negative_coefs.ravel() @ outside_vectors[negative_indices.ravel()])


MISTAKES_4_1 = (
    ("only the first pair's gradient: equation 6 adds the gradients of all the pairs of the window",
     _center_first_pair_only),
    ("the mean over the pairs: J_skip-gram is a sum (equation 5), so its gradient is a sum too",
     _center_mean_over_pairs),
    ("every sign is flipped: this is the gradient of -J_skip-gram", _center_sign_flipped),
    ("a word at two positions of the window counted once: each position is a pair of its own",
     _center_distinct_outside_words),
    ("every pair uses the first pair's negatives: each row of negative_indices belongs to its own pair",
     _center_first_row_of_negatives),
    ("the outside words' terms use σ(u_o·v_c) where the derivative of log σ(x) gives 1 - σ(x)",
     _center_sigma_for_one_minus_sigma),
)


def _cases_4_1():
    rng = np.random.default_rng(411)
    center_vec, outside_vectors = rng.normal(size=3), rng.normal(size=(8, 3))
    wide_rng, large_rng = np.random.default_rng(412), np.random.default_rng(413)
    return [
        Case("four different outside words", (center_vec, np.array([1, 2, 3, 4]), outside_vectors,
                                              np.array([[5, 6], [5, 7], [6, 7], [7, 5]]))),
        Case("a word at two positions of the window", (center_vec, np.array([1, 2, 1, 3]), outside_vectors,
                                                       np.array([[4, 5], [6, 6], [7, 4], [5, 6]]))),
        Case("a single outside word, a single negative", (center_vec, np.array([2]), outside_vectors,
                                                          np.array([[6]])), hidden=True),
        Case("a negative equal to an outside word", (center_vec, np.array([1, 2, 3]), outside_vectors,
                                                     np.array([[2, 5], [1, 1], [4, 3]])), hidden=True),
        Case("more dimensions than words", (wide_rng.normal(size=7), np.array([0, 1]), wide_rng.normal(size=(3, 7)),
                                            np.array([[2, 2, 0], [1, 2, 2]])), hidden=True),
        Case("a wide window with many draws",
             (0.5 * large_rng.normal(size=5), large_rng.integers(0, 12, size=10),
              0.5 * large_rng.normal(size=(30, 5)), large_rng.integers(0, 30, size=(10, 5))), hidden=True),
    ]


def check_4_1(window_grad_center_vec):
    """Exercise 4.1: compare the student's ∇_{v_c} J_skip-gram with the library's on six cases, four hidden."""
    check_function("Exercise 4.1", window_grad_center_vec, _grad_center_vec, _cases_4_1(), atol=1e-10, rtol=1e-8,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_4_1],
                   library=LIBRARY_LOSSES)


def check_4_1_gradient(window_grad_center_vec):
    """Exercise 4.1: gradcheck the student's ∇_{v_c} J_skip-gram on a window with a repeated outside word."""
    rng = np.random.default_rng(414)
    center_vec, outside_vectors = rng.normal(size=3), rng.normal(size=(7, 3))
    outside_indices, negative_indices = np.array([1, 2, 1]), np.array([[2, 2], [0, 5], [6, 1]])

    def loss_and_gradient(center_vec):
        return (_window_loss(center_vec, outside_indices, outside_vectors, negative_indices),
                window_grad_center_vec(center_vec, outside_indices, outside_vectors, negative_indices))

    mistakes = [Mistake(words, lambda x, function=function: function(x, outside_indices, outside_vectors,
                                                                      negative_indices))
                for words, function in MISTAKES_4_1]
    check_gradient("Exercise 4.1", loss_and_gradient, center_vec, mistakes=mistakes, library=LIBRARY_LOSSES,
                   student=window_grad_center_vec)


# ---------------------------------------------------------------------------------------------------------
# Exercise 4.2: a word at two positions of the window (equation 7), by hand


def check_4_2(answer_4_2):
    """Exercise 4.2: ∇_{u_(1)} J_skip-gram when word 1 is the outside word of two of the four pairs."""
    outside_vectors = np.random.default_rng(42).normal(size=(6, 2))  # words 0-5; the center is word 0
    center_vec = np.array([4.0, 0.0])
    outside_vectors[1] = [np.log(3) / 4, 5.0]
    outside_indices = np.array([1, 2, 1, 3])
    negative_indices = np.array([[4, 5], [5, 5], [4, 4], [5, 4]])  # never word 1
    expected = _window(center_vec, outside_indices, outside_vectors, negative_indices)[2][1]
    outside_vec = outside_vectors[1]
    one_term = -(1 - sigmoid(outside_vec @ center_vec)) * center_vec  # equation 3 for one pair
    mistakes = [
        Mistake("equation 7 as printed, a single term: word 1 is the outside word of two pairs, and each "
                "pair adds its equation-3 term", one_term),
        Mistake("the seed's printed equation 3, which has u_o where v_c belongs",
                -2 * (1 - sigmoid(outside_vec @ center_vec)) * outside_vec),
        Mistake("the sign is flipped: this is the gradient of -J_skip-gram", -2 * one_term),
        Mistake("σ(u_(1)·v_c) where the derivative of log σ(x) gives 1 - σ(x)",
                -2 * sigmoid(outside_vec @ center_vec) * center_vec),
        Mistake("2m terms: only the pairs whose outside word is word 1 contain u_(1)", 4 * one_term),
    ]
    check_value("Exercise 4.2", answer_4_2, expected, atol=1e-9, rtol=1e-9, mistakes=mistakes)


# ---------------------------------------------------------------------------------------------------------
# Exercise 4.3: a negative drawn three times in one window (equation 8), by hand


def check_4_3(answer_4_3):
    """Exercise 4.3: ∇_{u_(5)} J_skip-gram when word 5 is drawn once by the first pair and twice by the third."""
    outside_vectors = np.random.default_rng(43).normal(size=(8, 2))  # words 0-7; the center is word 0
    center_vec = np.array([2.0, -1.0])
    outside_vectors[5] = [-np.log(3) / 2, 0.0]
    outside_indices = np.array([1, 2, 3, 4])
    negative_indices = np.array([[5, 6], [7, 6], [5, 5], [6, 7]])
    expected = _window(center_vec, outside_indices, outside_vectors, negative_indices)[2][5]
    negative_vec = outside_vectors[5]
    probability = sigmoid(negative_vec @ center_vec)  # 1/4
    one_draw = probability * center_vec  # equation 4
    mistakes = [
        Mistake("each pair that drew word 5 counted once: a word drawn twice by one pair appears twice in that "
                "pair's loss", 2 * one_draw),
        Mistake("equation 8 as printed, 2m times one pair's gradient: that holds only when every pair draws "
                "word 5 equally often", 4 * one_draw),
        Mistake("one pair's gradient only: every pair that drew word 5 contributes", one_draw),
        Mistake("1 - σ(u_(5)·v_c) where the derivative of log(1 - σ(x)) gives -σ(x)",
                3 * (1 - probability) * center_vec),
        Mistake("a multiple of u_(5): the gradient of u_(5)·v_c with respect to u_(5) is v_c",
                3 * probability * negative_vec),
        Mistake("the sign is flipped: this is the gradient of -J_skip-gram", -3 * one_draw),
    ]
    check_value("Exercise 4.3", answer_4_3, expected, atol=1e-9, rtol=1e-9, mistakes=mistakes)


# ---------------------------------------------------------------------------------------------------------
# Exercise 4.4: ∇_U J_skip-gram with one np.bincount


def _grad_outside_vectors(*args):
    return _window(*args)[2]


def _rows_from_coefficients(rows, coefficients, center_vec, vocab_size):
    grad = np.zeros((vocab_size, len(center_vec)))
    for row, coefficient in zip(rows, coefficients):
        grad[row] += coefficient * center_vec
    return grad


def _rows_duplicates_lost(center_vec, outside_indices, outside_vectors, negative_indices):
    outside_coefs, negative_coefs = _coefficients(center_vec, outside_indices, outside_vectors, negative_indices)
    grad = np.zeros_like(outside_vectors)
    grad[outside_indices] += outside_coefs[:, None] * center_vec
    grad[negative_indices.ravel()] += negative_coefs.ravel()[:, None] * center_vec
    return grad


def _rows_outside_words_once(center_vec, outside_indices, outside_vectors, negative_indices):
    outside_coefs, negative_coefs = _coefficients(center_vec, outside_indices, outside_vectors, negative_indices)
    distinct = np.unique(outside_indices)
    return (_rows_from_coefficients(distinct, -(1 - sigmoid(outside_vectors[distinct] @ center_vec)), center_vec,
                                    len(outside_vectors))
            + _rows_from_coefficients(negative_indices.ravel(), negative_coefs.ravel(), center_vec,
                                      len(outside_vectors)))


def _rows_printed_equation_8(center_vec, outside_indices, outside_vectors, negative_indices):
    outside_coefs, negative_coefs = _coefficients(center_vec, outside_indices, outside_vectors, negative_indices)
    return (_rows_from_coefficients(outside_indices, outside_coefs, center_vec, len(outside_vectors))
            + len(outside_indices) * _rows_from_coefficients(negative_indices[0], negative_coefs[0], center_vec,
                                                             len(outside_vectors)))


def _rows_printed_equation_3(center_vec, outside_indices, outside_vectors, negative_indices):
    grad = _grad_outside_vectors(center_vec, outside_indices, outside_vectors, negative_indices)
    outside_coefs, _ = _coefficients(center_vec, outside_indices, outside_vectors, negative_indices)
    for row, coefficient in zip(outside_indices, outside_coefs):
        grad[row] += coefficient * (outside_vectors[row] - center_vec)
    return grad


def _rows_sign_flipped(*args):
    return -_grad_outside_vectors(*args)


MISTAKES_4_4 = (
    ("duplicates lost to `+=`: fancy indexing keeps one update per repeated row; bincount adds them all",
     _rows_duplicates_lost),
    ("a word at two positions of the window counted once: each position is a pair of its own",
     _rows_outside_words_once),
    ("equation 8 as printed, 2m times the first pair's negatives: each pair has its own row of negatives",
     _rows_printed_equation_8),
    ("the seed's printed equation 3, which has u_o where v_c belongs", _rows_printed_equation_3),
    ("every sign is flipped: this is the gradient of -J_skip-gram", _rows_sign_flipped),
)


def _cases_4_4():
    rng = np.random.default_rng(441)
    center_vec, outside_vectors = rng.normal(size=3), rng.normal(size=(9, 3))
    wide_rng, large_rng = np.random.default_rng(442), np.random.default_rng(443)
    return [
        Case("four different outside words, different negatives",
             (center_vec, np.array([1, 2, 3, 4]), outside_vectors, np.array([[5, 6], [5, 7], [6, 7], [7, 5]]))),
        Case("a repeated outside word, a word drawn twice by one pair, a negative that is an outside word",
             (center_vec, np.array([1, 2, 1]), outside_vectors, np.array([[1, 3, 3], [2, 0, 6], [7, 7, 3]]))),
        Case("the last rows never used", (center_vec, np.array([0, 1]), outside_vectors, np.array([[2], [2]])),
             hidden=True),
        Case("every draw the same word", (center_vec, np.array([1, 2, 3, 4]), outside_vectors,
                                          np.full((4, 3), 6)), hidden=True),
        Case("more dimensions than words", (wide_rng.normal(size=7), np.array([0, 1]), wide_rng.normal(size=(3, 7)),
                                            np.array([[2, 2, 0], [1, 2, 2]])), hidden=True),
        Case("a wide window with many draws",
             (0.5 * large_rng.normal(size=5), large_rng.integers(0, 12, size=10),
              0.5 * large_rng.normal(size=(30, 5)), large_rng.integers(0, 30, size=(10, 5))), hidden=True),
    ]


def check_4_4(window_grad_outside_vectors):
    """Exercise 4.4: compare the student's ∇_U J_skip-gram with the library's on six cases, four hidden."""
    check_function("Exercise 4.4", window_grad_outside_vectors, _grad_outside_vectors, _cases_4_4(), atol=1e-10,
                   rtol=1e-8, mistakes=[Mistake(words, function) for words, function in MISTAKES_4_4],
                   forbidden=FORBIDDEN_4_4, library=LIBRARY_LOSSES + LIBRARY_SCATTER)
