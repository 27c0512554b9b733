"""Checks of notebook 12's exercises (CBOW and hierarchical softmax), called from its check cells.

One public function per check cell, named after the exercise, taking the student's function or answer:

* Exercise 12.1 (derive first): ``cbow_grad_center_vectors(center_idx, outside_indices, center_vectors,
  outside_vectors, negative_indices)`` returning ∇_V J of CBOW with negative sampling, shape (V, d): each
  occurrence of an outside word gets 1/|W_t| of ∇_v̄ J (W_t: the window's outside words, as a multiset). Check
  cells: ``nb12.check_12_1(cbow_grad_center_vectors)`` (test cases) and
  ``nb12.check_12_1_gradient(cbow_grad_center_vectors)`` (gradcheck).
* Exercise 12.2 (derive first): ``huffman_cost(counts)``, Σ_w #(w) L(w) of a Huffman tree of ``counts`` (any
  order), which is the sum of the inner nodes' counts, without the library's ``build_huffman_tree``. Check cell:
  ``nb12.check_12_2(globals().get("huffman_cost"))``.
* Exercise 12.3 (derive first): ``hs_gradients(input_vec, path_node_vecs, code)`` returning
  ``(∇_x J, ∇ of the path's rows)`` for J = -Σ_ℓ log σ((1 - 2κ_ℓ) q_ℓ·x), shapes (d,) and (L, d). Check cells:
  ``nb12.check_12_3(hs_gradients)`` and ``nb12.check_12_3_gradient(hs_gradients)``.
* Exercise 12.4 (by hand): ``answer_12_4``, P(word 2 | x) in word2vec.c's Huffman tree of the counts
  [4, 2, 1, 1] when the scores of inner nodes 0, 1, 2 (2 the root) are ln 15, ln 7, ln 3. Check cell:
  ``nb12.check_12_4(globals().get("answer_12_4"))``.

How the cases are chosen
------------------------
* 12.1: a full window (the plain case), a word at two positions (``grad[outside_indices] += ...`` keeps one
  share; dividing by the number of distinct words is wrong there), a window of one word (hidden: the only case
  where word2vec.c's undivided step is the gradient, so it must not be named there), the center word among the
  negatives and in its own window (hidden), one word filling the window (hidden), and a larger window with
  skewed draws (hidden).
* 12.2: counts in any order (the library's order is not assumed), two words (only the root), equal counts at a
  power of two and not (hidden: a balanced tree), many ties, a zero count and a Zipf-like vocabulary
  (hidden). Merging in the sorted order once, without re-sorting, gives a different (worse) cost on all but the
  smallest cases.
* 12.3: a path of one node, mixed turns, all turns 1 or all 0 (hidden: one of the two convention mistakes
  then agrees with the answer, the other does not), and a long path with d < L (hidden: a transposed outer
  product has another shape).
"""

import numpy as np

from w2v_lib.checks import Case, Mistake, check_function, check_gradient, check_value
from w2v_lib.checks.nb03 import library_functions
from w2v_lib.huffman import HuffmanTree, build_huffman_tree
from w2v_lib.losses import log_sigmoid, sigmoid

# The library's own solutions of 12.1 and 12.3: every loss function that computes these gradients.
LIBRARY_LOSSES = library_functions("w2v_lib.cbow.cbow_neg_sampling_loss_and_gradient",
                                   "w2v_lib.cbow.cbow_hierarchical_softmax_loss_and_gradient",
                                   "w2v_lib.cbow._spread_over_window",
                                   "w2v_lib.losses.neg_sampling_loss_and_gradient",
                                   "w2v_lib.losses.skipgram_loss_and_gradient",
                                   "w2v_lib.losses._pair_loss_and_gradients",
                                   "w2v_lib.hierarchical_softmax.hierarchical_softmax_loss_and_gradient",
                                   "w2v_lib.hierarchical_softmax.skipgram_hierarchical_softmax_loss_and_gradient",
                                   "w2v_lib.hierarchical_softmax._path_losses")
LIBRARY_HUFFMAN = library_functions("w2v_lib.huffman.build_huffman_tree")


# ---------------------------------------------------------------------------------------------------------
# Exercise 12.1: ∇_V J of CBOW with negative sampling


