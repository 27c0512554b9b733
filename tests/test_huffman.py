"""The Huffman tree: hand-worked trees, optimality against brute force, the Kraft equality, the tree's structure,
and the same codes as word2vec.c's CreateBinaryTree (a literal re-implementation) and as gensim."""

import itertools
import logging
from fractions import Fraction

import numpy as np
import pytest
from gensim.models import Word2Vec

from w2v_lib.huffman import HuffmanTree, build_huffman_tree
from w2v_lib.vocab import Vocabulary


def as_lists(tree):
    return [code.tolist() for code in tree.codes], [path.tolist() for path in tree.paths]


def sorted_counts(rng, vocab_size, high):
    return np.sort(rng.integers(0, high, size=vocab_size))[::-1]


COUNT_CASES = [
    [1, 1],
    [7, 0],
    [5, 3, 2, 1],
    [4, 4, 4, 4],
    [3, 3, 3, 3, 3],
    [10, 6, 3, 2, 1],
    [1, 1, 1, 1, 1, 1, 1],
    [100, 1, 1, 1, 1, 1],
    [0, 0, 0, 0],
]


def random_count_cases(n_cases, max_vocab, high, seed):
    rng = np.random.default_rng(seed)
    return [sorted_counts(rng, int(rng.integers(2, max_vocab + 1)), high) for _ in range(n_cases)]


# --- hand-worked trees -----------------------------------------------------------------------------------------

def test_hand_worked_no_ties():
    # Leaves in increasing count: w3 (2), w2 (3), w1 (4), w0 (8).
    # step 0: w3 (2) -> bit 0, w2 (3) -> bit 1: inner node 0, count 5
    # step 1: w1 (4) < node 0 (5): w1 -> bit 0; then w0 (8) > node 0 (5): node 0 -> bit 1: inner node 1, count 9
    # step 2: w0 (8) < node 1 (9): w0 -> bit 0, node 1 -> bit 1: inner node 2, the root, count 17
    tree = build_huffman_tree([8, 4, 3, 2])
    assert as_lists(tree) == ([[0], [1, 0], [1, 1, 1], [1, 1, 0]], [[2], [2, 1], [2, 1, 0], [2, 1, 0]])
    assert tree.code_lengths.tolist() == [1, 2, 3, 3]
    assert (len(tree), tree.n_nodes) == (4, 3)


def test_hand_worked_ties_take_the_inner_node_first():
    # Leaves in increasing count: w4 (1), w3 (2), w2 (3), w1 (6), w0 (10).
    # step 0: w4 -> bit 0, w3 -> bit 1: node 0, count 3
    # step 1: w2 (3) ties node 0 (3): node 0 -> bit 0 (word2vec.c's strict <), then w2 -> bit 1: node 1, count 6
    # step 2: w1 (6) ties node 1 (6): node 1 -> bit 0, then w1 -> bit 1: node 2, count 12
    # step 3: w0 (10) < node 2 (12): w0 -> bit 0, node 2 -> bit 1: node 3, the root
    tree = build_huffman_tree([10, 6, 3, 2, 1])
    codes, paths = as_lists(tree)
    assert codes == [[0], [1, 1], [1, 0, 1], [1, 0, 0, 1], [1, 0, 0, 0]]
    assert paths == [[3], [3, 2], [3, 2, 1], [3, 2, 1, 0], [3, 2, 1, 0]]


def test_two_words_one_node():
    tree = build_huffman_tree([3, 1])
    # The less frequent word is taken first, so it gets bit 0.
    assert as_lists(tree) == ([[1], [0]], [[0], [0]])


def test_equal_leaves_take_the_larger_id_first():
    # All counts 1: step 0 merges w3 (bit 0) and w2 (bit 1), step 1 merges w1 (bit 0) and w0 (bit 1), the root
    # merges node 0 (bit 0) and node 1 (bit 1).
    tree = build_huffman_tree([1, 1, 1, 1])
    assert as_lists(tree) == ([[1, 1], [1, 0], [0, 1], [0, 0]], [[2, 1], [2, 1], [2, 0], [2, 0]])


def test_accepts_a_vocabulary_counts():
    vocab = Vocabulary.build([["a", "b", "a", "c", "a", "b"]], min_count=1)
    tree = build_huffman_tree(vocab.counts)
    assert tree.code_lengths.tolist() == [1, 2, 2]


