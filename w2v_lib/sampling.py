"""Sampling for skip-gram training: the noise distribution, negative samples, subsampling, dynamic windows.

Taught in notebook 05 (corpus, vocabulary, sampling). All of it follows word2vec.c (Mikolov et al., 2013):
negatives are drawn from the noise distribution P_n(w) ∝ #(w)^β with β = ``power`` = 0.75, a frequent word's
occurrences are kept with probability p_keep(w) = min(1, sqrt(τ/f(w)) + τ/f(w)), τ = ``sample``, and each
center position t uses a window of b_t words on each side, b_t drawn uniformly from 1..m. These functions are
the hot path of training, so each works on a whole array of tokens at once with numpy and returns int32 word
ids. Shapes: V is ``vocab_size``, N ``n_tokens``.

Every randomized function takes ``seed``: an int >= 0 or a ``numpy.random.Generator``. The public functions
check their arguments; the training-example stream (:mod:`w2v_lib.chunks`) calls the unchecked ``_`` kernels
with inputs it checked once.
"""

import numpy as np

from w2v_lib._validation import (
    ParameterValueError,
    check_counts,
    check_int,
    check_real,
    check_seed,
    check_sentence_starts,
    check_token_ids,
)


def noise_distribution(counts, power=0.75):
    """The distribution negatives are drawn from: P_n(w) = #(w)^β / Σ_w' #(w')^β, β = ``power``.

    Parameters
    ----------
    counts : array_like of int or float, shape (V,)
        Word counts #(w), all >= 0 and not all zero.
    power : float, default 0.75
        β. 0 gives the uniform distribution over the words with a count, 1 the unigram distribution.
        word2vec.c uses 0.75.

    Returns
    -------
    noise_probs : numpy.ndarray of float64, shape (V,)
        Probabilities summing to 1; a word with count 0 gets probability 0 (even for ``power = 0``).
    """
    counts = check_counts(counts)
    power = check_real("power", power, minimum=0.0, hint=" (word2vec.c uses 0.75)")
    return _noise_distribution(counts, power)


def _noise_distribution(counts, power):
    weights = np.zeros_like(counts)
    positive = counts > 0
    weights[positive] = counts[positive] ** power
    return weights / weights.sum()


class NegativeSampler:
    """Draws negative samples from the noise distribution in O(1) per draw with Walker's alias method.

    The table has one column per word, each of height 1/V: column i holds word i with probability
    ``accept[i]`` and its "alias" word ``alias[i]`` otherwise. A draw picks a column uniformly and flips one
    biased coin, so a whole array of draws is two random arrays and a ``np.where``. Vose's construction
    fills the columns so that word w gets total probability P_n(w) exactly (up to rounding): each under-full
    column is topped up from an over-full one. (A cumulative table with ``np.searchsorted`` is simpler and
    O(log V) per draw, but five times slower on a 70,000-word vocabulary, and this is the hot path of
    training.)

    Parameters
    ----------
    counts : array_like, shape (V,)
        Word counts (for example ``vocab.counts``).
    power : float, default 0.75
        β of the noise distribution.

    Attributes
    ----------
    noise_probs : numpy.ndarray of float64, shape (V,)
        The noise distribution, ``noise_distribution(counts, power)``.
    accept : numpy.ndarray of float64, shape (V,), read-only
        Probability that a draw landing in column i returns word i.
    alias : numpy.ndarray of int32, shape (V,), read-only
        The word a draw landing in column i returns otherwise.
    """

    def __init__(self, counts, power=0.75):
        noise_probs = noise_distribution(counts, power)
        n_sampleable = int(np.count_nonzero(noise_probs))
        if n_sampleable < 2:
            raise ParameterValueError("counts", f"leave {n_sampleable} word(s) with a nonzero count, too few to "
                                                "sample negatives from (at least 2 are needed): use a larger "
                                                "corpus or a lower min_count")
        self.noise_probs = noise_probs
        self._accept, self._alias = _alias_table(noise_probs)

    def __len__(self):
        return self.noise_probs.shape[0]

    @property
    def accept(self):
        return _read_only(self._accept)

    @property
    def alias(self):
        return _read_only(self._alias)

    def sample(self, size, seed):
        """Draw word ids independently from the noise distribution.

        Parameters
        ----------
        size : int or tuple of int
            Output shape, e.g. ``(n_pairs, negative)`` for K negatives per (center, outside) pair.
        seed : int or numpy.random.Generator

        Returns
        -------
        numpy.ndarray of int32, shape ``size``
        """
        for n in np.atleast_1d(size).tolist():
            check_int("size", n, minimum=0)
        return self._draw(size, np.random.default_rng(check_seed("seed", seed)))

    def _draw(self, size, rng):
        column = rng.integers(0, len(self), size=size, dtype=np.int32)
        coin = rng.random(size)
        return np.where(coin < self._accept[column], column, self._alias[column])


