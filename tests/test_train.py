"""Tests of w2v_lib.train: initialization, schedule, the minibatch step, the two trainers and their errors, for
every model (skip-gram, CBOW) and loss (negative sampling, hierarchical softmax)."""

import re
import threading

import numpy as np
import pytest

from w2v_lib import _validation, train
from w2v_lib.datasets import toy_corpus
from w2v_lib.gradcheck import numerical_gradient
from w2v_lib.hierarchical_softmax import _PathTable
from w2v_lib.huffman import build_huffman_tree
from w2v_lib.losses import neg_sampling_loss_and_gradient
from w2v_lib.vocab import Vocabulary, encode_corpus

COMBINATIONS = [("skipgram", "negative"), ("skipgram", "hierarchical"), ("cbow", "negative"),
                ("cbow", "hierarchical")]


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


@pytest.mark.parametrize(("model", "loss"), COMBINATIONS)
@pytest.mark.parametrize(("dtype", "tolerance"), [(np.float64, 1e-12), (np.float32, 2e-6)])
def test_minibatch_with_batch_size_1_reproduces_the_loop_trainer(tiny_corpus, model, loss, dtype, tolerance):
    # The loop trainer steps along the gradchecked loss functions (losses, hierarchical_softmax, cbow), one
    # window at a time: the oracle of the vectorized step.
    options = dict(model=model, loss=loss, dim=8, window=3, negative=4, sample=1e-2, alpha=0.2, epochs=2, seed=11,
                   chunk_tokens=200, progress=False)
    loop = train.train_loop(*tiny_corpus, **options)
    minibatch = train.train_minibatch(*tiny_corpus, batch_size=1, dtype=dtype, **options)
    assert minibatch.center_vectors.dtype == dtype
    scale = np.abs(loop.center_vectors).max()
    assert scale > 0.2  # the vectors moved far from their initial ±0.5/d = ±0.0625
    assert np.allclose(minibatch.center_vectors, loop.center_vectors, rtol=0, atol=tolerance * scale)
    output = "outside_vectors" if loss == "negative" else "node_vectors"
    assert np.abs(getattr(loop, output)).max() > 0.2
    assert np.allclose(getattr(minibatch, output), getattr(loop, output), rtol=0, atol=tolerance * scale)
    assert np.allclose(minibatch.history.loss, loop.history.loss, rtol=tolerance * 10)


def _window_loss(model, loss, center, outsides, negatives, center_vectors, output_vectors, tree):
    """J of one window, written out from the definitions (not the library's functions): the reference whose
    central differences the minibatch step must follow."""
    def log_sigmoid(x):
        return -np.log1p(np.exp(-x))

    inputs = [center_vectors[center]] * len(outsides) if model == "skipgram" else [
        center_vectors[outsides].mean(axis=0)]
    targets = outsides if model == "skipgram" else [center]
    negatives = negatives if model == "skipgram" else [negatives]
    total = 0.0
    for x, target, target_negatives in zip(inputs, targets, negatives):
        if loss == "negative":
            total -= log_sigmoid(output_vectors[target] @ x)
            total -= sum(log_sigmoid(-output_vectors[s] @ x) for s in target_negatives)
        else:  # p(w | x) = Π σ((1 - 2κ) q·x) along w's path
            for node, bit in zip(tree.paths[target], tree.codes[target]):
                total -= log_sigmoid((1 - 2 * int(bit)) * (output_vectors[node] @ x))
    return total


