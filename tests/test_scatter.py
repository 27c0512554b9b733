"""Tests of w2v_lib.scatter: the scatter-add against np.add.at and hand-worked plans."""

import numpy as np
import pytest

from w2v_lib import scatter


def test_scatter_add_products_matches_np_add_at_with_repeats():
    rng = np.random.default_rng(0)
    target = rng.normal(size=(6, 4))
    indices = rng.integers(0, 4, size=(30, 3))  # 90 updates into 4 rows: every row repeats many times
    weights = rng.normal(size=(30, 3))
    vectors = rng.normal(size=(30, 4))
    expected = target.copy()
    np.add.at(expected, indices.ravel(), (weights[:, :, None] * vectors[:, None, :]).reshape(-1, 4))
    got = target.copy()
    scatter.scatter_add_products(got, indices, weights, vectors)
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-12)
    # Fancy-index `+=` keeps one update per repeated row, which this test would catch.
    wrong = target.copy()
    wrong[indices.ravel()] += (weights[:, :, None] * vectors[:, None, :]).reshape(-1, 4)
    assert not np.allclose(wrong, expected)


def test_scatter_plan_by_hand():
    # Flat entries of [[2, 0], [2, 2]]: 0 -> row 2, 1 -> row 0, 2 -> row 2, 3 -> row 2. Sorted by row (ties in
    # entry order): 1 | 0 2 3, so row 0 owns sorted entries 0..1 and row 2 entries 1..4; entry i scales
    # vector i // 2.
    plan = scatter.scatter_plan(np.array([[2, 0], [2, 2]]))
    assert plan.rows.tolist() == [0, 2]
    assert plan.row_starts.tolist() == [0, 1, 4]
    assert plan.order.tolist() == [1, 0, 2, 3]
    assert plan.sources.tolist() == [0, 0, 1, 1]
    assert plan.inverse.tolist() == [[1, 0], [1, 1]]  # rows[inverse] is the index array again
    with pytest.raises(ValueError, match="2-D integer"):
        scatter.scatter_plan(np.array([1, 2]))
    with pytest.raises(IndexError, match=">= 0"):
        scatter.scatter_plan(np.array([[1, -1]]))


def test_scatter_plan_sorts_large_indices_like_a_stable_argsort():
    # Indices above 2**16 and 2**32 need more than one 16-bit radix pass; many ties check the stability.
    rng = np.random.default_rng(2)
    for high in (300, 70_000, 2**40):
        indices = rng.integers(0, high, size=(500, 4)) // 7 * 7
        plan = scatter.scatter_plan(indices)
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
    scatter.scatter_add_products(got, indices, weights, vectors, plan=scatter.scatter_plan(indices))
    assert got.dtype == np.float32
    # float32 sums of up to ~600 terms of size ~1: rounding errors of a few 1e-5.
    assert np.allclose(got, expected, rtol=0, atol=2e-4)
    assert np.array_equal(got[40:], target[40:])
    with pytest.raises(ValueError, match="weights must have shape \\(200, 6\\), got shape \\(200, 5\\)"):
        scatter.scatter_add_products(got, indices, weights[:, :5], vectors)
