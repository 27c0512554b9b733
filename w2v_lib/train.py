"""The two trainers of word2vec: the readable loop and the fast minibatch trainer.

Taught in notebook 06 (training with SGD: :func:`initialize_vectors`, :func:`linear_learning_rate`,
:func:`train_loop`) and notebook 07 (vectorized training: :func:`minibatch_step`, :func:`train_minibatch`), for
skip-gram with negative sampling; notebook 12 trains the other word2vec with them: ``model="cbow"`` (the mean
of the outside words' vectors predicts the center word, :mod:`w2v_lib.cbow`) and ``loss="hierarchical"``
(hierarchical softmax over word2vec.c's Huffman tree, :mod:`w2v_lib.hierarchical_softmax`), in all four
combinations, as word2vec.c's ``-cbow`` and ``-hs`` and gensim's ``sg`` and ``hs`` choose them.

Both trainers read the same stream of examples (:func:`w2v_lib.chunks.training_chunks`), start from
word2vec.c's initialization and decay the learning rate η linearly with the number of corpus tokens processed.
An SGD step on a set of predictions evaluates the gradient of every prediction at the current parameters and
subtracts their sum times η. A prediction is a (center, outside) pair in skip-gram and a window in CBOW. The
loop trainer takes one step per window (seed equations 5-8 in skip-gram with negative sampling); the minibatch
trainer one step per batch of about B = ``batch_size`` pairs made of whole windows. With ``batch_size=1`` every
batch is one window, and the two trainers compute the same parameters.

CBOW steps as word2vec.c and gensim do, not along the gradient: each outside word's row takes the whole step of
the window's mean, -η ∂J/∂v̄, which is n times its gradient step -η (1/n) ∂J/∂v̄ for a window of n outside
words (:mod:`w2v_lib.cbow` returns the true gradient). So the course's CBOW scores compare with theirs.

One driver runs both: each trainer cuts every chunk into its steps (windows, or batches with their scatter
plans, :mod:`w2v_lib.scatter`) and says how to take one; the driver feeds the steps, checks the losses, keeps the
history and shows the progress.

Shapes: V = ``vocab_size``, d = ``dim``, K = ``negative``, N = ``n_tokens``; V (bold) is ``center_vectors``, U
``outside_vectors``, both (V, d), one row per word, and Q ``node_vectors``, (V - 1, d), one row per inner node of
the Huffman tree. The input side is always V, read for the center word in skip-gram and for the outside words
in CBOW; the output side is U with negative sampling and Q with hierarchical softmax.
"""

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from w2v_lib._progress import progress_bar
from w2v_lib._validation import (
    ArgumentError,
    ParameterValueError,
    check_corpus,
    check_hyperparameters,
    check_int,
    check_memory,
    check_seed,
)
from w2v_lib.cbow import cbow_hierarchical_softmax_loss_and_gradient, cbow_neg_sampling_loss_and_gradient
from w2v_lib.chunks import _training_chunks
from w2v_lib.hierarchical_softmax import _PathTable, skipgram_hierarchical_softmax_loss_and_gradient
from w2v_lib.huffman import HuffmanTree, build_huffman_tree
from w2v_lib.losses import log_sigmoid, sigmoid, skipgram_loss_and_gradient
from w2v_lib.scatter import ScatterPlan, _scatter_plan, _segment_plan, scatter_sums


