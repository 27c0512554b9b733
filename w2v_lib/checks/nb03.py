"""Checks of notebook 03's exercises (the negative-sampling loss), called from its check cells.

The model for every ``nbNN.py``: one public function per check cell, named after the exercise, taking the
student's function or answer, and nothing else in the check cell. Here:

* Exercise 3.1 asks for ``neg_sampling_gradients(center_vec, outside_idx, outside_vectors,
  negative_indices)`` returning ``(grad_center_vec, grad_outside_vectors)`` of shapes (d,) and (V, d),
  every draw counted, without ``np.add.at`` and without the library's ``neg_sampling_loss_and_gradient``.
  Check cells: ``nb03.check_3_1(neg_sampling_gradients)`` (test cases) and
  ``nb03.check_3_1_gradient(neg_sampling_gradients)`` (gradcheck).
* Exercise 3.3 asks for ``answer_3_3``, the gradient with respect to row o of U computed by hand when the
  single negative is the outside word itself, with v_c = [ln 3, 0] and u_o = [1, 5], so that
  σ(u_o·v_c) = 3/4. Check cell: ``nb03.check_3_3(globals().get("answer_3_3"))``.

How the cases are chosen
------------------------
Each case, visible or hidden, is there to break one usual wrong approach:

* distinct negatives, none equal to o: the plain case, where equations 2-4 can be written into their rows;
* repeated negative indices: ``grad[negative_indices] += ...`` keeps one update per index, and
  ``np.unique`` counts each word once;
* a negative equal to o: setting row o to equation 3 (the seed's assumption) drops the negative's term;
* every negative equal to o (hidden): all three of the above at once, on a single row;
* a single negative (hidden): ``np.squeeze`` or ``.item()`` turn the (K,) scores into a scalar, which
  breaks the row updates;
* more dimensions than words (hidden): U is wide, so a transposed or misaligned outer product has a shape
  different from the right one;
* a larger random case with skewed draws (hidden): many repeats among many words, and no answer can be
  typed in by hand.

In every case v_c differs from u_o, so the seed's printed equation 3 (u_o where v_c belongs) gives a
different row o, and scores are moderate, so σ and 1 - σ are far from 0 and 1.
"""

import numpy as np

from w2v_lib.checks import Case, Mistake, check_function, check_gradient, check_value
from w2v_lib.losses import log_sigmoid, neg_sampling_loss_and_gradient, sigmoid

FORBIDDEN_3_1 = ("numpy.add.at",)
LIBRARY_3_1 = ("w2v_lib.losses.neg_sampling_loss_and_gradient",)
RETURNS_3_1 = ("grad_center_vec", "grad_outside_vectors")


# ---------------------------------------------------------------------------------------------------------
# Exercise 3.1: both gradients of one pair's loss, every draw counted


def _gradients(center_vec, outside_idx, outside_vectors, negative_indices):
    """The right answer: the library's gradients."""
    return neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, negative_indices)[1:]


# Each known mistake is the right answer with one thing done wrong, on the same arguments.


def _flipped_sign(center_vec, outside_idx, outside_vectors, negative_indices):
    grad_center_vec, grad_outside_vectors = _gradients(center_vec, outside_idx, outside_vectors,
                                                       negative_indices)
    return -grad_center_vec, -grad_outside_vectors


def _printed_equation_3(center_vec, outside_idx, outside_vectors, negative_indices):
    grad_center_vec, grad_outside_vectors = _gradients(center_vec, outside_idx, outside_vectors,
                                                       negative_indices)
    outside_vec = outside_vectors[outside_idx]
    coefficient = -sigmoid(-(outside_vec @ center_vec))  # -(1 - σ(u_o·v_c))
    grad_outside_vectors[outside_idx] += coefficient * (outside_vec - center_vec)  # u_o in place of v_c
    return grad_center_vec, grad_outside_vectors


def _duplicates_lost(center_vec, outside_idx, outside_vectors, negative_indices):
    grad_center_vec, _ = _gradients(center_vec, outside_idx, outside_vectors, negative_indices)
    outside_vec = outside_vectors[outside_idx]
    grad_outside_vectors = np.zeros_like(outside_vectors)
    grad_outside_vectors[outside_idx] += -sigmoid(-(outside_vec @ center_vec)) * center_vec
    negative_scores = outside_vectors[negative_indices] @ center_vec
    grad_outside_vectors[negative_indices] += sigmoid(negative_scores)[:, None] * center_vec  # buffered
    return grad_center_vec, grad_outside_vectors


def _row_o_overwritten(center_vec, outside_idx, outside_vectors, negative_indices):
    grad_center_vec, grad_outside_vectors = _gradients(center_vec, outside_idx, outside_vectors,
                                                       negative_indices)
    outside_vec = outside_vectors[outside_idx]
    grad_outside_vectors[outside_idx] = -sigmoid(-(outside_vec @ center_vec)) * center_vec
    return grad_center_vec, grad_outside_vectors


def _each_negative_once(center_vec, outside_idx, outside_vectors, negative_indices):
    return _gradients(center_vec, outside_idx, outside_vectors, np.unique(negative_indices))


