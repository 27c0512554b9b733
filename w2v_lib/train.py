"""The two trainers of skip-gram with negative sampling: the readable loop and the fast minibatch trainer.

Taught in notebook 06 (training with SGD: :func:`initialize_vectors`, :func:`linear_learning_rate`,
:func:`train_loop`) and notebook 07 (vectorized training: :func:`minibatch_step`, :func:`train_minibatch`).

Both read the same stream of examples (:func:`w2v_lib.chunks.training_chunks`), start from word2vec.c's
initialization and decay the learning rate η linearly with the number of corpus tokens processed. An SGD step
on a set of pairs evaluates the gradient of every pair at the current parameters and subtracts their sum times
η. The loop trainer takes one step per window (seed equations 5-8); the minibatch trainer one step per batch
of about B = ``batch_size`` pairs made of whole windows. With ``batch_size=1`` every batch is one window, and
the two trainers compute the same parameters.

One driver runs both: each trainer cuts every chunk into its steps (windows, or batches with their scatter
plans, :mod:`w2v_lib.scatter`) and says how to take one; the driver feeds the steps, checks the losses, keeps the
history and shows the progress.

Shapes: V = ``vocab_size``, d = ``dim``, K = ``negative``, N = ``n_tokens``; V (bold) is ``center_vectors`` and
U ``outside_vectors``, both (V, d), one row per word.
"""

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from w2v_lib._progress import progress_bar
from w2v_lib._validation import (
    ArgumentError,
    check_corpus,
    check_hyperparameters,
    check_int,
    check_memory,
    check_seed,
)
from w2v_lib.chunks import _training_chunks
from w2v_lib.losses import log_sigmoid, sigmoid, skipgram_loss_and_gradient
from w2v_lib.scatter import ScatterPlan, _scatter_plan, scatter_sums


class DivergenceError(ArgumentError, FloatingPointError):
    """Training diverged (the loss or the parameters stopped being finite, or the loss exploded).

    The message says where and which settings to lower, as ``{alpha}`` and ``{batch_size}`` fields (see
    :class:`~w2v_lib._validation.ArgumentError`).
    """

    def __init__(self, what, alpha, batch_size=None):
        advice = f"use a smaller {{alpha}} (got {alpha})"
        names = ["alpha"]
        if batch_size is not None:
            advice += (f" or a smaller {{batch_size}} (got {batch_size}; a batch adds up the updates of every "
                       "occurrence of a frequent word)")
            names.append("batch_size")
        super().__init__(f"training diverged: {what}; {advice}", names)


@dataclass
class TrainingHistory:
    """What happened during training, one record per chunk (about ``chunk_tokens`` corpus tokens).

    Attributes
    ----------
    tokens : list of int
        Corpus tokens processed at each record.
    loss : list of float
        Mean loss J per (center, outside) pair over the chunk (seed equation 1, its K negatives included).
    learning_rate : list of float
        η of the chunk's last step.
    epoch_loss : list of float
        Mean loss per pair over each epoch.
    seconds : float
        Wall-clock training time.
    """

    tokens: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    learning_rate: list = field(default_factory=list)
    epoch_loss: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def tokens_per_second(self):
        """Corpus tokens processed per second of training."""
        return self.tokens[-1] / self.seconds if self.tokens and self.seconds > 0 else 0.0


@dataclass
class TrainResult:
    """A trained model's parameters and its history.

    Attributes
    ----------
    center_vectors : ndarray, shape (V, d)
        V (bold), row w is v_w: the embeddings.
    outside_vectors : ndarray, shape (V, d)
        U, row w is u_w.
    history : TrainingHistory
    """

    center_vectors: np.ndarray
    outside_vectors: np.ndarray
    history: TrainingHistory


