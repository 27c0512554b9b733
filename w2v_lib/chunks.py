"""The stream of training examples that both trainers read: windows of (center, outside) pairs and their negatives,
chunk by chunk.

Taught in notebook 06 (training with SGD, where the loop trainer reads it) and notebook 07 (vectorized
training, where batches are cut from it); notebook 12 reads it for CBOW and hierarchical softmax. It puts
together the sampling of notebook 05 (:mod:`w2v_lib.sampling`): the corpus is cut into chunks of whole
sentences; for every chunk of every epoch a random generator seeded by (seed, epoch, chunk) subsamples the
tokens, draws the dynamic windows b_t and then draws K negatives per prediction: per (center, outside) pair in
skip-gram, per window in CBOW, none with hierarchical softmax. So for the same seed both trainers see exactly
the same examples, every model and loss sees the same windows, and the minibatch trainer can make the next
chunk in a background thread without changing the result.

Shapes: N is the corpus length ``n_tokens``, V ``vocab_size``, K ``negative``.
"""

from dataclasses import dataclass

import numpy as np

from w2v_lib._validation import check_corpus, check_hyperparameters
from w2v_lib.sampling import NegativeSampler, _keep_probabilities, _subsample, _window_pairs


@dataclass(frozen=True)
class Chunk:
    """The training examples of one chunk of the corpus in one epoch.

    Attributes
    ----------
    centers, outsides : ndarray of int32, shape (n_pairs,)
        Word ids c and o of the (center, outside) pairs, grouped by window.
    negatives : ndarray of int32, shape (n_predictions, K)
        One row of K negatives per prediction: row i for pair i in skip-gram, row w for window w in CBOW; K = 0
        (no column) with hierarchical softmax.
    window_starts : ndarray of int64, shape (n_windows,)
        Index of the first pair of each window; window w is pairs ``window_starts[w]`` up to the next start.
    tokens_before : ndarray of int64, shape (n_windows,)
        Corpus tokens processed before the center of each window, counted from the start of training over all
        epochs and including the tokens that subsampling dropped: the clock of the learning rate (word2vec.c).
    n_tokens : int
        Corpus tokens in the chunk, before subsampling.
    """

    centers: np.ndarray
    outsides: np.ndarray
    negatives: np.ndarray
    window_starts: np.ndarray
    tokens_before: np.ndarray
    n_tokens: int

    @property
    def n_predictions(self):
        """The predictions the chunk trains: its pairs in skip-gram, its windows in CBOW (the rows of negatives)."""
        return len(self.negatives)


def training_chunks(token_ids, sentence_starts, counts, *, model="skipgram", loss="negative", window=5, negative=5,
                    sample=1e-3, epochs=5, seed=1, chunk_tokens=10_000):
    """The training examples of every epoch, chunk by chunk: the stream both trainers read.

    A chunk is the sentences that start in the same block of ``chunk_tokens`` corpus tokens. Each chunk of each
    epoch gets its own generator, seeded by (seed, epoch, chunk), which subsamples the chunk's tokens
    (:func:`~w2v_lib.sampling.subsample`), draws its dynamic windows (:func:`~w2v_lib.sampling.window_pairs`)
    and its negatives (:class:`~w2v_lib.sampling.NegativeSampler`), in that order. A chunk is therefore the
    same whenever and in whichever thread it is made, and its pairs are the same for every model and loss.

    Parameters
    ----------
    token_ids : array_like of int, shape (N,)
        The corpus as word ids, sentences laid end to end (:func:`~w2v_lib.vocab.encode_corpus`).
    sentence_starts : array_like of int, shape (S,)
        Sorted offsets of the sentences in ``token_ids``, the first one 0.
    counts : array_like of int, shape (V,)
        Word counts (``Vocabulary.counts``), for subsampling and the noise distribution.
    model : {"skipgram", "cbow"}
        Where the negatives go: skip-gram predicts each outside word (K negatives per pair), CBOW the center
        word from the whole window (K negatives per window).
    loss : {"negative", "hierarchical"}
        Hierarchical softmax draws no negatives (``negative`` is then ignored).
    window : int
        m, the largest window radius.
    negative : int
        K, negatives per prediction.
    sample : float or None
        Subsampling threshold τ; 0 or None keeps every word.
    epochs : int
    seed : int or numpy.random.Generator
    chunk_tokens : int

    Returns
    -------
    iterator of Chunk
        ``epochs`` times the chunks of the corpus, in order. The seed is read when this function is called.
    """
    corpus = check_corpus(token_ids, sentence_starts, counts)
    settings = check_hyperparameters(model=model, loss=loss, window=window, negative=negative, sample=sample,
                                     epochs=epochs, seed=seed, chunk_tokens=chunk_tokens)
    if settings.pop("loss") == "hierarchical":
        settings["negative"] = 0
    return _training_chunks(*corpus, **settings)


def _training_chunks(token_ids, sentence_starts, counts, *, model, window, negative, sample, epochs, seed,
                     chunk_tokens):
    """:func:`training_chunks` on a corpus checked by ``_validation.check_corpus`` and checked settings.

    ``negative`` = 0 draws no negatives (hierarchical softmax).
    """
    keep_probs = _keep_probabilities(counts, sample)
    sampler = NegativeSampler(counts) if negative else None
    per_window = model == "cbow"
    root = int(np.random.default_rng(seed).integers(2**63))
    starts = sentence_starts
    # A chunk is the sentences starting in the same block of chunk_tokens tokens.
    first_sentences = np.flatnonzero(np.diff(starts // chunk_tokens, prepend=-1))
    bounds = np.append(starts[first_sentences], len(token_ids))

    def generate():
        for epoch in range(epochs):
            for index, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
                rng = np.random.default_rng([root, epoch, index])
                first, last = np.searchsorted(starts, [lo, hi])
                yield _make_chunk(token_ids[lo:hi], starts[first:last] - lo, keep_probs, sampler, window,
                                  negative, per_window, rng, tokens_before=epoch * len(token_ids) + int(lo))

    return generate()


def _make_chunk(ids, starts, keep_probs, sampler, window, negative, per_window, rng, tokens_before):
    # Subsample and pair up positions rather than word ids, so that we know where each pair came from: the
    # position of its center in the corpus (for the learning rate) and which pairs share a center (a window).
    positions, kept_starts = _subsample(np.arange(len(ids), dtype=np.int32), keep_probs[ids], rng, starts)
    center_at, outside_at = _window_pairs(np.arange(len(positions), dtype=np.int32), window, rng, kept_starts)
    window_starts = np.flatnonzero(np.diff(center_at, prepend=-1))
    n_predictions = len(window_starts) if per_window else len(center_at)
    negatives = (sampler._draw((n_predictions, negative), rng) if negative
                 else np.zeros((n_predictions, 0), dtype=np.int32))
    return Chunk(
        centers=ids[positions[center_at]],
        outsides=ids[positions[outside_at]],
        negatives=negatives,
        window_starts=window_starts,
        tokens_before=tokens_before + positions[center_at[window_starts]].astype(np.int64),
        n_tokens=len(ids),
    )