# --- optimality: brute force over all codeword lengths ------------------------------------------------------------

def optimal_cost(counts):
    """min Σ count·length over all lengths 1..V-1 with Σ 2^-length <= 1 (Kraft), which are exactly the length
    profiles of binary prefix codes (Kraft-McMillan): an exhaustive search, V <= 6."""
    vocab_size = len(counts)
    best = None
    for lengths in itertools.product(range(1, vocab_size), repeat=vocab_size):
        if sum(Fraction(1, 2**length) for length in lengths) <= 1:
            cost = sum(count * length for count, length in zip(counts, lengths))
            best = cost if best is None else min(best, cost)
    return best


@pytest.mark.parametrize("counts", [case for case in COUNT_CASES if len(case) <= 6]
                         + random_count_cases(30, 6, 20, seed=1))
def test_expected_code_length_is_the_brute_force_minimum(counts):
    tree = build_huffman_tree(counts)
    assert int(np.dot(counts, tree.code_lengths)) == optimal_cost([int(c) for c in counts])


# --- structure: Kraft equality, prefix-free codes, paths ----------------------------------------------------------

ALL_CASES = COUNT_CASES + random_count_cases(20, 40, 6, seed=2) + random_count_cases(10, 300, 10_000, seed=3)


@pytest.mark.parametrize("counts", ALL_CASES)
def test_kraft_equality_exactly(counts):
    # A full binary tree: every inner node has two children, so the leaves' 2^-depth add up to 1 exactly.
    assert sum(Fraction(1, 2**length) for length in build_huffman_tree(counts).code_lengths.tolist()) == 1


@pytest.mark.parametrize("counts", ALL_CASES)
def test_codes_are_prefix_free(counts):
    codes = sorted(tuple(code.tolist()) for code in build_huffman_tree(counts).codes)
    # In sorted order, a code that is a prefix of another one comes right before some code it prefixes.
    for shorter, longer in zip(codes, codes[1:]):
        assert longer[:len(shorter)] != shorter


@pytest.mark.parametrize("counts", ALL_CASES)
def test_paths_match_codes_and_use_every_inner_node(counts):
    tree = build_huffman_tree(counts)
    vocab_size = len(counts)
    node_of_prefix = {}
    for code, path in zip(tree.codes, tree.paths):
        assert path.shape == code.shape and code.dtype == np.uint8 and set(code.tolist()) <= {0, 1}
        assert path[0] == vocab_size - 2  # the root is the last node created
        assert np.all(np.diff(path) < 0)  # a child is created before its parent
        for depth, node in enumerate(path.tolist()):
            # The turns so far name one node: the same prefix must always lead to the same node.
            assert node_of_prefix.setdefault(tuple(code[:depth].tolist()), node) == node
    # |V| - 1 distinct prefixes name |V| - 1 distinct inner nodes, 0..|V|-2 each once.
    assert sorted(node_of_prefix.values()) == list(range(vocab_size - 1))


@pytest.mark.parametrize("counts", ALL_CASES)
def test_frequent_words_have_codes_no_longer(counts):
    assert np.all(np.diff(build_huffman_tree(counts).code_lengths) >= 0)


# --- the same tree as word2vec.c ----------------------------------------------------------------------------------

def word2vec_c_tree(counts):
    """word2vec.c's CreateBinaryTree, statement by statement (C arrays as Python lists), as an oracle."""
    vocab_size = len(counts)
    count = [int(c) for c in counts] + [10**15] * vocab_size + [0]
    binary = [0] * (2 * vocab_size + 1)
    parent_node = [0] * (2 * vocab_size + 1)
    pos1, pos2 = vocab_size - 1, vocab_size
    for a in range(vocab_size - 1):
        if pos1 >= 0:
            if count[pos1] < count[pos2]:
                min1i = pos1
                pos1 -= 1
            else:
                min1i = pos2
                pos2 += 1
        else:
            min1i = pos2
            pos2 += 1
        if pos1 >= 0:
            if count[pos1] < count[pos2]:
                min2i = pos1
                pos1 -= 1
            else:
                min2i = pos2
                pos2 += 1
        else:
            min2i = pos2
            pos2 += 1
        count[vocab_size + a] = count[min1i] + count[min2i]
        parent_node[min1i] = vocab_size + a
        parent_node[min2i] = vocab_size + a
        binary[min2i] = 1
    codes, points = [], []
    for a in range(vocab_size):
        b, code, point = a, [], []
        while True:
            code.append(binary[b])
            point.append(b)
            b = parent_node[b]
            if b == vocab_size * 2 - 2:
                break
        length = len(code)
        word_code = [0] * length
        word_point = [0] * (length + 1)
        word_point[0] = vocab_size - 2
        for b in range(length):
            word_code[length - b - 1] = code[b]
            word_point[length - b] = point[b] - vocab_size
        codes.append(word_code)
        points.append(word_point[:length])  # entry `length` is the leaf minus V: never read by training
    return codes, points


