"""Tests of w2v_lib.model: Word2Vec end to end, reproducibility, recovery of the toy corpus, errors."""

import numpy as np
import pytest
from gensim.models import Word2Vec as GensimWord2Vec

from w2v_lib import _validation
from w2v_lib.datasets import toy_corpus
from w2v_lib.evaluate import group_purity, planted_analogy_accuracy
from w2v_lib.keyed_vectors import KeyedVectors
from w2v_lib.model import Word2Vec

# The demo's settings (w2v_lib.__main__.DEMO_SETTINGS) on the default toy corpus: measured analogy accuracy
# 0.98-1.00 and 9-10 of 10 capitals with another capital among their 3 nearest words, for seeds 1-4.
TOY_SETTINGS = dict(dim=50, window=5, negative=5, min_count=1, sample=1e-3, epochs=20,
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
    assert planted_analogy_accuracy(kv, toy.analogies) == solved / len(toy.analogies)
    assert toy_model.history.epoch_loss[-1] < toy_model.history.epoch_loss[0]


def test_same_seed_gives_bit_identical_vectors(toy):
    sentences = toy.sentences[:500]
    options = dict(dim=10, min_count=1, epochs=2, progress=False)
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
    assert toy_model.history.tokens[-1] == 20 * sum(counts.values())


@pytest.mark.parametrize(("options", "error", "match"), [
    ({"dim": 0}, ValueError, "dim must be >= 1, got 0"),
    ({"window": 2.5}, TypeError, "window must be an integer"),
    ({"negative": 0}, ValueError, "negative must be >= 1"),
    ({"min_count": 0}, ValueError, "min_count must be >= 1"),
    ({"sample": float("inf")}, ValueError, "sample must be a finite number"),
    ({"alpha": 0}, ValueError, "alpha must be > 0"),
    ({"min_alpha": 1.0}, ValueError, "min_alpha must be at most alpha = 0.025"),
    ({"epochs": 0}, ValueError, "epochs must be >= 1"),
    ({"batch_size": -1}, ValueError, "batch_size must be >= 1"),
    ({"seed": -1}, ValueError, "seed must be an integer >= 0, got -1"),
    ({"trainer": "sgd"}, ValueError, "trainer must be one of 'minibatch', 'loop', got 'sgd'"),
    ({"model": "sg"}, ValueError, "model must be one of 'skipgram', 'cbow', got 'sg'"),
    ({"loss": 1}, ValueError, "loss must be one of 'negative', 'hierarchical', got 1"),
    ({"progress": None}, TypeError, "progress must be True or False"),
])
def test_bad_hyperparameters(options, error, match):
    with pytest.raises(error, match=match):
        Word2Vec(**options)


def test_bad_corpora():
    with pytest.raises(ValueError, match="empty"):
        Word2Vec(progress=False).fit([])
    with pytest.raises(ValueError, match="too few to sample negatives"):
        Word2Vec(min_count=1, progress=False).fit([["same", "same", "same"]])
    with pytest.raises(ValueError, match="has 1 word \\('same'\\), too few to build a Huffman tree of"):
        Word2Vec(loss="hierarchical", min_count=1, progress=False).fit([["same", "same", "same"]])
    with pytest.raises(ValueError, match="min_count = 5 leaves no word"):
        Word2Vec(min_count=5, progress=False).fit([["rare", "words", "only"]])
    with pytest.raises(TypeError, match="re-iterable"):
        Word2Vec(min_count=1, progress=False).fit(sentence for sentence in [["a", "b"]])


def test_wv_before_fit_says_what_to_do():
    with pytest.raises(AttributeError, match="call fit"):
        Word2Vec().wv  # noqa: B018


def test_memory_guard_refuses_before_reading_the_corpus(monkeypatch):
    monkeypatch.setattr(_validation, "available_memory", lambda: 2**30)

    def unreadable():
        raise AssertionError("the corpus was read")
        yield

    sentences = type("Corpus", (), {"__iter__": lambda self: unreadable()})()
    with pytest.raises(MemoryError, match="training needs about .* but the machine has 1.0 GiB available: use a "
                                          "smaller negative"):
        Word2Vec(negative=1_000_000, progress=False).fit(sentences)


def test_quality_is_gensims_on_the_toy_corpus(toy):
    # Same settings, same corpus, seeds 1 and 2 (a second each): the planted analogies solved and the group purity
    # of the 3 nearest neighbours (male and female words form one group of people). Measured: ours 0.967 and
    # 0.927 on average, gensim's 0.961 and 0.905; the margin allows 0.05 less than gensim.
    settings = dict(window=5, negative=5, min_count=1, sample=1e-3, alpha=0.025, min_alpha=0.0001, epochs=20)
    groups = {name: words for name, words in toy.groups.items() if name not in ("male", "female")}
    groups["people"] = toy.groups["male"] + toy.groups["female"]
    scores = {"ours": [], "gensim": []}
    for seed in (1, 2):
        ours = Word2Vec(dim=20, **settings, seed=seed, progress=False).fit(toy.sentences).wv
        gensim = GensimWord2Vec(toy.sentences, vector_size=20, sg=1, hs=0, workers=1, seed=seed, **settings).wv
        for name, kv in (("ours", ours), ("gensim", KeyedVectors(gensim.index_to_key, gensim.vectors))):
            scores[name].append((planted_analogy_accuracy(kv, toy.analogies), group_purity(kv, groups)))
    ours, gensim = (np.mean(scores[name], axis=0) for name in ("ours", "gensim"))
    assert gensim[0] > 0.85 and gensim[1] > 0.8  # gensim learned the structure: the comparison means something
    assert ours[0] >= gensim[0] - 0.05, (ours, gensim)
    assert ours[1] >= gensim[1] - 0.05, (ours, gensim)


@pytest.mark.parametrize(("model", "loss"), [("skipgram", "hierarchical"), ("cbow", "negative"), ("cbow", "hierarchical")])
def test_other_models_and_losses_fit_and_keep_their_output_side(toy, model, loss):
    sentences = toy.sentences[:500]
    fitted = Word2Vec(model=model, loss=loss, dim=10, min_count=1, epochs=2, progress=False, seed=3).fit(sentences)
    again = Word2Vec(model=model, loss=loss, dim=10, min_count=1, epochs=2, progress=False, seed=3).fit(sentences)
    assert np.array_equal(fitted.center_vectors, again.center_vectors)  # same seed, same bits
    vocab_size = len(fitted.vocab)
    assert fitted.center_vectors.shape == (vocab_size, 10) and fitted.center_vectors.dtype == np.float32
    if loss == "negative":
        assert fitted.outside_vectors.shape == (vocab_size, 10) and fitted.node_vectors is None
    else:
        assert fitted.outside_vectors is None and fitted.node_vectors.shape == (vocab_size - 1, 10)
        assert len(fitted.tree) == vocab_size
    assert f"model={model!r}, loss={loss!r}" in repr(fitted)
    loop = Word2Vec(model=model, loss=loss, dim=10, min_count=1, epochs=1, trainer="loop", progress=False,
                    seed=3).fit(sentences[:100])
    assert loop.center_vectors.dtype == np.float64


@pytest.mark.parametrize(("model", "loss"), [("skipgram", "hierarchical"), ("cbow", "negative"), ("cbow", "hierarchical")])
def test_other_models_and_losses_learn_as_well_as_gensims_on_the_toy_corpus(toy, model, loss):
    # gensim with the same settings (sg, hs, negative=0 for hierarchical softmax, cbow_mean=1) as the oracle, seeds
    # 1-3: the planted analogies solved and the group purity. Measured (means): skip-gram + hierarchical 0.67 and
    # 0.90 (gensim 0.79 and 0.85: word2vec.c's Huffman tree is not gensim's, which solves more of this corpus's
    # analogies whichever trainer uses it), CBOW + negative 0.87 and 0.80 (gensim 0.88, 0.79), CBOW +
    # hierarchical 0.56 and 0.91 (gensim 0.61, 0.89).
    settings = dict(window=5, min_count=1, sample=1e-3, alpha=0.025, min_alpha=0.0001, epochs=20)
    hierarchical = loss == "hierarchical"
    groups = {name: words for name, words in toy.groups.items() if name not in ("male", "female")}
    groups["people"] = toy.groups["male"] + toy.groups["female"]
    scores = {"ours": [], "gensim": []}
    for seed in (1, 2, 3):
        ours = Word2Vec(model=model, loss=loss, dim=20, **settings, seed=seed, progress=False).fit(toy.sentences).wv
        gensim = GensimWord2Vec(toy.sentences, vector_size=20, sg=int(model == "skipgram"), hs=int(hierarchical),
                                negative=0 if hierarchical else 5, cbow_mean=1, workers=1, seed=seed, **settings).wv
        for name, kv in (("ours", ours), ("gensim", KeyedVectors(gensim.index_to_key, gensim.vectors))):
            scores[name].append((planted_analogy_accuracy(kv, toy.analogies), group_purity(kv, groups)))
    ours, gensim = (np.mean(scores[name], axis=0) for name in ("ours", "gensim"))
    assert gensim[0] > 0.5 and gensim[1] > 0.75  # gensim learned the structure: the comparison means something
    assert ours[0] >= gensim[0] - (0.15 if model == "skipgram" and hierarchical else 0.08), (ours, gensim)
    assert ours[1] >= gensim[1] - 0.05, (ours, gensim)
