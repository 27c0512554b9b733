"""Losses of skip-gram and their gradients, written exactly as the course derives them.

Taught in notebook 01 (``sigmoid``, ``log_sigmoid``), notebook 02 (the naive softmax), notebook 03 (seed
equations 1-4: one (center, outside) pair with K negatives) and notebook 04 (equations 5-8: a whole window).
Each equation of the seed derivation is marked "equation N" at the line that computes it.

Symbols and code names (the notation table of notebook 00):

==================  =======================================  ======================
symbol              code name                                shape
==================  =======================================  ======================
v_c                 ``center_vec``                           (d,)
u_o                 ``outside_vec``                          (d,)
U                   ``outside_vectors``                      (V, d), one row per word
V (bold)            ``center_vectors``                       (V, d), one row per word
c, o                ``center_idx``, ``outside_idx``          int
u_1 .. u_K          ``negative_vecs``                        (K, d)
s = 1..K            ``negative_indices[s - 1]``              int array (K,)
J                   ``loss``                                 float
==================  =======================================  ======================

V = ``vocab_size`` and d = ``dim``.
"""

import numpy as np

from w2v_lib._validation import ParameterValueError, check_index, check_indices, check_matrix, check_vector


def sigmoid(x):
    """Logistic function σ(x) = 1 / (1 + e^{-x}), stable for every finite input.

    The textbook formula overflows for x below about -710 (float64) or -89 (float32) because e^{-x}
    does. Both branches here only ever exponentiate -|x| <= 0:
    σ(x) = 1 / (1 + e^{-|x|}) for x >= 0 and σ(x) = e^{-|x|} / (1 + e^{-|x|}) for x < 0.

    Parameters
    ----------
    x : float or ndarray of any shape
        Floating arrays keep their dtype; integers are computed in float64.

    Returns
    -------
    float or ndarray, same shape as ``x``
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    exp_neg_abs = np.exp(-np.abs(x))
    result = np.where(x >= 0, 1.0 / (1.0 + exp_neg_abs), exp_neg_abs / (1.0 + exp_neg_abs))
    return result.astype(x.dtype, copy=False)[()]


def log_sigmoid(x):
    """log σ(x), stable for every finite input.

    log σ(x) = -log(1 + e^{-x}) = min(x, 0) - log(1 + e^{-|x|}); the exponent is never positive, so
    nothing overflows, and for large negative x the result is x itself rather than log(0) = -inf.

    Parameters
    ----------
    x : float or ndarray of any shape

    Returns
    -------
    float or ndarray, same shape and floating dtype as ``x``
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))))[()]


def naive_softmax_loss_and_gradient(center_vec, outside_idx, outside_vectors):
    """Full-softmax loss J = -log softmax(U v_c)_o and its gradients.

    With scores ``z = U v_c`` and probabilities ``y_hat = softmax(z)``, and ``y`` the one-hot vector of o:
    ``dJ/dv_c = U^T (y_hat - y)`` and ``dJ/dU = (y_hat - y) v_c^T``. Costs O(V d): every word is scored.

    Parameters
    ----------
    center_vec : ndarray, shape (d,)
    outside_idx : int, 0 <= outside_idx < V
    outside_vectors : ndarray, shape (V, d)

    Returns
    -------
    loss : float
    grad_center_vec : ndarray, shape (d,)
    grad_outside_vectors : ndarray, shape (V, d)
    """
    center_vec, outside_vectors = _check_center_and_outside(center_vec, outside_vectors)
    outside_idx = check_index("outside_idx", outside_idx, len(outside_vectors))

    scores = outside_vectors @ center_vec
    shifted = scores - scores.max()  # softmax is shift-invariant; the shift keeps exp from overflowing
    log_normalizer = np.log(np.exp(shifted).sum())
    y_hat = np.exp(shifted - log_normalizer)
    loss = float(log_normalizer - shifted[outside_idx])

    error = y_hat.copy()
    error[outside_idx] -= 1.0  # y_hat - y
    grad_center_vec = outside_vectors.T @ error
    grad_outside_vectors = np.outer(error, center_vec)
    return loss, grad_center_vec, grad_outside_vectors


def neg_sampling_loss_and_gradient(center_vec, outside_idx, outside_vectors, negative_indices):
    """Negative-sampling loss of one (center, outside) pair (seed equation 1) and its gradients.

    J = -log σ(u_o·v_c) - Σ_s log σ(-u_s·v_c), using 1 - σ(x) = σ(-x).

    * ∇_{v_c} J = -(1 - σ(u_o·v_c)) u_o + Σ_s σ(u_s·v_c) u_s            (seed equation 2)
    * ∇_{u_o} J = -(1 - σ(u_o·v_c)) v_c                                 (seed equation 3, corrected:
      the seed prints u_o where v_c belongs)
    * ∇_{u_s} J = σ(u_s·v_c) v_c, for each s = 1..K                     (seed equation 4)

    Every occurrence counts: a word drawn twice as a negative receives two contributions, and a negative
    equal to the outside word adds its term to that word's row as well.

    Parameters
    ----------
    center_vec : ndarray, shape (d,)
    outside_idx : int, 0 <= outside_idx < V
    outside_vectors : ndarray, shape (V, d)
    negative_indices : int array, shape (K,)
        May repeat and may contain ``outside_idx``.

    Returns
    -------
    loss : float
    grad_center_vec : ndarray, shape (d,)
    grad_outside_vectors : ndarray, shape (V, d); only rows of o and of the negatives are non-zero
    """
    center_vec, outside_vectors = _check_center_and_outside(center_vec, outside_vectors)
    vocab_size = len(outside_vectors)
    outside_idx = check_index("outside_idx", outside_idx, vocab_size)
    negative_indices = check_indices("negative_indices", negative_indices, vocab_size, ndim=1)

    loss, grad_center_vec, grad_outside_vec, grad_negative_vecs = _pair_loss_and_gradients(
        center_vec, outside_idx, outside_vectors, negative_indices)
    grad_outside_vectors = np.zeros_like(outside_vectors)
    grad_outside_vectors[outside_idx] += grad_outside_vec
    # `grad[negative_indices] += ...` would keep only one update per repeated index; np.add.at keeps all.
    np.add.at(grad_outside_vectors, negative_indices, grad_negative_vecs)
    return loss, grad_center_vec, grad_outside_vectors


