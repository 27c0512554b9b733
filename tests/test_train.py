"""Tests of w2v_lib.train: the example stream, initialization, schedule, scatter-add and the two trainers."""

import numpy as np
import pytest

from w2v_lib import train
from w2v_lib.datasets import toy_corpus
from w2v_lib.losses import neg_sampling_loss_and_gradient
from w2v_lib.model import encode_corpus
from w2v_lib.vocab import Vocabulary


def _encoded_toy_corpus(n_sentences):
    sentences = toy_corpus(n_sentences=n_sentences, seed=0).sentences
    vocab = Vocabulary.build(sentences, min_count=1)
    token_ids, starts = encode_corpus(vocab, sentences)
    return token_ids, starts, vocab.counts


@pytest.fixture(scope="module")
def small_corpus():
    """400 toy sentences (about 2,400 words) as (token_ids, sentence_starts, counts)."""
    return _encoded_toy_corpus(400)


@pytest.fixture(scope="module")
def tiny_corpus():
    """100 toy sentences (about 600 words)."""
    return _encoded_toy_corpus(100)


def test_initialize_vectors_follows_word2vec_c():
    vocab_size, d = 3000, 50
    center_vectors, outside_vectors = train.initialize_vectors(vocab_size, d, seed=0)
    assert center_vectors.shape == outside_vectors.shape == (vocab_size, d)
    assert np.all(outside_vectors == 0)
    # word2vec.c: (rand/65536 - 0.5) / d, i.e. uniform on [-0.5/d, 0.5/d): mean 0, std (1/d)/sqrt(12).
    assert center_vectors.min() >= -0.5 / d and center_vectors.max() < 0.5 / d
    # 150,000 draws fill the range.
    assert center_vectors.min() < -0.499 / d and center_vectors.max() > 0.499 / d
    assert abs(center_vectors.mean()) < 0.01 / d
    assert center_vectors.std() == pytest.approx(1 / (d * np.sqrt(12)), rel=0.01)
    again, _ = train.initialize_vectors(vocab_size, d, seed=0)
    assert np.array_equal(center_vectors, again)


def test_first_step_loss_is_6_log_2():
    # word2vec.c's start: U = 0, so every score u·v is 0 and each pair's loss is
    # -log σ(0) - K log σ(0) = 6 log 2.
    center_vectors, outside_vectors = train.initialize_vectors(10, 4, seed=0)
    loss = train.minibatch_step(center_vectors, outside_vectors, np.array([1, 2, 1]), np.array([3, 3, 0]),
                                np.array([[4, 5, 6, 7, 8]] * 3), learning_rate=0.025)
    assert loss == pytest.approx(3 * 6 * np.log(2), rel=1e-12)


def test_linear_learning_rate_by_hand():
    # alpha - (alpha - min_alpha) * words / total: 0.025 - 0.0249 * 250 / 1000 = 0.018775.
    assert train.linear_learning_rate(0, 1000, 0.025, 0.0001) == pytest.approx(0.025)
    assert train.linear_learning_rate(250, 1000, 0.025, 0.0001) == pytest.approx(0.018775)
    assert train.linear_learning_rate(1000, 1000, 0.025, 0.0001) == pytest.approx(0.0001)
    assert np.allclose(train.linear_learning_rate(np.array([0, 500]), 1000, 0.02, 0.0), [0.02, 0.01])


def test_chunk_pairs_by_hand():
    # Without subsampling and with window 1 every center pairs with its direct neighbours in its sentence.
    # Sentences [0 1 2] and [3 1]: (0,1) | (1,0) (1,2) | (2,1) || (3,1) | (1,3).
    token_ids = np.array([0, 1, 2, 3, 1])
    (chunk,) = train.training_chunks(token_ids, [0, 3], counts=[1, 2, 1, 1], window=1, negative=3, sample=0,
                                     epochs=1, seed=0)
    assert chunk.centers.tolist() == [0, 1, 1, 2, 3, 1]
    assert chunk.outsides.tolist() == [1, 0, 2, 1, 1, 3]
    assert chunk.window_starts.tolist() == [0, 1, 3, 4, 5]
    assert chunk.window_words.tolist() == [0, 1, 2, 3, 4]  # every center's position in the corpus
    assert chunk.negatives.shape == (6, 3) and chunk.negatives.min() >= 0 and chunk.negatives.max() <= 3
    assert chunk.n_words == 5
    # Empty sentences (repeated starts, a start at the end) change nothing.
    (same,) = train.training_chunks(token_ids, [0, 0, 3, 3, 5], counts=[1, 2, 1, 1], window=1, negative=3,
                                    sample=0, epochs=1, seed=0)
    assert np.array_equal(same.outsides, chunk.outsides) and np.array_equal(same.negatives, chunk.negatives)


