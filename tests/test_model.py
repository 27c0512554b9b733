"""Tests of w2v_lib.model: Word2Vec end to end, reproducibility, recovery of the toy corpus, errors."""

import numpy as np
import pytest

from w2v_lib.datasets import toy_corpus
from w2v_lib.model import Word2Vec, encode_corpus
from w2v_lib.vocab import Vocabulary

# The demo's settings (w2v_lib.__main__.DEMO_SETTINGS) on the default toy corpus: measured analogy accuracy
# 0.98-1.00 and 9-10 of 10 capitals with another capital among their 3 nearest words, for seeds 1-4.
TOY_SETTINGS = dict(vector_size=50, window=5, negative=5, min_count=1, sample=1e-3, epochs=20,
                    batch_size=1024, progress=False)


@pytest.fixture(scope="module")
def toy():
    return toy_corpus()


@pytest.fixture(scope="module")
def toy_model(toy):
    return Word2Vec(**TOY_SETTINGS, seed=1).fit(toy.sentences)


def test_toy_corpus_structure_is_recovered(toy, toy_model):
    kv = toy_model.wv
    capitals = toy.groups["capitals"]
    with_capital_neighbour = sum(any(word in capitals for word, _ in kv.most_similar(capital, topn=3))
                                 for capital in capitals)
    assert with_capital_neighbour >= 8
    solved = sum(kv.analogy(a, b, c)[0][0] == d for a, b, c, d in toy.analogies)
    assert solved / len(toy.analogies) >= 0.9
    assert toy_model.history.epoch_loss[-1] < toy_model.history.epoch_loss[0]


def test_same_seed_gives_bit_identical_vectors(toy):
    sentences = toy.sentences[:500]
    options = dict(vector_size=10, min_count=1, epochs=2, progress=False)
    first = Word2Vec(**options, seed=7).fit(sentences)
    second = Word2Vec(**options, seed=7).fit(sentences)
    other = Word2Vec(**options, seed=8).fit(sentences)
    assert np.array_equal(first.center_vectors, second.center_vectors)
    assert np.array_equal(first.outside_vectors, second.outside_vectors)
    assert not np.allclose(first.center_vectors, other.center_vectors)


def test_fitted_attributes(toy, toy_model):
    vocab = toy_model.vocab
    # The vocabulary is ordered by frequency, counted here independently.
    counts = {}
    for sentence in toy.sentences:
        for word in sentence:
            counts[word] = counts.get(word, 0) + 1
    assert vocab.words[0] == max(counts, key=counts.get)
    assert [counts[word] for word in vocab.words] == sorted(counts.values(), reverse=True)
    assert toy_model.center_vectors.shape == toy_model.outside_vectors.shape == (len(counts), 50)
    assert toy_model.center_vectors.dtype == np.float32
    assert toy_model.wv.words == vocab.words
    assert np.array_equal(toy_model.wv.vectors, toy_model.center_vectors)
    assert toy_model.history.words[-1] == 20 * sum(counts.values())


def test_loop_trainer_agrees_with_minibatch_of_one_window(toy):
    sentences = toy.sentences[:60]
    options = dict(vector_size=6, window=2, min_count=1, sample=0, alpha=0.1, epochs=1, seed=3,
                   progress=False)
    loop = Word2Vec(**options, trainer="loop").fit(sentences)
    minibatch = Word2Vec(**options, batch_size=1).fit(sentences)
    assert loop.center_vectors.dtype == np.float64
    assert np.allclose(minibatch.center_vectors, loop.center_vectors, rtol=1e-4, atol=1e-6)


def test_encode_corpus_by_hand():
    sentences = [["a", "b", "a"], ["x"], ["c", "a", "y"]]
    vocab = Vocabulary(["a", "b", "c"], [3, 1, 1])
    token_ids, starts = encode_corpus(vocab, sentences)
    # "x" and "y" are out of the vocabulary; the sentence ["x"] is left empty and dropped.
    assert token_ids.tolist() == [0, 1, 0, 2, 0]
    assert starts.tolist() == [0, 3]


@pytest.mark.parametrize(("options", "error", "match"), [
    ({"vector_size": 0}, ValueError, "vector_size"),
    ({"window": 2.5}, TypeError, "window"),
    ({"negative": 0}, ValueError, "negative"),
    ({"min_count": 0}, ValueError, "min_count"),
    ({"alpha": 0}, ValueError, "alpha"),
    ({"min_alpha": 1.0}, ValueError, "min_alpha"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"batch_size": -1}, ValueError, "batch_size"),
    ({"trainer": "sgd"}, ValueError, "trainer"),
])
def test_bad_hyperparameters(options, error, match):
    with pytest.raises(error, match=match):
        Word2Vec(**options)


def test_bad_corpora():
    with pytest.raises(ValueError, match="empty"):
        Word2Vec(progress=False).fit([])
    with pytest.raises(ValueError, match="too few to sample negatives"):
        Word2Vec(min_count=1, progress=False).fit([["same", "same", "same"]])
    with pytest.raises(ValueError, match="lower min_count"):
        Word2Vec(min_count=5, progress=False).fit([["rare", "words", "only"]])
    with pytest.raises(TypeError, match="re-iterable"):
        Word2Vec(min_count=1, progress=False).fit(sentence for sentence in [["a", "b"]])


def test_wv_before_fit_says_what_to_do():
    with pytest.raises(AttributeError, match="call fit"):
        Word2Vec().wv  # noqa: B018
