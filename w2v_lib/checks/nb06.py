"""Checks of notebook 06's exercises (training with SGD), called from its check cells.

* Exercise 6.1 (derive first) asks for ``answer_6_1``: the loss of the notebook's first full window (4 outside
  words, K = 5 negatives each) at word2vec.c's initialization, where U = 0. Check cell:
  ``nb06.check_6_1(globals().get("answer_6_1"))``.
* Exercise 6.2 (derive first) asks for ``stationary_variance(learning_rate, curvature, noise_variance)``: the
  variance that constant-step SGD settles at on the 1-D loss λθ²/2 when each gradient carries independent noise
  of variance ν², for 0 < ηλ < 2. Check cell: ``nb06.check_6_2(stationary_variance)``.
* Exercise 6.3 asks for ``sgd_window_step(center_idx, outside_indices, center_vectors, outside_vectors,
  negative_indices, learning_rate)`` returning ``(loss, new_center_vectors, new_outside_vectors)``: one SGD step
  on one window (the notebook's ``sgd_step``) computed on the rows it touches, without the library's loss
  functions or its minibatch step. Check cell: ``nb06.check_6_3(sgd_window_step)``.
* Exercise 6.4 asks for ``word2vec_pair_update(center_vectors, outside_vectors, input_word, target_word,
  negative_indices, learning_rate)`` returning ``(new_center_vectors, new_outside_vectors)``: one pair's update as
  word2vec.c's skip-gram loop makes it. Check cell: ``nb06.check_6_4(word2vec_pair_update)``.

How the cases are chosen
------------------------
6.3: a window whose outside word occurs twice, a negative drawn twice, a negative equal to an outside word and
a center word that is also an outside word: ``+=`` with repeated indices keeps one update, updating the rows
pair by pair (or the center before the outside rows) takes later gradients at moved parameters, and the loss
taken after the step is another number. Hidden: a single outside word with one negative (shapes that
``squeeze`` breaks), and a larger window of a skewed vocabulary.

6.4: scores are kept away from ±6 except in the hidden case that tests the clipping, so that word2vec.c's
clipping, gensim's skipping and an unclipped σ give three different answers there and the same answer
elsewhere; a negative drawn twice tells the sequential updates of word2vec.c from scores computed all at once;
a negative equal to the target tells skipping it from using it.

The reference of 6.4 is written here from word2vec.c's loop, one coordinate at a time as the C code does, so
that it shares nothing with a vectorized answer.
"""

import math

import numpy as np

from w2v_lib.checks import Case, Mistake, check_function, check_value
from w2v_lib.losses import sigmoid, skipgram_loss_and_gradient

# The library's functions that already take a window's step, or compute its gradients.
LIBRARY_6_3 = (
    "w2v_lib.losses.skipgram_loss_and_gradient",
    "w2v_lib.losses.neg_sampling_loss_and_gradient",
    "w2v_lib.losses._pair_loss_and_gradients",
    "w2v_lib.train.minibatch_step",
    "w2v_lib.train._step",
    "w2v_lib.train._window_step",
    "w2v_lib.scatter.scatter_add_products",
    "w2v_lib.scatter.scatter_sums",
)
RETURNS_6_3 = ("loss", "new_center_vectors", "new_outside_vectors")
RETURNS_6_4 = ("new_center_vectors", "new_outside_vectors")
MAX_EXP = 6.0  # word2vec.c's bound on the scores it looks up in its sigmoid table


# ---------------------------------------------------------------------------------------------------------
# Exercise 6.1: the loss of a window at initialization


