"""Checks of notebook 00's exercises (windows, pairs, the two matrices), called from its check cells.

* Exercise 0.1 (derive first) asks for ``count_pairs(n_tokens, window)``: the number of (center, outside)
  pairs of a sentence of N tokens with windows of m words on each side, cut at the sentence's ends.
  Check cell: ``nb00.check_0_1(count_pairs)``.
* Exercise 0.2 asks for ``fixed_window_pairs(token_ids, window)``: every (center id, outside id) pair of a
  sentence as an int array of shape (n_pairs, 2), by center position, then outside position, without the
  library's ``window_pairs``. Check cell: ``nb00.check_0_2(fixed_window_pairs)``.
* Exercise 0.3 asks for ``pair_scores(pairs, center_vectors, outside_vectors)``: the score u_o·v_c of every
  row (c, o) of ``pairs``, shape (n_pairs,). Check cell: ``nb00.check_0_3(pair_scores)``.
* ``check_demo(answer)`` is not an exercise: notebook 00 calls it to show what a check says.

How the cases are chosen
------------------------
0.1: sentences longer than the window (the formula the lesson's example suggests), and, hidden, sentences
as long as the window, shorter than it, of one token and of none: there the sum over distances stops at
N - 1, which breaks a formula derived for long sentences only.

0.2: the running example (ids equal to positions); repeated words, where ids and positions differ and a word
meets itself; hidden: a sentence shorter than the window, a single token (no pairs, shape (0, 2)), a window of
one, and a longer random sentence with many repeats. A slice ``token_ids[t - window:t]`` with a negative start
loses the left context of the first positions; comparing ids instead of positions drops a word's pairs with
its own other occurrences.

0.3: U and V differ everywhere, so taking a vector from the wrong matrix changes every score; a word paired
with itself (hidden), where u_w·v_w differs from v_w·v_w and from u_w·u_w; a single pair; no pairs at all;
vectors of one dimension.
"""

import numpy as np

from w2v_lib.checks import Case, Mistake, check_function, check_value

LIBRARY_0_2 = ("w2v_lib.sampling.window_pairs",)


# ---------------------------------------------------------------------------------------------------------
# Exercise 0.1: how many (center, outside) pairs a sentence gives


def _count_pairs(n_tokens, window):
    """The right answer by brute force: position t has min(t, m) words on its left, min(N - 1 - t, m) on its
    right."""
    return sum(min(t, window) + min(n_tokens - 1 - t, window) for t in range(n_tokens))


MISTAKES_0_1 = (
    ("every window counted as full (2m outside words); near the ends of the sentence the window is cut",
     lambda n, m: 2 * m * n),
    ("one side only: the words on the left of a center count as well as those on its right",
     lambda n, m: sum(min(n - 1 - t, m) for t in range(n))),
    ("the formula for long sentences applied to a short one: a distance j has pairs only while j < N, so "
     "the sum over distances stops at N - 1", lambda n, m: 2 * m * n - m * (m + 1)),
    ("only the full windows counted: the positions near the ends are centers too, with shorter windows",
     lambda n, m: 2 * m * max(n - 2 * m, 0)),
    ("off by one: exactly N - j positions have a neighbour at distance j on their right",
     lambda n, m: 2 * sum(max(n - j + 1, 0) for j in range(1, m + 1))),
)


def check_0_1(count_pairs):
    """Exercise 0.1: compare the student's count with brute force on nine sentence lengths, five hidden."""
    cases = [
        Case("the running example's length and window", (10, 2)),
        Case("a longer sentence", (100, 5)),
        Case("a sentence of two full windows' worth of tokens", (23, 4)),
        Case("window 1", (7, 1)),
        Case("a sentence exactly as long as the window", (5, 5), hidden=True),
        Case("a sentence shorter than the window", (3, 5), hidden=True),
        Case("a sentence of one token", (1, 5), hidden=True),
        Case("an empty sentence", (0, 3), hidden=True),
        Case("a sentence one token longer than the window", (6, 5), hidden=True),
    ]
    check_function("Exercise 0.1", count_pairs, _count_pairs, cases, atol=0, rtol=0,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_0_1])


# ---------------------------------------------------------------------------------------------------------
# Exercise 0.2: every (center, outside) pair of a sentence


def _pairs(token_ids, window):
    """The right answer, from a distance mask: positions t, t' pair when 1 <= |t - t'| <= m."""
    token_ids = np.asarray(token_ids)
    positions = np.arange(len(token_ids))
    distance = np.abs(positions[:, None] - positions[None, :])
    centers, outsides = np.nonzero((distance >= 1) & (distance <= window))  # row by row: by center position
    return np.stack([token_ids[centers], token_ids[outsides]], axis=1).astype(np.int64).reshape(-1, 2)


def _pairs_with(token_ids, window, keep, left_start=lambda t, m: max(0, t - m), right_end=None):
    """Pairs of positions (t, t') from a rule, as ids; the building block of the mistakes below."""
    token_ids = list(np.asarray(token_ids))
    n = len(token_ids)
    pairs = []
    for t in range(n):
        stop = min(n, t + window + 1) if right_end is None else right_end(t, window, n)
        outside = list(range(n))[left_start(t, window):t] + list(range(t + 1, stop))
        pairs += [(token_ids[t], token_ids[other]) for other in outside if keep(t, other, token_ids)]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


