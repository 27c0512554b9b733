"""Hierarchical softmax: the probability of a word as a walk down the Huffman tree, and its gradients.

At inner node n the walk turns to the child with code bit 0 with probability σ(q_n·x) and to the child with
bit 1 with probability 1 - σ(q_n·x) = σ(-q_n·x). The probability of word w given the input vector x is the
product over the L(w) nodes of its path (:mod:`w2v_lib.huffman`):

    p(w | x) = Π_ℓ σ((1 - 2 κ_ℓ(w)) q_{n_ℓ(w)}·x),

and these probabilities sum to 1 over the vocabulary for every x and every Q (the two turns at each node add
up to 1), with no normalizing sum over |V| words. This is word2vec.c's and gensim's sign convention: they train
the node with the label 1 - κ_ℓ(w) (``g = (1 - code - f) * alpha``), so code bit 0 is the σ(+q·x) turn.

Symbols and code names (new for notebook 12; the rest as in notebook 00):

===========  ==============================  =================================================================
symbol       code name                       shape / meaning
===========  ==============================  =================================================================
x            ``input_vec``                   (d,), the input of a prediction: v_c in skip-gram, v̄ in CBOW
q_n          ``node_vectors[n]``             (d,), the vector of inner node n (word2vec.c's ``syn1``)
Q            ``node_vectors``                (V - 1, d), one row per inner node
n_ℓ(w)       ``tree.paths[w][ℓ - 1]``        the ℓ-th inner node on the path of w, ℓ = 1..L(w)
κ_ℓ(w)       ``tree.codes[w][ℓ - 1]``        0 or 1, the turn taken there
===========  ==============================  =================================================================

As with negative sampling, the input side is the embedding matrix V (word2vec.c's ``syn0``) and the output
side is trained only to score: here Q takes the place of U.
"""

from dataclasses import dataclass

import numpy as np

from w2v_lib._validation import check_index, check_indices, check_matrix, check_vector
from w2v_lib.huffman import HuffmanTree
from w2v_lib.losses import log_sigmoid, sigmoid


def hierarchical_softmax_loss_and_gradient(input_vec, target_idx, node_vectors, tree):
    """J = -log p(w | x) for one (input vector, target word) pair, and its gradients.

    With the scores z_ℓ = q_{n_ℓ}·x along the path of w = ``target_idx``, κ_ℓ = κ_ℓ(w), and word2vec.c's label
    1 - κ_ℓ of each turn:

    * J = -Σ_ℓ log σ((1 - 2 κ_ℓ) z_ℓ), and dJ/dz_ℓ = σ(z_ℓ) - (1 - κ_ℓ) (both values of κ in one formula);
    * dJ/dx = Σ_ℓ (σ(z_ℓ) - (1 - κ_ℓ)) q_{n_ℓ};
    * dJ/dq_{n_ℓ} = (σ(z_ℓ) - (1 - κ_ℓ)) x for the nodes of the path; every other row of dJ/dQ is zero.

    Costs O(L(w) d), about O(log |V| · d), where the full softmax costs O(|V| d).

    Parameters
    ----------
    input_vec : ndarray, shape (d,)
        x: v_c for skip-gram, the mean of the outside words' vectors for CBOW.
    target_idx : int, 0 <= target_idx < V
        The word to predict.
    node_vectors : ndarray, shape (V - 1, d)
        Q, one row per inner node of ``tree``.
    tree : HuffmanTree
        From :func:`~w2v_lib.huffman.build_huffman_tree`, over the same V words.

    Returns
    -------
    loss : float
    grad_input_vec : ndarray, shape (d,)
    grad_node_vectors : ndarray, shape (V - 1, d); only the rows of the path are non-zero
    """
    input_vec, node_vectors = _check_input_and_nodes(input_vec, node_vectors, tree)
    target_idx = check_index("target_idx", target_idx, len(tree))
    loss, grad_input_vec, grad_node_vectors = _path_losses(input_vec, node_vectors, tree, [target_idx])
    return loss, grad_input_vec, grad_node_vectors


