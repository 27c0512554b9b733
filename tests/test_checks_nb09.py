"""Exercise 9.1's sign convention against scikit-learn.

The exercise states the rule "flip each principal direction so that its entry of largest absolute value is
positive, then project". It is implemented here independently (numpy's SVD), and must give scikit-learn's
``PCA().fit_transform``, which the check uses as its reference, on random inputs of several shapes. The rule
that flips each column of the coordinates by its own largest entry (what the exercise said before) must
disagree with it on most inputs, and the check must name it.
"""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from w2v_lib.checks import CheckFailed, nb09


def stated_rule(points, n_components):
    centred = points - points.mean(axis=0)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    directions = directions[:n_components]
    largest = directions[np.arange(n_components), np.argmax(np.abs(directions), axis=1)]
    return centred @ (directions * np.sign(largest)[:, None]).T


def column_rule(points, n_components):
    centred = points - points.mean(axis=0)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    coordinates = centred @ directions[:n_components].T
    largest = coordinates[np.argmax(np.abs(coordinates), axis=0), np.arange(n_components)]
    return coordinates * np.sign(largest)


def random_inputs(count=200):
    rng = np.random.default_rng(2026)
    for n_points, dim, n_components in [(6, 5, 3), (20, 5, 2), (8, 30, 4), (50, 10, 1)]:
        for _ in range(count // 4):
            yield rng.normal(size=(n_points, dim)) * rng.uniform(0.5, 3, size=dim) + rng.normal(size=dim), n_components


def test_the_stated_rule_is_scikit_learns():
    for points, n_components in random_inputs():
        expected = PCA(n_components=n_components, svd_solver="full").fit_transform(points)
        np.testing.assert_allclose(stated_rule(points, n_components), expected, atol=1e-9)
        np.testing.assert_allclose(nb09._pca(points, n_components), expected, atol=1e-12)


def test_the_column_rule_is_not():
    inputs = list(random_inputs())
    agree = sum(np.allclose(column_rule(points, k), nb09._pca(points, k), atol=1e-9) for points, k in inputs)
    assert agree < len(inputs) / 2


def test_the_check_passes_the_rule_and_names_the_column_rule(capsys):
    nb09.check_9_1(stated_rule)
    assert "✓ Exercise 9.1" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="each column of the coordinates was flipped by its own largest entry"):
        nb09.check_9_1(column_rule)
