"""Tests of w2v_lib.chunks: the stream of training examples, against hand-worked chunks."""

import numpy as np
import pytest

from w2v_lib import chunks


def test_chunk_pairs_by_hand():
    # Without subsampling and with window 1 every center pairs with its direct neighbours in its sentence.
    # Sentences [0 1 2] and [3 1]: (0,1) | (1,0) (1,2) | (2,1) || (3,1) | (1,3).
    token_ids = np.array([0, 1, 2, 3, 1])
    (chunk,) = chunks.training_chunks(token_ids, [0, 3], counts=[1, 2, 1, 1], window=1, negative=3, sample=0,
                                     epochs=1, seed=0)
    assert chunk.centers.tolist() == [0, 1, 1, 2, 3, 1]
    assert chunk.outsides.tolist() == [1, 0, 2, 1, 1, 3]
    assert chunk.window_starts.tolist() == [0, 1, 3, 4, 5]
    assert chunk.tokens_before.tolist() == [0, 1, 2, 3, 4]  # every center's position in the corpus
    assert chunk.negatives.shape == (6, 3) and chunk.negatives.min() >= 0 and chunk.negatives.max() <= 3
    assert chunk.n_tokens == 5
    # Empty sentences (repeated starts, a start at the end) change nothing.
    (same,) = chunks.training_chunks(token_ids, [0, 0, 3, 3, 5], counts=[1, 2, 1, 1], window=1, negative=3,
                                    sample=0, epochs=1, seed=0)
    assert np.array_equal(same.outsides, chunk.outsides) and np.array_equal(same.negatives, chunk.negatives)


def test_learning_rate_clock_counts_corpus_tokens_over_epochs():
    # 25 sentences of 4 words, chunks of 40 words: sentences 0-9, 10-19 and 20-24, in each of 2 epochs.
    token_ids = np.tile([0, 1, 2, 3], 25)
    stream = list(chunks.training_chunks(token_ids, np.arange(0, 100, 4), counts=[25] * 4, window=2, sample=0,
                                        epochs=2, seed=1, chunk_tokens=40))
    assert [chunk.n_tokens for chunk in stream] == [40, 40, 20] * 2
    clock = np.concatenate([chunk.tokens_before for chunk in stream])
    # epoch * 100 + position: without subsampling every word is a center.
    assert clock.tolist() == list(range(200))


def test_subsampling_keeps_the_clock_of_dropped_words():
    # Word 0 is 99% of the corpus, so subsampling drops most of its occurrences; the clock still counts them.
    token_ids = np.array([0] * 990 + [1] * 5 + [2] * 5)
    rng = np.random.default_rng(0)
    token_ids = rng.permutation(token_ids)
    (chunk,) = chunks.training_chunks(token_ids, [0], counts=np.bincount(token_ids), window=2, sample=1e-3,
                                     epochs=1, seed=2, chunk_tokens=1000)
    assert len(chunk.tokens_before) < 300
    assert np.all(np.diff(chunk.tokens_before) > 0) and chunk.tokens_before.max() < 1000
    assert np.all(token_ids[chunk.tokens_before] == chunk.centers[chunk.window_starts])


def test_training_chunks_depend_only_on_the_seed():
    token_ids = np.random.default_rng(0).integers(0, 20, size=500)
    options = dict(counts=np.bincount(token_ids), epochs=2, seed=5, chunk_tokens=50)
    first = list(chunks.training_chunks(token_ids, [0, 100, 300], **options))
    second = list(chunks.training_chunks(token_ids, [0, 100, 300], **options))
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(a.centers, b.centers) and np.array_equal(a.negatives, b.negatives)
    # Each epoch draws afresh.
    assert not np.array_equal(first[0].negatives, first[len(first) // 2].negatives)


def test_training_chunks_reject_bad_input():
    with pytest.raises(ValueError, match="sentence_starts"):
        chunks.training_chunks(np.array([0, 1, 1]), [1], counts=[1, 2])
    with pytest.raises(IndexError, match="token_ids"):
        chunks.training_chunks(np.array([0, 5]), [0], counts=[1, 1])
    with pytest.raises(ValueError, match="non-empty"):
        chunks.training_chunks(np.array([], dtype=int), [0], counts=[1, 1])


def test_negatives_per_prediction_for_each_model_and_loss():
    # The same seed gives the same pairs whatever the model and loss (negatives are drawn last); skip-gram draws
    # K negatives per pair, CBOW per window, hierarchical softmax none. Skip-gram with negative sampling is the
    # stream of the tests above, unchanged.
    token_ids = np.random.default_rng(0).integers(0, 30, size=400)
    options = dict(counts=np.bincount(token_ids, minlength=30), window=3, negative=4, epochs=1, seed=3,
                   chunk_tokens=100)
    streams = {(model, loss): list(chunks.training_chunks(token_ids, [0, 150], model=model, loss=loss, **options))
               for model in ("skipgram", "cbow") for loss in ("negative", "hierarchical")}
    reference = streams["skipgram", "negative"]
    for (model, loss), stream in streams.items():
        for chunk, same in zip(stream, reference, strict=True):
            assert np.array_equal(chunk.centers, same.centers) and np.array_equal(chunk.outsides, same.outsides)
            assert np.array_equal(chunk.window_starts, same.window_starts)
            n_predictions = len(chunk.centers) if model == "skipgram" else len(chunk.window_starts)
            assert chunk.negatives.shape == (n_predictions, 4 if loss == "negative" else 0)
            assert chunk.n_predictions == n_predictions
    # CBOW's negatives come from the same noise distribution: every word id in range, a few thousand draws.
    cbow = np.concatenate([chunk.negatives for chunk in streams["cbow", "negative"]])
    assert cbow.min() >= 0 and cbow.max() < 30 and len(np.unique(cbow)) > 20


def test_training_chunks_reject_an_unknown_model_or_loss():
    with pytest.raises(ValueError, match="model must be one of 'skipgram', 'cbow', got 'sg'"):
        chunks.training_chunks(np.array([0, 1]), [0], counts=[1, 1], model="sg")
    with pytest.raises(ValueError, match="loss must be one of 'negative', 'hierarchical', got 'hs'"):
        chunks.training_chunks(np.array([0, 1]), [0], counts=[1, 1], loss="hs")
