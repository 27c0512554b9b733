"""Checks of notebook 09's exercises (visualization), called from its check cells.

* Exercise 9.1 asks for ``pca_project(points, n_components)``: the coordinates of the rows of ``points``
  (shape (n, d)) on their first ``n_components`` principal directions, shape (n, n_components), without
  scikit-learn's PCA. Principal directions are defined up to sign, so the exercise fixes scikit-learn's
  convention: each principal direction (a row of ``PCA.components_``, i.e. of R^T) is flipped so that its
  entry of largest absolute value is positive; the reference is ``PCA(...).fit_transform`` itself.
  Check cell: ``nb09.check_9_1(pca_project)``.
* Exercise 9.2 asks for ``perplexity(p)``: 2 to the power of the entropy in bits of a probability vector that
  may contain zeros, without ``scipy.stats.entropy``. Check cell: ``nb09.check_9_2(perplexity)``.
* Exercise 9.3 asks for ``answer_9_3``: how many times more row updates u_w receives than v_w in one epoch, for
  the numbers the exercise gives. Check cell: ``nb09.check_9_3(globals().get("answer_9_3"))``.
* Exercise 9.4 asks for ``neighbour_purity(vectors, labels, k)``: the mean fraction of each row's k nearest
  other rows (by cosine) that share its label, without the library's ``group_purity``.
  Check cell: ``nb09.check_9_4(neighbour_purity)``.

How the cases are chosen
------------------------
9.1: points whose mean is far from the origin (so that forgetting to centre them changes the directions),
columns of very different variance (so that the smallest-variance directions, which ``np.linalg.eigh`` lists
first, differ from the largest), fewer points than dimensions, and 1 and 3 components. On the first visible
case the coordinates' own largest entries and the directions' largest entries give different signs, so the
column-by-column sign rule fails where the student sees it.

9.2: a uniform distribution (the perplexity is the number of outcomes), a distribution with zeros (0 log 0
must count as 0, not NaN), a one-hot vector (perplexity 1), a skewed distribution, and a large uniform one.

9.4: clustered points with 4 labels and k = 3 and 7, where a row counted as its own neighbour, Euclidean
instead of cosine neighbours (the rows have very different norms) or the wrong axis change the result; and
points whose labels are random.
"""

import numpy as np
from scipy import stats
from sklearn.decomposition import PCA

from w2v_lib.checks import Case, Mistake, check_function, check_value

# ---------------------------------------------------------------------------------------------------------
# Exercise 9.1: PCA through the SVD

FORBIDDEN_9_1 = ("sklearn.decomposition.PCA", "sklearn.decomposition.PCA.fit_transform",
                 "sklearn.decomposition.PCA.fit")


def _direction_signs(directions):
    """Flip each row of ``directions`` (one principal direction per row) so its largest entry in absolute value
    is positive: scikit-learn's convention for ``PCA.components_`` (``svd_flip`` on the rows of Vt)."""
    directions = np.asarray(directions, dtype=np.float64)
    largest = directions[np.arange(len(directions)), np.argmax(np.abs(directions), axis=1)]
    return directions * np.where(largest < 0, -1.0, 1.0)[:, None]


def _pca(points, n_components):
    return PCA(n_components=n_components, svd_solver="full").fit_transform(points)


def _not_centred(points, n_components):
    _, _, directions = np.linalg.svd(points, full_matrices=False)
    return points @ _direction_signs(directions[:n_components]).T


def _smallest_variance(points, n_components):
    centred = points - points.mean(axis=0)
    _, eigenvectors = np.linalg.eigh(centred.T @ centred)  # ascending eigenvalues
    return centred @ _direction_signs(eigenvectors[:, :n_components].T).T


def _left_vectors_only(points, n_components):
    centred = points - points.mean(axis=0)
    left, _, directions = np.linalg.svd(centred, full_matrices=False)
    flipped = _direction_signs(directions[:n_components])
    return left[:, :n_components] * np.sign(np.sum(flipped * directions[:n_components], axis=1))


def _rows_of_directions(points, n_components):
    centred = points - points.mean(axis=0)
    _, _, directions = np.linalg.svd(centred)  # square R^T, so that its columns have d entries
    return centred @ _direction_signs(directions[:, :n_components].T).T  # columns of R^T taken as directions