def skipgram_hierarchical_softmax_loss_and_gradient(center_idx, outside_indices, center_vectors, node_vectors,
                                                    tree):
    """Skip-gram loss of one window with hierarchical softmax, and its gradients.

    J_window = Σ_j -log p(w_{t+j} | v_c): each outside word's path scored against the center vector, as
    :func:`~w2v_lib.losses.skipgram_loss_and_gradient` does with negative sampling. The gradients are the
    sums of the pairs' gradients; nodes near the root lie on many paths and collect one term per path.

    word2vec.c and gensim loop the other way round within a window: they score the center word's path against
    each outside word's input vector (input ``syn0[o]``, output the path of c). Over a corpus both directions
    see the same (input word, predicted word) pairs, as the window is symmetric.

    Parameters
    ----------
    center_idx : int, 0 <= center_idx < V
    outside_indices : int array, shape (n_outside,)
        The words in the window; a word may appear more than once.
    center_vectors : ndarray, shape (V, d)
        V, the input vectors (word2vec.c's ``syn0``).
    node_vectors : ndarray, shape (V - 1, d)
        Q (word2vec.c's ``syn1``).
    tree : HuffmanTree
        Over the same V words.

    Returns
    -------
    loss : float
    grad_center_vectors : ndarray, shape (V, d); only row ``center_idx`` is non-zero
    grad_node_vectors : ndarray, shape (V - 1, d)
    """
    center_vectors = check_matrix("center_vectors", center_vectors, shape=(len(tree), None))
    center_idx = check_index("center_idx", center_idx, len(tree))
    outside_indices = check_indices("outside_indices", outside_indices, len(tree), ndim=1)
    center_vec, node_vectors = _check_input_and_nodes(center_vectors[center_idx], node_vectors, tree)

    loss, grad_center_vec, grad_node_vectors = _path_losses(center_vec, node_vectors, tree, outside_indices)
    grad_center_vectors = np.zeros_like(center_vectors)
    grad_center_vectors[center_idx] = grad_center_vec
    return loss, grad_center_vectors, grad_node_vectors


def _path_losses(input_vec, node_vectors, tree, targets):
    """Sum of -log p(w | x) over the words ``targets`` (may repeat), with the gradients w.r.t. x and Q."""
    # All the paths laid end to end: one score per (target, node on its path).
    nodes = np.concatenate([tree.paths[w] for w in targets] or [np.zeros(0, dtype=np.intp)])
    codes = np.concatenate([tree.codes[w] for w in targets] or [np.zeros(0, dtype=np.uint8)])
    labels = (1 - codes).astype(input_vec.dtype)  # 1 - κ: word2vec.c's label, 1 for the σ(+q·x) turn
    path_vectors = node_vectors[nodes]  # (total path length, d)
    scores = path_vectors @ input_vec
    loss = float(-log_sigmoid((2 * labels - 1) * scores).sum())
    coefs = sigmoid(scores) - labels  # dJ/dz
    grad_input_vec = coefs @ path_vectors
    grad_node_vectors = np.zeros_like(node_vectors)
    # The root is on every path (and other nodes on several): np.add.at keeps one term per occurrence.
    np.add.at(grad_node_vectors, nodes, np.outer(coefs, input_vec))
    return loss, grad_input_vec, grad_node_vectors


def _check_input_and_nodes(input_vec, node_vectors, tree):
    if not isinstance(tree, HuffmanTree):
        raise TypeError(f"tree must be a HuffmanTree (build_huffman_tree(vocab.counts)), got "
                        f"{type(tree).__name__}")
    input_vec = check_vector("input_vec", input_vec)
    node_vectors = check_matrix("node_vectors", node_vectors, shape=(tree.n_nodes, len(input_vec)))
    return input_vec, node_vectors


@dataclass(frozen=True)
class _PathTable:
    """Every word's path laid end to end, so that the paths of many words are gathered with array indexing.

    Word w's nodes are ``nodes[starts[w]:starts[w + 1]]``, root first, and their code bits ``codes[...]``.
    """

    starts: np.ndarray  # (V + 1,) int64
    nodes: np.ndarray  # (Σ_w L(w),) intp
    codes: np.ndarray  # (Σ_w L(w),) uint8

    @classmethod
    def of(cls, tree):
        lengths = tree.code_lengths
        return cls(starts=np.concatenate(([0], np.cumsum(lengths))), nodes=np.concatenate(tree.paths),
                   codes=np.concatenate(tree.codes))

    def paths(self, targets):
        """The paths of ``targets`` (int array, shape (P,)) end to end: (nodes, codes, item_starts, lengths).

        Target p's items are ``item_starts[p]`` up to ``item_starts[p] + lengths[p]``.
        """
        first = self.starts[targets]
        lengths = self.starts[targets + 1] - first
        item_starts = np.cumsum(lengths) - lengths
        # Item i of target p is entry first[p] + (i - item_starts[p]) of the table.
        items = np.arange(lengths.sum()) + np.repeat(first - item_starts, lengths)
        return self.nodes[items], self.codes[items], item_starts, lengths