def initialize_vectors(vocab_size, dim, seed):
    """word2vec.c's initialization: center vectors uniform in [-0.5/d, 0.5/d), outside vectors zero.

    Small random center vectors break the symmetry between words; with U = 0 every score u·v starts at 0, so
    σ = 1/2 for every pair and the first updates are the same size for all words.

    Parameters
    ----------
    vocab_size : int
        V.
    dim : int
        d.
    seed : int or numpy.random.Generator

    Returns
    -------
    center_vectors : ndarray of float64, shape (V, d)
    outside_vectors : ndarray of float64, shape (V, d), all zero
    """
    vocab_size = check_int("vocab_size", vocab_size, minimum=1)
    dim = check_int("dim", dim, minimum=1)
    rng = np.random.default_rng(check_seed("seed", seed))
    center_vectors = (rng.random((vocab_size, dim)) - 0.5) / dim
    outside_vectors = np.zeros((vocab_size, dim))
    return center_vectors, outside_vectors


def linear_learning_rate(tokens_done, total_tokens, alpha, min_alpha):
    """η after ``tokens_done`` of ``total_tokens``: from η = ``alpha`` down to η_min = ``min_alpha``.

    η = alpha - (alpha - min_alpha) * tokens_done / total_tokens, as gensim; word2vec.c uses the same line
    with min_alpha = alpha * 1e-4. Works on arrays too.

    Parameters
    ----------
    tokens_done : int or ndarray
        Corpus tokens processed so far, over all epochs.
    total_tokens : int
        Corpus tokens times epochs.
    alpha, min_alpha : float

    Returns
    -------
    float or ndarray
    """
    return alpha - (alpha - min_alpha) * (np.asarray(tokens_done) / total_tokens)[()]


def train_loop(token_ids, sentence_starts, counts, *, dim=100, window=5, negative=5, sample=1e-3, alpha=0.025,
               min_alpha=0.0001, epochs=5, seed=1, chunk_tokens=10_000, progress=True):
    """Train SGNS one window at a time with :func:`~w2v_lib.losses.skipgram_loss_and_gradient`, in float64.

    Exactly the equations, and slow (every step builds (V, d) gradients): for notebooks and small corpora.
    For each window of center c with outside words o_1..o_n and their negatives, at learning rate η:

        J, ∇_V J, ∇_U J = skipgram_loss_and_gradient(c, [o_1..o_n], V, U, negatives)   (seed equations 5-8)
        V -= η ∇_V J;   U -= η ∇_U J

    Parameters
    ----------
    token_ids : array_like of int, shape (N,)
        The corpus as word ids (:func:`~w2v_lib.vocab.encode_corpus`).
    sentence_starts : array_like of int, shape (S,)
        Sorted offsets of the sentences in ``token_ids``, the first one 0.
    counts : array_like of int, shape (V,)
        Word counts (``Vocabulary.counts``).
    dim : int
        d.
    window, negative, sample, epochs, seed, chunk_tokens
        m, K, τ, the passes, the seed and the stream's chunk size: see
        :func:`~w2v_lib.chunks.training_chunks`.
    alpha, min_alpha : float
        η and η_min (:func:`linear_learning_rate`).
    progress : bool
        Show the progress (a tqdm bar on a terminal; a line every 5% elsewhere).

    Returns
    -------
    TrainResult
        float64 (V, d) center and outside vectors and the history.

    Raises
    ------
    DivergenceError
        A FloatingPointError: the loss or the parameters stopped being finite, or the loss exploded (the
        learning rate is too large).
    MemoryError
        Before allocating, if the training would not fit in the available memory.
    """
    token_ids, sentence_starts, counts = check_corpus(token_ids, sentence_starts, counts)
    settings = check_hyperparameters(dim=dim, window=window, negative=negative, sample=sample, alpha=alpha,
                                     min_alpha=min_alpha, epochs=epochs, seed=seed, chunk_tokens=chunk_tokens,
                                     progress=progress)
    check_memory("training", _training_memory(settings, sentence_starts, len(token_ids), len(counts), "loop"),
                 "use a smaller {dim}, or a smaller vocabulary (a larger min_count)", related=("dim",))
    rng = np.random.default_rng(seed)
    center_vectors, outside_vectors = initialize_vectors(len(counts), dim, rng)
    chunks = _training_chunks(token_ids, sentence_starts, counts, window=window, negative=negative, sample=sample,
                              epochs=epochs, seed=rng, chunk_tokens=chunk_tokens)
    total_tokens = epochs * len(token_ids)

    def plan_windows(chunk):
        bounds = np.append(chunk.window_starts, len(chunk.centers))
        rates = linear_learning_rate(chunk.tokens_before, total_tokens, alpha, min_alpha)
        return [_Window(chunk.centers[start], chunk.outsides[start:stop], chunk.negatives[start:stop], float(rate),
                        int(tokens_before))
                for start, stop, rate, tokens_before in zip(bounds[:-1], bounds[1:], rates, chunk.tokens_before)]

    history = _drive(chunks, plan_windows, lambda window: _window_step(center_vectors, outside_vectors, window),
                     center_vectors, outside_vectors,
                     total_tokens=total_tokens, epochs=epochs, progress=progress, prefetch=False,
                     advice=(alpha,))
    return TrainResult(center_vectors, outside_vectors, history)