def _cbow_parts(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices):
    """v̄, σ(u_c·v̄), σ(u_s·v̄), u_c and the negatives' rows: what the answer and every mistake are built from."""
    mean_vec = center_vectors[outside_indices].mean(axis=0)
    center_out, negative_vecs = outside_vectors[center_idx], outside_vectors[negative_indices]
    return mean_vec, sigmoid(center_out @ mean_vec), sigmoid(negative_vecs @ mean_vec), center_out, negative_vecs


def _grad_mean(*args):
    """∇_v̄ J: the seed's equation 2 with v̄ for v_c and the center word c for o."""
    _, center_prob, negative_probs, center_out, negative_vecs = _cbow_parts(*args)
    return -(1 - center_prob) * center_out + negative_probs @ negative_vecs


def _spread(grad_mean, outside_indices, shape, share):
    grad = np.zeros(shape)
    np.add.at(grad, outside_indices, grad_mean * share)
    return grad


def _cbow_grad_center_vectors(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices):
    """The right answer, from the library."""
    from w2v_lib.cbow import cbow_neg_sampling_loss_and_gradient
    return cbow_neg_sampling_loss_and_gradient(center_idx, outside_indices, center_vectors, outside_vectors,
                                               negative_indices)[1]


def _cbow_undivided(*args):
    return _spread(_grad_mean(*args), args[1], args[2].shape, 1.0)


def _cbow_duplicates_lost(*args):
    grad = np.zeros(args[2].shape)
    grad[args[1]] += _grad_mean(*args) / len(args[1])
    return grad


def _cbow_distinct_words(*args):
    return _spread(_grad_mean(*args), args[1], args[2].shape, 1 / len(np.unique(args[1])))


def _cbow_sign_flipped(*args):
    return -_cbow_grad_center_vectors(*args)


def _cbow_center_row(*args):
    grad = np.zeros(args[2].shape)
    grad[args[0]] = _grad_mean(*args)
    return grad


def _cbow_sigma_for_one_minus_sigma(*args):
    _, center_prob, negative_probs, center_out, negative_vecs = _cbow_parts(*args)
    grad_mean = -center_prob * center_out + negative_probs @ negative_vecs
    return _spread(grad_mean, args[1], args[2].shape, 1 / len(args[1]))


def _cbow_without_negatives(*args):
    _, center_prob, _, center_out, _ = _cbow_parts(*args)
    return _spread(-(1 - center_prob) * center_out, args[1], args[2].shape, 1 / len(args[1]))


MISTAKES_12_1 = (
    ("each outside row gets the whole of ∇_v̄ J: that is word2vec.c's and gensim's update, not the gradient; "
     "the chain rule through the mean gives each occurrence 1/|W_t| of it", _cbow_undivided),
    ("duplicates lost to `+=`: `grad[outside_indices] += ...` keeps one share per repeated word, but a word at "
     "two positions of the window receives two shares", _cbow_duplicates_lost),
    ("the shares are divided by the number of distinct words: the mean divides by |W_t|, every occurrence "
     "counted", _cbow_distinct_words),
    ("every sign is flipped: this is the gradient of -J", _cbow_sign_flipped),
    ("the gradient went to the center word's row: in CBOW the input is the mean of the outside words' rows of V, "
     "so only those rows move", _cbow_center_row),
    ("the center word's term uses σ(u_c·v̄) where the derivative of log σ(x) gives 1 - σ(x)",
     _cbow_sigma_for_one_minus_sigma),
    ("the negatives' terms are missing: v̄ appears in every term of J", _cbow_without_negatives),
)


def _cases_12_1():
    rng = np.random.default_rng(1201)
    center_vectors, outside_vectors = 0.5 * rng.normal(size=(8, 3)), 0.5 * rng.normal(size=(8, 3))
    large_rng = np.random.default_rng(1202)
    zipf = 1 / np.arange(1, 30)
    return [
        Case("a full window of four different words",
             (5, np.array([1, 2, 6, 7]), center_vectors, outside_vectors, np.array([0, 3, 4]))),
        Case("a word at two positions of the window",
             (5, np.array([2, 6, 2, 7]), center_vectors, outside_vectors, np.array([0, 3, 4]))),
        Case("a window of one outside word", (0, np.array([4]), center_vectors, outside_vectors, np.array([2, 7])),
             hidden=True),
        Case("the center word among the negatives and in its own window",
             (3, np.array([3, 1, 5]), center_vectors, outside_vectors, np.array([3, 6, 3])), hidden=True),
        Case("one word filling the window",
             (1, np.array([6, 6, 6]), center_vectors, outside_vectors, np.array([0])), hidden=True),
        Case("a larger window with skewed draws",
             (0, large_rng.choice(29, size=10, p=zipf / zipf.sum()) + 1, 0.4 * large_rng.normal(size=(30, 6)),
              0.4 * large_rng.normal(size=(30, 6)), large_rng.choice(29, size=5, p=zipf / zipf.sum()) + 1),
             hidden=True),
    ]