def check_6_1(answer_6_1):
    """Exercise 6.1: the loss of a window of 4 outside words, K = 5, when U = 0."""
    n_outside, negative = 4, 5
    rng = np.random.default_rng(61)
    center_vectors = (rng.random((12, 3)) - 0.5) / 3  # any center vectors: the scores are 0 whatever they are
    negative_indices = rng.integers(0, 12, size=(n_outside, negative))
    expected = skipgram_loss_and_gradient(0, np.array([1, 2, 3, 4]), center_vectors, np.zeros((12, 3)),
                                          negative_indices)[0]
    log2 = math.log(2)
    mistakes = [
        Mistake("the outside word's own term is missing: each pair has K + 1 terms, the outside word's "
                "-log σ(u_o·v_c) and one per negative", n_outside * negative * log2),
        Mistake("one pair only: the window's loss is the sum over its 4 outside words (seed equation 5)",
                (negative + 1) * log2),
        Mistake("log base 10: the losses use the natural logarithm", n_outside * (negative + 1) * math.log10(2)),
        Mistake("σ(0) = 1/2 summed, not -log σ(0) = log 2", n_outside * (negative + 1) * 0.5),
        Mistake("the negatives counted once for the window: each outside word has its own K negatives",
                (n_outside + negative) * log2),
    ]
    check_value("Exercise 6.1", answer_6_1, expected, atol=1e-9, rtol=1e-9, mistakes=mistakes)


# ---------------------------------------------------------------------------------------------------------
# Exercise 6.2: the stationary variance of constant-step SGD


def _stationary_variance(learning_rate, curvature, noise_variance):
    """Var θ = η ν² / (λ (2 - ηλ)): the fixed point of Var' = (1 - ηλ)² Var + η² ν²."""
    return learning_rate * noise_variance / (curvature * (2 - learning_rate * curvature))


def _small_step(learning_rate, curvature, noise_variance):
    return learning_rate * noise_variance / (2 * curvature)


def _pull_back_not_squared(learning_rate, curvature, noise_variance):
    return learning_rate ** 2 * noise_variance / (learning_rate * curvature)


def _one_step_noise(learning_rate, curvature, noise_variance):
    return learning_rate ** 2 * noise_variance


def _standard_deviation(learning_rate, curvature, noise_variance):
    return math.sqrt(_stationary_variance(learning_rate, curvature, noise_variance))


def _eta_missing(learning_rate, curvature, noise_variance):
    return noise_variance / (curvature * (2 - learning_rate * curvature))


MISTAKES_6_2 = (
    ("the small-step approximation ην²/(2λ): the exact answer keeps every term of (1 - ηλ)²", _small_step),
    ("the pull-back factor (1 - ηλ) is not squared: a deviation scaled by (1 - ηλ) has its variance scaled by "
     "(1 - ηλ)²", _pull_back_not_squared),
    ("the noise of a single step, η²ν², not what accumulates over many steps", _one_step_noise),
    ("the standard deviation, not the variance", _standard_deviation),
    ("a factor η is missing: the step subtracts η times the noisy gradient", _eta_missing),
)


def check_6_2(stationary_variance):
    """Exercise 6.2: the stationary variance on five cases, three of them hidden."""
    cases = [
        Case("a small step", (0.01, 2.0, 1.0)),
        Case("ηλ = 1, where one step lands on the minimum but for the noise", (0.5, 2.0, 0.3)),
        Case("ηλ close to 2", (1.9, 1.0, 1.0), hidden=True),
        Case("a large curvature and a small step", (0.001, 400.0, 5.0), hidden=True),
        Case("ηλ = 1.5, noise variance 4", (0.3, 5.0, 4.0), hidden=True),
    ]
    check_function("Exercise 6.2", stationary_variance, _stationary_variance, cases, atol=0, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_6_2])


# ---------------------------------------------------------------------------------------------------------
# Exercise 6.3: one window's SGD step on the rows it touches


def _window_step(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices, learning_rate):
    """The right answer: the library's window gradients at the parameters before the step."""
    loss, grad_center_vectors, grad_outside_vectors = skipgram_loss_and_gradient(
        center_idx, outside_indices, center_vectors, outside_vectors, negative_indices)
    return (loss, center_vectors - learning_rate * grad_center_vectors,
            outside_vectors - learning_rate * grad_outside_vectors)


