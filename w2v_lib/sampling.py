"""Sampling for skip-gram training: the noise distribution, negative samples, subsampling, dynamic windows.

All of it follows word2vec.c (Mikolov et al., 2013): negatives are drawn from unigram counts raised to the
power 0.75, frequent words are discarded with probability 1 - (sqrt(t/f) + t/f), and each center word uses a
window of b words on each side, with b drawn uniformly from 1..window. These functions are the hot path of
training, so each works on a whole array of tokens at once with numpy and returns int32 word ids.

Every randomized function takes ``rng``: a seed (int) or a ``numpy.random.Generator``.
"""

import numbers

import numpy as np

from w2v_lib._validation import check_int, check_sentence_starts, check_token_ids


def noise_distribution(counts, power=0.75):
    """The distribution negatives are drawn from: P(w) = count(w)^power / sum_w' count(w')^power.

    Parameters
    ----------
    counts : array_like of int or float, shape (V,)
        Word counts, all >= 0 and not all zero.
    power : float, default 0.75
        0 gives the uniform distribution over the words with a count, 1 the unigram distribution.
        word2vec.c uses 0.75.

    Returns
    -------
    numpy.ndarray of float64, shape (V,)
        Probabilities summing to 1; a word with count 0 gets probability 0 (even for ``power = 0``).
    """
    counts = _check_counts(counts)
    if isinstance(power, (bool, np.bool_)) or not isinstance(power, numbers.Real):
        raise TypeError(f"power must be a real number, got {type(power).__name__} {power!r}")
    if not np.isfinite(power) or power < 0:
        raise ValueError(f"power must be a finite number >= 0 (word2vec.c uses 0.75), got {power}")
    weights = np.zeros_like(counts)
    positive = counts > 0
    weights[positive] = counts[positive] ** power
    return weights / weights.sum()


class NegativeSampler:
    """Draws negative samples from the noise distribution in O(1) per draw with Walker's alias method.

    The table has one column per word, each of height 1/V: column i holds word i with probability
    ``accept[i]`` and its "alias" word ``alias[i]`` otherwise. A draw picks a column uniformly and flips one
    biased coin, so a whole array of draws is two random arrays and a ``np.where``. Vose's construction
    fills the columns so that word w gets total probability P(w) exactly (up to rounding): each under-full
    column is topped up from an over-full one. (A cumulative table with ``np.searchsorted`` is simpler and
    O(log V) per draw, but five times slower on a 70,000-word vocabulary, and this is the hot path of
    training.)

    Parameters
    ----------
    counts : array_like, shape (V,)
        Word counts (for example ``vocab.counts``).
    power : float, default 0.75

    Attributes
    ----------
    probabilities : numpy.ndarray of float64, shape (V,)
        The noise distribution, ``noise_distribution(counts, power)``.
    """

    def __init__(self, counts, power=0.75):
        self.probabilities = noise_distribution(counts, power)
        n_sampleable = int(np.count_nonzero(self.probabilities))
        if n_sampleable < 2:
            raise ValueError(f"the vocabulary is too small to sample negatives from: {n_sampleable} word(s) "
                             "with a nonzero count, at least 2 are needed. Use a larger corpus or a lower "
                             "min_count")
        self._accept, self._alias = _alias_table(self.probabilities)

    def __len__(self):
        return self.probabilities.shape[0]

    def sample(self, size, rng):
        """Draw word ids independently from the noise distribution.

        Parameters
        ----------
        size : int or tuple of int
            Output shape, e.g. ``(n_pairs, k)`` for k negatives per (center, outside) pair.
        rng : int or numpy.random.Generator

        Returns
        -------
        numpy.ndarray of int32, shape ``size``
        """
        rng = np.random.default_rng(rng)
        column = rng.integers(0, len(self), size=size, dtype=np.int32)
        coin = rng.random(size)
        return np.where(coin < self._accept[column], column, self._alias[column])


