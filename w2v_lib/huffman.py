"""The Huffman tree of hierarchical softmax: a binary code per word, short for frequent words.

Hierarchical softmax replaces the |V|-way softmax by a walk down a binary tree whose |V| leaves are the words:
the probability of a word is the product of the probabilities of the left/right turns on the path from the root
to its leaf, so scoring a word costs one dot product per turn instead of |V| of them. word2vec.c (and gensim)
use the Huffman tree of the word counts, which minimizes the expected path length Σ_w #(w) L(w) over all binary
trees, so that a training pass visits as few inner nodes as possible.

Symbols and code names (the notation table of notebook 00, extended for notebook 12):

==================  ==============================  ======================================================
symbol              code name                       meaning
==================  ==============================  ======================================================
#(w)                ``counts``                      count of word w, shape (V,), non-increasing
L(w)                ``tree.code_lengths[w]``        number of turns from the root to w's leaf
n_ℓ(w)              ``tree.paths[w][ℓ - 1]``        the ℓ-th inner node on w's path, ℓ = 1..L(w), root first
κ_ℓ(w)              ``tree.codes[w][ℓ - 1]``        the turn taken at n_ℓ(w): 0 or 1 (word2vec.c's code)
==================  ==============================  ======================================================

The tree has |V| - 1 inner nodes, numbered 0..|V|-2 in the order they are created; the root is the last one,
|V| - 2. These are the row numbers of the inner-node vectors (``node_vectors``, word2vec.c's ``syn1``) that
:mod:`w2v_lib.hierarchical_softmax` trains.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HuffmanTree:
    """A binary code and a path of inner nodes for every word of the vocabulary.

    Attributes
    ----------
    codes : tuple of read-only ndarray of uint8, length V
        ``codes[w]`` has shape (L(w),): the turns from the root down to w, root first (word2vec.c's and
        gensim's ``code``).
    paths : tuple of read-only ndarray of intp, length V
        ``paths[w]`` has shape (L(w),): the inner nodes visited, root first, each in 0..V-2; ``paths[w][0]``
        is the root V - 2 (word2vec.c's and gensim's ``point``, without word2vec.c's unused last entry).
    """

    codes: tuple
    paths: tuple

    def __len__(self):
        """V, the number of words (leaves)."""
        return len(self.codes)

    @property
    def n_nodes(self):
        """V - 1, the number of inner nodes: the rows of ``node_vectors``."""
        return len(self.codes) - 1

    @property
    def code_lengths(self):
        """L(w) for every word, ndarray of int64, shape (V,)."""
        return np.array([len(code) for code in self.codes], dtype=np.int64)


def build_huffman_tree(counts):
    """The Huffman tree of the word counts, built as word2vec.c's ``CreateBinaryTree`` builds it.

    Huffman's rule: merge the two least frequent nodes into a new inner node whose count is their sum, until
    one node (the root) is left. With the counts sorted, this takes two queues and no heap, O(V) in all:

    * the leaf queue holds the words in increasing order of count, that is, from the end of the vocabulary
      (id V - 1) to its start (id 0);
    * the inner queue holds the inner nodes in the order they are created. Their counts never decrease (each
      is the sum of the two smallest counts available at its creation), so the smallest one is always first.

    Each step takes the smaller front of the two queues, twice. The first node taken gets code bit 0 and the
    second bit 1, and the new inner node is numbered by the step (0, 1, ..., V - 2).

    Ties, documented because they decide which optimal tree comes out: when the front leaf and the front inner
    node have equal counts, the inner node is taken first (word2vec.c compares with a strict ``<``). Among
    leaves of equal count, the one with the larger id comes first (it comes later in the vocabulary, which
    puts words of equal count in order of first appearance). So the result is exactly word2vec.c's tree.
    gensim builds a Huffman tree with a binary heap, which breaks ties differently: its code lengths can
    differ on ties, although the expected code length Σ #(w) L(w) is the same minimum.

    Parameters
    ----------
    counts : array_like of int, shape (V,), V >= 2
        Word counts >= 0 in non-increasing order, as :class:`~w2v_lib.vocab.Vocabulary` sorts them
        (``Vocabulary.counts``).

    Returns
    -------
    HuffmanTree

    Raises
    ------
    ValueError
        Fewer than two words (one word needs no decision), counts negative or not sorted.
    TypeError
        Counts that are not integers.
    """
    counts = _check_counts(counts)
    vocab_size = len(counts)
    # Nodes 0..V-1 are the words, node V + k is inner node k. Python lists: the loop reads single entries.
    node_counts = counts.tolist() + [0] * (vocab_size - 1)
    parent = [0] * (2 * vocab_size - 1)
    bit = [0] * (2 * vocab_size - 1)
    next_leaf = vocab_size - 1  # the least frequent word not yet merged
    next_inner = vocab_size  # the oldest inner node not yet merged
    for step in range(vocab_size - 1):
        new = vocab_size + step
        for branch in (0, 1):
            # An inner node is only available once created (index < new); it wins ties with a leaf.
            leaf_left = next_leaf >= 0
            inner_left = next_inner < new
            if leaf_left and (not inner_left or node_counts[next_leaf] < node_counts[next_inner]):
                taken, next_leaf = next_leaf, next_leaf - 1
            else:
                taken, next_inner = next_inner, next_inner + 1
            parent[taken] = new
            bit[taken] = branch
            node_counts[new] += node_counts[taken]

    root = 2 * vocab_size - 2
    codes, paths = [], []
    for word in range(vocab_size):
        node, code, path = word, [], []
        while node != root:  # climb to the root, then read the turns backwards
            code.append(bit[node])
            path.append(parent[node] - vocab_size)
            node = parent[node]
        codes.append(_read_only(np.array(code[::-1], dtype=np.uint8)))
        paths.append(_read_only(np.array(path[::-1], dtype=np.intp)))
    return HuffmanTree(codes=tuple(codes), paths=tuple(paths))


def _read_only(array):
    # One tree serves every training step: nothing may change it by accident.
    array.flags.writeable = False
    return array


def _check_counts(counts):
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.shape[0] < 2:
        raise ValueError(f"counts must be a 1-D array of shape (V,) with V >= 2 (a tree over one word has no "
                         f"decision to learn), got shape {counts.shape}")
    if not np.issubdtype(counts.dtype, np.integer):
        raise TypeError(f"counts must be integer word counts, got dtype {counts.dtype}; pass Vocabulary.counts")
    counts = counts.astype(np.int64)
    if counts.min() < 0:
        raise ValueError(f"counts must be >= 0, got {counts.min()} at index {int(counts.argmin())}")
    rises = np.flatnonzero(np.diff(counts) > 0)
    if rises.size:
        i = int(rises[0])
        raise ValueError(f"counts must be in non-increasing order (most frequent word first, as Vocabulary "
                         f"sorts them), got counts[{i}] = {counts[i]} < counts[{i + 1}] = {counts[i + 1]}")
    return counts