def _column_signs(points, n_components):
    # The right coordinates up to sign, each column flipped by its own largest coordinate instead of by the
    # largest entry of its principal direction.
    projection = _pca(points, n_components)
    largest = projection[np.argmax(np.abs(projection), axis=0), np.arange(n_components)]
    return projection * np.where(largest < 0, -1.0, 1.0)


def _signs_not_fixed(points, n_components):
    centred = points - points.mean(axis=0)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    return centred @ directions[:n_components].T


MISTAKES_9_1 = (
    ("each column of the coordinates was flipped by its own largest entry; the convention fixes the sign of "
     "each principal direction instead: flip a direction (a row of R^T) so that its entry of largest absolute "
     "value is positive, then project", _column_signs),
    ("the coordinates are right up to the sign of a column, but the sign convention is missing: flip each "
     "principal direction (a row of R^T) so that its entry of largest absolute value is positive",
     _signs_not_fixed),
    ("the points are not centred: PCA measures variance around the mean, so subtract the mean of each column "
     "first", _not_centred),
    ("these are the directions of *smallest* variance: np.linalg.eigh lists eigenvalues in ascending order",
     _smallest_variance),
    ("these are the left singular vectors alone; the coordinates are the left singular vectors times the "
     "singular values (or the centred points times the right singular vectors)", _left_vectors_only),
    ("the right singular vectors are the *rows* of the third matrix np.linalg.svd returns, not its columns",
     _rows_of_directions),
)


def _cases_9_1():
    rng = np.random.default_rng(91)
    return [
        Case("20 points in 5 dimensions, far from the origin",
             (rng.normal(size=(20, 5)) * [5, 3, 2, 1, 0.5] + 10, 2)),
        Case("30 points in 10 dimensions, 3 components", (rng.normal(size=(30, 10)) * np.linspace(4, 1, 10) + 4, 3)),
        Case("fewer points than dimensions", (rng.normal(size=(6, 12)) * np.linspace(3, 1, 12) - 2, 2), hidden=True),
        Case("one component", (rng.normal(size=(8, 3)) @ np.diag([10.0, 1.0, 0.1]) + 1, 1), hidden=True),
    ]


def check_9_1(pca_project):
    """Exercise 9.1: PCA coordinates with the sign convention, on four cases, two hidden."""
    check_function("Exercise 9.1", pca_project, _pca, _cases_9_1(), atol=1e-8, rtol=1e-6,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_9_1],
                   forbidden=FORBIDDEN_9_1)


# ---------------------------------------------------------------------------------------------------------
# Exercise 9.2: the perplexity of a distribution

FORBIDDEN_9_2 = ("scipy.stats.entropy",)


def _perplexity(p):
    return float(2 ** stats.entropy(p, base=2))


def _entropy_bits(p):
    return float(stats.entropy(p, base=2))


MISTAKES_9_2 = (
    ("this is the entropy H itself; the perplexity is 2 to the power H", _entropy_bits),
    ("the entropy was taken in nats (np.log) but raised as bits (2 ** H): use log2 with 2 ** H, or log with "
     "exp(H)", lambda p: float(2 ** stats.entropy(p))),
    ("the entropy was taken in bits (np.log2) but raised as nats (np.exp(H)): use log2 with 2 ** H, or log with "
     "exp(H)", lambda p: float(np.exp(stats.entropy(p, base=2)))),
)


def _cases_9_2():
    rng = np.random.default_rng(92)
    skewed = rng.random(12) ** 4
    return [
        Case("uniform over 8 outcomes", (np.full(8, 1 / 8),)),
        Case("uniform over 4 of 10 outcomes, zero elsewhere", (np.array([0.25, 0, 0, 0.25, 0, 0.25, 0, 0, 0.25, 0]),)),
        Case("all the probability on one outcome", (np.array([0.0, 1.0, 0.0]),), hidden=True),
        Case("a skewed distribution", (skewed / skewed.sum(),), hidden=True),
        Case("uniform over 50 outcomes", (np.full(50, 0.02),), hidden=True),
    ]


