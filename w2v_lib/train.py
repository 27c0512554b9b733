"""Training skip-gram with negative sampling: the readable loop trainer and the fast minibatch trainer.

Both trainers read the same stream of training examples, made by :func:`training_chunks`. The corpus is cut
into chunks of whole sentences; for every chunk of every epoch, a random generator seeded by
(seed, epoch, chunk) subsamples the words, draws the dynamic windows and draws the negatives. So for the same
seed both trainers see exactly the same (center, outside, negatives) triples, and the minibatch trainer can
prepare the next chunk in a background thread without changing the result.

Both start from word2vec.c's initialization (:func:`initialize_vectors`) and decay the learning rate linearly
with the number of corpus words processed (:func:`linear_learning_rate`).

An SGD step on a set of pairs evaluates the gradient of every pair at the current parameters and subtracts
their sum times the learning rate. The loop trainer takes one step per window (seed equations 5-8); the
minibatch trainer one step per batch of about ``batch_size`` pairs made of whole windows. With
``batch_size=1`` every batch is one window, and the two trainers compute the same parameters.

The minibatch trainer's scatter-adds (a word's updates from all its occurrences in a batch add up) are sparse
matrix products; the sort they need (:func:`scatter_plan`) does not depend on the parameters, so it is made
with the chunk, in the background thread, and the training thread only gathers, multiplies and writes back.
"""

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse
from tqdm import tqdm

from w2v_lib._validation import check_int, check_real, check_sentence_starts, check_token_ids
from w2v_lib.losses import log_sigmoid, sigmoid, skipgram_loss_and_gradient
from w2v_lib.sampling import NegativeSampler, keep_probabilities, subsample, window_pairs


@dataclass(frozen=True)
class Chunk:
    """The training examples of one chunk of the corpus in one epoch.

    Attributes
    ----------
    centers, outsides : ndarray of int32, shape (n_pairs,)
        Word ids of the (center, outside) pairs, grouped by window.
    negatives : ndarray of int32, shape (n_pairs, K)
        Row j holds the K negatives of pair j.
    window_starts : ndarray of int64, shape (n_windows,)
        Index of the first pair of each window; window w is pairs ``window_starts[w]`` up to the next start.
    window_words : ndarray of int64, shape (n_windows,)
        Corpus words processed before the center of each window, counted from the start of training over all
        epochs and including the words that subsampling dropped: the clock of the learning rate (word2vec.c).
    n_words : int
        Corpus words in the chunk, before subsampling.
    """

    centers: np.ndarray
    outsides: np.ndarray
    negatives: np.ndarray
    window_starts: np.ndarray
    window_words: np.ndarray
    n_words: int


@dataclass
class TrainingHistory:
    """What happened during training, one record per chunk (about ``chunk_words`` corpus words).

    Attributes
    ----------
    words : list of int
        Corpus words processed at each record.
    loss : list of float
        Mean loss per (center, outside) pair over the chunk (seed equation 1, its K negatives included).
    learning_rate : list of float
        Learning rate of the chunk's last step.
    epoch_loss : list of float
        Mean loss per pair over each epoch.
    seconds : float
        Wall-clock training time.
    """

    words: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    learning_rate: list = field(default_factory=list)
    epoch_loss: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def words_per_second(self):
        """Corpus words processed per second of training."""
        return self.words[-1] / self.seconds if self.words and self.seconds > 0 else 0.0


@dataclass
class TrainResult:
    """A trained model's parameters and its history.

    Attributes
    ----------
    center_vectors : ndarray, shape (V, d)
        V, one row per word: the embeddings.
    outside_vectors : ndarray, shape (V, d)
        U, one row per word.
    history : TrainingHistory
    """

    center_vectors: np.ndarray
    outside_vectors: np.ndarray
    history: TrainingHistory