def train_minibatch(token_ids, sentence_starts, counts, *, dim=100, window=5, negative=5, sample=1e-3,
                    alpha=0.025, min_alpha=0.0001, epochs=5, batch_size=1024, seed=1, chunk_tokens=10_000,
                    dtype=np.float32, prefetch=True, progress=True):
    """Train SGNS on minibatches of pairs with vectorized numpy (:func:`minibatch_step`).

    Reads the same examples as :func:`train_loop` for the same seed. A batch is the windows whose first pair
    falls in the same block of B = ``batch_size`` pairs of a chunk, so it never splits a window, holds about B
    pairs, and for ``batch_size=1`` is a single window: then the result is the loop trainer's.

    A batch sums the updates of every occurrence of a word in it, so a frequent word gets a step many times
    larger than a single pair's: too large a batch (or alpha) makes training diverge. At alpha = 0.025,
    batches of 1024 pairs score as well as gensim's pair-by-pair SGD on 5M tokens of Wikipedia
    (``bench/train.py``).

    Parameters
    ----------
    token_ids, sentence_starts, counts, dim, window, negative, sample, alpha, min_alpha, epochs, seed,
    chunk_tokens, progress
        As for :func:`train_loop`.
    batch_size : int
        B, pairs per batch (rounded to whole windows).
    dtype : numpy.float32 or numpy.float64
        Of the parameters; float32 halves the memory traffic of float64.
    prefetch : bool
        Make the next chunk (its examples, batches and scatter plans) in a background thread while this one
        trains (numpy releases the GIL). The result is the same either way.

    Returns
    -------
    TrainResult

    Raises
    ------
    DivergenceError
        A FloatingPointError: the loss or the parameters stopped being finite, or the loss exploded (alpha or
        batch_size too large).
    MemoryError
        Before allocating, if the training would not fit in the available memory.
    """
    token_ids, sentence_starts, counts = check_corpus(token_ids, sentence_starts, counts)
    settings = check_hyperparameters(dim=dim, window=window, negative=negative, sample=sample, alpha=alpha,
                                     min_alpha=min_alpha, epochs=epochs, batch_size=batch_size, seed=seed,
                                     chunk_tokens=chunk_tokens, dtype=dtype, prefetch=prefetch, progress=progress)
    dtype = settings["dtype"]
    check_memory("training", _training_memory(settings, sentence_starts, len(token_ids), len(counts), "minibatch"),
                 "use a smaller {negative}, {batch_size} or {dim}, or a smaller vocabulary (a larger min_count)",
                 related=("negative", "batch_size", "dim"))
    rng = np.random.default_rng(seed)
    center_vectors, outside_vectors = (array.astype(dtype) for array in initialize_vectors(len(counts), dim, rng))
    chunks = _training_chunks(token_ids, sentence_starts, counts, window=window, negative=negative, sample=sample,
                              epochs=epochs, seed=rng, chunk_tokens=chunk_tokens)
    total_tokens = epochs * len(token_ids)

    def plan_batches(chunk):
        """Cut a chunk into batches of whole windows and make their scatter plans and learning rates."""
        # The first window of each batch: windows starting in the same block of batch_size pairs go together.
        first_windows = np.flatnonzero(np.diff(chunk.window_starts // batch_size, prepend=-1))
        bounds = np.append(chunk.window_starts[first_windows], len(chunk.centers))
        clock = chunk.tokens_before[first_windows]
        rates = linear_learning_rate(clock, total_tokens, alpha, min_alpha)
        centers = chunk.centers[:, None]
        words = np.concatenate((chunk.outsides[:, None], chunk.negatives), axis=1)
        return [_Batch(_scatter_plan(centers[start:stop]), _scatter_plan(words[start:stop]), float(rate),
                       int(tokens_before))
                for start, stop, rate, tokens_before in zip(bounds[:-1], bounds[1:], rates, clock)]

    history = _drive(chunks, plan_batches, lambda batch: _step(center_vectors, outside_vectors, batch),
                     center_vectors, outside_vectors, total_tokens=total_tokens, epochs=epochs, progress=progress,
                     prefetch=prefetch, advice=(alpha, batch_size))
    return TrainResult(center_vectors, outside_vectors, history)


@dataclass(frozen=True)
class _Window:
    """One step of the loop trainer: a window's center word c, its outside words and their negatives."""

    center: int
    outsides: np.ndarray
    negatives: np.ndarray
    learning_rate: float
    tokens_before: int


def _window_step(center_vectors, outside_vectors, window):
    """One SGD step of the loop trainer on a window, in place; returns the window's loss (equation 5)."""
    loss, grad_center_vectors, grad_outside_vectors = skipgram_loss_and_gradient(
        window.center, window.outsides, center_vectors, outside_vectors, window.negatives)
    center_vectors -= window.learning_rate * grad_center_vectors
    outside_vectors -= window.learning_rate * grad_outside_vectors
    return loss


@dataclass(frozen=True)
class _Batch:
    """One step of the minibatch trainer: pair i's center word, then its outside word and K negatives."""

    center_plan: ScatterPlan
    word_plan: ScatterPlan
    learning_rate: float
    tokens_before: int


def minibatch_step(center_vectors, outside_vectors, centers, outsides, negatives, learning_rate):
    """One SGD step on a batch of (center, outside, negatives) examples, in place; returns the summed loss.

    For pair i, with v_c = V[centers[i]], word 0 the outside word o and words 1..K its negatives, scores
    z_k = u_k·v_c and labels y = (1, 0, ..., 0):

    * loss J_i = -log σ(z_0) - Σ_{k>=1} log σ(-z_k)                     (seed equation 1)
    * ∂J_i/∂z_k = σ(z_k) - y_k
    * ∇_{v_c} J_i = Σ_k ∂J_i/∂z_k u_k                                    (equation 2)
    * ∇_{u_k} J_i = ∂J_i/∂z_k v_c                                        (equation 3 corrected, and equation 4)

    Every gradient is taken at the parameters before the step, and the gradients of a word that occurs several
    times in the batch (as center, outside word or negative) add up. Computed in the parameters' dtype.

    Parameters
    ----------
    center_vectors, outside_vectors : ndarray, shape (V, d)
        V and U, updated in place.
    centers, outsides : int arrays, shape (B,)
    negatives : int array, shape (B, K)
    learning_rate : float
        η.

    Returns
    -------
    float
        The sum of the B pairs' losses before the step.
    """
    centers = np.asarray(centers)[:, None]
    words = np.concatenate((np.asarray(outsides)[:, None], negatives), axis=1)  # outside word, then negatives
    batch = _Batch(_scatter_plan(centers), _scatter_plan(words), learning_rate, 0)
    return _step(center_vectors, outside_vectors, batch)


def _step(center_vectors, outside_vectors, batch):
    """:func:`minibatch_step` on a planned batch."""
    # Gather each distinct word's row once from the large (V, d) arrays, then the pairs' rows from that small
    # block, which stays in cache; the same block, updated, is written back. np.take beats fancy indexing.
    center_rows = np.take(center_vectors, batch.center_plan.rows, axis=0)  # (R_c, d)
    word_rows = np.take(outside_vectors, batch.word_plan.rows, axis=0)  # (R_w, d)
    center_vecs = np.take(center_rows, batch.center_plan.inverse[:, 0], axis=0)  # (B, d)
    word_vecs = np.take(word_rows, batch.word_plan.inverse, axis=0)  # (B, 1+K, d)

    scores = np.matmul(word_vecs, center_vecs[:, :, None])[:, :, 0]  # (B, 1+K)
    loss = -(log_sigmoid(scores[:, 0]).sum() + log_sigmoid(-scores[:, 1:]).sum())  # equation 1, summed
    score_grads = sigmoid(scores)
    score_grads[:, 0] -= 1  # σ(z_k) - y_k
    grad_center_vecs = np.matmul(score_grads[:, None, :], word_vecs)[:, 0, :]  # (B, d), equation 2

    lr = center_vectors.dtype.type(batch.learning_rate)  # so that float32 training stays float32
    # Equations 3 (corrected) and 4: ∇u_k = ∂J/∂z_k v_c, summed over the word's occurrences in the batch.
    word_rows += scatter_sums(batch.word_plan, -lr * score_grads, center_vecs)
    center_weights = np.full(batch.center_plan.inverse.shape, -lr, dtype=center_vectors.dtype)
    center_rows += scatter_sums(batch.center_plan, center_weights, grad_center_vecs)
    outside_vectors[batch.word_plan.rows] = word_rows
    center_vectors[batch.center_plan.rows] = center_rows
    return float(loss)


def training_memory(vocab_size, *, dim, window, negative, largest_chunk, batch_size=1, dtype=np.float64,
                    prefetch=False, trainer="minibatch"):
    """The main allocations of a training run, in bytes, estimated before any is made.

    Parameters
    ----------
    vocab_size : int or None
        V; None leaves out the parts that depend on it (an estimate made before the vocabulary is built).
    dim, window, negative, batch_size, dtype, prefetch, trainer
        The run's settings.
    largest_chunk : int
        Corpus tokens of the largest chunk of the example stream.

    Returns
    -------
    dict of str -> int
        "the two matrices" (V and U, with word2vec.c's float64 draws made first), "a chunk's pairs" (the
        example stream: about m + 1 pairs per token, K negatives each, and the batches' scatter plans; two
        chunks at a time with prefetch) and "the largest batch arrays" (the gathered rows, the scores and the
        scatter sums of a step; the loop trainer's (V, d) gradients of a window).
    """
    itemsize = np.dtype(dtype).itemsize
    pairs = largest_chunk * (window + 1)
    # Per pair: the window_pairs work arrays and the pair's ids (about 60 bytes), and per negative the draw's
    # temporaries (about 30 bytes: alias column, coin, acceptance) or, for the minibatch trainer, the scatter
    # plans kept for the chunk's batches (about 24 bytes per outside word or negative).
    per_pair = 60 + 30 * negative + (24 * (1 + negative) if trainer == "minibatch" else 0)
    parts = {"a chunk's pairs": pairs * per_pair * (2 if prefetch else 1)}
    if trainer == "minibatch":
        batch = batch_size + 2 * window  # a batch is rounded up to whole windows
        parts["the largest batch arrays"] = (batch * (1 + negative) * (2 * dim * itemsize + 24)
                                             + 3 * batch * dim * itemsize)
    if vocab_size is not None:
        parts["the two matrices"] = 2 * vocab_size * dim * (8 + (itemsize if itemsize != 8 else 0))
        if trainer == "loop":
            parts["the largest batch arrays"] = 4 * vocab_size * dim * 8
    return parts


def _training_memory(settings, sentence_starts, n_tokens, vocab_size, trainer):
    """:func:`training_memory` of a trainer's checked settings and corpus; a chunk can hold a whole long sentence."""
    longest_sentence = int(np.diff(sentence_starts, append=n_tokens).max())
    return training_memory(vocab_size, dim=settings["dim"], window=settings["window"], negative=settings["negative"],
                           largest_chunk=settings["chunk_tokens"] + longest_sentence,
                           batch_size=settings.get("batch_size", 1), dtype=settings.get("dtype", np.float64),
                           prefetch=settings.get("prefetch", False), trainer=trainer)


def _drive(chunks, plan_steps, take_step, center_vectors, outside_vectors, *, total_tokens, epochs, progress,
           prefetch, advice):
    """Train on every step of every chunk; return the history. The loop shared by both trainers.

    ``plan_steps(chunk)`` lists a chunk's steps (each with ``learning_rate`` and ``tokens_before``); it does
    not touch the parameters, so with ``prefetch`` it runs one chunk ahead in a background thread.
    ``take_step(step)`` updates the parameters in place and returns the step's summed loss. ``advice`` is
    (alpha,) or (alpha, batch_size), for the message of a :class:`DivergenceError`.
    """
    history = TrainingHistory()
    tokens_per_epoch = total_tokens // epochs
    tokens_done = epoch_loss = epoch_pairs = 0
    start = time.perf_counter()
    planned = ((chunk, plan_steps(chunk)) for chunk in chunks)
    if prefetch:
        planned = _prefetched(planned)
    # Overflow is caught by the finiteness checks, with advice; numpy's warnings would only come first.
    with np.errstate(over="ignore", invalid="ignore"), progress_bar(total_tokens, "token", "training",
                                                                     progress) as bar:
        for chunk, steps in planned:
            loss_sum = 0.0
            for step in steps:
                loss = take_step(step)
                if not math.isfinite(loss):
                    raise DivergenceError(f"the loss became {loss} at corpus token {step.tokens_before:,} "
                                          f"(learning rate {step.learning_rate:.4g})", *advice)
                loss_sum += loss
            tokens_done += chunk.n_tokens
            n_pairs = len(chunk.centers)
            epoch_loss += loss_sum
            epoch_pairs += n_pairs
            if n_pairs:
                _check_mean_loss(loss_sum / n_pairs, chunk.negatives.shape[1], tokens_done, advice)
                history.tokens.append(tokens_done)
                history.loss.append(loss_sum / n_pairs)
                history.learning_rate.append(steps[-1].learning_rate)
                bar.set_postfix(loss=f"{loss_sum / n_pairs:.4f}", lr=f"{steps[-1].learning_rate:.5f}",
                                refresh=False)
            if tokens_done % tokens_per_epoch == 0:
                history.epoch_loss.append(epoch_loss / max(epoch_pairs, 1))
                epoch_loss = epoch_pairs = 0
            bar.update(chunk.n_tokens)
    history.seconds = time.perf_counter() - start
    if not (np.isfinite(center_vectors).all() and np.isfinite(outside_vectors).all()):
        raise DivergenceError("the vectors became infinite or NaN", *advice)
    return history


def _prefetched(iterator):
    """Yield the items of ``iterator``, computing each next one in a background thread meanwhile.

    An exception raised while computing an item is raised here, in the caller's thread, when that item is due.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        upcoming = pool.submit(next, iterator, None)
        while (item := upcoming.result()) is not None:
            upcoming = pool.submit(next, iterator, None)
            yield item


def _check_mean_loss(mean_loss, negative, tokens_done, advice):
    # Untrained vectors score every pair 0, a loss of (K + 1) log 2 per pair, and SGD only lowers it. A chunk of
    # thousands of pairs ten times worse than that has diverged, even while every number is still finite.
    untrained = (negative + 1) * math.log(2)
    if mean_loss > 10 * untrained:
        raise DivergenceError(f"the mean loss per pair reached {mean_loss:.3g} by corpus token {tokens_done:,}, "
                              f"over ten times the {untrained:.3f} of untrained vectors", *advice)