def check_9_2(perplexity):
    """Exercise 9.2: the perplexity on five distributions, three hidden."""
    check_function("Exercise 9.2", perplexity, _perplexity, _cases_9_2(), atol=1e-9, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_9_2],
                   forbidden=FORBIDDEN_9_2)


# ---------------------------------------------------------------------------------------------------------
# Exercise 9.3: how many updates a row of V and a row of U receive

PAIRS_9_3, NEGATIVE_9_3, AS_CENTER_9_3, AS_OUTSIDE_9_3, NOISE_9_3 = 100_000, 5, 2_000, 2_000, 0.01


def check_9_3(answer_9_3):
    """Exercise 9.3: the ratio of row updates of u_w to those of v_w."""
    center_updates = AS_CENTER_9_3
    negative_updates = NEGATIVE_9_3 * PAIRS_9_3 * NOISE_9_3
    outside_updates = AS_OUTSIDE_9_3 + negative_updates
    mistakes = [
        Mistake("that is what 'U is trained as much as V' would give: u_w is also updated every time w is drawn "
                "as a negative", 1.0),
        Mistake("each pair updates K + 1 rows of U, but only the draws that fall on w update u_w: K P_n(w) per "
                "pair, over every pair of the epoch", (AS_OUTSIDE_9_3 * (1 + NEGATIVE_9_3)) / center_updates),
        Mistake("the negative draws alone; u_w is also updated in the pairs where w is the outside word",
                negative_updates / center_updates),
        Mistake("this is the ratio of V's updates to U's, upside down", center_updates / outside_updates),
    ]
    check_value("Exercise 9.3", answer_9_3, outside_updates / center_updates, atol=1e-9, rtol=1e-9,
                mistakes=mistakes)


# ---------------------------------------------------------------------------------------------------------
# Exercise 9.4: neighbour purity of the plotted words

LIBRARY_9_4 = ("w2v_lib.evaluate.group_purity", "w2v_lib.keyed_vectors.KeyedVectors.most_similar")


def _cosines(vectors):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit @ unit.T


def _purity_from(similarities, labels, k, exclude_self=True):
    similarities = similarities.copy()
    if exclude_self:
        np.fill_diagonal(similarities, -np.inf)
    nearest = np.argsort(-similarities, axis=1, kind="stable")[:, :k]
    return float(np.mean(labels[nearest] == labels[:, None]))


def _purity(vectors, labels, k):
    return _purity_from(_cosines(np.asarray(vectors, dtype=np.float64)), np.asarray(labels), k)


MISTAKES_9_4 = (
    ("each row counts itself among its k nearest neighbours: leave the row itself out",
     lambda vectors, labels, k: _purity_from(_cosines(vectors), labels, k, exclude_self=False)),
    ("these are the nearest rows by Euclidean distance; the exercise asks for cosine similarity (normalize "
     "the rows first)",
     lambda vectors, labels, k: _purity_from(-np.linalg.norm(vectors[:, None] - vectors[None], axis=-1), labels, k)),
    ("these are the k *least* similar rows: sort the similarities in decreasing order",
     lambda vectors, labels, k: _purity_from(-_cosines(vectors) + np.where(np.eye(len(vectors)), np.inf, 0),
                                             labels, k, exclude_self=False)),
)


def _cases_9_4():
    rng = np.random.default_rng(94)
    centres = rng.normal(size=(4, 6))
    clustered = (np.repeat(centres, 10, axis=0) + 0.8 * rng.normal(size=(40, 6))) * rng.uniform(0.2, 5, (40, 1))
    labels = np.repeat(np.array(["a", "b", "c", "d"]), 10)
    return [
        Case("4 clusters of 10, k = 3", (clustered, labels, 3)),
        Case("4 clusters of 10, k = 7", (clustered, labels, 7), hidden=True),
        Case("random labels", (rng.normal(size=(25, 5)), rng.integers(0, 3, size=25), 4), hidden=True),
    ]


def check_9_4(neighbour_purity):
    """Exercise 9.4: neighbour purity on three cases, two hidden."""
    check_function("Exercise 9.4", neighbour_purity, _purity, _cases_9_4(), atol=1e-12, rtol=1e-12,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_9_4],
                   library=LIBRARY_9_4)