def initialize_vectors(vocab_size, vector_size, seed):
    """word2vec.c's initialization: center vectors uniform in [-0.5/d, 0.5/d), outside vectors zero.

    Small random center vectors break the symmetry between words; with U = 0 every score u·v starts at 0, so
    σ = 1/2 for every pair and the first updates are the same size for all words.

    Parameters
    ----------
    vocab_size : int
        V.
    vector_size : int
        d.
    seed : int or numpy.random.Generator

    Returns
    -------
    center_vectors : ndarray of float64, shape (V, d)
    outside_vectors : ndarray of float64, shape (V, d), all zero
    """
    vocab_size = check_int("vocab_size", vocab_size, minimum=1)
    vector_size = check_int("vector_size", vector_size, minimum=1)
    rng = np.random.default_rng(seed)
    center_vectors = (rng.random((vocab_size, vector_size)) - 0.5) / vector_size
    outside_vectors = np.zeros((vocab_size, vector_size))
    return center_vectors, outside_vectors


def linear_learning_rate(words_processed, total_words, alpha, min_alpha):
    """Learning rate after ``words_processed`` of ``total_words``: from ``alpha`` down to ``min_alpha``.

    lr = alpha - (alpha - min_alpha) * words_processed / total_words, as gensim; word2vec.c uses the same line
    with min_alpha = alpha * 1e-4. Works on arrays too.

    Parameters
    ----------
    words_processed : int or ndarray
        Corpus words processed so far, over all epochs.
    total_words : int
        Corpus words times epochs.
    alpha, min_alpha : float

    Returns
    -------
    float or ndarray
    """
    return alpha - (alpha - min_alpha) * (np.asarray(words_processed) / total_words)[()]