@pytest.mark.parametrize(("model", "loss"), COMBINATIONS)
def test_one_minibatch_step_follows_the_central_differences_of_the_window_losses(model, loss):
    # Three windows sharing words (word 1 is a center twice and an outside word; word 4 a negative of several
    # predictions and an outside word): a step on the batch must change each parameter by -η times the sum over
    # the windows of ∂J_w/∂parameter, taken by central differences at the parameters before the step; except that
    # CBOW moves an outside word's row by n_w times its share, as word2vec.c does.
    vocab_size, dim, lr = 7, 3, 0.1
    rng = np.random.default_rng(5)
    center_vectors = rng.normal(size=(vocab_size, dim))
    tree = build_huffman_tree([9, 7, 5, 4, 3, 2, 1]) if loss == "hierarchical" else None
    output_vectors = rng.normal(size=(vocab_size - 1 if tree else vocab_size, dim))
    windows = [(1, [0, 2, 4]), (3, [1, 1]), (1, [5, 6, 2, 0])]  # (center, outside words), word 1 twice in the second
    n_outsides = [len(outsides) for _, outsides in windows]
    n_predictions = sum(n_outsides) if model == "skipgram" else len(windows)
    negatives = rng.integers(0, vocab_size, size=(n_predictions, 2 if tree is None else 0))
    negatives[0] = 4  # drawn twice
    negatives[1] = 2 if model == "skipgram" else 3  # the target of prediction 1, counted as a negative too
    window_negatives, used = [], 0
    for n in n_outsides:
        step = n if model == "skipgram" else 1
        window_negatives.append(negatives[used:used + step] if model == "skipgram" else negatives[used])
        used += step

    expected_loss = 0.0
    before = center_vectors.copy()
    expected_center = center_vectors.copy()
    expected_output = output_vectors.copy()
    for (center, outsides), negs, n in zip(windows, window_negatives, n_outsides):
        def window_loss(centers, outputs, center=center, outsides=outsides, negs=negs):
            return _window_loss(model, loss, center, outsides, negs, centers, outputs, tree)

        expected_loss += window_loss(center_vectors, output_vectors)
        grad_center = numerical_gradient(lambda x: window_loss(x, output_vectors), center_vectors)  # noqa: B023
        grad_output = numerical_gradient(lambda x: window_loss(center_vectors, x), output_vectors)  # noqa: B023
        expected_center -= lr * (n if model == "cbow" else 1) * grad_center
        expected_output -= lr * grad_output

    centers = np.concatenate([[center] * len(outsides) for center, outsides in windows])
    outsides = np.concatenate([outsides for _, outsides in windows])
    window_starts = np.cumsum([0, *n_outsides[:-1]])
    paths = _PathTable.of(tree) if tree else None
    batch = train._plan_batch(model, centers, outsides, window_starts, negatives, paths, lr, 0, np.float64)
    got_loss = train._step(center_vectors, output_vectors, batch)
    assert got_loss == pytest.approx(expected_loss, rel=1e-12)
    assert np.allclose(center_vectors, expected_center, rtol=0, atol=1e-8)
    assert np.allclose(output_vectors, expected_output, rtol=0, atol=1e-8)
    assert np.abs(center_vectors - before).max() > 0.01  # a real step, far above the tolerance


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_hierarchical_softmax_damps_only_the_rows_several_windows_share(model):
    # A batch sums the steps of every window at the parameters before the step. The root's vector is on every
    # path, so in a large batch its summed step overshoots (in sequential SGD each step sees the last one's
    # effect). A row that two or more windows of the batch update, and whose η Σ σ'(z) ‖other vector‖² (the
    # curvature of the loss along the row, times η) exceeds 1, takes its summed step divided by that number;
    # every other row takes its plain step. Written out here as a loop over predictions and path nodes.
    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    vocab_size, dim, lr = 7, 3, 0.5
    rng = np.random.default_rng(7)
    tree = build_huffman_tree([9, 7, 5, 4, 3, 2, 1])
    center_vectors = 2 * rng.normal(size=(vocab_size, dim))
    node_vectors = 2 * rng.normal(size=(vocab_size - 1, dim))
    windows = [(1, [0, 2]), (3, [1, 2]), (1, [6, 0])]  # word 1 the center of two windows, 0 and 2 outside in two
    if model == "skipgram":
        predictions = [(w, [center], center_vectors[center], outside)
                       for w, (center, outsides) in enumerate(windows) for outside in outsides]
    else:
        predictions = [(w, outsides, center_vectors[outsides].mean(axis=0), center)
                       for w, (center, outsides) in enumerate(windows)]
    steps = {"input": np.zeros_like(center_vectors), "node": np.zeros_like(node_vectors)}
    curvatures = {"input": np.zeros(vocab_size), "node": np.zeros(vocab_size - 1)}
    users = {"input": [set() for _ in range(vocab_size)], "node": [set() for _ in range(vocab_size - 1)]}
    expected_loss = 0.0
    for w, input_rows, x, target in predictions:
        grad_x, input_curvature = np.zeros(dim), 0.0
        for node, bit in zip(tree.paths[target], tree.codes[target]):
            z = node_vectors[node] @ x
            expected_loss -= np.log(sigmoid((1 - 2 * int(bit)) * z))
            g = sigmoid(z) - (1 - int(bit))
            grad_x += g * node_vectors[node]
            steps["node"][node] -= lr * g * x
            curvatures["node"][node] += lr * sigmoid(z) * sigmoid(-z) * (x @ x)
            users["node"][node].add(w)
            input_curvature += lr * sigmoid(z) * sigmoid(-z) * (node_vectors[node] @ node_vectors[node])
        for row in input_rows:  # CBOW: every outside word takes the whole step of the mean, as word2vec.c
            steps["input"][row] -= lr * grad_x
            curvatures["input"][row] += input_curvature
            users["input"][row].add(w)
    factors = {side: np.array([1 / c if len(u) >= 2 and c > 1 else 1.0
                               for c, u in zip(curvatures[side], users[side])])
               for side in steps}
    damped = {side: np.flatnonzero(factors[side] < 1) for side in steps}
    assert 5 in damped["node"] and len(damped["input"]) >= 1  # the root (node V - 2 = 5) at least
    undamped = [(len(u) >= 2, c > 1) for side in steps
                for c, u, factor in zip(curvatures[side], users[side], factors[side]) if u and factor == 1]
    assert (True, False) in undamped or (False, True) in undamped  # the rule's other branches are exercised too
    expected_center = center_vectors + factors["input"][:, None] * steps["input"]
    expected_nodes = node_vectors + factors["node"][:, None] * steps["node"]

    centers = np.concatenate([[center] * len(outsides) for center, outsides in windows])
    outsides = np.concatenate([outsides for _, outsides in windows])
    window_starts = np.cumsum([0, *[len(outsides) for _, outsides in windows][:-1]])
    n_predictions = len(predictions)
    batch = train._plan_batch(model, centers, outsides, window_starts, np.zeros((n_predictions, 0), dtype=int),
                              _PathTable.of(tree), lr, 0, np.float64)
    got_loss = train._step(center_vectors, node_vectors, batch)
    assert got_loss == pytest.approx(expected_loss, rel=1e-12)
    assert np.allclose(center_vectors, expected_center, rtol=1e-12, atol=1e-12)
    assert np.allclose(node_vectors, expected_nodes, rtol=1e-12, atol=1e-12)