def test_learning_rate_clock_counts_corpus_words_over_epochs():
    # 25 sentences of 4 words, chunks of 40 words: sentences 0-9, 10-19 and 20-24, in each of 2 epochs.
    token_ids = np.tile([0, 1, 2, 3], 25)
    chunks = list(train.training_chunks(token_ids, np.arange(0, 100, 4), counts=[25] * 4, window=2, sample=0,
                                        epochs=2, seed=1, chunk_words=40))
    assert [chunk.n_words for chunk in chunks] == [40, 40, 20] * 2
    clock = np.concatenate([chunk.window_words for chunk in chunks])
    # epoch * 100 + position: without subsampling every word is a center.
    assert clock.tolist() == list(range(200))


def test_subsampling_keeps_the_clock_of_dropped_words():
    # Word 0 is 99% of the corpus, so subsampling drops most of its occurrences; the clock still counts them.
    token_ids = np.array([0] * 990 + [1] * 5 + [2] * 5)
    rng = np.random.default_rng(0)
    token_ids = rng.permutation(token_ids)
    (chunk,) = train.training_chunks(token_ids, [0], counts=np.bincount(token_ids), window=2, sample=1e-3,
                                     epochs=1, seed=2, chunk_words=1000)
    assert len(chunk.window_words) < 300
    assert np.all(np.diff(chunk.window_words) > 0) and chunk.window_words.max() < 1000
    assert np.all(token_ids[chunk.window_words] == chunk.centers[chunk.window_starts])


