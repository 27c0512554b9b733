"""Checks of notebook 03's exercises (the negative-sampling loss of one pair), called from its check cells.

One public function per check cell, named after the exercise, taking the student's function or answer:

* Exercise 3.1 (derive first, equation 2): ``grad_center_vec(center_vec, outside_vec, negative_vecs)``
  returning ∇_{v_c} J, shape (d,). Check cells: ``nb03.check_3_1(grad_center_vec)`` (test cases) and
  ``nb03.check_3_1_gradient(grad_center_vec)`` (gradcheck).
* Exercise 3.2 (derive first, equation 3, by hand): ``answer_3_2``, ∇_{u_o} J for v_c = [1, 0],
  u_o = [ln 3, 1] and one negative u_1 = [-ln 3, 2] (a word other than o), so that σ(u_o·v_c) = 3/4.
  Check cell: ``nb03.check_3_2(globals().get("answer_3_2"))``.
* Exercise 3.3 (derive first, equation 4 and the rows of U): ``grad_outside_vectors(center_vec, outside_idx,
  outside_vectors, negative_indices)`` returning ∇_U J, shape (V, d), every draw counted; negatives may repeat
  and none is o. Check cells: ``nb03.check_3_3(grad_outside_vectors)`` and
  ``nb03.check_3_3_gradient(grad_outside_vectors)``.
* Exercise 3.4 (derive first, by hand): ``answer_3_4``, the gradient with respect to row o of U when the
  single negative is the outside word itself, v_c = [ln 3, 0] and u_o = [1, 5], so that σ(u_o·v_c) = 3/4.
  Check cell: ``nb03.check_3_4(globals().get("answer_3_4"))``.
* Exercise 3.5: ``scatter_add_rows(indices, updates, vocab_size)``, the rows of ``updates`` added up per index
  with ``np.bincount``, without ``np.add.at`` (or any ufunc's ``.at``) and without the library's scatter-add.
  Check cell: ``nb03.check_3_5(scatter_add_rows)``.

How the cases are chosen
------------------------
Each case, visible or hidden, is there to break one usual wrong approach:

* one negative, distinct negatives: the plain cases, where the equations can be written term by term;
* a negative vector repeated (3.1) or a repeated negative index (3.3): ``grad[negative_indices] += ...`` keeps
  one update per index, and ``np.unique`` counts each word once;
* every negative the same word (hidden): all draws on one row;
* a single negative (hidden): ``np.squeeze`` or ``.item()`` turn the (K,) scores into a scalar;
* more dimensions than words (hidden): a transposed or misaligned outer product has another shape;
* a larger random case with skewed draws (hidden): many repeats, and no answer can be typed in by hand;
* for 3.5, an index never drawn at the end of the vocabulary (``minlength`` forgotten), no index at all, and
  negative updates (hidden).

In every case v_c differs from u_o in direction, so the seed's printed equation 3 (u_o where v_c belongs)
gives a different row o, and scores are moderate, so σ and 1 - σ are far from 0 and 1.
"""

import importlib

import numpy as np

from w2v_lib.checks import Case, Mistake, check_function, check_gradient, check_value
from w2v_lib.losses import log_sigmoid, neg_sampling_loss_and_gradient, sigmoid

FORBIDDEN_3_5 = ("numpy.add.at", "numpy.ufunc.at")


def library_functions(*names):
    """The functions of ``w2v_lib`` named by dotted ``names`` that exist, for a check's ``library`` argument.

    A name missing from the installed library is skipped: the library's layout moves functions (the scatter-add
    kernel from ``w2v_lib.train`` to ``w2v_lib.scatter``; the pair's equations 1-4 into a helper that the window's
    loss shares), and a check must block the solution wherever this version keeps it.
    """
    found = []
    for name in names:
        module_name, function_name = name.rsplit(".", 1)
        try:
            function = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError):
            continue
        if function not in found:  # one function may be reachable under two names
            found.append(function)
    return tuple(found)


# The library's own solutions: the loss functions of a pair and of a window, and its scatter-add kernel.
LIBRARY_LOSSES = library_functions("w2v_lib.losses.neg_sampling_loss_and_gradient",
                                   "w2v_lib.losses.skipgram_loss_and_gradient",
                                   "w2v_lib.losses._pair_loss_and_gradients")
LIBRARY_SCATTER = library_functions("w2v_lib.scatter.scatter_add_products", "w2v_lib.scatter.scatter_sums",
                                    "w2v_lib.train.scatter_add_products", "w2v_lib.train.scatter_sums")