def test_larger_batches_differ_from_the_loop_trainer(tiny_corpus):
    options = dict(dim=8, window=3, epochs=1, seed=11, progress=False, dtype=np.float64)
    one = train.train_minibatch(*tiny_corpus, batch_size=1, **options)
    many = train.train_minibatch(*tiny_corpus, batch_size=64, **options)
    assert not np.allclose(one.center_vectors, many.center_vectors)


def test_prefetching_does_not_change_the_result(small_corpus):
    options = dict(dim=8, epochs=2, seed=4, chunk_tokens=300, progress=False)
    with_thread = train.train_minibatch(*small_corpus, prefetch=True, **options)
    without = train.train_minibatch(*small_corpus, prefetch=False, **options)
    assert np.array_equal(with_thread.center_vectors, without.center_vectors)
    assert np.array_equal(with_thread.outside_vectors, without.outside_vectors)


def test_loss_decreases_and_history_is_recorded(tiny_corpus):
    n_tokens = len(tiny_corpus[0])
    for trainer, options in ((train.train_loop, {}), (train.train_minibatch, {"batch_size": 16})):
        result = trainer(*tiny_corpus, dim=8, sample=1e-2, alpha=0.2, epochs=4, seed=0,
                         chunk_tokens=200, progress=False, **options)
        history = result.history
        assert len(history.epoch_loss) == 4
        # At the start every score is 0 (U = 0): the loss per pair is -(1 + K) log σ(0) = 6 log 2 = 4.159, and
        # it can only have fallen a little within the first chunk.
        assert 6 * np.log(2) - 0.1 < history.loss[0] <= 6 * np.log(2) + 1e-5  # float32 rounding
        assert history.epoch_loss[-1] < history.epoch_loss[0] - 0.5
        assert history.tokens[-1] == 4 * n_tokens
        assert np.all(np.diff(history.learning_rate) < 0)
        assert 0.0001 <= history.learning_rate[-1] < 0.05 * 0.2  # the last steps are near the end of the line
        assert history.seconds > 0 and history.tokens_per_second > 0


