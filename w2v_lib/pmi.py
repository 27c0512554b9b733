"""What skip-gram with negative sampling learns: co-occurrence counts, (shifted, positive) PMI, and their SVD.

Taught in notebook 11 (what SGNS learns). Levy and Goldberg (2014) showed that when the vectors have enough
dimensions, the optimum of SGNS's expected loss gives each (center, outside) pair the score

    u_o·v_c = PMI(c, o) - log K,        PMI(c, o) = log P(c, o) / (P(c) P(o)),

with P(o) replaced by the noise distribution P_n(o) when the negatives are drawn from it (word2vec's
unigram^0.75). This module computes those matrices from the pairs a trainer sees, and the embedding that
needs no SGD at all: the truncated SVD of the shifted positive PMI matrix.

The counts are #(c, o), the number of times the pair (center c, outside o) occurs in the multiset D of pairs
(subsampled, with dynamic windows, over every epoch: whatever the trainer read); #(c, ·) = Σ_o #(c, o) and
#(·, o) = Σ_c #(c, o) are its row and column sums and |D| = Σ #(c, o), so P(c, o) = #(c, o) / |D|,
P(c) = #(c, ·) / |D| and P(o) = #(·, o) / |D|. Levy and Goldberg write w for the word and c for its context;
the course's c is the center word and o the outside word.

Shapes: V = ``vocab_size``, d = ``dim``. A count or PMI matrix is (V, V) (or (V_c, V_o)): row c is a center
word, column o an outside word.
"""

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds

from w2v_lib._validation import (
    ParameterIndexError,
    ParameterTypeError,
    ParameterValueError,
    check_int,
    check_real,
    check_seed,
)


def cooccurrence_counts(centers, outsides, vocab_size):
    """#(c, o): how many times each (center, outside) pair occurs, as a sparse (V, V) matrix.

    Parameters
    ----------
    centers, outsides : array_like of int, shape (n_pairs,)
        Word ids of the pairs, pair i being (``centers[i]``, ``outsides[i]``): for example the ``centers`` and
        ``outsides`` of every chunk of :func:`w2v_lib.chunks.training_chunks`, concatenated. Pairs may repeat:
        each occurrence counts.
    vocab_size : int
        V.

    Returns
    -------
    scipy.sparse.csr_array of int64, shape (V, V)
        Entry (c, o) is #(c, o); only pairs that occur are stored.
    """
    vocab_size = check_int("vocab_size", vocab_size)
    centers = _check_word_ids("centers", centers, vocab_size)
    outsides = _check_word_ids("outsides", outsides, vocab_size)
    if centers.shape != outsides.shape:
        raise ParameterValueError("outsides", f"must have one entry per center, got shape {outsides.shape} for "
                                              f"centers of shape {centers.shape}")
    ones = np.ones(centers.shape[0], dtype=np.int64)
    # A COO matrix with repeated (row, column) entries sums them when converted: the counting itself.
    return sparse.coo_array((ones, (centers, outsides)), shape=(vocab_size, vocab_size)).tocsr()