def _alias_table(probabilities):
    """Vose's alias table: ``accept`` (V,) float64 and ``alias`` (V,) int32 for :class:`NegativeSampler`."""
    n = probabilities.shape[0]
    scaled = (probabilities * n).tolist()  # column heights in units of 1/V; Python floats for the loop
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

    keep(w) = min(1, sqrt(t / f(w)) + t / f(w)), with f(w) = count(w) / sum of counts and t = ``sample``.
    (The paper writes 1 - sqrt(t / f); word2vec.c's code uses this formula, and so does gensim.)

    Parameters
    ----------
    counts : array_like, shape (V,)
        Word counts, >= 0, not all zero.
    sample : float or None, default 1e-3
        The threshold t; 0 or None keeps every word.

    Returns
    -------
    numpy.ndarray of float64, shape (V,)
        Values in (0, 1]; 1 for words with count 0 (they never occur).
    """
    counts = _check_counts(counts)
    if sample is None or sample == 0:
        return np.ones_like(counts)
    if isinstance(sample, (bool, np.bool_)) or not isinstance(sample, numbers.Real):
        raise TypeError(f"sample must be a number, got {type(sample).__name__} {sample!r}")
    if not np.isfinite(sample) or sample < 0:
        raise ValueError(f"sample must be a finite number >= 0 (word2vec.c's default is 1e-3, 0 turns "
                         f"subsampling off), got {sample}")
    keep = np.ones_like(counts)
    positive = counts > 0
    ratio = sample * counts.sum() / counts[positive]  # t / f(w)
    keep[positive] = np.minimum(1.0, np.sqrt(ratio) + ratio)
    return keep


def subsample(token_ids, keep_probs, rng, sentence_starts=None):
    """Keep each token independently with the keep-probability of its word.

    Parameters
    ----------
    token_ids : array_like of int, shape (n,)
    keep_probs : array_like of float, shape (V,)
        From :func:`keep_probabilities`.
    rng : int or numpy.random.Generator
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
        raise ValueError(f"keep_probs must be a 1-D array of shape (V,), got shape {keep_probs.shape}")
    if not np.all((keep_probs >= 0) & (keep_probs <= 1)):
        raise ValueError("keep_probs must be probabilities in [0, 1]; compute them with keep_probabilities")
    token_ids = check_token_ids(token_ids, keep_probs.shape[0])
    mask = np.random.default_rng(rng).random(token_ids.shape[0]) < keep_probs[token_ids]
    kept = token_ids[mask]
    if sentence_starts is None:
        return kept
    starts = check_sentence_starts(sentence_starts, token_ids.shape[0])
    kept_before = np.concatenate(([0], np.cumsum(mask)))
    return kept, kept_before[starts]


def window_pairs(token_ids, window, rng, sentence_starts=None):
    """All (center, outside) pairs of a token array, with word2vec.c's dynamic window.

    Each center position i draws b uniformly from 1..window and pairs with every position j != i with
    |i - j| <= b in the same sentence. Pairs never cross a sentence boundary or the ends of the array.

    Parameters
    ----------
    token_ids : array_like of int, shape (n,)
        Word ids of consecutive tokens, one or several sentences laid end to end.
    window : int
        m, the largest number of words on each side of a center.
    rng : int or numpy.random.Generator
    sentence_starts : array_like of int, shape (S,), optional
        Sorted offsets in 0..n where sentences start (repeats allowed: empty sentences). Tokens before the
        first start form a sentence of their own. None: the whole array is one sentence.

    Returns
    -------
    centers, outsides : numpy.ndarray of int32, shape (n_pairs,)
        Word ids. Pairs are grouped by center position ascending and, within a center, by outside position
        ascending: center i gives (t[i], t[i-b]), ..., (t[i], t[i-1]), (t[i], t[i+1]), ..., (t[i], t[i+b]).

    Notes
    -----
    There are about (window + 1) pairs per token and the work arrays take about 25 bytes per pair, so call
    it on chunks (say 10^6 tokens, about 150 MB at window 5) rather than on a whole 17M-token corpus.
    """
    token_ids = check_token_ids(token_ids, None)
    window = check_int("window", window, hint=" (word2vec.c's default is 5)")
    n = token_ids.shape[0]
    reduced = np.random.default_rng(rng).integers(1, window + 1, size=n)
    sentence = None
    if sentence_starts is not None:
        starts = check_sentence_starts(sentence_starts, n)
        # Sentence label of each position: how many starts are at or before it.
        sentence = np.searchsorted(starts, np.arange(n), side="right")
    offsets = np.concatenate((np.arange(-window, 0), np.arange(1, window + 1)))
    # valid[i, k]: position i + offsets[k] is an outside word of center i. Building it column by column
    # loops over the 2m offsets only; reading it row-major gives the promised pair order.
    valid = np.zeros((n, 2 * window), dtype=bool)
    for k, offset in enumerate(offsets):
        distance = abs(offset)
        if distance >= n:
            continue
        centers = slice(distance, n) if offset < 0 else slice(0, n - distance)
        outsides = slice(0, n - distance) if offset < 0 else slice(distance, n)
        column = reduced[centers] >= distance
        if sentence is not None:
            column &= sentence[centers] == sentence[outsides]
        valid[centers, k] = column
    center_pos, k = np.nonzero(valid)
    return token_ids[center_pos], token_ids[center_pos + offsets[k]]


def _check_counts(counts):
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.shape[0] == 0:
        raise ValueError(f"counts must be a 1-D array of shape (V,) with V >= 1, got shape {counts.shape}")
    if not (np.issubdtype(counts.dtype, np.integer) or np.issubdtype(counts.dtype, np.floating)):
        raise TypeError(f"counts must be numbers, got dtype {counts.dtype}")
    counts = counts.astype(np.float64)
    if not np.all(np.isfinite(counts)):
        raise ValueError("counts must be finite")
    if counts.min() < 0:
        raise ValueError(f"counts must be >= 0, got {counts.min()} at index {int(counts.argmin())}")
    if counts.sum() == 0:
        raise ValueError("counts are all zero: there is no word to sample; build the vocabulary from a "
                         "non-empty corpus")
    return counts