def _pair_terms(center_vec, outside_idx, outside_vectors, negatives):
    """One pair's loss, ∇v_c J, and the (word, ∇u_w J) terms of equations 3-4, one per occurrence."""
    outside_score = outside_vectors[outside_idx] @ center_vec
    negative_scores = outside_vectors[negatives] @ center_vec
    loss = -math.log(sigmoid(outside_score)) - np.log(sigmoid(-negative_scores)).sum()
    grad_center_vec = (-sigmoid(-outside_score) * outside_vectors[outside_idx]
                       + sigmoid(negative_scores) @ outside_vectors[negatives])
    terms = [(outside_idx, -sigmoid(-outside_score) * center_vec)]
    terms += [(w, sigmoid(score) * center_vec) for w, score in zip(negatives, negative_scores)]
    return loss, grad_center_vec, terms


def _duplicates_lost(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices,
                     learning_rate, per_pair=True):
    """Fancy-index `+=`: of the repeated rows of one statement, the last update wins."""
    loss, new_center_vectors, _ = _window_step(center_idx, outside_indices, center_vectors, outside_vectors,
                                               negative_indices, learning_rate)
    grad_outside_vectors = np.zeros_like(outside_vectors)
    updates = {}
    for outside_idx, negatives in zip(outside_indices, negative_indices):
        outside_term, *negative_terms = _pair_terms(center_vectors[center_idx], outside_idx, outside_vectors,
                                                    negatives)[2]
        if per_pair:  # grad[o] += ...; grad[negatives] += ... for each pair
            grad_outside_vectors[outside_term[0]] += outside_term[1]
            updates = {}
        else:  # one `+=` for the terms of the whole window
            updates[int(outside_term[0])] = outside_term[1]
        for word, grad in negative_terms:
            updates[int(word)] = grad
        if per_pair:
            for word, grad in updates.items():
                grad_outside_vectors[word] += grad
    if not per_pair:
        for word, grad in updates.items():
            grad_outside_vectors[word] += grad
    return loss, new_center_vectors, outside_vectors - learning_rate * grad_outside_vectors


def _duplicates_lost_in_window(*args):
    return _duplicates_lost(*args, per_pair=False)


def _pair_by_pair(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices, learning_rate):
    new_center_vectors, new_outside_vectors = center_vectors.copy(), outside_vectors.copy()
    loss = 0.0
    for outside_idx, negatives in zip(outside_indices, negative_indices):
        pair_loss, grad_center_vec, terms = _pair_terms(new_center_vectors[center_idx], outside_idx,
                                                        new_outside_vectors, negatives)
        loss += pair_loss
        new_center_vectors[center_idx] -= learning_rate * grad_center_vec
        for word, grad in terms:
            new_outside_vectors[word] -= learning_rate * grad
    return loss, new_center_vectors, new_outside_vectors


def _center_moved_first(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices,
                        learning_rate):
    loss, new_center_vectors, _ = _window_step(center_idx, outside_indices, center_vectors, outside_vectors,
                                               negative_indices, learning_rate)
    _, _, grad_outside_vectors = skipgram_loss_and_gradient(center_idx, outside_indices, new_center_vectors,
                                                            outside_vectors, negative_indices)
    return loss, new_center_vectors, outside_vectors - learning_rate * grad_outside_vectors


def _loss_after(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices, learning_rate):
    _, new_center_vectors, new_outside_vectors = _window_step(center_idx, outside_indices, center_vectors,
                                                              outside_vectors, negative_indices, learning_rate)
    loss = skipgram_loss_and_gradient(center_idx, outside_indices, new_center_vectors, new_outside_vectors,
                                      negative_indices)[0]
    return loss, new_center_vectors, new_outside_vectors


def _gradient_ascent(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices,
                     learning_rate):
    return _window_step(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices,
                        -learning_rate)


_DUPLICATES_6_3 = ("duplicates lost to `+=`: a word that occurs twice in the window (as an outside word or as a "
                   "negative) must receive both updates")