def _read_only(array):
    # A view the caller can read but not write: a changed table would silently change every later draw.
    view = array.view()
    view.flags.writeable = False
    return view


def _alias_table(noise_probs):
    """Vose's alias table: ``accept`` (V,) float64 and ``alias`` (V,) int32 for :class:`NegativeSampler`."""
    n = noise_probs.shape[0]
    scaled = (noise_probs * n).tolist()  # column heights in units of 1/V; Python floats for the loop
    accept = np.ones(n)
    alias = np.arange(n, dtype=np.int32)
    small = [i for i, height in enumerate(scaled) if height < 1]
    large = [i for i, height in enumerate(scaled) if height >= 1]
    while small and large:
        under, over = small.pop(), large.pop()
        accept[under] = scaled[under]
        alias[under] = over
        scaled[over] -= 1 - scaled[under]
        (small if scaled[over] < 1 else large).append(over)
    # Whatever is left is full up to rounding error: accept[i] = 1 already.
    return accept, alias


def keep_probabilities(counts, sample=1e-3):
    """word2vec.c's subsampling: the probability of keeping each occurrence of a word.

    p_keep(w) = min(1, sqrt(τ / f(w)) + τ / f(w)), with f(w) = #(w) / N and τ = ``sample``.
    (The paper writes 1 - sqrt(τ / f); word2vec.c's code uses this formula, and so does gensim.)

    Parameters
    ----------
    counts : array_like, shape (V,)
        Word counts, >= 0, not all zero.
    sample : float or None, default 1e-3
        The threshold τ; 0 or None keeps every word.

    Returns
    -------
    keep_probs : numpy.ndarray of float64, shape (V,)
        Values in (0, 1]; 1 for words with count 0 (they never occur).
    """
    counts = check_counts(counts)
    if sample is not None:
        sample = check_real("sample", sample, minimum=0.0, hint=" (word2vec.c uses 1e-3; 0 turns subsampling off)")
    return _keep_probabilities(counts, sample)


def _keep_probabilities(counts, sample):
    if not sample:
        return np.ones_like(counts)
    keep_probs = np.ones_like(counts)
    positive = counts > 0
    ratio = sample * counts.sum() / counts[positive]  # τ / f(w)
    keep_probs[positive] = np.minimum(1.0, np.sqrt(ratio) + ratio)
    return keep_probs


def subsample(token_ids, keep_probs, seed, sentence_starts=None):
    """Keep each token independently with the keep-probability of its word.

    Parameters
    ----------
    token_ids : array_like of int, shape (N,)
    keep_probs : array_like of float, shape (V,)
        From :func:`keep_probabilities`.
    seed : int or numpy.random.Generator
    sentence_starts : array_like of int, shape (S,), optional
        Sentence start offsets into ``token_ids`` (see :func:`window_pairs`). When given, the start offsets
        of the same sentences in the subsampled array are returned too.

    Returns
    -------
    kept : numpy.ndarray of int32, shape (n_kept,)
        The kept ids, in their original order.
    kept_starts : numpy.ndarray of int64, shape (S,)
        Only when ``sentence_starts`` is given. A sentence that lost all its tokens keeps a start equal to
        the next one's, which :func:`window_pairs` accepts.
    """
    keep_probs = np.asarray(keep_probs, dtype=np.float64)
    if keep_probs.ndim != 1 or keep_probs.size == 0:
        raise ParameterValueError("keep_probs", f"must be a 1-D array of shape (V,), got shape {keep_probs.shape}")
    if not np.all((keep_probs >= 0) & (keep_probs <= 1)):
        raise ParameterValueError("keep_probs", "must be probabilities in [0, 1]; compute them with "
                                                "keep_probabilities")
    token_ids = check_token_ids(token_ids, keep_probs.shape[0])
    if sentence_starts is not None:
        sentence_starts = check_sentence_starts(sentence_starts, token_ids.shape[0])
    rng = np.random.default_rng(check_seed("seed", seed))
    kept, kept_starts = _subsample(token_ids, keep_probs, rng, sentence_starts)
    return kept if sentence_starts is None else (kept, kept_starts)