def _pair_loss(center_vec, outside_vec, negative_vecs):
    """Equation 1, written out: the watch blocks the library's loss function while the student's code runs."""
    return float(-log_sigmoid(outside_vec @ center_vec) - log_sigmoid(-(negative_vecs @ center_vec)).sum())


# ---------------------------------------------------------------------------------------------------------
# Exercise 3.1: ∇_{v_c} J (equation 2)


def _grad_center_vec(center_vec, outside_vec, negative_vecs):
    """The right answer, from the library: o is row 0 and the K negatives rows 1..K of a small U."""
    outside_vectors = np.vstack([outside_vec, negative_vecs])
    negative_indices = np.arange(1, len(outside_vectors))
    return neg_sampling_loss_and_gradient(center_vec, 0, outside_vectors, negative_indices)[1]


def _terms(center_vec, outside_vec, negative_vecs):
    """σ(u_o·v_c) and σ(u_s·v_c), s = 1..K: what every mistake below is built from."""
    return sigmoid(outside_vec @ center_vec), sigmoid(negative_vecs @ center_vec)


def _center_sign_flipped(center_vec, outside_vec, negative_vecs):
    return -_grad_center_vec(center_vec, outside_vec, negative_vecs)


def _center_sigma_for_one_minus_sigma(center_vec, outside_vec, negative_vecs):
    outside_prob, negative_probs = _terms(center_vec, outside_vec, negative_vecs)
    return -outside_prob * outside_vec + negative_probs @ negative_vecs


def _center_one_minus_sigma_for_negatives(center_vec, outside_vec, negative_vecs):
    outside_prob, negative_probs = _terms(center_vec, outside_vec, negative_vecs)
    return -(1 - outside_prob) * outside_vec + (1 - negative_probs) @ negative_vecs


def _center_negatives_subtracted(center_vec, outside_vec, negative_vecs):
    outside_prob, negative_probs = _terms(center_vec, outside_vec, negative_vecs)
    return -(1 - outside_prob) * outside_vec - negative_probs @ negative_vecs


def _center_mean_of_negatives(center_vec, outside_vec, negative_vecs):
    outside_prob, negative_probs = _terms(center_vec, outside_vec, negative_vecs)
    return -(1 - outside_prob) * outside_vec + negative_probs @ negative_vecs / len(negative_vecs)


def _center_without_negatives(center_vec, outside_vec, negative_vecs):
    outside_prob, _ = _terms(center_vec, outside_vec, negative_vecs)
    return -(1 - outside_prob) * outside_vec


def _center_without_outside_term(center_vec, outside_vec, negative_vecs):
    _, negative_probs = _terms(center_vec, outside_vec, negative_vecs)
    return negative_probs @ negative_vecs


def _center_times_center_vec(center_vec, outside_vec, negative_vecs):
    outside_prob, negative_probs = _terms(center_vec, outside_vec, negative_vecs)
    return (-(1 - outside_prob) + negative_probs.sum()) * center_vec


MISTAKES_3_1 = (
    ("every sign is flipped: this is the gradient of -J; check the minus signs in front of the logs",
     _center_sign_flipped),
    ("the outside word's term uses σ(u_o·v_c) where the derivative of log σ(x) gives 1 - σ(x)",
     _center_sigma_for_one_minus_sigma),
    ("the negatives' terms use 1 - σ(u_s·v_c) where the derivative of log(1 - σ(x)) gives -σ(x)",
     _center_one_minus_sigma_for_negatives),
    ("the negatives' terms are subtracted: -log(1 - σ(x)) has derivative +σ(x)", _center_negatives_subtracted),
    ("the negatives' terms are averaged: J adds the K terms, so its gradient adds them too",
     _center_mean_of_negatives),
    ("the negatives' terms are missing: every term of J contains v_c", _center_without_negatives),
    ("the outside word's term is missing: every term of J contains v_c", _center_without_outside_term),
    ("each term is a multiple of v_c: the gradient of u·v_c with respect to v_c is u, not v_c",
     _center_times_center_vec),
)


def _cases_3_1():
    rng = np.random.default_rng(301)
    center_vec, outside_vec = rng.normal(size=3), rng.normal(size=3)
    negative_vecs = rng.normal(size=(4, 3))
    wide_rng, large_rng = np.random.default_rng(302), np.random.default_rng(303)
    return [
        Case("a single negative", (center_vec, outside_vec, negative_vecs[:1])),
        Case("three different negatives", (center_vec, outside_vec, negative_vecs[:3])),
        Case("the same negative drawn twice", (center_vec, outside_vec, negative_vecs[[2, 0, 2]]), hidden=True),
        Case("a negative equal to the outside word", (center_vec, outside_vec, np.vstack([outside_vec,
                                                                                          negative_vecs[1]])),
             hidden=True),
        Case("more dimensions than negatives", (wide_rng.normal(size=7), wide_rng.normal(size=7),
                                                wide_rng.normal(size=(2, 7))), hidden=True),
        Case("twenty negatives", (0.5 * large_rng.normal(size=5), 0.5 * large_rng.normal(size=5),
                                  0.5 * large_rng.normal(size=(20, 5))), hidden=True),
    ]