MISTAKES_6_3 = (
    (_DUPLICATES_6_3, _duplicates_lost),
    (_DUPLICATES_6_3, _duplicates_lost_in_window),
    ("the pairs are updated one after the other: the window's step takes every gradient at the parameters "
     "before the step (that sequential update is word2vec.c's, exercise 6.4)", _pair_by_pair),
    ("the center vector was moved before the outside vectors' gradients were taken: both gradients are taken "
     "at the parameters before the step", _center_moved_first),
    ("the loss is measured after the step: return the loss at the parameters before it", _loss_after),
    ("the step goes up the gradient: subtract η times the gradient", _gradient_ascent),
)


def _cases_6_3():
    rng = np.random.default_rng(63)
    center_vectors, outside_vectors = 0.6 * rng.normal(size=(8, 3)), 0.6 * rng.normal(size=(8, 3))
    big_rng = np.random.default_rng(631)
    zipf = 1.0 / np.arange(1, 31)
    return [
        Case("distinct words", (2, np.array([0, 4, 5]), center_vectors, outside_vectors,
                                np.array([[1, 3], [6, 7], [1, 0]]), 0.1)),
        Case("an outside word twice in the window and a negative drawn twice",
             (2, np.array([5, 3, 5, 1]), center_vectors, outside_vectors,
              np.array([[4, 4], [0, 6], [7, 1], [6, 0]]), 0.2)),
        Case("a negative equal to an outside word, and the center word among its own outside words",
             (3, np.array([3, 6]), center_vectors, outside_vectors, np.array([[6, 2], [3, 3]]), 0.5)),
        Case("one outside word with one negative", (1, np.array([7]), center_vectors, outside_vectors,
                                                     np.array([[2]]), 0.05), hidden=True),
        Case("a full window of a skewed vocabulary",
             (4, big_rng.choice(30, size=10, p=zipf / zipf.sum()), 0.5 * big_rng.normal(size=(30, 5)),
              0.5 * big_rng.normal(size=(30, 5)), big_rng.choice(30, size=(10, 5), p=zipf / zipf.sum()), 0.3),
             hidden=True),
    ]


def check_6_3(sgd_window_step):
    """Exercise 6.3: compare with the library's dense window step on five cases, two hidden."""
    check_function("Exercise 6.3", sgd_window_step, _window_step, _cases_6_3(), atol=1e-10, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_6_3],
                   library=LIBRARY_6_3, returns=RETURNS_6_3)


# ---------------------------------------------------------------------------------------------------------
# Exercise 6.4: word2vec.c's update of one (input word, target word) pair


def _word2vec_c(center_vectors, outside_vectors, input_word, target_word, negative_indices, learning_rate,
                clip="word2vec.c", skip_target=True, sequential=True, input_at_end=True, error_before=True,
                sign=1.0):
    """word2vec.c's skip-gram pair update, coordinate by coordinate; the keywords make its known mistakes.

    syn0 is ``center_vectors`` (the input vectors), syn1neg ``outside_vectors``; ``l1`` is the input word's row,
    ``word`` the target, ``neu1e`` the input vector's accumulated update.
    """
    syn0, syn1neg = center_vectors.copy(), outside_vectors.copy()
    size = syn0.shape[1]
    l1 = int(input_word)
    frozen = syn1neg.copy()  # the output rows as they were before the pair (for the mistake "all at once")
    neu1e = [0.0] * size
    for d in range(len(negative_indices) + 1):
        if d == 0:
            target, label = int(target_word), 1
        else:
            target, label = int(negative_indices[d - 1]), 0
            if skip_target and target == target_word:
                continue
        row = syn1neg[target] if sequential else frozen[target]  # "all at once" scores and errors use old rows
        f = sum(syn0[l1][c] * row[c] for c in range(size))
        if clip == "word2vec.c" and f > MAX_EXP:
            g = (label - 1) * learning_rate
        elif clip == "word2vec.c" and f < -MAX_EXP:
            g = (label - 0) * learning_rate
        elif clip == "gensim" and abs(f) >= MAX_EXP:
            continue
        else:
            g = (label - 1 / (1 + math.exp(-f))) * learning_rate
        g *= sign
        if error_before:
            for c in range(size):
                neu1e[c] += g * row[c]
        for c in range(size):
            syn1neg[target][c] += g * syn0[l1][c]
        if not error_before:
            for c in range(size):
                neu1e[c] += g * syn1neg[target][c]
        if not input_at_end:
            for c in range(size):
                syn0[l1][c] += neu1e[c]
            neu1e = [0.0] * size
    for c in range(size):
        syn0[l1][c] += neu1e[c]
    return syn0, syn1neg