def test_training_chunks_depend_only_on_the_seed():
    token_ids = np.random.default_rng(0).integers(0, 20, size=500)
    options = dict(counts=np.bincount(token_ids), epochs=2, seed=5, chunk_words=50)
    first = list(train.training_chunks(token_ids, [0, 100, 300], **options))
    second = list(train.training_chunks(token_ids, [0, 100, 300], **options))
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(a.centers, b.centers) and np.array_equal(a.negatives, b.negatives)
    # Each epoch draws afresh.
    assert not np.array_equal(first[0].negatives, first[len(first) // 2].negatives)


def test_training_chunks_reject_bad_input():
    with pytest.raises(ValueError, match="sentence_starts"):
        train.training_chunks(np.array([0, 1, 1]), [1], counts=[1, 2])
    with pytest.raises(IndexError, match="token_ids"):
        train.training_chunks(np.array([0, 5]), [0], counts=[1, 1])
    with pytest.raises(ValueError, match="non-empty"):
        train.training_chunks(np.array([], dtype=int), [0], counts=[1, 1])


def test_scatter_add_products_matches_np_add_at_with_repeats():
    rng = np.random.default_rng(0)
    target = rng.normal(size=(6, 4))
    indices = rng.integers(0, 4, size=(30, 3))  # 90 updates into 4 rows: every row repeats many times
    weights = rng.normal(size=(30, 3))
    vectors = rng.normal(size=(30, 4))
    expected = target.copy()
    np.add.at(expected, indices.ravel(), (weights[:, :, None] * vectors[:, None, :]).reshape(-1, 4))
    got = target.copy()
    train.scatter_add_products(got, indices, weights, vectors)
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-12)
    # Fancy-index `+=` keeps one update per repeated row, which this test would catch.
    wrong = target.copy()
    wrong[indices.ravel()] += (weights[:, :, None] * vectors[:, None, :]).reshape(-1, 4)
    assert not np.allclose(wrong, expected)


def test_scatter_plan_by_hand():
    # Flat entries of [[2, 0], [2, 2]]: 0 -> row 2, 1 -> row 0, 2 -> row 2, 3 -> row 2. Sorted by row (ties in
    # entry order): 1 | 0 2 3, so row 0 owns sorted entries 0..1 and row 2 entries 1..4; entry i scales
    # vector i // 2.
    plan = train.scatter_plan(np.array([[2, 0], [2, 2]]))
    assert plan.rows.tolist() == [0, 2]
    assert plan.row_starts.tolist() == [0, 1, 4]
    assert plan.order.tolist() == [1, 0, 2, 3]
    assert plan.sources.tolist() == [0, 0, 1, 1]
    assert plan.inverse.tolist() == [[1, 0], [1, 1]]  # rows[inverse] is the index array again
    with pytest.raises(ValueError, match="2-D integer"):
        train.scatter_plan(np.array([1, 2]))
    with pytest.raises(IndexError, match=">= 0"):
        train.scatter_plan(np.array([[1, -1]]))


def test_scatter_plan_sorts_large_indices_like_a_stable_argsort():
    # Indices above 2**16 and 2**32 need more than one 16-bit radix pass; many ties check the stability.
    rng = np.random.default_rng(2)
    for high in (300, 70_000, 2**40):
        indices = rng.integers(0, high, size=(500, 4)) // 7 * 7
        plan = train.scatter_plan(indices)
        assert np.array_equal(plan.order, np.argsort(indices.ravel(), kind="stable"))
        assert np.array_equal(plan.rows, np.unique(indices))
        assert np.array_equal(plan.rows[plan.inverse], indices)


def test_scatter_add_products_with_a_plan_matches_np_add_at():
    # The trainer's path: the plan made beforehand (in the background thread), float32 like the trainer.
    # Zipf-distributed rows repeat a lot, also within a row of indices (like a negative equal to the outside
    # word), and some rows of target get nothing.
    rng = np.random.default_rng(1)
    target = rng.normal(size=(50, 8)).astype(np.float32)
    indices = (rng.zipf(1.3, size=(200, 6)) - 1) % 40
    assert np.any(indices[:, :1] == indices[:, 1:])
    weights = rng.normal(size=(200, 6)).astype(np.float32)
    vectors = rng.normal(size=(200, 8)).astype(np.float32)
    expected = target.astype(np.float64)
    np.add.at(expected, indices.ravel(), (weights[:, :, None] * vectors[:, None, :].astype(np.float64))
              .reshape(-1, 8))
    got = target.copy()
    train.scatter_add_products(got, indices, weights, vectors, plan=train.scatter_plan(indices))
    assert got.dtype == np.float32
    # float32 sums of up to ~600 terms of size ~1: rounding errors of a few 1e-5.
    assert np.allclose(got, expected, rtol=0, atol=2e-4)
    assert np.array_equal(got[40:], target[40:])
    with pytest.raises(ValueError, match="shape of indices"):
        train.scatter_add_products(got, indices, weights[:, :5], vectors)


def test_minibatch_step_is_the_sum_of_per_pair_gradients():
    # Independent reference: neg_sampling_loss_and_gradient (gradchecked in test_losses) for each pair, all at
    # the parameters before the step. Repeats on purpose: centers 1 twice, word 2 as outside and as negative.
    rng = np.random.default_rng(3)
    center_vectors, outside_vectors = rng.normal(size=(2, 5, 4)) * 0.5
    centers, outsides = np.array([1, 1, 3]), np.array([2, 0, 2])
    negatives = np.array([[2, 4], [4, 4], [0, 1]])
    lr = 0.1
    loss_sum = 0.0
    grad_center = np.zeros_like(center_vectors)
    grad_outside = np.zeros_like(outside_vectors)
    for c, o, negs in zip(centers, outsides, negatives):
        loss, g_center_vec, g_outside = neg_sampling_loss_and_gradient(center_vectors[c], o, outside_vectors,
                                                                       negs)
        loss_sum += loss
        grad_center[c] += g_center_vec
        grad_outside += g_outside
    expected_center = center_vectors - lr * grad_center
    expected_outside = outside_vectors - lr * grad_outside

    got = train.minibatch_step(center_vectors, outside_vectors, centers, outsides, negatives, lr)
    assert got == pytest.approx(loss_sum, rel=1e-12)
    assert np.allclose(center_vectors, expected_center, rtol=1e-12, atol=1e-14)
    assert np.allclose(outside_vectors, expected_outside, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("dtype", "tolerance"), [(np.float64, 1e-12), (np.float32, 2e-6)])
def test_minibatch_with_batch_size_1_reproduces_the_loop_trainer(tiny_corpus, dtype, tolerance):
    options = dict(vector_size=8, window=3, negative=4, sample=1e-2, alpha=0.2, epochs=2, seed=11,
                   chunk_words=200, progress=False)
    loop = train.train_loop(*tiny_corpus, **options)
    minibatch = train.train_minibatch(*tiny_corpus, batch_size=1, dtype=dtype, **options)
    assert minibatch.center_vectors.dtype == dtype
    scale = np.abs(loop.center_vectors).max()
    assert scale > 0.2  # the vectors moved far from their initial ±0.5/d = ±0.0625
    assert np.allclose(minibatch.center_vectors, loop.center_vectors, rtol=0, atol=tolerance * scale)
    assert np.allclose(minibatch.outside_vectors, loop.outside_vectors, rtol=0, atol=tolerance * scale)
    assert np.allclose(minibatch.history.loss, loop.history.loss, rtol=tolerance * 10)


def test_larger_batches_differ_from_the_loop_trainer(tiny_corpus):
    options = dict(vector_size=8, window=3, epochs=1, seed=11, progress=False, dtype=np.float64)
    one = train.train_minibatch(*tiny_corpus, batch_size=1, **options)
    many = train.train_minibatch(*tiny_corpus, batch_size=64, **options)
    assert not np.allclose(one.center_vectors, many.center_vectors)


def test_prefetching_does_not_change_the_result(small_corpus):
    options = dict(vector_size=8, epochs=2, seed=4, chunk_words=300, progress=False)
    with_thread = train.train_minibatch(*small_corpus, prefetch=True, **options)
    without = train.train_minibatch(*small_corpus, prefetch=False, **options)
    assert np.array_equal(with_thread.center_vectors, without.center_vectors)
    assert np.array_equal(with_thread.outside_vectors, without.outside_vectors)


def test_loss_decreases_and_history_is_recorded(tiny_corpus):
    n_words = len(tiny_corpus[0])
    for trainer, options in ((train.train_loop, {}), (train.train_minibatch, {"batch_size": 16})):
        result = trainer(*tiny_corpus, vector_size=8, sample=1e-2, alpha=0.2, epochs=4, seed=0,
                         chunk_words=200, progress=False, **options)
        history = result.history
        assert len(history.epoch_loss) == 4
        # At the start every score is 0 (U = 0): the loss per pair is -(1 + K) log σ(0) = 6 log 2 = 4.159, and
        # it can only have fallen a little within the first chunk.
        assert 6 * np.log(2) - 0.1 < history.loss[0] <= 6 * np.log(2) + 1e-5  # float32 rounding
        assert history.epoch_loss[-1] < history.epoch_loss[0] - 0.5
        assert history.words[-1] == 4 * n_words
        assert np.all(np.diff(history.learning_rate) < 0)
        assert 0.0001 <= history.learning_rate[-1] < 0.05 * 0.2  # the last steps are near the end of the line
        assert history.seconds > 0 and history.words_per_second > 0


def test_divergence_stops_with_a_clear_error(small_corpus):
    with pytest.raises(FloatingPointError, match="smaller alpha"):
        train.train_loop(*small_corpus, vector_size=8, alpha=1e6, min_alpha=0.0, epochs=1, progress=False)
    # Small batches, so that there are enough steps on this small corpus for the loss to overflow.
    with pytest.raises(FloatingPointError, match="smaller alpha .* smaller batch_size"):
        train.train_minibatch(*small_corpus, vector_size=8, alpha=1e6, min_alpha=0.0, epochs=1, batch_size=16,
                              progress=False)


def test_finite_but_exploding_loss_is_reported(small_corpus):
    # alpha=1e3 with large batches: on this small corpus the loss grows huge in a few steps without overflowing,
    # which the finiteness checks alone would let through.
    with pytest.raises(FloatingPointError, match="ten times the 4.159 of untrained vectors"):
        train.train_minibatch(*small_corpus, vector_size=8, alpha=1e3, min_alpha=0.0, epochs=2, batch_size=1024,
                              progress=False)


def test_hyperparameter_errors():
    with pytest.raises(ValueError, match="vector_size"):
        train.check_hyperparameters(vector_size=0)
    with pytest.raises(TypeError, match="window"):
        train.check_hyperparameters(window=2.5)
    with pytest.raises(ValueError, match="alpha"):
        train.check_hyperparameters(alpha=-0.1)
    with pytest.raises(ValueError, match="min_alpha"):
        train.check_hyperparameters(alpha=0.01, min_alpha=0.1)
    with pytest.raises(ValueError, match="batch_size"):
        train.check_hyperparameters(batch_size=0)
    with pytest.raises(ValueError, match="sample"):
        train.check_hyperparameters(sample=-1e-3)
    with pytest.raises(ValueError, match="alpha must be finite"):
        train.check_hyperparameters(alpha=float("nan"))