def test_divergence_stops_with_a_clear_error(small_corpus):
    with pytest.raises(FloatingPointError, match="smaller alpha"):
        train.train_loop(*small_corpus, dim=8, alpha=1e6, min_alpha=0.0, epochs=1, progress=False)
    # Small batches, so that there are enough steps on this small corpus for the loss to overflow.
    with pytest.raises(FloatingPointError, match="smaller alpha .* smaller batch_size"):
        train.train_minibatch(*small_corpus, dim=8, alpha=1e6, min_alpha=0.0, epochs=1, batch_size=16,
                              progress=False)


def test_finite_but_exploding_loss_is_reported(small_corpus):
    # alpha=1e3 with large batches: on this small corpus the loss grows huge in a few steps without overflowing,
    # which the finiteness checks alone would let through.
    with pytest.raises(FloatingPointError, match="ten times the 4.159 of untrained vectors") as raised:
        train.train_minibatch(*small_corpus, dim=8, alpha=1e3, min_alpha=0.0, epochs=2, batch_size=1024,
                              progress=False)
    # Where it stopped, as a number too: the token count the message names, within the two epochs.
    stated = int(re.search(r"by corpus token ([\d,]+)", str(raised.value)).group(1).replace(",", ""))
    assert raised.value.tokens == stated
    assert 0 < stated <= 2 * len(small_corpus[0])


BAD_ARGUMENTS = [
    ({"dim": 0}, ValueError, "dim must be >= 1, got 0"),
    ({"window": 2.5}, TypeError, "window must be an integer, got float 2.5"),
    ({"negative": 0}, ValueError, "negative must be >= 1"),
    ({"sample": -1e-3}, ValueError, "sample must be >= 0"),
    ({"sample": "1e-3"}, TypeError, "sample must be a number"),
    ({"alpha": 0.0}, ValueError, "alpha must be > 0"),
    ({"alpha": float("nan")}, ValueError, "alpha must be a finite number"),
    ({"min_alpha": 0.1}, ValueError, "min_alpha must be at most alpha = 0.025"),
    ({"epochs": 0}, ValueError, "epochs must be >= 1"),
    ({"seed": -1}, ValueError, "seed must be an integer >= 0, got -1"),
    ({"seed": 1.5}, TypeError, "seed must be an integer >= 0 or a numpy.random.Generator"),
    ({"chunk_tokens": 0}, ValueError, "chunk_tokens must be >= 1"),
    ({"progress": "yes"}, TypeError, "progress must be True or False"),
]


@pytest.mark.parametrize(("arguments", "error", "message"), [
    *BAD_ARGUMENTS,
    ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
    ({"dtype": np.int32}, ValueError, "dtype must be numpy.float32 or numpy.float64"),
    ({"prefetch": None}, TypeError, "prefetch must be True or False"),
])
def test_minibatch_trainer_checks_every_argument_before_training(tiny_corpus, arguments, error, message):
    with pytest.raises(error, match=message):
        train.train_minibatch(*tiny_corpus, **arguments)


@pytest.mark.parametrize(("arguments", "error", "message"), BAD_ARGUMENTS)
def test_loop_trainer_checks_every_argument_before_training(tiny_corpus, arguments, error, message):
    with pytest.raises(error, match=message):
        train.train_loop(*tiny_corpus, **arguments)