def _sigma_for_one_minus_sigma(center_vec, outside_idx, outside_vectors, negative_indices):
    grad_center_vec, grad_outside_vectors = _gradients(center_vec, outside_idx, outside_vectors,
                                                       negative_indices)
    outside_vec = outside_vectors[outside_idx]
    probability = sigmoid(outside_vec @ center_vec)
    # The outside-word coefficient becomes -σ instead of -(1 - σ): a change of 1 - 2σ.
    grad_center_vec = grad_center_vec + (1 - 2 * probability) * outside_vec
    grad_outside_vectors[outside_idx] += (1 - 2 * probability) * center_vec
    return grad_center_vec, grad_outside_vectors


MISTAKES_3_1 = (
    ("the seed's printed equation 3, which has u_o where v_c belongs", _printed_equation_3),
    ("every sign is flipped: this is the gradient of -J; check the minus signs in front of the logs",
     _flipped_sign),
    ("duplicates lost to `+=`: `grad[negative_indices] += ...` keeps one update per repeated index, but a "
     "word drawn twice must receive both", _duplicates_lost),
    ("row o holds the outside-word term alone: when a negative is the outside word itself, its row "
     "receives both terms", _row_o_overwritten),
    ("each distinct negative counted once: a word drawn twice contributes twice, to both gradients",
     _each_negative_once),
    ("the outside-word term uses σ(u_o·v_c) where the derivative of log σ(x) gives 1 - σ(x) (notebook 01)",
     _sigma_for_one_minus_sigma),
)


def _cases_3_1():
    rng = np.random.default_rng(31)
    center_vec = rng.normal(size=3)
    outside_vectors = rng.normal(size=(6, 3))
    wide_rng, large_rng = np.random.default_rng(311), np.random.default_rng(312)
    zipf = 1.0 / np.arange(1, 41)
    return [
        Case("distinct negatives, none of them the outside word",
             (center_vec, 0, outside_vectors, np.array([1, 2, 3, 4]))),
        Case("repeated negative indices", (center_vec, 0, outside_vectors, np.array([4, 4, 2, 4]))),
        Case("a negative equal to the outside word", (center_vec, 5, outside_vectors, np.array([5, 1]))),
        Case("every negative is the outside word", (center_vec, 3, outside_vectors, np.array([3, 3, 3])),
             hidden=True),
        Case("a single negative", (center_vec, 1, outside_vectors, np.array([4])), hidden=True),
        Case("more dimensions than words, many draws",
             (wide_rng.normal(size=7), 2, wide_rng.normal(size=(3, 7)), wide_rng.integers(0, 3, size=12)),
             hidden=True),
        Case("a larger vocabulary with skewed draws",
             (0.5 * large_rng.normal(size=5), 17, 0.5 * large_rng.normal(size=(40, 5)),
              large_rng.choice(40, size=25, p=zipf / zipf.sum())),
             hidden=True),
    ]


def check_3_1(neg_sampling_gradients):
    """Exercise 3.1: compare the student's two gradients with the library's on seven cases, three hidden."""
    check_function("Exercise 3.1", neg_sampling_gradients, _gradients, _cases_3_1(), atol=1e-10, rtol=1e-8,
                   mistakes=[Mistake(description, function) for description, function in MISTAKES_3_1],
                   forbidden=FORBIDDEN_3_1, library=LIBRARY_3_1, returns=RETURNS_3_1)


def check_3_1_gradient(neg_sampling_gradients):
    """Exercise 3.1: gradcheck both gradients where a repeated negative is also the outside word."""
    rng = np.random.default_rng(313)
    center_vec, outside_vectors = rng.normal(size=3), rng.normal(size=(6, 3))
    outside_idx, negative_indices = 2, np.array([2, 4, 4, 0])

    def loss_and_gradients(center_vec, outside_vectors):
        # Equation 1 written out here: the guard blocks the library's loss-and-gradient function during
        # this call, so the loss must not come from it.
        loss = (-log_sigmoid(outside_vectors[outside_idx] @ center_vec)
                - log_sigmoid(-(outside_vectors[negative_indices] @ center_vec)).sum())
        return loss, neg_sampling_gradients(center_vec, outside_idx, outside_vectors, negative_indices)

    def at_this_point(function):
        return lambda center_vec, outside_vectors: function(center_vec, outside_idx, outside_vectors,
                                                            negative_indices)

    check_gradient("Exercise 3.1", loss_and_gradients, (center_vec, outside_vectors),
                   blocks=("∇_v_c J (grad_center_vec)", "∇_U J (grad_outside_vectors)"),
                   mistakes=[Mistake(words, at_this_point(function)) for words, function in MISTAKES_3_1],
                   forbidden=FORBIDDEN_3_1, library=LIBRARY_3_1, student=neg_sampling_gradients)


# ---------------------------------------------------------------------------------------------------------
# Exercise 3.3: the outside word drawn as its own negative, by hand


def check_3_3(answer_3_3):
    """Exercise 3.3: the gradient with respect to row o when the only negative is o itself."""
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
    check_value("Exercise 3.3", answer_3_3, expected, atol=1e-9, rtol=1e-9, mistakes=mistakes)