def check_12_1(cbow_grad_center_vectors):
    """Exercise 12.1: compare the student's ∇_V J with the library's on six cases, four hidden."""
    check_function("Exercise 12.1", cbow_grad_center_vectors, _cbow_grad_center_vectors, _cases_12_1(),
                   atol=1e-10, rtol=1e-8, mistakes=[Mistake(words, function) for words, function in MISTAKES_12_1],
                   library=LIBRARY_LOSSES)


def _cbow_loss(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices):
    """J_CBOW written out from its definition (the library's loss functions are blocked during the check)."""
    mean_vec = center_vectors[outside_indices].mean(axis=0)
    return float(-log_sigmoid(outside_vectors[center_idx] @ mean_vec)
                 - log_sigmoid(-(outside_vectors[negative_indices] @ mean_vec)).sum())


def check_12_1_gradient(cbow_grad_center_vectors):
    """Exercise 12.1: gradcheck the student's ∇_V J on a window with a repeated word."""
    rng = np.random.default_rng(1203)
    center_vectors, outside_vectors = rng.normal(size=(7, 4)), rng.normal(size=(7, 4))
    center_idx, outside_indices, negative_indices = 1, np.array([4, 0, 4, 6]), np.array([2, 5, 2])

    def loss_and_gradient(center_vectors):
        loss = _cbow_loss(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices)
        return loss, cbow_grad_center_vectors(center_idx, outside_indices, center_vectors, outside_vectors,
                                              negative_indices)

    mistakes = [Mistake(words, lambda x, function=function: function(center_idx, outside_indices, x,
                                                                      outside_vectors, negative_indices))
                for words, function in MISTAKES_12_1]
    check_gradient("Exercise 12.1", loss_and_gradient, center_vectors, mistakes=mistakes, library=LIBRARY_LOSSES,
                   student=cbow_grad_center_vectors)


# ---------------------------------------------------------------------------------------------------------
# Exercise 12.2: the cost Σ_w #(w) L(w) of a Huffman tree


def _huffman_cost(counts):
    """The right answer, from the library's tree (which wants the counts sorted, most frequent first)."""
    ordered = np.sort(np.asarray(counts, dtype=np.int64))[::-1]
    return int((ordered * build_huffman_tree(ordered).code_lengths).sum())


def _cost_sorted_once(counts):
    order = sorted(int(count) for count in counts)
    total, node = 0, order[0]
    for count in order[1:]:
        node += count
        total += node
    return total


def _cost_without_root(counts):
    return _huffman_cost(counts) - int(np.sum(counts))


def _cost_per_token(counts):
    return _huffman_cost(counts) / int(np.sum(counts))


def _cost_shannon(counts):
    counts = np.asarray(counts, dtype=np.float64)
    used = counts > 0
    return int((counts[used] * np.ceil(-np.log2(counts[used] / counts.sum()))).sum())


def _cost_balanced(counts):
    return int(np.sum(counts)) * int(np.ceil(np.log2(len(counts))))


MISTAKES_12_2 = (
    ("merges the nodes in their original order: sorting once is not enough, a merged node must go back among "
     "the others and the two smallest be taken again (a heap does this)", _cost_sorted_once),
    ("the root's count is left out: every word's path starts at the root, so the root's count is one of the "
     "inner nodes' counts", _cost_without_root),
    ("this is the mean path length per token: the exercise asks for Σ #(w) L(w), not divided by the corpus "
     "length", _cost_per_token),
    ("these are Shannon's code lengths ⌈-log2 f(w)⌉, not Huffman's tree", _cost_shannon),
    ("this is the cost of a balanced tree, ⌈log2 |V|⌉ turns for every word, not Huffman's", _cost_balanced),
)