class DivergenceError(ArgumentError, FloatingPointError):
    """Training diverged (the loss or the parameters stopped being finite, or the loss exploded).

    The message says where and which settings to lower, as ``{alpha}`` and ``{batch_size}`` fields (see
    :class:`~w2v_lib._validation.ArgumentError`).

    Attributes
    ----------
    tokens : int or None
        Corpus tokens processed, over all epochs so far, when the divergence was found (None when it was found
        only in the final vectors).
    """

    def __init__(self, what, alpha, batch_size=None, tokens=None):
        self.tokens = tokens
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
        Mean loss J per prediction over the chunk: per (center, outside) pair in skip-gram (seed equation 1,
        its K negatives included), per window in CBOW; -log p(word) with hierarchical softmax.
    learning_rate : list of float
        η of the chunk's last step.
    epoch_loss : list of float
        Mean loss per prediction over each epoch.
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
    outside_vectors : ndarray, shape (V, d), or None
        U, row w is u_w (negative sampling); None with hierarchical softmax.
    history : TrainingHistory
    node_vectors : ndarray, shape (V - 1, d), or None
        Q, row n is the vector q_n of inner node n of ``tree`` (hierarchical softmax); None with negative
        sampling.
    tree : HuffmanTree or None
        The Huffman tree of the counts (hierarchical softmax).
    """

    center_vectors: np.ndarray
    outside_vectors: np.ndarray | None
    history: TrainingHistory
    node_vectors: np.ndarray | None = None
    tree: HuffmanTree | None = None


def initialize_vectors(vocab_size, dim, seed):
    """word2vec.c's initialization: center vectors uniform in [-0.5/d, 0.5/d), outside vectors zero.

    Small random center vectors break the symmetry between words; with U = 0 every score u·v starts at 0, so
    σ = 1/2 for every pair and the first updates are the same size for all words. Hierarchical softmax starts
    its inner-node vectors Q at zero too (word2vec.c's ``syn1``), and every turn at probability 1/2.

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


def train_loop(token_ids, sentence_starts, counts, *, model="skipgram", loss="negative", dim=100, window=5,
               negative=5, sample=1e-3, alpha=0.025, min_alpha=0.0001, epochs=5, seed=1, chunk_tokens=10_000,
               progress=True):
    """Train word2vec one window at a time with the gradchecked loss functions, in float64.

    Exactly the equations, and slow (every step builds (V, d) gradients): for notebooks and small corpora.
    For each window of center c with outside words o_1..o_n, at learning rate η, in skip-gram with negative
    sampling (the window's own negatives, K per pair):

        J, ∇_V J, ∇_U J = skipgram_loss_and_gradient(c, [o_1..o_n], V, U, negatives)   (seed equations 5-8)
        V -= η ∇_V J;   U -= η ∇_U J

    The other models and losses step the same way on the gradients of
    :func:`~w2v_lib.hierarchical_softmax.skipgram_hierarchical_softmax_loss_and_gradient` (with Q in place of
    U), :func:`~w2v_lib.cbow.cbow_neg_sampling_loss_and_gradient` (K negatives per window) and
    :func:`~w2v_lib.cbow.cbow_hierarchical_softmax_loss_and_gradient`, except that CBOW's step on V is
    -η n ∇_V J: every outside word's row takes the whole step of the mean, -η ∂J/∂v̄, as word2vec.c and gensim
    do (n times the gradient step, whose row would get (1/n) ∂J/∂v̄).

    Parameters
    ----------
    token_ids : array_like of int, shape (N,)
        The corpus as word ids (:func:`~w2v_lib.vocab.encode_corpus`).
    sentence_starts : array_like of int, shape (S,)
        Sorted offsets of the sentences in ``token_ids``, the first one 0.
    counts : array_like of int, shape (V,)
        Word counts (``Vocabulary.counts``); whole numbers for hierarchical softmax (its Huffman tree).
    model : {"skipgram", "cbow"}
        Skip-gram predicts each outside word from v_c; CBOW predicts the center word from v̄, the mean of its
        window's outside words' vectors.
    loss : {"negative", "hierarchical"}
        Negative sampling (K negatives per prediction, output vectors U) or hierarchical softmax (word2vec.c's
        Huffman tree of ``counts``, inner-node vectors Q; ``negative`` is ignored).
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
        float64 center vectors, outside vectors (negative sampling) or node vectors and tree (hierarchical
        softmax), and the history.

    Raises
    ------
    DivergenceError
        A FloatingPointError: the loss or the parameters stopped being finite, or the loss exploded (the
        learning rate is too large).
    MemoryError
        Before allocating, if the training would not fit in the available memory.
    """
    token_ids, sentence_starts, counts = check_corpus(token_ids, sentence_starts, counts)
    settings = check_hyperparameters(model=model, loss=loss, dim=dim, window=window, negative=negative,
                                     sample=sample, alpha=alpha, min_alpha=min_alpha, epochs=epochs, seed=seed,
                                     chunk_tokens=chunk_tokens, progress=progress)
    tree = _huffman_tree(counts) if loss == "hierarchical" else None
    check_memory("training", _training_memory(settings, sentence_starts, len(token_ids), len(counts), "loop"),
                 "use a smaller {dim}, or a smaller vocabulary (a larger min_count)", related=("dim",))
    rng = np.random.default_rng(seed)
    center_vectors, output_vectors = _initial_parameters(len(counts), dim, rng, tree)
    chunks = _training_chunks(token_ids, sentence_starts, counts, model=model, window=window,
                              negative=0 if tree else negative, sample=sample, epochs=epochs, seed=rng,
                              chunk_tokens=chunk_tokens)
    total_tokens = epochs * len(token_ids)

    def plan_windows(chunk):
        bounds = np.append(chunk.window_starts, len(chunk.centers))
        rates = linear_learning_rate(chunk.tokens_before, total_tokens, alpha, min_alpha)
        # Skip-gram's negatives are a row per pair, CBOW's one row per window.
        negatives = ((chunk.negatives[start:stop] for start, stop in zip(bounds[:-1], bounds[1:]))
                     if model == "skipgram" else chunk.negatives)
        return [_Window(chunk.centers[start], chunk.outsides[start:stop], window_negatives, float(rate),
                        int(tokens_before))
                for start, stop, window_negatives, rate, tokens_before
                in zip(bounds[:-1], bounds[1:], negatives, rates, chunk.tokens_before)]

    history = _drive(chunks, plan_windows,
                     lambda window: _window_step(center_vectors, output_vectors, window, model, tree),
                     center_vectors, output_vectors, total_tokens=total_tokens, epochs=epochs, progress=progress,
                     prefetch=False, advice=(alpha,), untrained_loss=_untrained_loss(negative, tree))
    return _result(center_vectors, output_vectors, history, tree)


def train_minibatch(token_ids, sentence_starts, counts, *, model="skipgram", loss="negative", dim=100, window=5,
                    negative=5, sample=1e-3, alpha=0.025, min_alpha=0.0001, epochs=5, batch_size=1024, seed=1,
                    chunk_tokens=10_000, dtype=np.float32, prefetch=True, progress=True):
    """Train word2vec on minibatches of whole windows with vectorized numpy (:func:`minibatch_step`).

    Reads the same examples as :func:`train_loop` for the same seed. A batch is the windows whose first pair
    falls in the same block of B = ``batch_size`` pairs of a chunk, so it never splits a window, holds about B
    (center, outside) pairs whatever the model, and for ``batch_size=1`` is a single window: then the result is
    the loop trainer's, CBOW's n-times step on the outside words' rows included.

    A batch sums the updates of every occurrence of a word in it, so a frequent word gets a step many times
    larger than a single pair's: too large a batch (or alpha) makes training diverge. Hierarchical softmax is
    the extreme case: the root's vector is on every path, so it would take the sum of about B steps, all
    computed before any of them is made, where sequential SGD lets each step see the previous ones. So with
    hierarchical softmax a row that two or more windows of the batch update (an inner node, or a row of V)
    takes its summed step divided by c = η Σ σ'(z) ‖x‖² when c > 1, the sum over the row's scores z in the
    batch, x the vector each multiplies the row with. Σ σ'(z) ‖x‖² is the trace of the Hessian of the batch's
    loss with respect to the row, a bound on its curvature in every direction, so the divided step goes no
    further than the minimum of the loss's quadratic model along the gradient. Every other row, and every row
    with ``batch_size=1``, takes its plain SGD step.

    At alpha = 0.025, batches of 1024 pairs score within 0.02 (WordSim-353 and SimLex-999 Spearman) and 1 point
    (analogies) of gensim's one-prediction-at-a-time SGD on 5M tokens of Wikipedia, 1 epoch, in all four
    combinations of model and loss, averaged over three seeds (``bench/train.py --all --seeds 1 2 3``); skip-gram
    with hierarchical softmax is at the edge, about 1 point lower on analogies.

    Parameters
    ----------
    token_ids, sentence_starts, counts, model, loss, dim, window, negative, sample, alpha, min_alpha, epochs,
    seed, chunk_tokens, progress
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
    settings = check_hyperparameters(model=model, loss=loss, dim=dim, window=window, negative=negative,
                                     sample=sample, alpha=alpha, min_alpha=min_alpha, epochs=epochs,
                                     batch_size=batch_size, seed=seed, chunk_tokens=chunk_tokens, dtype=dtype,
                                     prefetch=prefetch, progress=progress)
    dtype = settings["dtype"]
    tree = _huffman_tree(counts) if loss == "hierarchical" else None
    check_memory("training", _training_memory(settings, sentence_starts, len(token_ids), len(counts), "minibatch"),
                 "use a smaller {negative}, {batch_size} or {dim}, or a smaller vocabulary (a larger min_count)",
                 related=("negative", "batch_size", "dim"))
    rng = np.random.default_rng(seed)
    center_vectors, output_vectors = (array.astype(dtype)
                                      for array in _initial_parameters(len(counts), dim, rng, tree))
    paths = _PathTable.of(tree) if tree else None
    chunks = _training_chunks(token_ids, sentence_starts, counts, model=model, window=window,
                              negative=0 if tree else negative, sample=sample, epochs=epochs, seed=rng,
                              chunk_tokens=chunk_tokens)
    total_tokens = epochs * len(token_ids)

    def plan_batches(chunk):
        """Cut a chunk into batches of whole windows and make their scatter plans and learning rates."""
        # The first window of each batch: windows starting in the same block of batch_size pairs go together.
        first_windows = np.flatnonzero(np.diff(chunk.window_starts // batch_size, prepend=-1))
        bounds = np.append(chunk.window_starts[first_windows], len(chunk.centers))
        window_bounds = np.append(first_windows, len(chunk.window_starts))
        clock = chunk.tokens_before[first_windows]
        rates = linear_learning_rate(clock, total_tokens, alpha, min_alpha)
        # A prediction is a pair in skip-gram and a window in CBOW: its row of negatives.
        predictions = bounds if model == "skipgram" else window_bounds
        return [_plan_batch(model, chunk.centers[start:stop], chunk.outsides[start:stop],
                            chunk.window_starts[first:last] - start, chunk.negatives[low:high], paths, float(rate),
                            int(tokens_before), dtype)
                for start, stop, first, last, low, high, rate, tokens_before
                in zip(bounds[:-1], bounds[1:], window_bounds[:-1], window_bounds[1:], predictions[:-1],
                       predictions[1:], rates, clock)]

    history = _drive(chunks, plan_batches, lambda batch: _step(center_vectors, output_vectors, batch),
                     center_vectors, output_vectors, total_tokens=total_tokens, epochs=epochs, progress=progress,
                     prefetch=prefetch, advice=(alpha, batch_size), untrained_loss=_untrained_loss(negative, tree))
    return _result(center_vectors, output_vectors, history, tree)


def _initial_parameters(vocab_size, dim, rng, tree):
    """V and the output side: U with negative sampling, Q (zero, word2vec.c's ``syn1``) with hierarchical softmax."""
    center_vectors, outside_vectors = initialize_vectors(vocab_size, dim, rng)
    return center_vectors, outside_vectors if tree is None else np.zeros((tree.n_nodes, dim))


def _result(center_vectors, output_vectors, history, tree):
    if tree is None:
        return TrainResult(center_vectors, output_vectors, history)
    return TrainResult(center_vectors, None, history, node_vectors=output_vectors, tree=tree)


def _huffman_tree(counts):
    """word2vec.c's Huffman tree of the counts (:func:`~w2v_lib.huffman.build_huffman_tree`), in any word order.

    The builder takes the counts most frequent first, as :class:`~w2v_lib.vocab.Vocabulary` sorts them; other
    orders are sorted here (stably, so a sorted vocabulary gets exactly word2vec.c's tree) and the codes
    returned to their words.
    """
    if not np.array_equal(counts, np.floor(counts)):
        raise ParameterValueError("counts", "must be whole numbers for loss='hierarchical' (the Huffman tree is "
                                            "built from word counts)")
    order = np.argsort(-counts, kind="stable")
    tree = build_huffman_tree(counts[order].astype(np.int64))
    if np.array_equal(order, np.arange(len(order))):
        return tree
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return HuffmanTree(codes=tuple(tree.codes[r] for r in rank), paths=tuple(tree.paths[r] for r in rank))


def _untrained_loss(negative, tree):
    """The largest loss of a prediction at the start, when every score is 0: (K + 1) log 2, or L log 2 for the
    longest code L of hierarchical softmax."""
    return (negative + 1 if tree is None else int(tree.code_lengths.max())) * math.log(2)


@dataclass(frozen=True)
class _Window:
    """One step of the loop trainer: a window's center word c, its outside words and their negatives.

    ``negatives`` has shape (n_outside, K) in skip-gram (a row per pair), (K,) in CBOW, K = 0 for hierarchical
    softmax.
    """

    center: int
    outsides: np.ndarray
    negatives: np.ndarray
    learning_rate: float
    tokens_before: int


def _window_step(center_vectors, output_vectors, window, model, tree):
    """One SGD step of the loop trainer on a window, in place; returns the window's loss.

    ``output_vectors`` is U with negative sampling (``tree`` None), Q with hierarchical softmax.
    """
    if model == "skipgram" and tree is None:  # seed equations 5-8
        loss, grad_center_vectors, grad_output_vectors = skipgram_loss_and_gradient(
            window.center, window.outsides, center_vectors, output_vectors, window.negatives)
    elif model == "skipgram":
        loss, grad_center_vectors, grad_output_vectors = skipgram_hierarchical_softmax_loss_and_gradient(
            window.center, window.outsides, center_vectors, output_vectors, tree)
    else:
        if tree is None:
            loss, grad_center_vectors, grad_output_vectors = cbow_neg_sampling_loss_and_gradient(
                window.center, window.outsides, center_vectors, output_vectors, window.negatives)
        else:
            loss, grad_center_vectors, grad_output_vectors = cbow_hierarchical_softmax_loss_and_gradient(
                window.center, window.outsides, center_vectors, output_vectors, tree)
        # word2vec.c's and gensim's step: each outside word's row takes the whole -η ∂J/∂v̄, n times the
        # gradient's (1/n) share.
        grad_center_vectors *= len(window.outsides)
    center_vectors -= window.learning_rate * grad_center_vectors
    output_vectors -= window.learning_rate * grad_output_vectors
    return loss


@dataclass(frozen=True)
class _Batch:
    """One step of the minibatch trainer: where its predictions read and write V and the output side.

    A batch of B (center, outside) pairs makes P predictions: P = B in skip-gram, P = W, its windows, in CBOW.

    Attributes
    ----------
    input_plan : ScatterPlan
        The rows of V, one entry per pair, shape (B, 1): the pair's center word in skip-gram, its outside word
        in CBOW (planned with groups: each entry takes its window's vector).
    output_plan : ScatterPlan
        Negative sampling: the rows of U, shape (P, 1 + K), each prediction's target word (the outside word in
        skip-gram, the center word in CBOW), then its K negatives. Hierarchical softmax: the rows of Q, shape
        (T, 1), the inner nodes of the targets' paths laid end to end (planned with groups: each node takes its
        prediction's input vector).
    learning_rate : float
    tokens_before : int
    mean_plan : ScatterPlan or None
        CBOW: the sums of each window's outside words' rows (:func:`~w2v_lib.scatter._segment_plan`), weighted by
        ``mean_weights``, 1/n for a window of n, shape (B, 1), in the parameters' dtype. None in skip-gram.
    mean_weights : ndarray or None
    path_plan : ScatterPlan or None
        Hierarchical softmax: the sums over each prediction's path nodes, for ∂J/∂x.
    labels : ndarray, shape (T,), or None
        Hierarchical softmax: 1 - κ of each node of each path, in the parameters' dtype.
    path_lengths : ndarray of int, shape (P,), or None
        Hierarchical softmax: L of each prediction's target; its nodes follow those of the previous ones.
    input_predictions : ndarray of int, shape (B,), or None
        Hierarchical softmax: the prediction each entry of ``input_plan`` is the input of.
    shared_inputs, shared_outputs : ndarray of bool, shape (R_in,) and (R_q,), or None
        Hierarchical softmax: which rows of ``input_plan`` and ``output_plan`` several windows of the batch
        update, the rows whose step is damped.
    """

    input_plan: ScatterPlan
    output_plan: ScatterPlan
    learning_rate: float
    tokens_before: int
    mean_plan: ScatterPlan | None = None
    mean_weights: np.ndarray | None = None
    path_plan: ScatterPlan | None = None
    labels: np.ndarray | None = None
    path_lengths: np.ndarray | None = None
    input_predictions: np.ndarray | None = None
    shared_inputs: np.ndarray | None = None
    shared_outputs: np.ndarray | None = None


def _plan_batch(model, centers, outsides, window_starts, negatives, paths, learning_rate, tokens_before, dtype):
    """The :class:`_Batch` of B pairs (``centers``, ``outsides``, shape (B,)) grouped in windows starting at
    ``window_starts`` (shape (W,)), with a row of ``negatives`` per prediction, and ``paths`` (a _PathTable)
    for hierarchical softmax (None for negative sampling). Depends only on the examples, not on the parameters.
    """
    sizes = np.diff(np.append(window_starts, len(outsides)))
    pair_windows = np.repeat(np.arange(len(sizes)), sizes)  # the window of each pair
    if model == "skipgram":
        input_plan = _scatter_plan(centers[:, None])
        targets, input_predictions, prediction_windows, cbow = outsides, np.arange(len(centers)), pair_windows, {}
    else:
        input_plan = _scatter_plan(outsides[:, None], groups=pair_windows)
        targets, input_predictions, prediction_windows = centers[window_starts], pair_windows, np.arange(len(sizes))
        cbow = dict(mean_plan=_segment_plan(window_starts, input_plan.inverse[:, 0]),
                    mean_weights=np.repeat(1 / sizes, sizes)[:, None].astype(dtype))
    if paths is None:
        words = np.concatenate((targets[:, None], negatives), axis=1)  # the target, then the negatives
        return _Batch(input_plan, _scatter_plan(words), learning_rate, tokens_before, **cbow)
    nodes, codes, path_starts, lengths = paths.paths(targets)
    node_predictions = np.repeat(np.arange(len(targets)), lengths)
    output_plan = _scatter_plan(nodes[:, None], groups=node_predictions)
    return _Batch(input_plan, output_plan, learning_rate, tokens_before, **cbow,
                  path_plan=_segment_plan(path_starts, output_plan.inverse[:, 0]),
                  labels=(1 - codes).astype(dtype), path_lengths=lengths, input_predictions=input_predictions,
                  shared_inputs=_shared(input_plan, pair_windows, len(sizes)),
                  shared_outputs=_shared(output_plan, prediction_windows[node_predictions], len(sizes)))


def _shared(plan, entry_windows, n_windows):
    """Which rows of ``plan`` the entries of two or more windows update (``entry_windows``: each entry's)."""
    row_windows = np.unique(plan.inverse[:, 0].astype(np.int64) * n_windows + entry_windows)  # distinct (row, window)
    return np.bincount(row_windows // n_windows, minlength=len(plan.rows)) >= 2


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
    batch = _plan_batch("skipgram", np.asarray(centers), np.asarray(outsides), np.arange(len(centers)),
                        np.asarray(negatives), None, learning_rate, 0, center_vectors.dtype)
    return _step(center_vectors, outside_vectors, batch)


def _step(center_vectors, output_vectors, batch):
    """One SGD step on a planned batch of any model and loss, in place; returns the summed loss."""
    # Gather each distinct word's row once from the large (V, d) arrays, then the pairs' rows from that small
    # block, which stays in cache; the same block, updated, is written back. np.take beats fancy indexing.
    input_rows = np.take(center_vectors, batch.input_plan.rows, axis=0)  # (R_in, d)
    if batch.mean_plan is None:  # skip-gram: x = v_c
        input_vecs = np.take(input_rows, batch.input_plan.inverse[:, 0], axis=0)  # (B, d)
    else:  # CBOW: x = v̄, the mean of each window's outside words
        input_vecs = scatter_sums(batch.mean_plan, batch.mean_weights, input_rows)  # (W, d)
    lr = center_vectors.dtype.type(batch.learning_rate)  # so that float32 training stays float32
    if batch.labels is None:
        loss, grad_input_vecs = _negative_sampling_step(output_vectors, batch.output_plan, input_vecs, lr)
    else:
        loss, grad_input_vecs, input_curvatures = _hierarchical_softmax_step(output_vectors, batch, input_vecs, lr)
    # Each entry takes -η ∂J/∂x of its prediction: in skip-gram the center the gradient of its pair (equation 2);
    # in CBOW every outside word the whole ∂J/∂v̄ of its window, word2vec.c's step (n times the gradient's share).
    input_weights = np.full(batch.input_plan.inverse.shape, -lr, dtype=center_vectors.dtype)
    input_step = scatter_sums(batch.input_plan, input_weights, grad_input_vecs)
    if batch.labels is not None:
        curvatures = np.bincount(batch.input_plan.inverse[:, 0], input_curvatures[batch.input_predictions],
                                 minlength=len(input_rows))
        input_step *= _damping(curvatures, batch.shared_inputs, input_step.dtype)
    input_rows += input_step
    center_vectors[batch.input_plan.rows] = input_rows
    return float(loss)


def _negative_sampling_step(outside_vectors, plan, input_vecs, lr):
    """Negative sampling's part of a step: updates U in place; returns the summed loss and ∂J/∂x, (P, d).

    For prediction p with input x_p, word 0 its target and words 1..K its negatives, scores z_k = u_k·x_p and
    labels y = (1, 0, ..., 0): J_p = -log σ(z_0) - Σ_{k>=1} log σ(-z_k) (seed equation 1), ∂J_p/∂z_k = σ(z_k) - y_k.
    """
    word_rows = np.take(outside_vectors, plan.rows, axis=0)  # (R_w, d)
    word_vecs = np.take(word_rows, plan.inverse, axis=0)  # (P, 1+K, d)
    scores = np.matmul(word_vecs, input_vecs[:, :, None])[:, :, 0]  # (P, 1+K)
    loss = -(log_sigmoid(scores[:, 0]).sum() + log_sigmoid(-scores[:, 1:]).sum())  # equation 1, summed
    score_grads = sigmoid(scores)
    score_grads[:, 0] -= 1  # σ(z_k) - y_k
    grad_input_vecs = np.matmul(score_grads[:, None, :], word_vecs)[:, 0, :]  # (P, d), equation 2
    # Equations 3 (corrected) and 4: ∇u_k = ∂J/∂z_k x, summed over the word's occurrences in the batch.
    word_rows += scatter_sums(plan, -lr * score_grads, input_vecs)
    outside_vectors[plan.rows] = word_rows
    return loss, grad_input_vecs


def _hierarchical_softmax_step(node_vectors, batch, input_vecs, lr):
    """Hierarchical softmax's part of a step: updates Q in place; returns the summed loss and ∂J/∂x, (P, d).

    For prediction p with input x_p and the nodes n_ℓ of its target's path: z_ℓ = q_{n_ℓ}·x_p,
    J_p = -Σ_ℓ log σ((1 - 2κ_ℓ) z_ℓ) and ∂J_p/∂z_ℓ = σ(z_ℓ) - (1 - κ_ℓ)
    (:func:`~w2v_lib.hierarchical_softmax.hierarchical_softmax_loss_and_gradient`).
    """
    plan, labels = batch.output_plan, batch.labels
    node_rows = np.take(node_vectors, plan.rows, axis=0)  # (R_q, d)
    path_vecs = np.take(node_rows, plan.inverse[:, 0], axis=0)  # (T, d), q_n of every node of every path
    node_inputs = np.repeat(input_vecs, batch.path_lengths, axis=0)  # (T, d), the x each node scores
    scores = np.einsum("td,td->t", path_vecs, node_inputs)  # (T,)
    loss = -log_sigmoid((2 * labels - 1) * scores).sum()
    score_grads = (sigmoid(scores) - labels)[:, None]  # ∂J/∂z_ℓ, (T, 1)
    grad_input_vecs = scatter_sums(batch.path_plan, score_grads, node_rows)  # (P, d): Σ_ℓ ∂J/∂z_ℓ q_{n_ℓ}
    # ∇q_n = Σ ∂J/∂z_ℓ x over the paths through n in the batch (the root is on all of them).
    node_step = scatter_sums(plan, -lr * score_grads, input_vecs)
    # The damping of the rows several windows share needs each row's η Σ σ'(z) ‖other vector‖²: for a node the
    # inputs x that it scores, for a prediction's input the nodes of its path.
    slopes = sigmoid(scores) * sigmoid(-scores)  # σ'(z_ℓ), (T,)
    input_norms = np.einsum("pd,pd->p", input_vecs, input_vecs)  # ‖x_p‖², (P,)
    node_norms = np.einsum("rd,rd->r", node_rows, node_rows)  # ‖q_n‖², (R_q,)
    node_curvatures = lr * np.bincount(plan.inverse[:, 0], slopes * np.repeat(input_norms, batch.path_lengths),
                                       minlength=len(plan.rows))
    input_curvatures = lr * np.add.reduceat(slopes * node_norms[plan.inverse[:, 0]], batch.path_plan.row_starts[:-1])
    node_rows += node_step * _damping(node_curvatures, batch.shared_outputs, node_step.dtype)
    node_vectors[plan.rows] = node_rows
    return loss, grad_input_vecs, input_curvatures


def _damping(curvatures, shared, dtype):
    """The factor of each row's summed step: 1 / (η Σ σ'(z) ‖x‖²) where that exceeds 1 on a row that several
    windows share, 1 elsewhere; shape (R, 1)."""
    return np.where(shared & (curvatures > 1), 1 / np.maximum(curvatures, 1), 1).astype(dtype)[:, None]


def training_memory(vocab_size, *, dim, window, negative, largest_chunk, batch_size=1, dtype=np.float64,
                    prefetch=False, trainer="minibatch", model="skipgram", loss="negative"):
    """The main allocations of a training run, in bytes, estimated before any is made.

    Parameters
    ----------
    vocab_size : int or None
        V; None leaves out the parts that depend on it (an estimate made before the vocabulary is built).
    dim, window, negative, batch_size, dtype, prefetch, trainer, model, loss
        The run's settings.
    largest_chunk : int
        Corpus tokens of the largest chunk of the example stream.

    Returns
    -------
    dict of str -> int
        "the two matrices" (V and U or Q, with word2vec.c's float64 draws made first), "a chunk's pairs" (the
        example stream: about m + 1 pairs per token, K negatives per prediction, and the batches' scatter
        plans; two chunks at a time with prefetch) and "the largest batch arrays" (the gathered rows, the
        scores and the scatter sums of a step; the loop trainer's (V, d) gradients of a window).
    """
    itemsize = np.dtype(dtype).itemsize
    minibatch = trainer == "minibatch"
    pairs = largest_chunk * (window + 1)
    predictions = pairs if model == "skipgram" else largest_chunk  # CBOW: at most a window per token
    # Words a prediction scores: its target and K negatives, or the nodes of its target's path, whose mean
    # length is below log2(V) + 1 for a Huffman code (V unknown: a vocabulary of 2**24 words).
    targets = 1 + negative if loss == "negative" else math.log2(vocab_size or 2**24) + 1
    # Per pair: the window_pairs work arrays and the pair's ids (about 60 bytes; for the minibatch trainer in
    # CBOW, 24 more for the outside words' scatter plan). Per prediction: the negatives' draw temporaries
    # (about 30 bytes each: alias column, coin, acceptance) and, for the minibatch trainer, the scatter plans
    # kept for the chunk's batches (about 24 bytes per target or negative, 40 per path node with its label).
    per_pair = 60 + (24 if minibatch and model == "cbow" else 0)
    per_prediction = ((30 * negative if loss == "negative" else 0)
                      + (targets * (24 if loss == "negative" else 40) if minibatch else 0))
    parts = {"a chunk's pairs": int((pairs * per_pair + predictions * per_prediction) * (2 if prefetch else 1))}
    if minibatch:
        batch = batch_size + 2 * window  # a batch is rounded up to whole windows; at most a prediction per pair
        # Per target: its gathered row and its scatter term (hierarchical softmax: also the input it scores).
        per_target = (2 if loss == "negative" else 3) * dim * itemsize + 24
        parts["the largest batch arrays"] = int(batch * targets * per_target + 3 * batch * dim * itemsize)
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
                           prefetch=settings.get("prefetch", False), trainer=trainer, model=settings["model"],
                           loss=settings["loss"])


def _drive(chunks, plan_steps, take_step, center_vectors, output_vectors, *, total_tokens, epochs, progress,
           prefetch, advice, untrained_loss):
    """Train on every step of every chunk; return the history. The loop shared by both trainers.

    ``plan_steps(chunk)`` lists a chunk's steps (each with ``learning_rate`` and ``tokens_before``); it does
    not touch the parameters, so with ``prefetch`` it runs one chunk ahead in a background thread.
    ``take_step(step)`` updates the parameters in place and returns the step's summed loss. ``advice`` is
    (alpha,) or (alpha, batch_size), for the message of a :class:`DivergenceError`; ``untrained_loss`` the
    largest loss of a prediction at the start, which a mean ten times larger is taken to have diverged from.
    """
    history = TrainingHistory()
    tokens_per_epoch = total_tokens // epochs
    tokens_done = epoch_loss = epoch_predictions = 0
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
                                          f"(learning rate {step.learning_rate:.4g})", *advice,
                                          tokens=step.tokens_before)
                loss_sum += loss
            tokens_done += chunk.n_tokens
            n_predictions = chunk.n_predictions
            epoch_loss += loss_sum
            epoch_predictions += n_predictions
            if n_predictions:
                _check_mean_loss(loss_sum / n_predictions, untrained_loss, tokens_done, advice)
                history.tokens.append(tokens_done)
                history.loss.append(loss_sum / n_predictions)
                history.learning_rate.append(steps[-1].learning_rate)
                bar.set_postfix(loss=f"{loss_sum / n_predictions:.4f}", lr=f"{steps[-1].learning_rate:.5f}",
                                refresh=False)
            if tokens_done % tokens_per_epoch == 0:
                history.epoch_loss.append(epoch_loss / max(epoch_predictions, 1))
                epoch_loss = epoch_predictions = 0
            bar.update(chunk.n_tokens)
    history.seconds = time.perf_counter() - start
    if not (np.isfinite(center_vectors).all() and np.isfinite(output_vectors).all()):
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


def _check_mean_loss(mean_loss, untrained, tokens_done, advice):
    # Untrained vectors score every prediction 0, a loss of (K + 1) log 2 with negative sampling (L log 2 for a
    # code of L bits), and SGD only lowers it. A chunk of thousands of predictions ten times worse than that has
    # diverged, even while every number is still finite.
    if mean_loss > 10 * untrained:
        raise DivergenceError(f"the mean loss per prediction reached {mean_loss:.3g} by corpus token "
                              f"{tokens_done:,}, over ten times the {untrained:.3f} of untrained vectors", *advice,
                              tokens=tokens_done)