def training_chunks(token_ids, sentence_starts, counts, *, window=5, negative=5, sample=1e-3, epochs=5,
                    seed=1, chunk_words=10_000):
    """The training examples of every epoch, chunk by chunk: the stream both trainers read.

    A chunk is the sentences that start in the same block of ``chunk_words`` corpus words. Each chunk of each
    epoch gets its own generator, seeded by (seed, epoch, chunk), which subsamples the chunk's words
    (:func:`~w2v_lib.sampling.subsample`), draws its dynamic windows (:func:`~w2v_lib.sampling.window_pairs`)
    and its negatives (:class:`~w2v_lib.sampling.NegativeSampler`), in that order. A chunk is therefore the
    same whenever and in whichever thread it is made.

    Parameters
    ----------
    token_ids : array_like of int, shape (n,)
        The corpus as word ids, sentences laid end to end.
    sentence_starts : array_like of int, shape (S,)
        Sorted offsets of the sentences in ``token_ids``, the first one 0.
    counts : array_like of int, shape (V,)
        Word counts (``Vocabulary.counts``), for subsampling and the noise distribution.
    window : int
        m, the largest window radius.
    negative : int
        K, negatives per (center, outside) pair.
    sample : float or None
        Subsampling threshold t; 0 or None keeps every word.
    epochs : int
    seed : int or numpy.random.Generator
    chunk_words : int

    Returns
    -------
    iterator of Chunk
        ``epochs`` times the chunks of the corpus, in order. The seed is read when this function is called.
    """
    counts = np.asarray(counts)
    if np.size(token_ids) == 0:
        raise ValueError("token_ids must be a non-empty 1-D array of word ids: there is nothing to train on")
    token_ids = check_token_ids(token_ids, len(counts))
    starts = check_sentence_starts(sentence_starts, len(token_ids))
    if starts.size == 0 or starts[0] != 0:
        raise ValueError("sentence_starts must be sorted offsets into token_ids starting with 0, got "
                         f"{starts[:10]}{'...' if starts.size > 10 else ''}")
    starts = np.unique(starts[starts < len(token_ids)])  # empty sentences start nothing
    window = check_int("window", window, minimum=1)
    negative = check_int("negative", negative, minimum=1)
    epochs = check_int("epochs", epochs, minimum=1)
    chunk_words = check_int("chunk_words", chunk_words, minimum=1)
    keep_probs = keep_probabilities(counts, sample)
    sampler = NegativeSampler(counts)
    root = int(np.random.default_rng(seed).integers(2**63))
    # A chunk is the sentences starting in the same block of chunk_words words.
    first_sentences = np.flatnonzero(np.diff(starts // chunk_words, prepend=-1))
    bounds = np.append(starts[first_sentences], len(token_ids))

    def generate():
        for epoch in range(epochs):
            for index, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
                rng = np.random.default_rng([root, epoch, index])
                first, last = np.searchsorted(starts, [lo, hi])
                chunk_starts = starts[first:last] - lo
                yield _make_chunk(token_ids[lo:hi], chunk_starts, keep_probs, sampler, window, negative, rng,
                                  words_before=epoch * len(token_ids) + int(lo))

    return generate()


def _make_chunk(ids, starts, keep_probs, sampler, window, negative, rng, words_before):
    # Subsample and pair up positions rather than word ids, so that we know where each pair came from: the
    # position of its center in the corpus (for the learning rate) and which pairs share a center (a window).
    positions, kept_starts = subsample(np.arange(len(ids)), keep_probs[ids], rng, sentence_starts=starts)
    center_at, outside_at = window_pairs(np.arange(len(positions)), window, rng, sentence_starts=kept_starts)
    negatives = sampler.sample((len(center_at), negative), rng)
    window_starts = np.flatnonzero(np.diff(center_at, prepend=-1))
    return Chunk(
        centers=ids[positions[center_at]],
        outsides=ids[positions[outside_at]],
        negatives=negatives,
        window_starts=window_starts,
        window_words=words_before + positions[center_at[window_starts]].astype(np.int64),
        n_words=len(ids),
    )


def train_loop(token_ids, sentence_starts, counts, *, vector_size=100, window=5, negative=5, sample=1e-3,
               alpha=0.025, min_alpha=0.0001, epochs=5, seed=1, chunk_words=10_000, progress=True):
    """Train SGNS one window at a time with :func:`~w2v_lib.losses.skipgram_loss_and_gradient`, in float64.

    Exactly the equations, and slow (every step builds (V, d) gradients): for notebooks and small corpora.
    For each window of center c with outside words o_1..o_n and their negatives, at learning rate lr:

        loss, dJ/dV, dJ/dU = skipgram_loss_and_gradient(c, [o_1..o_n], V, U, negatives)
        V -= lr * dJ/dV;   U -= lr * dJ/dU

    Parameters
    ----------
    token_ids, sentence_starts, counts
        The corpus as ids, its sentence offsets and the word counts; see :func:`training_chunks`.
    vector_size : int
        d.
    window, negative, sample, epochs, seed, chunk_words
        See :func:`training_chunks`.
    alpha, min_alpha : float
        The learning rate's start and end (:func:`linear_learning_rate`).
    progress : bool
        Show a tqdm progress bar (words/s, loss, learning rate).

    Returns
    -------
    TrainResult
        float64 (V, d) center and outside vectors and the history.

    Raises
    ------
    FloatingPointError
        If the loss or the parameters stop being finite (the learning rate is too large).
    """
    check_hyperparameters(vector_size=vector_size, alpha=alpha, min_alpha=min_alpha)
    rng = np.random.default_rng(seed)
    center_vectors, outside_vectors = initialize_vectors(len(counts), vector_size, rng)
    chunks = training_chunks(token_ids, sentence_starts, counts, window=window, negative=negative,
                             sample=sample, epochs=epochs, seed=rng, chunk_words=chunk_words)
    total_words = epochs * len(token_ids)

    history = _run(((chunk, None) for chunk in chunks),
                   lambda chunk, _: _loop_chunk(chunk, center_vectors, outside_vectors, total_words, alpha,
                                                min_alpha), total_words, epochs, progress, alpha)
    _check_parameters(center_vectors, outside_vectors, alpha)
    return TrainResult(center_vectors, outside_vectors, history)


def train_minibatch(token_ids, sentence_starts, counts, *, vector_size=100, window=5, negative=5, sample=1e-3,
                    alpha=0.025, min_alpha=0.0001, epochs=5, batch_size=1024, seed=1, chunk_words=10_000,
                    dtype=np.float32, prefetch=True, progress=True):
    """Train SGNS on minibatches of pairs with vectorized numpy (:func:`minibatch_step`).

    Reads the same examples as :func:`train_loop` for the same seed. A batch is the windows whose first pair
    falls in the same block of ``batch_size`` pairs of a chunk, so it never splits a window, holds about
    ``batch_size`` pairs, and for ``batch_size=1`` is a single window: then the result is the loop trainer's.

    A batch sums the updates of every occurrence of a word in it, so a frequent word gets a step many times
    larger than a single pair's: too large a batch (or alpha) makes training diverge. At alpha = 0.025,
    batches of 1024 pairs score as well as gensim's pair-by-pair SGD on 5M words of Wikipedia
    (``bench/train.py``).

    Parameters
    ----------
    token_ids, sentence_starts, counts, vector_size, window, negative, sample, alpha, min_alpha, epochs, seed,
    chunk_words, progress
        As for :func:`train_loop`.
    batch_size : int
        Pairs per batch (rounded to whole windows).
    dtype : numpy float dtype
        Of the parameters; float32 halves the memory traffic of float64.
    prefetch : bool
        Make the next chunk (its examples, batches and scatter plans) in a background thread while this one
        trains (numpy releases the GIL). The result is the same either way.

    Returns
    -------
    TrainResult

    Raises
    ------
    FloatingPointError
        If the loss or the parameters stop being finite (alpha or batch_size too large).
    """
    check_hyperparameters(vector_size=vector_size, alpha=alpha, min_alpha=min_alpha, batch_size=batch_size)
    rng = np.random.default_rng(seed)
    center_vectors, outside_vectors = (array.astype(dtype) for array in
                                       initialize_vectors(len(counts), vector_size, rng))
    chunks = training_chunks(token_ids, sentence_starts, counts, window=window, negative=negative,
                             sample=sample, epochs=epochs, seed=rng, chunk_words=chunk_words)
    total_words = epochs * len(token_ids)
    # Everything that does not depend on the parameters (the examples, the batches and their scatter plans)
    # is made one chunk ahead, in the background thread if prefetch is on.
    planned = ((chunk, _plan_batches(chunk, batch_size, total_words, alpha, min_alpha))
               for chunk in chunks)
    if prefetch:
        planned = _prefetched(planned)

    history = _run(planned, lambda chunk, batches: _minibatch_chunk(batches, center_vectors, outside_vectors,
                                                                   alpha, batch_size),
                   total_words, epochs, progress, alpha, batch_size)
    _check_parameters(center_vectors, outside_vectors, alpha, batch_size)
    return TrainResult(center_vectors, outside_vectors, history)


def _loop_chunk(chunk, center_vectors, outside_vectors, total_words, alpha, min_alpha):
    """Train on a chunk one window at a time; return the chunk's loss sum and last learning rate."""
    loss_sum, lr = 0.0, alpha
    bounds = np.append(chunk.window_starts, len(chunk.centers))
    for start, stop, words in zip(bounds[:-1], bounds[1:], chunk.window_words):
        lr = float(linear_learning_rate(words, total_words, alpha, min_alpha))
        loss, grad_center_vectors, grad_outside_vectors = skipgram_loss_and_gradient(
            chunk.centers[start], chunk.outsides[start:stop], center_vectors, outside_vectors,
            chunk.negatives[start:stop])
        _check_loss(loss, words, lr, alpha)
        center_vectors -= lr * grad_center_vectors
        outside_vectors -= lr * grad_outside_vectors
        loss_sum += loss
    return loss_sum, lr


@dataclass(frozen=True)
class ScatterPlan:
    """Where the entries of an index array go, sorted once: the sums of :func:`scatter_sums` then need no sort.

    For ``indices`` of shape (B, J), entry (b, j) is flat entry ``i = b * J + j``. Sorting the entries by index
    groups each index's updates together, which is the layout of a sparse CSR matrix with one row per distinct
    index and one column per vector b.

    Attributes
    ----------
    rows : ndarray of int, shape (R,)
        The distinct indices, ascending.
    inverse : ndarray of intp, shape (B, J)
        Where each entry's index is in ``rows``: ``indices == rows[inverse]``.
    order : ndarray of intp, shape (B * J,)
        The flat entries sorted by their index; entries of the same index keep their order.
    row_starts : ndarray of int32 (int64 beyond 2**31 entries), shape (R + 1,)
        The sorted entries of ``rows[r]`` are ``order[row_starts[r]:row_starts[r + 1]]``.
    sources : ndarray of int32 (int64 beyond 2**31 entries), shape (B * J,)
        ``order // J``: the vector b that each sorted entry scales.
    """

    rows: np.ndarray
    inverse: np.ndarray
    order: np.ndarray
    row_starts: np.ndarray
    sources: np.ndarray


def scatter_plan(indices):
    """The :class:`ScatterPlan` of an index array of shape (B, J): its entries sorted by index.

    It depends only on the indices, so the trainer makes it ahead of time, in the background thread.
    """
    indices = np.asarray(indices)
    if indices.ndim != 2 or not np.issubdtype(indices.dtype, np.integer):
        raise ValueError(f"indices must be a 2-D integer array of shape (B, J), got shape {indices.shape} and "
                         f"dtype {indices.dtype}")
    flat = indices.ravel()
    if flat.size and flat.min() < 0:
        raise IndexError(f"indices must be row numbers >= 0, got {flat.min()}")
    order = _stable_argsort(flat)
    sorted_indices = flat[order]
    is_first = np.diff(sorted_indices, prepend=sorted_indices[:1] - 1) != 0  # where each run of an index starts
    firsts = np.flatnonzero(is_first)
    inverse = np.empty_like(order)
    inverse[order] = np.cumsum(is_first) - 1
    # scipy.sparse copies index arrays to int32 when their values fit: made here, off the training thread.
    index_dtype = np.int32 if len(flat) < 2**31 else np.int64
    return ScatterPlan(rows=sorted_indices[firsts], inverse=inverse.reshape(indices.shape), order=order,
                       row_starts=np.append(firsts, len(flat)).astype(index_dtype),
                       sources=(order // indices.shape[1]).astype(index_dtype))


def _stable_argsort(values):
    """``np.argsort(values, kind="stable")`` for integers >= 0, about three times faster on word ids.

    numpy sorts 16-bit integers with a radix sort, in linear time. Sorting by the lowest 16 bits, then stably
    by the next 16 bits and so on (a least-significant-digit radix sort) sorts by the whole value.
    """
    order = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
    for shift in range(16, int(values.max(initial=0)).bit_length(), 16):
        digit = ((values[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
    return order


def scatter_sums(plan, weights, vectors):
    """For every distinct index r of the plan: Σ_{b,j: indices[b, j] = r} weights[b, j] vectors[b].

    The product of a sparse (R × B) matrix of weights with ``vectors``, so the products weights[b, j] vectors[b]
    are never built.

    Parameters
    ----------
    plan : ScatterPlan
        ``scatter_plan(indices)``.
    weights : float array, shape (B, J)
    vectors : float array, shape (B, d)

    Returns
    -------
    ndarray, shape (R, d)
        Row r is the sum for index ``plan.rows[r]``.
    """
    if weights.shape != plan.inverse.shape or len(vectors) != len(weights):
        raise ValueError(f"weights must have the shape of indices (B, J) and vectors B rows: got indices "
                         f"{plan.inverse.shape}, weights {weights.shape} and vectors {vectors.shape}")
    # Row r of the matrix holds the weights of row plan.rows[r]'s entries, in the columns of their vectors.
    matrix = scipy.sparse.csr_array((weights.ravel()[plan.order], plan.sources, plan.row_starts),
                                    shape=(len(plan.rows), len(vectors)))
    return matrix @ vectors


def scatter_add_products(target, indices, weights, vectors, plan=None):
    """``target[indices[b, j]] += weights[b, j] * vectors[b]`` for all b, j, in place; repeats accumulate.

    The same as ``np.add.at(target, indices.ravel(), products)`` with
    ``products = (weights[:, :, None] * vectors[:, None, :]).reshape(-1, d)``, several times faster.
    ``target[indices] += ...`` would be wrong: with fancy indexing a repeated row keeps one of its updates.
    Here each distinct row gets its whole update, :func:`scatter_sums`, at once.

    Parameters
    ----------
    target : ndarray, shape (V, d)
    indices : int array, shape (B, J)
    weights : float array, shape (B, J)
    vectors : float array, shape (B, d)
    plan : ScatterPlan, optional
        ``scatter_plan(indices)``, if it was made already; made here otherwise.
    """
    if plan is None:
        plan = scatter_plan(indices)
    target[plan.rows] = np.take(target, plan.rows, axis=0) + scatter_sums(plan, weights, vectors)


@dataclass(frozen=True)
class _Batch:
    """One minibatch, ready to train on: pair b's center word, then its outside word and K negatives."""

    center_plan: ScatterPlan
    word_plan: ScatterPlan
    learning_rate: float
    words_before: int


def _plan_batches(chunk, batch_size, total_words, alpha, min_alpha):
    """Cut a chunk into batches of whole windows and make their scatter plans and learning rates."""
    # The first window of each batch: windows starting in the same block of batch_size pairs go together.
    first_windows = np.flatnonzero(np.diff(chunk.window_starts // batch_size, prepend=-1))
    bounds = np.append(chunk.window_starts[first_windows], len(chunk.centers))
    clock = chunk.window_words[first_windows]
    rates = linear_learning_rate(clock, total_words, alpha, min_alpha)
    centers = chunk.centers[:, None]
    words = np.concatenate((chunk.outsides[:, None], chunk.negatives), axis=1)
    return [_Batch(scatter_plan(centers[start:stop]), scatter_plan(words[start:stop]), float(rate),
                   int(words_before))
            for start, stop, rate, words_before in zip(bounds[:-1], bounds[1:], rates, clock)]


def _minibatch_chunk(batches, center_vectors, outside_vectors, alpha, batch_size):
    """Train on a chunk's batches; return the chunk's loss sum and last learning rate."""
    loss_sum, lr = 0.0, alpha
    for batch in batches:
        lr = batch.learning_rate
        loss = _step(center_vectors, outside_vectors, batch)
        _check_loss(loss, batch.words_before, lr, alpha, batch_size)
        loss_sum += loss
    return loss_sum, lr


def minibatch_step(center_vectors, outside_vectors, centers, outsides, negatives, learning_rate):
    """One SGD step on a batch of (center, outside, negatives) examples, in place; returns the summed loss.

    For pair b, with v = V[centers[b]], word 0 the outside word and words 1..K its negatives, scores
    s_k = u_k·v and labels y = (1, 0, ..., 0):

    * loss J_b = -log σ(s_0) - Σ_{k>=1} log σ(-s_k)                      (seed equation 1)
    * dJ_b/ds_k = σ(s_k) - y_k
    * dJ_b/dv = Σ_k dJ_b/ds_k u_k                                          (equation 2)
    * dJ_b/du_k = dJ_b/ds_k v                                              (equations 3 and 4)

    Every gradient is taken at the parameters before the step, and the gradients of a word that occurs several
    times in the batch (as center, outside word or negative) add up. Computed in the parameters' dtype.

    Parameters
    ----------
    center_vectors, outside_vectors : ndarray, shape (V, d)
        V and U, updated in place.
    centers, outsides : int arrays, shape (B,)
    negatives : int array, shape (B, K)
    learning_rate : float

    Returns
    -------
    float
        The sum of the B pairs' losses before the step.
    """
    centers = np.asarray(centers)[:, None]
    words = np.concatenate((np.asarray(outsides)[:, None], negatives), axis=1)  # outside word, then negatives
    batch = _Batch(scatter_plan(centers), scatter_plan(words), learning_rate, 0)
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
    loss = -(log_sigmoid(scores[:, 0]).sum() + log_sigmoid(-scores[:, 1:]).sum())
    score_grads = sigmoid(scores)
    score_grads[:, 0] -= 1
    grad_center_vecs = np.matmul(score_grads[:, None, :], word_vecs)[:, 0, :]  # (B, d)

    lr = center_vectors.dtype.type(batch.learning_rate)  # so that float32 training stays float32
    word_rows += scatter_sums(batch.word_plan, -lr * score_grads, center_vecs)
    center_weights = np.full(batch.center_plan.inverse.shape, -lr, dtype=center_vectors.dtype)
    center_rows += scatter_sums(batch.center_plan, center_weights, grad_center_vecs)
    outside_vectors[batch.word_plan.rows] = word_rows
    center_vectors[batch.center_plan.rows] = center_rows
    return float(loss)


def check_hyperparameters(*, vector_size=100, window=5, negative=5, sample=1e-3, alpha=0.025,
                          min_alpha=0.0001, epochs=5, batch_size=1024):
    """Raise TypeError or ValueError, naming the parameter and what to do, if a hyperparameter is invalid."""
    for name, value in (("vector_size", vector_size), ("window", window), ("negative", negative),
                        ("epochs", epochs), ("batch_size", batch_size)):
        check_int(name, value, minimum=1)
    if sample is not None:
        check_real("sample", sample)
        if sample < 0:
            raise ValueError(f"sample must be >= 0 (word2vec.c uses 1e-3; 0 turns subsampling off), "
                             f"got {sample}")
    check_real("alpha", alpha)
    check_real("min_alpha", min_alpha)
    if alpha <= 0:
        raise ValueError(f"alpha must be > 0 (word2vec.c's skip-gram default is 0.025), got {alpha}")
    if not 0 <= min_alpha <= alpha:
        raise ValueError(f"min_alpha must be between 0 and alpha = {alpha} (the learning rate decays from "
                         f"alpha to min_alpha), got {min_alpha}")


def _run(chunks, train_chunk, total_words, epochs, progress, alpha, batch_size=None):
    """Feed every (chunk, its batches) to ``train_chunk`` (returning the loss sum and last learning rate)."""
    history = TrainingHistory()
    words_per_epoch = total_words // epochs
    words_done = epoch_loss = epoch_pairs = 0
    start = time.perf_counter()
    # Overflow is caught by the finiteness checks, with advice; numpy's warnings would only come first.
    bar = tqdm(total=total_words, unit="word", unit_scale=True, disable=not progress, desc="training")
    with np.errstate(over="ignore", invalid="ignore"), bar:
        for chunk, batches in chunks:
            loss_sum, lr = train_chunk(chunk, batches)
            words_done += chunk.n_words
            n_pairs = len(chunk.centers)
            epoch_loss += loss_sum
            epoch_pairs += n_pairs
            if n_pairs:
                _check_mean_loss(loss_sum / n_pairs, chunk.negatives.shape[1], words_done, alpha, batch_size)
                history.words.append(words_done)
                history.loss.append(loss_sum / n_pairs)
                history.learning_rate.append(float(lr))
                bar.set_postfix(loss=f"{loss_sum / n_pairs:.4f}", lr=f"{lr:.5f}", refresh=False)
            if words_done % words_per_epoch == 0:
                history.epoch_loss.append(epoch_loss / max(epoch_pairs, 1))
                epoch_loss = epoch_pairs = 0
            bar.update(chunk.n_words)
    history.seconds = time.perf_counter() - start
    return history


def _prefetched(iterator):
    """Yield the items of ``iterator``, computing each next one in a background thread meanwhile."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        upcoming = pool.submit(next, iterator, None)
        while (item := upcoming.result()) is not None:
            upcoming = pool.submit(next, iterator, None)
            yield item


def _check_loss(loss, words, lr, alpha, batch_size=None):
    if not math.isfinite(loss):
        raise FloatingPointError(_divergence_message(f"the loss became {loss} at corpus word {int(words):,} "
                                                     f"(learning rate {lr:.4g})", alpha, batch_size))


def _check_mean_loss(mean_loss, negative, words, alpha, batch_size):
    # Untrained vectors score every pair 0, a loss of (K + 1) log 2 per pair, and SGD only lowers it. A chunk of
    # thousands of pairs ten times worse than that has diverged, even while every number is still finite.
    untrained = (negative + 1) * math.log(2)
    if mean_loss > 10 * untrained:
        raise FloatingPointError(_divergence_message(
            f"the mean loss per pair reached {mean_loss:.3g} by corpus word {int(words):,}, over ten times the "
            f"{untrained:.3f} of untrained vectors", alpha, batch_size))


def _check_parameters(center_vectors, outside_vectors, alpha, batch_size=None):
    if not (np.isfinite(center_vectors).all() and np.isfinite(outside_vectors).all()):
        raise FloatingPointError(_divergence_message("the vectors became infinite or NaN", alpha, batch_size))


def _divergence_message(what, alpha, batch_size):
    advice = f"use a smaller alpha (got {alpha}"
    if batch_size is not None:
        advice += (f") or a smaller batch_size (got {batch_size}; a batch adds up the updates of every "
                   "occurrence of a frequent word")
    return f"training diverged: {what}; {advice})"