def _cases_12_2():
    rng = np.random.default_rng(1221)
    zipf = np.floor(5000 / np.arange(1, 61) ** 1.1).astype(np.int64)
    return [
        Case("five words, not sorted", (np.array([2, 5, 1, 3, 1]),)),
        Case("two words", (np.array([7, 3]),)),
        Case("eight equal counts", (np.full(8, 4),), hidden=True),
        Case("six equal counts", (np.full(6, 9),), hidden=True),
        Case("many ties", (np.array([3, 3, 2, 2, 2, 2, 1, 1, 1]),), hidden=True),
        Case("a word never seen", (np.array([0, 6, 2, 2]),), hidden=True),
        Case("a Zipf-like vocabulary of 60 words, shuffled", (rng.permutation(zipf),), hidden=True),
    ]


def check_12_2(huffman_cost):
    """Exercise 12.2: compare the student's Huffman cost with the library tree's on seven cases, five hidden."""
    check_function("Exercise 12.2", huffman_cost, _huffman_cost, _cases_12_2(), atol=0, rtol=0,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_12_2],
                   library=LIBRARY_HUFFMAN)


# ---------------------------------------------------------------------------------------------------------
# Exercise 12.3: the gradients of hierarchical softmax along one path


def _chain_tree(code):
    """A HuffmanTree whose word 0 has the given code along inner nodes 0, 1, ..., L - 1, root first.

    The other L words only make the node count right (a tree over L + 1 words has L inner nodes); the reference
    reads word 0 alone.
    """
    length = len(code)
    codes = [np.asarray(code, dtype=np.uint8)] + [np.zeros(1, dtype=np.uint8)] * length
    paths = [np.arange(length, dtype=np.intp)] + [np.zeros(1, dtype=np.intp)] * length
    return HuffmanTree(codes=tuple(codes), paths=tuple(paths))


def _hs_gradients(input_vec, path_node_vecs, code):
    """The right answer, from the library: the path laid out as inner nodes 0..L-1 of a tree."""
    from w2v_lib.hierarchical_softmax import hierarchical_softmax_loss_and_gradient
    _, grad_input_vec, grad_node_vectors = hierarchical_softmax_loss_and_gradient(
        input_vec, 0, path_node_vecs, _chain_tree(code))
    return grad_input_vec, grad_node_vectors


def _hs_with(coefs_of):
    def mistaken(input_vec, path_node_vecs, code):
        coefs = coefs_of(path_node_vecs @ input_vec, np.asarray(code, dtype=np.float64))
        return coefs @ path_node_vecs, np.outer(coefs, input_vec)
    return mistaken


def _hs_swapped_vectors(input_vec, path_node_vecs, code):
    coefs = sigmoid(path_node_vecs @ input_vec) - (1 - np.asarray(code, dtype=np.float64))
    return coefs.sum() * input_vec, np.outer(coefs, np.ones(len(input_vec))) * path_node_vecs


def _hs_mean_over_path(input_vec, path_node_vecs, code):
    grad_input_vec, grad_path = _hs_gradients(input_vec, path_node_vecs, code)
    return grad_input_vec / len(code), grad_path / len(code)


MISTAKES_12_3 = (
    ("bit 1 taken as the σ(+z) turn: in word2vec.c's convention a node's label is 1 - κ, so ∂J/∂z is "
     "σ(z) - (1 - κ)", _hs_with(lambda z, code: sigmoid(z) - code)),
    ("the code is ignored: every turn treated as a 0 turn", _hs_with(lambda z, code: sigmoid(z) - 1)),
    ("the code is ignored: every turn treated as a 1 turn", _hs_with(lambda z, code: sigmoid(z))),
    ("every sign is flipped: this is the gradient of -J", _hs_with(lambda z, code: (1 - code) - sigmoid(z))),
    ("the chain rule's factor (1 - 2κ) is missing for the 1 turns: d/dz log σ(-z) is -(1 - σ(-z))",
     _hs_with(lambda z, code: -(1 - sigmoid((1 - 2 * code) * z)))),
    ("x and the node vectors are swapped: the gradient of q·x with respect to x is q, and with respect to q "
     "is x", _hs_swapped_vectors),
    ("the terms are averaged over the path: J adds one term per node, so its gradient adds them too",
     _hs_mean_over_path),
)