def _variant(**how):
    def mistaken(center_vectors, outside_vectors, input_word, target_word, negative_indices, learning_rate):
        return _word2vec_c(center_vectors, outside_vectors, input_word, target_word, negative_indices,
                           learning_rate, **how)
    return mistaken


MISTAKES_6_4 = (
    ("gensim's rule: gensim skips a score beyond ±6, word2vec.c clips it (σ taken as 0 or 1)",
     _variant(clip="gensim")),
    ("σ computed for every score: word2vec.c takes σ as 1 above 6 and as 0 below -6", _variant(clip=None)),
    ("a negative equal to the target word was used: word2vec.c skips it", _variant(skip_target=False)),
    ("all scores taken before any update: word2vec.c updates each output row before the next score, so a word "
     "drawn twice sees its first update", _variant(sequential=False)),
    ("the input vector moved inside the loop: word2vec.c adds the accumulated neu1e after the K + 1 output "
     "updates", _variant(input_at_end=False)),
    ("neu1e accumulated with the output row after its update: word2vec.c adds g times the row before "
     "changing it", _variant(error_before=False)),
    ("the error term has the wrong sign: word2vec.c adds g = (label - σ(f)) η times the other vector, which "
     "moves both rows down the loss", _variant(sign=-1.0)),
)


def _reference_6_4(center_vectors, outside_vectors, input_word, target_word, negative_indices, learning_rate):
    return _word2vec_c(center_vectors, outside_vectors, input_word, target_word, negative_indices, learning_rate)


def _cases_6_4():
    rng = np.random.default_rng(64)
    center_vectors, outside_vectors = 0.5 * rng.normal(size=(7, 4)), 0.5 * rng.normal(size=(7, 4))
    # Scores beyond ±6: the input vector points along u_target and against u_1, far; u_2 is near 0.
    wide_center, wide_outside = 0.3 * rng.normal(size=(6, 3)), 0.3 * rng.normal(size=(6, 3))
    wide_center[0] = [3.0, 0.0, 0.0]
    wide_outside[2], wide_outside[4], wide_outside[5] = [2.5, 0.2, 0.0], [-2.6, 0.1, 0.3], [2.4, -0.3, 0.1]
    big_rng = np.random.default_rng(641)
    return [
        Case("distinct negatives", (center_vectors, outside_vectors, 1, 3, np.array([0, 5, 6]), 0.1)),
        Case("a negative drawn twice", (center_vectors, outside_vectors, 2, 4, np.array([6, 0, 6, 5]), 0.4)),
        Case("the input word equal to the target word", (center_vectors, outside_vectors, 5, 5,
                                                         np.array([1, 2]), 0.25)),
        Case("a negative equal to the target word", (center_vectors, outside_vectors, 0, 2,
                                                     np.array([1, 2, 4, 2, 6]), 0.3), hidden=True),
        Case("scores beyond ±6", (wide_center, wide_outside, 0, 2, np.array([4, 5, 1]), 0.5), hidden=True),
        Case("twenty negatives among eight words",
             (0.4 * big_rng.normal(size=(8, 5)), 0.4 * big_rng.normal(size=(8, 5)), 3, 6,
              big_rng.integers(0, 8, size=20), 0.6), hidden=True),
    ]


def check_6_4(word2vec_pair_update):
    """Exercise 6.4: compare with word2vec.c's loop, transcribed, on six cases, three hidden."""
    check_function("Exercise 6.4", word2vec_pair_update, _reference_6_4, _cases_6_4(), atol=1e-10, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_6_4],
                   library=LIBRARY_6_3, returns=RETURNS_6_4)