def _subsample(token_ids, keep_probs, rng, sentence_starts):
    mask = rng.random(token_ids.shape[0]) < keep_probs[token_ids]
    if sentence_starts is None:
        return token_ids[mask], None
    kept_before = np.concatenate(([0], np.cumsum(mask)))
    return token_ids[mask], kept_before[sentence_starts]


def window_pairs(token_ids, window, seed, sentence_starts=None):
    """All (center, outside) pairs of a token array, with word2vec.c's dynamic window.

    Each center position t draws its window b_t (``reduced_windows[t]``) uniformly from 1..m and pairs with
    every position t + j, j = ``offset`` ≠ 0 with |j| <= b_t, in the same sentence. Pairs never cross a
    sentence boundary or the ends of the array.

    Parameters
    ----------
    token_ids : array_like of int, shape (N,)
        Word ids of consecutive tokens, one or several sentences laid end to end.
    window : int
        m, the largest number of words on each side of a center.
    seed : int or numpy.random.Generator
    sentence_starts : array_like of int, shape (S,), optional
        Sorted offsets in 0..N where sentences start (repeats allowed: empty sentences). Tokens before the
        first start form a sentence of their own. None: the whole array is one sentence.

    Returns
    -------
    centers, outsides : numpy.ndarray of int32, shape (n_pairs,)
        Word ids. Pairs are grouped by center position ascending and, within a center, by outside position
        ascending: center t gives (w_t, w_{t-b}), ..., (w_t, w_{t-1}), (w_t, w_{t+1}), ..., (w_t, w_{t+b}).

    Notes
    -----
    There are about (m + 1) pairs per token and the work arrays take about 25 bytes per pair, so call
    it on chunks (say 10^6 tokens, about 150 MB at m = 5) rather than on a whole 17M-token corpus.
    """
    token_ids = check_token_ids(token_ids)
    window = check_int("window", window, hint=" (word2vec.c's default is 5)")
    if sentence_starts is not None:
        sentence_starts = check_sentence_starts(sentence_starts, token_ids.shape[0])
    return _window_pairs(token_ids, window, np.random.default_rng(check_seed("seed", seed)), sentence_starts)


def _window_pairs(token_ids, window, rng, sentence_starts):
    n_tokens = token_ids.shape[0]
    reduced_windows = rng.integers(1, window + 1, size=n_tokens)
    sentence = None
    if sentence_starts is not None:
        # Sentence label of each position: how many starts are at or before it.
        sentence = np.searchsorted(sentence_starts, np.arange(n_tokens), side="right")
    offsets = np.concatenate((np.arange(-window, 0), np.arange(1, window + 1)))
    # valid[t, k]: position t + offsets[k] is an outside word of center t. Building it column by column
    # loops over the 2m offsets only; reading it row-major gives the promised pair order.
    valid = np.zeros((n_tokens, 2 * window), dtype=bool)
    for k, offset in enumerate(offsets):
        distance = abs(offset)
        if distance >= n_tokens:
            continue
        centers = slice(distance, n_tokens) if offset < 0 else slice(0, n_tokens - distance)
        outsides = slice(0, n_tokens - distance) if offset < 0 else slice(distance, n_tokens)
        column = reduced_windows[centers] >= distance
        if sentence is not None:
            column &= sentence[centers] == sentence[outsides]
        valid[centers, k] = column
    center_pos, k = np.nonzero(valid)
    return token_ids[center_pos], token_ids[center_pos + offsets[k]]