def _cases_12_3():
    rng = np.random.default_rng(1231)
    return [
        Case("a path of one node", (rng.normal(size=3), rng.normal(size=(1, 3)), np.array([0]))),
        Case("three nodes, mixed turns", (rng.normal(size=3), rng.normal(size=(3, 3)), np.array([0, 1, 1]))),
        Case("every turn 1", (rng.normal(size=4), rng.normal(size=(4, 4)), np.array([1, 1, 1, 1])), hidden=True),
        Case("every turn 0", (rng.normal(size=2), rng.normal(size=(5, 2)), np.array([0, 0, 0, 0, 0])),
             hidden=True),
        Case("a long path, more nodes than dimensions",
             (0.5 * rng.normal(size=3), 0.5 * rng.normal(size=(12, 3)), rng.integers(0, 2, size=12)),
             hidden=True),
        Case("more dimensions than nodes", (rng.normal(size=7), rng.normal(size=(2, 7)), np.array([1, 0])),
             hidden=True),
    ]


def check_12_3(hs_gradients):
    """Exercise 12.3: compare the student's two gradients with the library's on six cases, four hidden."""
    check_function("Exercise 12.3", hs_gradients, _hs_gradients, _cases_12_3(), atol=1e-10, rtol=1e-8,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_12_3],
                   library=LIBRARY_LOSSES, returns=("grad_input_vec", "grad_path_node_vecs"))


def _path_loss(input_vec, path_node_vecs, code):
    """-log P(w | x) along one path, written out (the library's loss functions are blocked during the check)."""
    return float(-log_sigmoid((1 - 2 * np.asarray(code, dtype=np.float64)) * (path_node_vecs @ input_vec)).sum())


def check_12_3_gradient(hs_gradients):
    """Exercise 12.3: gradcheck both gradients on a path of five nodes with mixed turns."""
    rng = np.random.default_rng(1232)
    input_vec, path_node_vecs, code = rng.normal(size=4), rng.normal(size=(5, 4)), np.array([1, 0, 0, 1, 1])

    def loss_and_gradients(input_vec, path_node_vecs):
        return _path_loss(input_vec, path_node_vecs, code), tuple(hs_gradients(input_vec, path_node_vecs, code))

    mistakes = [Mistake(words, lambda x, q, function=function: function(x, q, code))
                for words, function in MISTAKES_12_3]
    check_gradient("Exercise 12.3", loss_and_gradients, (input_vec, path_node_vecs),
                   blocks=("∇_x J", "∇ of the path's node vectors"), mistakes=mistakes, library=LIBRARY_LOSSES,
                   student=hs_gradients)


# ---------------------------------------------------------------------------------------------------------
# Exercise 12.4: the probability of a word, by hand


def check_12_4(answer_12_4):
    """Exercise 12.4: P(word 2 | x) in word2vec.c's tree of [4, 2, 1, 1], node scores ln 15, ln 7, ln 3."""
    tree = build_huffman_tree(np.array([4, 2, 1, 1]))
    scores = np.log(np.array([15.0, 7.0, 3.0]))  # inner nodes 0, 1 and 2 (the root)

    def probability(code, path):
        return float(np.prod(sigmoid((1 - 2 * np.asarray(code, dtype=np.float64)) * scores[path])))

    code, path = tree.codes[2], tree.paths[2]
    flipped = 1 - np.asarray(code)
    mistakes = [
        Mistake("bit 1 taken as the σ(+z) turn: in word2vec.c's convention bit 0 turns with probability σ(z)",
                probability(flipped, path)),
        Mistake("this is the probability of word 3, the other leaf below inner node 0: the first node taken "
                "gets bit 0, and the leaf queue starts from the end of the vocabulary", probability(tree.codes[3],
                                                                                                   path)),
        Mistake("the code is read in reverse: κ_1 is the turn at the root", probability(code[::-1], path)),
        Mistake("ties broken the other way: when a leaf and an inner node have equal counts, word2vec.c takes "
                "the inner node first", probability(np.array([1, 1, 1]), path)),
        Mistake("this is the loss -log P, not the probability", -np.log(probability(code, path))),
    ]
    check_value("Exercise 12.4", answer_12_4, probability(code, path), atol=1e-12, rtol=1e-9, mistakes=mistakes)