def _pair_loss_and_gradients(center_vec, outside_idx, outside_vectors, negative_indices):
    """Equations 1-4 for one pair: J, ∇_{v_c} J, ∇_{u_o} J (d,) and the K rows ∇_{u_s} J (K, d)."""
    outside_vec = outside_vectors[outside_idx]
    negative_vecs = outside_vectors[negative_indices]  # (K, d)
    outside_score = outside_vec @ center_vec
    negative_scores = negative_vecs @ center_vec  # (K,)

    loss = float(-log_sigmoid(outside_score) - log_sigmoid(-negative_scores).sum())  # equation 1

    outside_coef = -sigmoid(-outside_score)  # -(1 - σ(u_o·v_c))
    negative_coefs = sigmoid(negative_scores)  # σ(u_s·v_c), shape (K,)

    grad_center_vec = outside_coef * outside_vec + negative_coefs @ negative_vecs  # equation 2
    # equation 3, corrected: the seed prints u_o where v_c belongs (∂(u_o·v_c)/∂u_o = v_c; notebook 03).
    grad_outside_vec = outside_coef * center_vec
    grad_negative_vecs = np.outer(negative_coefs, center_vec)  # equation 4, row s - 1 for negative s
    return loss, grad_center_vec, grad_outside_vec, grad_negative_vecs


def skipgram_loss_and_gradient(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices):
    """Skip-gram loss of one window (seed equation 5) and its gradients (equations 6-8).

    J_skip-gram = Σ_j J(v_c, u_{w_{t+j}}): one negative-sampling term (equation 1) per outside word, each with
    its own row of K negatives. Each gradient is the sum of the pairs' gradients:

    * ∇_{v_c} J_skip-gram = Σ_j ∇_{v_c} J                                (equation 6)
    * the row of an outside word gets ∇_{u_o} J of each pair it is the outside word of   (equation 7; a word
      that occurs twice in the window gets both terms, which the seed's "= ∇_{u_{w_k}} J" leaves out)
    * the row of a negative gets ∇_{u_s} J of each pair it was drawn for  (equation 8; "2m ×" holds only when
      the same negatives are shared by every pair of the window, which word2vec.c and gensim do not do)

    Parameters
    ----------
    center_idx : int, 0 <= center_idx < V
    outside_indices : int array, shape (n_outside,)
        The words in the window, at most 2m of them; a word may appear more than once.
    center_vectors : ndarray, shape (V, d)
    outside_vectors : ndarray, shape (V, d)
    negative_indices : int array, shape (n_outside, K)
        Row j holds the negatives drawn for outside word j.

    Returns
    -------
    loss : float
    grad_center_vectors : ndarray, shape (V, d); only row ``center_idx`` is non-zero
    grad_outside_vectors : ndarray, shape (V, d)
    """
    center_vectors = check_matrix("center_vectors", center_vectors)
    outside_vectors = check_matrix("outside_vectors", outside_vectors, shape=center_vectors.shape)
    vocab_size = len(center_vectors)
    center_idx = check_index("center_idx", center_idx, vocab_size)
    outside_indices = check_indices("outside_indices", outside_indices, vocab_size, ndim=1)
    negative_indices = check_indices("negative_indices", negative_indices, vocab_size, ndim=2)
    if negative_indices.shape[0] != len(outside_indices):
        raise ParameterValueError("negative_indices", f"must have one row per outside word: expected shape "
                                                      f"({len(outside_indices)}, K), got {negative_indices.shape}")

    center_vec = center_vectors[center_idx]
    loss = 0.0
    grad_center_vec = np.zeros_like(center_vec)
    grad_outside_vectors = np.zeros_like(outside_vectors)
    for outside_idx, negatives in zip(outside_indices, negative_indices):
        pair_loss, pair_grad_center_vec, pair_grad_outside_vec, pair_grad_negative_vecs = _pair_loss_and_gradients(
            center_vec, outside_idx, outside_vectors, negatives)
        loss += pair_loss  # equation 5
        grad_center_vec += pair_grad_center_vec  # equation 6
        grad_outside_vectors[outside_idx] += pair_grad_outside_vec  # equation 7
        np.add.at(grad_outside_vectors, negatives, pair_grad_negative_vecs)  # equation 8

    grad_center_vectors = np.zeros_like(center_vectors)
    grad_center_vectors[center_idx] = grad_center_vec
    return loss, grad_center_vectors, grad_outside_vectors


def _check_center_and_outside(center_vec, outside_vectors):
    center_vec = check_vector("center_vec", center_vec)
    outside_vectors = check_matrix("outside_vectors", outside_vectors, shape=(None, len(center_vec)))
    return center_vec, outside_vectors