@pytest.mark.parametrize(("corpus", "error", "message"), [
    (([0, 1, 1], [1], [1, 2]), ValueError, "sentence_starts must be sorted offsets into token_ids starting with 0"),
    (([0, 5], [0], [1, 1]), IndexError, "token_ids contains 5, out of range for a vocabulary of 2 words"),
    (([], [0], [1, 1]), ValueError, "token_ids must be a non-empty"),
    (([0, 1], [0], [1, -1]), ValueError, "counts must be >= 0"),
])
def test_trainers_check_the_corpus(corpus, error, message):
    token_ids, starts, counts = (np.array(part) for part in corpus)
    for trainer in (train.train_loop, train.train_minibatch):
        with pytest.raises(error, match=message):
            trainer(token_ids, starts, counts, progress=False)


def test_non_finite_parameters_are_reported(tiny_corpus, monkeypatch):
    # A step that returns a finite loss but leaves a NaN in the parameters: only the final check can see it.
    real_step = train._step

    def poisoning_step(center_vectors, outside_vectors, batch):
        real_step(center_vectors, outside_vectors, batch)
        center_vectors[batch.input_plan.rows[0], 0] = np.nan
        return 1.0

    monkeypatch.setattr(train, "_step", poisoning_step)
    with pytest.raises(FloatingPointError, match="the vectors became infinite or NaN; use a smaller alpha "
                                                 "\\(got 0.025\\) or a smaller batch_size \\(got 64"):
        train.train_minibatch(*tiny_corpus, dim=4, epochs=1, batch_size=64, progress=False)

    def poisoned_gradient(center_idx, outside_indices, center_vectors, outside_vectors, negative_indices):
        return 1.0, np.full_like(center_vectors, np.inf), np.zeros_like(outside_vectors)

    monkeypatch.setattr(train, "skipgram_loss_and_gradient", poisoned_gradient)
    with pytest.raises(train.DivergenceError, match="the vectors became infinite or NaN; use a smaller alpha"):
        train.train_loop(*tiny_corpus, dim=4, epochs=1, progress=False)


def test_an_exception_in_the_prefetch_thread_reaches_the_caller(small_corpus, monkeypatch):
    threads = []
    real_plan = train._scatter_plan

    def failing_plan(indices):
        threads.append(threading.current_thread())
        if len(threads) > 40:
            raise RuntimeError("scatter plan failed on purpose")
        return real_plan(indices)

    monkeypatch.setattr(train, "_scatter_plan", failing_plan)
    with pytest.raises(RuntimeError, match="scatter plan failed on purpose"):
        train.train_minibatch(*small_corpus, dim=4, epochs=2, batch_size=16, chunk_tokens=300, prefetch=True,
                              progress=False)
    assert threads[-1] is not threading.main_thread()  # it was raised in the background thread


def test_memory_guard_refuses_before_allocating(tiny_corpus, monkeypatch):
    monkeypatch.setattr(_validation, "available_memory", lambda: 10 * 2**20)  # 10 MiB
    with pytest.raises(MemoryError, match="training needs about .*GiB \\(a chunk's pairs .*but the machine has "
                                          "10.0 MiB available: use a smaller negative, batch_size or dim"):
        train.train_minibatch(*tiny_corpus, negative=100_000, progress=False)
    # Where the available memory is unknown (no /proc/meminfo) the guard stays silent.
    monkeypatch.setattr(_validation, "available_memory", lambda: None)
    train.train_minibatch(*tiny_corpus, dim=4, epochs=1, progress=False)


def test_training_memory_counts_the_matrices_by_hand():
    # Two (V, d) float64 draws, then their float32 copies: 2 * 1000 * 50 * (8 + 4) bytes.
    parts = train.training_memory(1000, dim=50, window=5, negative=5, largest_chunk=10_000, batch_size=1024,
                                  dtype=np.float32, prefetch=True)
    assert parts["the two matrices"] == 1_200_000
    # 60,000 pairs of 60 + 30 * 5 + 24 * 6 bytes, two chunks at a time.
    assert parts["a chunk's pairs"] == 2 * 60_000 * (60 + 150 + 144)
    assert "the two matrices" not in train.training_memory(None, dim=50, window=5, negative=5, largest_chunk=1)