def check_3_1(grad_center_vec):
    """Exercise 3.1: compare the student's ∇_{v_c} J with the library's on six cases, four hidden."""
    check_function("Exercise 3.1", grad_center_vec, _grad_center_vec, _cases_3_1(), atol=1e-10, rtol=1e-8,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_3_1],
                   library=LIBRARY_LOSSES)


def check_3_1_gradient(grad_center_vec):
    """Exercise 3.1: gradcheck the student's ∇_{v_c} J against finite differences of equation 1."""
    rng = np.random.default_rng(304)
    center_vec, outside_vec, negative_vecs = rng.normal(size=4), rng.normal(size=4), rng.normal(size=(3, 4))

    def loss_and_gradient(center_vec):
        return (_pair_loss(center_vec, outside_vec, negative_vecs),
                grad_center_vec(center_vec, outside_vec, negative_vecs))

    mistakes = [Mistake(words, lambda x, function=function: function(x, outside_vec, negative_vecs))
                for words, function in MISTAKES_3_1]
    check_gradient("Exercise 3.1", loss_and_gradient, center_vec, mistakes=mistakes, library=LIBRARY_LOSSES,
                   student=grad_center_vec)


# ---------------------------------------------------------------------------------------------------------
# Exercise 3.2: ∇_{u_o} J (equation 3), by hand


def check_3_2(answer_3_2):
    """Exercise 3.2: ∇_{u_o} J with v_c = [1, 0], u_o = [ln 3, 1] and one negative u_1 = [-ln 3, 2]."""
    center_vec = np.array([1.0, 0.0])
    outside_vectors = np.array([[np.log(3), 1.0], [-np.log(3), 2.0]])  # row 0 is o, row 1 the negative
    loss, grad_center, grad_outside_vectors = neg_sampling_loss_and_gradient(center_vec, 0, outside_vectors,
                                                                             np.array([1]))
    outside_vec = outside_vectors[0]
    probability = sigmoid(outside_vec @ center_vec)  # 3/4
    negative_probability = sigmoid(outside_vectors[1] @ center_vec)  # 1/4
    mistakes = [
        Mistake("the seed's printed equation 3, which has u_o where v_c belongs",
                -(1 - probability) * outside_vec),
        Mistake("the sign is flipped: this is the gradient of -J", (1 - probability) * center_vec),
        Mistake("σ(u_o·v_c) where the derivative of log σ(x) gives 1 - σ(x)", -probability * center_vec),
        Mistake("this is ∇_{v_c} J (equation 2): here the variable is u_o, so the gradient of u_o·v_c is v_c",
                grad_center),
        Mistake("the negative's term belongs to the negative's own row: u_1 is another word, so J's last term "
                "does not contain u_o", -(1 - probability) * center_vec + negative_probability * center_vec),
    ]
    check_value("Exercise 3.2", answer_3_2, grad_outside_vectors[0], atol=1e-9, rtol=1e-9, mistakes=mistakes)


# ---------------------------------------------------------------------------------------------------------
# Exercise 3.3: ∇_U J, the rows of equations 3 and 4, every draw counted


def _grad_outside_vectors(center_vec, outside_idx, outside_vectors, negative_indices):
    """The right answer: the library's ∇_U J."""
    return neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, negative_indices)[2]


def _probabilities(center_vec, outside_idx, outside_vectors, negative_indices):
    return (sigmoid(outside_vectors[outside_idx] @ center_vec),
            sigmoid(outside_vectors[negative_indices] @ center_vec))


def _rows_sign_flipped(*args):
    return -_grad_outside_vectors(*args)


def _rows_duplicates_lost(center_vec, outside_idx, outside_vectors, negative_indices):
    outside_prob, negative_probs = _probabilities(center_vec, outside_idx, outside_vectors, negative_indices)
    grad = np.zeros_like(outside_vectors)
    grad[outside_idx] += -(1 - outside_prob) * center_vec
    grad[negative_indices] += negative_probs[:, None] * center_vec  # buffered: one update per index survives
    return grad


