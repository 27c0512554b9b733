"""Tests for w2v_lib.vocab: counts, order, ties, min_count, max_size against a brute-force count."""

import numpy as np
import pytest

from w2v_lib.vocab import Vocabulary, encode_corpus


def brute_force_vocab(sentences, min_count, max_size=None):
    """Count with plain dicts, then order by (-count, first position) with an explicit sort key."""
    counts, first_seen = {}, {}
    position = 0
    for sentence in sentences:
        for token in sentence:
            counts[token] = counts.get(token, 0) + 1
            first_seen.setdefault(token, position)
            position += 1
    words = [w for w in counts if counts[w] >= min_count]
    words.sort(key=lambda w: (-counts[w], first_seen[w]))
    if max_size is not None:
        words = words[:max_size]
    return words, [counts[w] for w in words], position


SENTENCES = [
    ["b", "a", "c", "a"],
    ["d", "c", "e"],
    [],
    ["a", "f", "e", "d", "g"],
    ["b", "c"],
]
# Hand count: a 3, c 3, b 2, d 2, e 2, f 1, g 1; first seen: b 0, a 1, c 2, d 4, e 6, f 8, g 10.
# Order by count, ties by first occurrence: a, c (3, a first) then b, d, e (2) then f, g (1).


def test_order_counts_and_ties_by_hand():
    vocab = Vocabulary.build(SENTENCES, min_count=1)
    assert vocab.words == ["a", "c", "b", "d", "e", "f", "g"]
    np.testing.assert_array_equal(vocab.counts, [3, 3, 2, 2, 2, 1, 1])
    assert vocab.counts.dtype == np.int64
    assert vocab.n_tokens == 14 and vocab.n_corpus_tokens == 14


def test_min_count_and_max_size_by_hand():
    vocab = Vocabulary.build(SENTENCES, min_count=2, max_size=4)
    assert vocab.words == ["a", "c", "b", "d"]
    assert vocab.n_tokens == 3 + 3 + 2 + 2
    assert vocab.n_corpus_tokens == 14


@pytest.mark.parametrize("min_count, max_size", [(1, None), (2, None), (3, None), (1, 5), (2, 1), (1, 1000)])
def test_matches_brute_force_on_random_corpus(min_count, max_size):
    rng = np.random.default_rng(7)
    # Few distinct words and many tokens, so many counts tie.
    sentences = [[f"w{i}" for i in rng.integers(0, 30, size=rng.integers(0, 12))] for _ in range(200)]
    words, counts, n_tokens = brute_force_vocab(sentences, min_count, max_size)
    vocab = Vocabulary.build(iter(sentences), min_count=min_count, max_size=max_size)  # a one-shot iterator
    assert vocab.words == words
    np.testing.assert_array_equal(vocab.counts, counts)
    assert vocab.n_tokens == sum(counts)
    assert vocab.n_corpus_tokens == n_tokens


def test_lookups_both_ways():
    vocab = Vocabulary.build(SENTENCES, min_count=1)
    assert len(vocab) == 7
    assert "e" in vocab and "z" not in vocab
    for i, word in enumerate(["a", "c", "b", "d", "e", "f", "g"]):
        assert vocab[word] == i and vocab.index(word) == i and vocab.words[i] == word


def test_encode_raise_and_skip():
    vocab = Vocabulary.build(SENTENCES, min_count=2)  # a c b d e
    ids = vocab.encode(["e", "a", "a", "b"])
    assert ids.dtype == np.int32
    np.testing.assert_array_equal(ids, [4, 0, 0, 2])
    skipped = vocab.encode(["f", "e", "zzz", "c", "g"], unknown="skip")
    assert skipped.dtype == np.int32
    np.testing.assert_array_equal(skipped, [4, 1])
    assert vocab.encode([]).shape == (0,)
    assert vocab.encode(["f"], unknown="skip").shape == (0,)


def test_unknown_word_raises_key_error_naming_it():
    vocab = Vocabulary.build(SENTENCES, min_count=2)
    for lookup in (lambda: vocab["f"], lambda: vocab.index("f"), lambda: vocab.encode(["a", "f", "c"])):
        with pytest.raises(KeyError, match="'f'.*min_count"):
            lookup()
    with pytest.raises(ValueError, match="unknown"):
        vocab.encode(["a"], unknown="ignore")


@pytest.mark.parametrize("corpus", [[], [[], []], iter([])])
def test_empty_corpus(corpus):
    with pytest.raises(ValueError, match="the corpus is empty"):
        Vocabulary.build(corpus)


def test_nothing_survives_min_count():
    with pytest.raises(ValueError, match="min_count = 4 leaves no word: .* lower min_count to at most 3"):
        Vocabulary.build(SENTENCES, min_count=4)


@pytest.mark.parametrize("kwargs, error", [
    ({"min_count": 0}, ValueError), ({"min_count": 1.5}, TypeError), ({"max_size": 0}, ValueError),
    ({"min_count": True}, TypeError),
])
def test_bad_parameters(kwargs, error):
    with pytest.raises(error):
        Vocabulary.build(SENTENCES, **kwargs)


def test_string_sentences_rejected():
    with pytest.raises(TypeError, match="token lists"):
        Vocabulary.build(["the cat sat", "a dog"])
    vocab = Vocabulary.build(SENTENCES, min_count=1)
    with pytest.raises(TypeError, match="split"):
        vocab.encode("a b")


def test_constructor_checks():
    with pytest.raises(ValueError, match="counts must have one count per word"):
        Vocabulary(["a", "b"], [1])
    with pytest.raises(ValueError, match=">= 0"):
        Vocabulary(["a", "b"], [1, -2])
    with pytest.raises(ValueError, match="distinct"):
        Vocabulary(["a", "a"], [1, 1])
    with pytest.raises(TypeError, match="integers"):
        Vocabulary(["a"], [1.5])
    vocab = Vocabulary(["x", "y"], [3, 1], n_corpus_tokens=10)
    assert vocab.n_tokens == 4 and vocab.n_corpus_tokens == 10
    with pytest.raises(KeyError, match="'z'"):
        vocab["z"]


def test_encode_corpus_by_hand():
    sentences = [["a", "b", "a"], ["x"], ["c", "a", "y"]]
    vocab = Vocabulary(["a", "b", "c"], [3, 1, 1])
    token_ids, starts = encode_corpus(vocab, sentences)
    # "x" and "y" are out of the vocabulary; the sentence ["x"] is left empty and dropped.
    assert token_ids.tolist() == [0, 1, 0, 2, 0]
    assert starts.tolist() == [0, 3]
    with pytest.raises(ValueError, match="no sentence has a word of the vocabulary"):
        encode_corpus(vocab, [["x", "y"]])