@pytest.mark.parametrize(("model", "loss"), COMBINATIONS[1:])
def test_other_models_and_losses_learn_and_record_their_history(tiny_corpus, model, loss):
    n_tokens = len(tiny_corpus[0])
    counts = tiny_corpus[2]
    for trainer, options in ((train.train_loop, {}), (train.train_minibatch, {"batch_size": 16})):
        result = trainer(*tiny_corpus, model=model, loss=loss, dim=8, sample=1e-2, alpha=0.2, epochs=4, seed=0,
                         chunk_tokens=200, progress=False, **options)
        history = result.history
        assert len(history.epoch_loss) == 4 and history.tokens[-1] == 4 * n_tokens
        if loss == "negative":
            assert result.node_vectors is None and result.tree is None
            assert result.outside_vectors.shape == result.center_vectors.shape
            untrained = 6 * np.log(2)  # every score 0: -(1 + K) log σ(0) per prediction
        else:
            assert result.outside_vectors is None
            assert result.node_vectors.shape == (len(counts) - 1, 8)
            assert np.array_equal(result.tree.code_lengths, build_huffman_tree(counts.astype(int)).code_lengths)
            untrained = result.tree.code_lengths.max() * np.log(2)  # -L log σ(0) for a code of L bits, at most
        assert history.loss[0] <= untrained + 1e-5
        assert history.epoch_loss[-1] < history.epoch_loss[0] - 0.2


@pytest.mark.parametrize(("model", "loss"), COMBINATIONS[1:])
def test_other_models_and_losses_stop_when_they_diverge(small_corpus, model, loss):
    with pytest.raises(FloatingPointError, match="smaller alpha .* smaller batch_size"):
        train.train_minibatch(*small_corpus, model=model, loss=loss, dim=8, alpha=1e6, min_alpha=0.0, epochs=2,
                              batch_size=16, progress=False)


def test_hierarchical_softmax_builds_the_tree_of_counts_in_any_order():
    # Counts in vocabulary order give word2vec.c's tree itself; shuffled counts give each word the same code as
    # in the sorted order (ties keep their order), so the code lengths follow the words.
    counts = np.array([9.0, 7, 5, 4, 3, 2, 1])
    tree = train._huffman_tree(counts)
    reference = build_huffman_tree(counts.astype(int))
    assert all(np.array_equal(a, b) for a, b in zip(tree.codes, reference.codes, strict=True))
    shuffle = np.array([3, 0, 6, 1, 5, 2, 4])
    shuffled = train._huffman_tree(counts[shuffle])
    for word, original in enumerate(shuffle):
        assert np.array_equal(shuffled.codes[word], reference.codes[original])
        assert np.array_equal(shuffled.paths[word], reference.paths[original])
    with pytest.raises(ValueError, match="counts must be whole numbers for loss='hierarchical'"):
        train.train_minibatch(np.array([0, 1, 2]), [0], np.array([1.5, 1.0, 1.0]), loss="hierarchical",
                              progress=False)


def test_training_memory_of_cbow_and_hierarchical_softmax_by_hand():
    # CBOW with negative sampling: 60,000 pairs (10,000 tokens, window 5) of 60 + 24 bytes, and at most 10,000
    # windows (predictions) of 30 * 5 + 24 * 6 bytes.
    parts = train.training_memory(1000, dim=50, window=5, negative=5, largest_chunk=10_000, batch_size=1024,
                                  dtype=np.float32, model="cbow")
    assert parts["a chunk's pairs"] == 60_000 * 84 + 10_000 * (150 + 144)
    # Skip-gram with hierarchical softmax over 1024 words: a path of at most log2(1024) + 1 = 11 nodes on
    # average, 40 bytes each, per pair; no negatives.
    parts = train.training_memory(1024, dim=50, window=5, negative=5, largest_chunk=10_000, batch_size=1024,
                                  dtype=np.float32, loss="hierarchical")
    assert parts["a chunk's pairs"] == 60_000 * 60 + 60_000 * 11 * 40
    assert parts["the largest batch arrays"] == (1024 + 10) * 11 * (3 * 50 * 4 + 24) + 3 * (1024 + 10) * 50 * 4
    assert parts["the two matrices"] == 2 * 1024 * 50 * 12