@pytest.mark.parametrize("counts", ALL_CASES)
def test_same_codes_and_paths_as_word2vec_c(counts):
    assert as_lists(build_huffman_tree(counts)) == word2vec_c_tree(counts)


def gensim_tree(counts):
    """gensim's codes and points, by word: gensim orders words of equal count its own way."""
    model = Word2Vec(vector_size=2, hs=1, negative=0, min_count=1)
    model.build_vocab_from_freq({f"w{i}": int(count) for i, count in enumerate(counts)})
    return {word: (model.wv.get_vecattr(word, "code").tolist(), model.wv.get_vecattr(word, "point").tolist())
            for word in model.wv.index_to_key}


def distinct_subset_sums(counts):
    sums = [sum(subset) for r in range(1, len(counts) + 1) for subset in itertools.combinations(counts, r)]
    return len(set(sums)) == len(sums)


@pytest.fixture
def quiet_gensim():
    logging.getLogger("gensim").setLevel(logging.WARNING)


@pytest.mark.parametrize("seed", range(5))
def test_same_tree_as_gensim_without_ties(quiet_gensim, seed):
    # gensim merges with a binary heap; when no two nodes can ever have the same count (all subset sums of the
    # counts distinct), the smallest two are unambiguous and both build the same tree, numbering and bits.
    rng = np.random.default_rng(seed)
    counts = sorted_counts(rng, 10, 10**6).tolist()
    while not distinct_subset_sums(counts):
        counts = sorted_counts(rng, 10, 10**6).tolist()
    by_word = gensim_tree(counts)
    assert as_lists(build_huffman_tree(counts)) == ([by_word[f"w{i}"][0] for i in range(len(counts))],
                                                   [by_word[f"w{i}"][1] for i in range(len(counts))])


@pytest.mark.parametrize("counts", [[4, 4, 4, 4], [3, 3, 2, 2, 2, 1, 1], [10, 6, 3, 2, 1]]
                         + [case + 1 for case in random_count_cases(5, 30, 4, seed=4)])
def test_same_expected_code_length_as_gensim_with_ties(quiet_gensim, counts):
    # With ties the trees may differ, but both are optimal. (Counts >= 1: gensim's min_count drops zeros.)
    by_word = gensim_tree(counts)
    gensim_cost = sum(count * len(by_word[f"w{i}"][0]) for i, count in enumerate(counts))
    assert np.dot(counts, build_huffman_tree(counts).code_lengths) == gensim_cost


# --- validation -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("counts, error, pieces", [
    ([5], ValueError, ["V >= 2", "(1,)"]),
    ([[5, 3]], ValueError, ["(V,)", "(1, 2)"]),
    ([3, 5, 1], ValueError, ["non-increasing", "counts[0] = 3 < counts[1] = 5"]),
    ([3, -1], ValueError, [">= 0", "-1"]),
    ([3.0, 1.0], TypeError, ["integer", "float64"]),
])
def test_validation_errors(counts, error, pieces):
    with pytest.raises(error) as raised:
        build_huffman_tree(counts)
    for piece in pieces:
        assert piece in str(raised.value)


def test_tree_is_read_only():
    tree = build_huffman_tree([2, 1])
    assert isinstance(tree, HuffmanTree)
    with pytest.raises(AttributeError):
        tree.codes = ()
    with pytest.raises(ValueError, match="read-only"):
        tree.paths[0][0] = 5
    with pytest.raises(ValueError, match="read-only"):
        tree.codes[0][0] = 1
