"""CBOW (continuous bag of words): the mean of the outside words' vectors predicts the center word.

Skip-gram makes one prediction per (center, outside) pair; CBOW makes one per window. For the window of
center word c with outside words o_1..o_n (a multiset: a word that occurs twice counts twice), the input of the
prediction is their mean,

    v̄ = (1/n) Σ_k v_{o_k},

as word2vec.c (``-cbow 1``) and gensim (``sg=0`` with its default ``cbow_mean=1``) compute it, and v̄ is scored
against the center word with negative sampling, J = -log σ(u_c·v̄) - Σ_s log σ(-u_s·v̄), or with hierarchical
softmax, J = -log p(c | v̄) (:mod:`w2v_lib.hierarchical_softmax`).

Roles of the two matrices, the same as word2vec.c's: the input side is V (``center_vectors``, word2vec.c's
``syn0``, the embeddings), read here for the *outside* words; the output side is U (``outside_vectors``,
``syn1neg``) or Q (``node_vectors``, ``syn1``), read for the *center* word. The code names come from
skip-gram; in CBOW read them as "input vectors" and "output vectors".

Symbols and code names (new for notebook 12; the rest as in notebook 00):

=========  ======================  ===========================================================================
symbol     code name               shape / meaning
=========  ======================  ===========================================================================
n          ``len(outside_indices)``  number of outside words in the window (with repeats), 1 <= n <= 2m
v̄          ``mean_outside_vec``    (d,), the mean of their input vectors
=========  ======================  ===========================================================================

The chain rule through the mean: dJ/dv_{o_k} = (1/n) dJ/dv̄ for each occurrence, so a word that occurs r times
in the window gets (r/n) dJ/dv̄. These functions return that true gradient (gradchecked). Note that word2vec.c
and gensim do not step along it: they add the whole step -η dJ/dv̄ to the row of every occurrence (``syn0 +=
neu1e``), which is n times the gradient step for each row. A trainer that wants gensim's numbers multiplies
these row gradients by n.
"""

import numpy as np

from w2v_lib._validation import check_index, check_indices, check_matrix
from w2v_lib.hierarchical_softmax import hierarchical_softmax_loss_and_gradient
from w2v_lib.huffman import HuffmanTree
from w2v_lib.losses import neg_sampling_loss_and_gradient


def cbow_neg_sampling_loss_and_gradient(center_idx, outside_indices, center_vectors, outside_vectors,
                                        negative_indices):
    """CBOW loss of one window with negative sampling, and its gradients.

    J = -log σ(u_c·v̄) - Σ_s log σ(-u_s·v̄): seed equation 1 with v̄ in place of v_c and the center word c in
    the place of the outside word. So, by that equation's gradients,

    * dJ/dv̄ = -(1 - σ(u_c·v̄)) u_c + Σ_s σ(u_s·v̄) u_s, and dJ/dv_{o_k} = (1/n) dJ/dv̄ for each occurrence;
    * dJ/du_c = -(1 - σ(u_c·v̄)) v̄;   dJ/du_s = σ(u_s·v̄) v̄ for each negative.

    Every negative counts, as in :func:`~w2v_lib.losses.neg_sampling_loss_and_gradient`, also one equal to c
    (word2vec.c and gensim skip a negative equal to the center word when they draw it).

    Parameters
    ----------
    center_idx : int, 0 <= center_idx < V
        c, the word to predict.
    outside_indices : int array, shape (n,), n >= 1
        The outside words of the window; a word may appear more than once.
    center_vectors : ndarray, shape (V, d)
        V, the input vectors (``syn0``): their rows of the outside words are averaged.
    outside_vectors : ndarray, shape (V, d)
        U, the output vectors (``syn1neg``): the rows of c and of the negatives are scored.
    negative_indices : int array, shape (K,)
        One set of negatives for the window (CBOW makes one prediction per window); may repeat.

    Returns
    -------
    loss : float
    grad_center_vectors : ndarray, shape (V, d); non-zero only in the rows of the outside words
    grad_outside_vectors : ndarray, shape (V, d); non-zero only in the rows of c and of the negatives
    """
    center_vectors = check_matrix("center_vectors", center_vectors)
    outside_vectors = check_matrix("outside_vectors", outside_vectors, shape=center_vectors.shape)
    center_idx, outside_indices = _check_window(center_idx, outside_indices, len(center_vectors))
    negative_indices = check_indices("negative_indices", negative_indices, len(center_vectors), ndim=1)

    mean_outside_vec = center_vectors[outside_indices].mean(axis=0)
    loss, grad_mean, grad_outside_vectors = neg_sampling_loss_and_gradient(
        mean_outside_vec, center_idx, outside_vectors, negative_indices)
    return loss, _spread_over_window(grad_mean, outside_indices, center_vectors), grad_outside_vectors


def cbow_hierarchical_softmax_loss_and_gradient(center_idx, outside_indices, center_vectors, node_vectors, tree):
    """CBOW loss of one window with hierarchical softmax, and its gradients.

    J = -log p(c | v̄) = -Σ_ℓ log σ((1 - 2 κ_ℓ(c)) q_{n_ℓ(c)}·v̄), the path of the center word scored against
    the mean of the outside words' vectors. dJ/dv̄ and dJ/dQ are those of
    :func:`~w2v_lib.hierarchical_softmax.hierarchical_softmax_loss_and_gradient` at x = v̄, and
    dJ/dv_{o_k} = (1/n) dJ/dv̄ for each occurrence.

    Parameters
    ----------
    center_idx : int, 0 <= center_idx < V
        c, the word to predict.
    outside_indices : int array, shape (n,), n >= 1
        The outside words of the window; a word may appear more than once.
    center_vectors : ndarray, shape (V, d)
        V, the input vectors (``syn0``).
    node_vectors : ndarray, shape (V - 1, d)
        Q, the inner-node vectors (``syn1``).
    tree : HuffmanTree
        Over the same V words.

    Returns
    -------
    loss : float
    grad_center_vectors : ndarray, shape (V, d); non-zero only in the rows of the outside words
    grad_node_vectors : ndarray, shape (V - 1, d); non-zero only in the rows of c's path
    """
    if not isinstance(tree, HuffmanTree):
        raise TypeError(f"tree must be a HuffmanTree (build_huffman_tree(vocab.counts)), got "
                        f"{type(tree).__name__}")
    center_vectors = check_matrix("center_vectors", center_vectors, shape=(len(tree), None))
    center_idx, outside_indices = _check_window(center_idx, outside_indices, len(center_vectors))

    mean_outside_vec = center_vectors[outside_indices].mean(axis=0)
    loss, grad_mean, grad_node_vectors = hierarchical_softmax_loss_and_gradient(
        mean_outside_vec, center_idx, node_vectors, tree)
    return loss, _spread_over_window(grad_mean, outside_indices, center_vectors), grad_node_vectors


def _check_window(center_idx, outside_indices, vocab_size):
    center_idx = check_index("center_idx", center_idx, vocab_size)
    outside_indices = check_indices("outside_indices", outside_indices, vocab_size, ndim=1)
    if outside_indices.size == 0:
        raise ValueError("outside_indices is empty: CBOW needs at least one outside word to average "
                         "(word2vec.c skips such a window)")
    return center_idx, outside_indices


def _spread_over_window(grad_mean, outside_indices, center_vectors):
    """dJ/dV from dJ/dv̄: (1/n) dJ/dv̄ into the row of each occurrence, repeated words accumulating."""
    grad_center_vectors = np.zeros_like(center_vectors)
    np.add.at(grad_center_vectors, outside_indices, grad_mean / len(outside_indices))
    return grad_center_vectors