def _rows_printed_equation_3(center_vec, outside_idx, outside_vectors, negative_indices):
    grad = _grad_outside_vectors(center_vec, outside_idx, outside_vectors, negative_indices)
    outside_vec = outside_vectors[outside_idx]
    grad[outside_idx] += -(1 - sigmoid(outside_vec @ center_vec)) * (outside_vec - center_vec)
    return grad


def _rows_one_minus_sigma_for_negatives(center_vec, outside_idx, outside_vectors, negative_indices):
    outside_prob, negative_probs = _probabilities(center_vec, outside_idx, outside_vectors, negative_indices)
    grad = np.zeros_like(outside_vectors)
    grad[outside_idx] += -(1 - outside_prob) * center_vec
    for row, probability in zip(negative_indices, negative_probs):
        grad[row] += (1 - probability) * center_vec
    return grad


def _rows_negative_vec_for_center_vec(center_vec, outside_idx, outside_vectors, negative_indices):
    outside_prob, negative_probs = _probabilities(center_vec, outside_idx, outside_vectors, negative_indices)
    grad = np.zeros_like(outside_vectors)
    grad[outside_idx] += -(1 - outside_prob) * center_vec
    for row, probability in zip(negative_indices, negative_probs):
        grad[row] += probability * outside_vectors[row]
    return grad


def _rows_without_outside_row(center_vec, outside_idx, outside_vectors, negative_indices):
    grad = _grad_outside_vectors(center_vec, outside_idx, outside_vectors, negative_indices)
    grad[outside_idx] = 0.0
    return grad


MISTAKES_3_3 = (
    ("duplicates lost to `+=`: `grad[negative_indices] += ...` (like a loop over `np.unique(negative_indices)`) "
     "keeps one update per repeated index, but a word drawn twice must receive both", _rows_duplicates_lost),
    ("every sign is flipped: this is the gradient of -J", _rows_sign_flipped),
    ("the seed's printed equation 3, which has u_o where v_c belongs", _rows_printed_equation_3),
    ("the negatives' rows use 1 - σ(u_s·v_c) where the derivative of log(1 - σ(x)) gives -σ(x)",
     _rows_one_minus_sigma_for_negatives),
    ("the negatives' rows are multiples of u_s: the gradient of u_s·v_c with respect to u_s is v_c",
     _rows_negative_vec_for_center_vec),
    ("row o is zero: the outside word's row receives equation 3", _rows_without_outside_row),
)


def _cases_3_3():
    rng = np.random.default_rng(331)
    center_vec, outside_vectors = rng.normal(size=3), rng.normal(size=(6, 3))
    wide_rng, large_rng = np.random.default_rng(332), np.random.default_rng(333)
    zipf = 1.0 / np.arange(1, 40)  # words 1..39 as negatives, word 0 is the outside word
    return [
        Case("distinct negatives", (center_vec, 0, outside_vectors, np.array([1, 2, 3, 4]))),
        Case("repeated negative indices", (center_vec, 0, outside_vectors, np.array([4, 4, 2, 4]))),
        Case("every negative is the same word", (center_vec, 3, outside_vectors, np.array([5, 5, 5])),
             hidden=True),
        Case("a single negative", (center_vec, 1, outside_vectors, np.array([4])), hidden=True),
        Case("more dimensions than words, many draws",
             (wide_rng.normal(size=7), 0, wide_rng.normal(size=(3, 7)), wide_rng.integers(1, 3, size=12)),
             hidden=True),
        Case("a larger vocabulary with skewed draws",
             (0.5 * large_rng.normal(size=5), 0, 0.5 * large_rng.normal(size=(40, 5)),
              1 + large_rng.choice(39, size=25, p=zipf / zipf.sum())),
             hidden=True),
    ]


def check_3_3(grad_outside_vectors):
    """Exercise 3.3: compare the student's ∇_U J with the library's on six cases, four hidden."""
    check_function("Exercise 3.3", grad_outside_vectors, _grad_outside_vectors, _cases_3_3(), atol=1e-10,
                   rtol=1e-8, mistakes=[Mistake(words, function) for words, function in MISTAKES_3_3],
                   library=LIBRARY_LOSSES)


def check_3_3_gradient(grad_outside_vectors):
    """Exercise 3.3: gradcheck the student's ∇_U J where one word is drawn twice and another once."""
    rng = np.random.default_rng(334)
    center_vec, outside_vectors = rng.normal(size=3), rng.normal(size=(6, 3))
    outside_idx, negative_indices = 2, np.array([4, 0, 4])

    def loss_and_gradient(outside_vectors):
        loss = _pair_loss(center_vec, outside_vectors[outside_idx], outside_vectors[negative_indices])
        return loss, grad_outside_vectors(center_vec, outside_idx, outside_vectors, negative_indices)

    mistakes = [Mistake(words, lambda x, function=function: function(center_vec, outside_idx, x,
                                                                      negative_indices))
                for words, function in MISTAKES_3_3]
    check_gradient("Exercise 3.3", loss_and_gradient, outside_vectors, mistakes=mistakes, library=LIBRARY_LOSSES,
                   student=grad_outside_vectors)