MISTAKES_0_2 = (
    ("a negative slice start: near the start of the sentence `token_ids[t - window:t]` starts from the end "
     "of the array (Python counts negative indices from the end); cut the start at 0",
     lambda ids, m: _pairs_with(ids, m, lambda t, o, w: True, left_start=lambda t, m: t - m)),
    ("pairs dropped where the outside word is the same word as the center: skip the center's position, not "
     "every occurrence of its word", lambda ids, m: _pairs_with(ids, m, lambda t, o, w: w[o] != w[t])),
    ("the two columns swapped: column 0 holds the center word, column 1 the outside word",
     lambda ids, m: _pairs(ids, m)[:, ::-1]),
    ("positions instead of word ids: look each position up in `token_ids`",
     lambda ids, m: _pairs(np.arange(len(ids)), m)),
    ("the window stops one word short on the right: offsets run from -m to +m, both included",
     lambda ids, m: _pairs_with(ids, m, lambda t, o, w: True, right_end=lambda t, m, n: min(n, t + m))),
    ("only full windows: the positions near the ends are centers too, with the window cut at the ends",
     lambda ids, m: _pairs_with(ids, m, lambda t, o, w: m <= t < len(w) - m)),
)


def check_0_2(fixed_window_pairs):
    """Exercise 0.2: compare with the distance-mask reference on seven cases, four hidden."""
    rng = np.random.default_rng(2)
    cases = [
        Case("the running example, ids 0 to 9", (np.arange(10), 2)),
        Case("repeated words", (np.array([5, 1, 5, 2, 1]), 2)),
        Case("window 3", (np.array([4, 0, 3, 3, 1, 2, 0]), 3)),
        Case("a sentence shorter than the window", (np.array([3, 4]), 5), hidden=True),
        Case("a single token", (np.array([7]), 2), hidden=True),
        Case("window 1, a word repeated next to itself", (np.array([2, 2, 6, 2]), 1), hidden=True),
        Case("a longer sentence with many repeats", (rng.integers(0, 5, size=30), 4), hidden=True),
    ]
    check_function("Exercise 0.2", fixed_window_pairs, _pairs, cases, atol=0, rtol=0,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_0_2],
                   library=LIBRARY_0_2)


# ---------------------------------------------------------------------------------------------------------
# Exercise 0.3: the scores of many (center, outside) pairs at once


def _scores(pairs, center_vectors, outside_vectors):
    """The right answer, one dot product at a time."""
    return np.array([center_vectors[c] @ outside_vectors[o] for c, o in np.asarray(pairs).reshape(-1, 2)],
                    dtype=np.float64)


def _rowwise(left, right):
    return np.einsum("ij,ij->i", left, right)


MISTAKES_0_3 = (
    ("the two matrices swapped: the center word's vector is a row of V (`center_vectors`), the outside "
     "word's a row of U (`outside_vectors`)",
     lambda p, V, U: _rowwise(U[p[:, 0]], V[p[:, 1]])),
    ("both vectors taken from `center_vectors`: the outside word's vector is its row of U",
     lambda p, V, U: _rowwise(V[p[:, 0]], V[p[:, 1]])),
    ("both vectors taken from `outside_vectors`: the center word's vector is its row of V",
     lambda p, V, U: _rowwise(U[p[:, 0]], U[p[:, 1]])),
    ("the matrix product of the gathered rows scores every center against every outside word; each pair "
     "needs only its own dot product (the diagonal of that matrix)",
     lambda p, V, U: V[p[:, 0]] @ U[p[:, 1]].T),
)


def check_0_3(pair_scores):
    """Exercise 0.3: compare the student's scores with one dot product per pair on six cases, four hidden."""
    rng = np.random.default_rng(3)
    center_vectors, outside_vectors = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    thin_rng = np.random.default_rng(33)
    cases = [
        Case("three pairs", (np.array([[0, 1], [2, 5], [2, 0]]), center_vectors, outside_vectors)),
        Case("repeated pairs", (np.array([[4, 3], [4, 3], [1, 4]]), center_vectors, outside_vectors)),
        Case("a word paired with itself", (np.array([[3, 3], [0, 3]]), center_vectors, outside_vectors),
             hidden=True),
        Case("a single pair", (np.array([[5, 2]]), center_vectors, outside_vectors), hidden=True),
        Case("no pairs at all", (np.zeros((0, 2), dtype=np.int64), center_vectors, outside_vectors),
             hidden=True),
        Case("vectors of one dimension",
             (np.array([[0, 1], [1, 0], [2, 2]]), thin_rng.normal(size=(3, 1)), thin_rng.normal(size=(3, 1))),
             hidden=True),
    ]
    check_function("Exercise 0.3", pair_scores, _scores, cases, atol=1e-12, rtol=1e-10,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_0_3])


# ---------------------------------------------------------------------------------------------------------
# The demonstration of notebook 00's "how checks work"


def check_demo(answer):
    """A demonstration check: how many full windows (m = 2 words on each side) the running example has."""
    mistakes = [Mistake("every position counted: the first and last m positions have no full window, their "
                        "windows are cut at the ends of the sentence", 10)]
    check_value("Demo", answer, 6, atol=0, rtol=0, mistakes=mistakes)
