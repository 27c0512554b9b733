"""Scatter-add: ``target[indices[i, j]] += weights[i, j] * vectors[i]`` with repeated rows, as a sparse product.

Taught in notebook 07 (vectorized training), after notebook 03 showed that ``+=`` with fancy indexing keeps one
update per repeated row and ``np.add.at`` keeps them all. In a minibatch a word's updates from all its
occurrences (as a center, an outside word or a negative) must add up; here the sum for each distinct row is
the product of a sparse (R × B) weight matrix with the (B, d) vectors. Sorting the indices once, which depends
only on the indices and not on the parameters (:func:`scatter_plan`), lays out that matrix; the minibatch
trainer makes the plans ahead of time, in its background thread.

Shapes: B vectors (pairs of a batch), J indices per vector, R distinct indices, d = ``dim``.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse

from w2v_lib._validation import ParameterIndexError, ParameterValueError, check_matrix


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
        The vector that each sorted entry scales: its row b = ``order // J``, or ``groups[b]`` for a plan made
        with groups (the CBOW trainer's: the outside words of a window all take their window's one vector).
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
        raise ParameterValueError("indices", f"must be a 2-D integer array of shape (B, J), got shape "
                                             f"{indices.shape} and dtype {indices.dtype}")
    if indices.size and indices.min() < 0:
        raise ParameterIndexError("indices", f"must be row numbers >= 0, got {indices.min()}")
    return _scatter_plan(indices)


def _scatter_plan(indices, groups=None):
    """:func:`scatter_plan`, unchecked; with ``groups`` (int array, shape (B,)), row b scales vector ``groups[b]``."""
    flat = indices.ravel()
    order = _stable_argsort(flat)
    sorted_indices = flat[order]
    is_first = np.diff(sorted_indices, prepend=sorted_indices[:1] - 1) != 0  # where each run of an index starts
    firsts = np.flatnonzero(is_first)
    inverse = np.empty_like(order)
    inverse[order] = np.cumsum(is_first) - 1
    # scipy.sparse copies index arrays to int32 when their values fit: made here, off the training thread.
    index_dtype = np.int32 if len(flat) < 2**31 else np.int64
    sources = order // indices.shape[1]
    if groups is not None:
        sources = groups[sources]
    return ScatterPlan(rows=sorted_indices[firsts], inverse=inverse.reshape(indices.shape), order=order,
                       row_starts=np.append(firsts, len(flat)).astype(index_dtype),
                       sources=sources.astype(index_dtype))


def _segment_plan(starts, sources):
    """The :class:`ScatterPlan` of entries already grouped in runs: the sums of run r (``starts[r]`` up to the next
    start) over the vectors ``sources[i]`` of its entries i, with :func:`scatter_sums`.

    The trainer's sums per prediction: a CBOW window's mean over its outside words' rows, a prediction's
    gradient over the inner nodes of its path. Its ``rows`` are the run numbers and ``inverse`` is left empty.
    """
    n_entries = len(sources)
    index_dtype = np.int32 if n_entries < 2**31 else np.int64
    return ScatterPlan(rows=np.arange(len(starts)), inverse=np.empty((0, 1), dtype=np.intp),
                       order=np.arange(n_entries), row_starts=np.append(starts, n_entries).astype(index_dtype),
                       sources=sources.astype(index_dtype))


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
    are never built. The trainer calls it with arrays it made itself: nothing is checked.

    Parameters
    ----------
    plan : ScatterPlan
        ``scatter_plan(indices)``.
    weights : float array, shape (B, J)
    vectors : float array, shape (B, d)
        Or (G, d) for a plan made with groups, vector g scaled for every row b with ``groups[b] = g``.

    Returns
    -------
    ndarray, shape (R, d)
        Row r is the sum for index ``plan.rows[r]``.
    """
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
    weights = check_matrix("weights", weights, shape=plan.inverse.shape)
    vectors = check_matrix("vectors", vectors, shape=(plan.inverse.shape[0], target.shape[1]))
    if plan.rows.size and plan.rows[-1] >= len(target):
        raise ParameterIndexError("indices", f"contains {plan.rows[-1]}, out of range for a target of "
                                             f"{len(target)} rows")
    target[plan.rows] = np.take(target, plan.rows, axis=0) + scatter_sums(plan, weights, vectors)