# ---------------------------------------------------------------------------------------------------------
# Exercise 3.4: the outside word drawn as its own negative, by hand


def check_3_4(answer_3_4):
    """Exercise 3.4: the gradient with respect to row o when the only negative is o itself."""
    center_vec, outside_vec = np.array([np.log(3), 0.0]), np.array([1.0, 5.0])
    expected = neg_sampling_loss_and_gradient(center_vec, 0, outside_vec[None, :], np.array([0]))[2][0]
    probability = sigmoid(outside_vec @ center_vec)  # 3/4
    outside_term, negative_term = -(1 - probability) * center_vec, probability * center_vec  # equations 3, 4
    mistakes = [
        Mistake("equation 3 alone: the negative is the outside word itself, so row o also receives the "
                "negative's term (equation 4)", outside_term),
        Mistake("equation 4 alone: row o also receives the outside-word term (equation 3)", negative_term),
        Mistake("the seed's printed equation 3, which has u_o where v_c belongs",
                -(1 - probability) * outside_vec + negative_term),
        Mistake("the negative's term subtracted: both terms of J contain u_o, and their gradients add up",
                outside_term - negative_term),
        Mistake("the signs are flipped: this is the gradient of -J", -(outside_term + negative_term)),
        Mistake("the two terms cancel: the derivative of log σ(x) is 1 - σ(x), not σ(x)",
                -probability * center_vec + negative_term),
    ]
    check_value("Exercise 3.4", answer_3_4, expected, atol=1e-9, rtol=1e-9, mistakes=mistakes)


# ---------------------------------------------------------------------------------------------------------
# Exercise 3.5: scatter-add with np.bincount


def _scatter_add_rows(indices, updates, vocab_size):
    """The right answer, by np.add.at (the reference runs outside the watch)."""
    result = np.zeros((vocab_size, updates.shape[1]))
    np.add.at(result, indices, updates)
    return result


def _scatter_duplicates_lost(indices, updates, vocab_size):
    result = np.zeros((vocab_size, updates.shape[1]))
    result[indices] += updates
    return result


def _scatter_counted(indices, updates, vocab_size):
    # bincount without weights counts the draws and forgets the updates
    return np.bincount(indices, minlength=vocab_size)[:, None] * np.ones(updates.shape[1])


def _scatter_first_column_everywhere(indices, updates, vocab_size):
    column = np.bincount(indices, weights=updates[:, 0], minlength=vocab_size)
    return np.repeat(column[:, None], updates.shape[1], axis=1)


MISTAKES_3_5 = (
    ("duplicates lost to `+=`: `result[indices] += updates` keeps one update per repeated index",
     _scatter_duplicates_lost),
    ("the draws are counted but their updates are not added: pass each column as bincount's `weights`",
     _scatter_counted),
    ("every column holds the sums of column 0: call bincount once per column, each with that column's weights",
     _scatter_first_column_everywhere),
)


def _cases_3_5():
    rng = np.random.default_rng(351)
    return [
        Case("distinct indices", (np.array([0, 2, 4]), rng.normal(size=(3, 2)), 5)),
        Case("an index drawn three times", (np.array([1, 3, 1, 1]), rng.normal(size=(4, 3)), 4)),
        Case("the last rows never drawn", (np.array([0, 1, 0]), rng.normal(size=(3, 2)), 6), hidden=True),
        Case("no index at all", (np.array([], dtype=np.int64), np.zeros((0, 3)), 4), hidden=True),
        Case("a single column", (np.array([2, 2, 0]), rng.normal(size=(3, 1)), 3), hidden=True),
        Case("many draws among few rows", (rng.integers(0, 6, size=200), rng.normal(size=(200, 4)), 8),
             hidden=True),
    ]


def check_3_5(scatter_add_rows):
    """Exercise 3.5: compare the student's scatter-add with np.add.at's on six cases, four hidden."""
    check_function("Exercise 3.5", scatter_add_rows, _scatter_add_rows, _cases_3_5(), atol=1e-12, rtol=1e-10,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_3_5],
                   forbidden=FORBIDDEN_3_5, library=LIBRARY_SCATTER)