def _check_word_ids(name, value, vocab_size):
    array = np.asarray(value)
    if array.ndim != 1:
        raise ParameterValueError(name, f"must be a 1-D array of word ids, shape (n_pairs,), got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ParameterTypeError(name, f"must hold integer word ids, got dtype {array.dtype}")
    if array.size and (array.min() < 0 or array.max() >= vocab_size):
        bad = array[(array < 0) | (array >= vocab_size)][0]
        raise ParameterIndexError(name, f"contains {bad}, out of range for a vocabulary of {vocab_size} words "
                                        f"(0..{vocab_size - 1})")
    return array.astype(np.intp, copy=False)


def pmi(counts, noise_probs=None):
    """PMI(c, o) = log(#(c, o) |D| / (#(c, ·) #(·, o))) of every cell, -inf where the pair never occurs.

    With ``noise_probs``, P_n(o) takes the place of P(o) = #(·, o) / |D|:
    log(#(c, o) / (#(c, ·) P_n(o))). Minus log K this is the score SGNS's optimum gives a pair when its
    negatives are drawn from P_n; with word2vec's P_n ∝ #(o)^0.75 it is the "context distribution smoothing"
    of Levy, Goldberg and Dagan (2015).

    Parameters
    ----------
    counts : array_like or scipy sparse array, shape (V_c, V_o)
        #(c, o), finite and >= 0 (weighted counts are fine), not all zero.
    noise_probs : array_like, shape (V_o,), optional
        P_n(o), >= 0, positive for every outside word that occurs.

    Returns
    -------
    ndarray of float64, shape (V_c, V_o)
        Dense: a pair never seen has PMI -inf (log 0), which a sparse matrix cannot store. Use
        :func:`shifted_positive_pmi` for a large vocabulary.
    """
    rows, cols, values, shape, log_marginals = _pmi_entries(counts, noise_probs)
    result = np.full(shape, -np.inf)
    result[rows, cols] = np.log(values) - log_marginals
    return result


def shifted_positive_pmi(counts, negative=1, noise_probs=None):
    """SPPMI(c, o) = max(PMI(c, o) - log K, 0), K = ``negative``, as a sparse matrix.

    A pair never seen has PMI -inf and SPPMI 0, so only the pairs that occur are computed, and only those
    with PMI > log K are stored. ``negative=1`` gives the positive PMI (PPMI).

    Parameters
    ----------
    counts : array_like or scipy sparse array, shape (V_c, V_o)
        #(c, o), finite and >= 0, not all zero.
    negative : int, default 1
        K, the shift log K of SGNS with K negatives.
    noise_probs : array_like, shape (V_o,), optional
        P_n(o) in place of P(o), as in :func:`pmi`.

    Returns
    -------
    scipy.sparse.csr_array of float64, shape (V_c, V_o)
    """
    negative = check_int("negative", negative, hint=" (K, the negatives per pair)")
    rows, cols, values, shape, log_marginals = _pmi_entries(counts, noise_probs)
    shifted = np.log(values) - log_marginals - np.log(negative)
    keep = shifted > 0
    return sparse.csr_array((shifted[keep], (rows[keep], cols[keep])), shape=shape)


def _pmi_entries(counts, noise_probs):
    """The nonzero cells of ``counts`` and, for each, log(#(c, ·) #(·, o) / |D|) (or log(#(c, ·) P_n(o)))."""
    counts = _check_counts_matrix(counts)
    coo = counts.tocoo() if sparse.issparse(counts) else None
    if coo is not None:
        rows, cols, values = coo.row, coo.col, coo.data
    else:
        rows, cols = np.nonzero(counts)
        values = counts[rows, cols]
    seen = values > 0
    rows, cols, values = rows[seen], cols[seen], values[seen]
    row_sums = np.asarray(counts.sum(axis=1), dtype=np.float64).ravel()
    col_sums = np.asarray(counts.sum(axis=0), dtype=np.float64).ravel()
    # Sums of logs rather than a product and a quotient: #(c, ·) #(·, o) overflows no float64 this way.
    if noise_probs is None:
        log_marginals = np.log(row_sums[rows]) + np.log(col_sums[cols]) - np.log(row_sums.sum())
    else:
        noise_probs = _check_noise_probs(noise_probs, counts.shape[1], col_sums)
        log_marginals = np.log(row_sums[rows]) + np.log(noise_probs[cols])
    return rows, cols, values.astype(np.float64), counts.shape, log_marginals


def _check_counts_matrix(counts):
    if sparse.issparse(counts):
        data = counts.tocoo().data
        shape = counts.shape
    else:
        counts = np.asarray(counts)
        data, shape = counts, counts.shape
    if len(shape) != 2 or 0 in shape:
        raise ParameterValueError("counts", f"must be a 2-D (V_c, V_o) matrix of pair counts, got shape {shape}")
    if data.size and not (np.issubdtype(data.dtype, np.integer) or np.issubdtype(data.dtype, np.floating)):
        raise ParameterTypeError("counts", f"must be numbers, got dtype {data.dtype}")
    if not np.all(np.isfinite(data)) or (data.size and data.min() < 0):
        raise ParameterValueError("counts", "must be finite and >= 0 (they count pairs)")
    if not data.size or data.max() == 0:
        raise ParameterValueError("counts", "are all zero: there is no pair to compute a PMI from")
    return counts


def _check_noise_probs(noise_probs, n_outside, col_sums):
    noise_probs = np.asarray(noise_probs, dtype=np.float64)
    if noise_probs.shape != (n_outside,):
        raise ParameterValueError("noise_probs", f"must have shape ({n_outside},), one probability per outside "
                                                 f"word (column of counts), got shape {noise_probs.shape}")
    if not np.all(np.isfinite(noise_probs)) or noise_probs.min() < 0:
        raise ParameterValueError("noise_probs", "must be finite probabilities >= 0")
    missing = np.flatnonzero((noise_probs == 0) & (col_sums > 0))
    if missing.size:
        raise ParameterValueError("noise_probs", f"is 0 for outside word {missing[0]}, which occurs in the "
                                                 "counts: its PMI would be +inf; use the noise distribution of "
                                                 "the same vocabulary")
    return noise_probs


def svd_embedding(matrix, dim, singular_value_power=0.5, seed=0):
    """Word vectors from the truncated SVD of a (V_c, V_o) matrix M, e.g. :func:`shifted_positive_pmi`'s.

    With M ≈ W_d Σ_d R_dᵀ (the d largest singular values on the diagonal of Σ_d, their left and right singular
    vectors as the columns of W_d and R_d), the center vectors are V = W_d Σ_d^p and the outside vectors
    U = R_d Σ_d^(1-p), p = ``singular_value_power``, so that V Uᵀ = W_d Σ_d R_dᵀ, the best rank-d approximation
    of M, whatever p. p = 1/2 splits Σ_d evenly between the two factors, as SGNS's V Uᵀ favours neither side
    (Levy and Goldberg's "SVD_1/2"); p is a choice, not a consequence of the factorization.

    A singular pair (w, r) is defined up to its sign: (-w, -r) is as good. This function picks the sign that
    makes the largest-magnitude entry of each w positive; cosines between rows of V do not depend on the
    choice. Nearly equal singular values leave even the directions within their span to round-off, so compare
    embeddings by their similarities, not their coordinates.

    Parameters
    ----------
    matrix : array_like or scipy sparse array, shape (V_c, V_o)
    dim : int
        d, with 1 <= d < min(V_c, V_o) (ARPACK's limit).
    singular_value_power : float in [0, 1], default 0.5
        p, the power of Σ_d given to the center vectors.
    seed : int or numpy.random.Generator, default 0
        Seeds ARPACK's starting vector, so the same seed gives the same result.

    Returns
    -------
    center_vectors : ndarray of float64, shape (V_c, d)
        V = W_d Σ_d^p.
    outside_vectors : ndarray of float64, shape (V_o, d)
        U = R_d Σ_d^(1-p).
    singular_values : ndarray of float64, shape (d,)
        The diagonal of Σ_d, largest first.
    """
    if not sparse.issparse(matrix):
        matrix = np.asarray(matrix, dtype=np.float64)
    if len(matrix.shape) != 2:
        raise ParameterValueError("matrix", f"must be 2-D, got shape {matrix.shape}")
    dim = check_int("dim", dim)
    if dim >= min(matrix.shape):
        raise ParameterValueError("dim", f"must be smaller than min(matrix.shape) = {min(matrix.shape)} for a "
                                         f"truncated SVD, got {dim}")
    power = check_real("singular_value_power", singular_value_power, minimum=0.0, hint=" (0, 1/2 or 1 usually)")
    if power > 1:
        raise ParameterValueError("singular_value_power", f"must be at most 1 (the outside vectors get Σ^(1 - p)), "
                                                          f"got {power}")
    rng = np.random.default_rng(check_seed("seed", seed))
    left, singular_values, right_t = svds(sparse.csr_array(matrix, dtype=np.float64), k=dim, rng=rng)
    order = np.argsort(-singular_values, kind="stable")  # ARPACK returns them smallest first
    left, singular_values, right = left[:, order], singular_values[order], right_t[order].T
    signs = np.sign(left[np.argmax(np.abs(left), axis=0), np.arange(dim)])
    signs[signs == 0] = 1
    left, right = left * signs, right * signs
    return left * singular_values**power, right * singular_values**(1 - power), singular_values
