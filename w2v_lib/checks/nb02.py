"""Checks of notebook 02's exercises (the naive softmax loss), called from its check cells.

* Exercise 2.1 (derive first) asks for ``log_softmax(scores)``, log softmax(z) of a 1-D array of scores,
  finite for any finite scores, without SciPy's ready-made functions or the library. Check cell:
  ``nb02.check_2_1(log_softmax)``.
* Exercise 2.2 (derive first) asks for ``naive_softmax_grad_outside_vectors(center_vec, outside_idx,
  outside_vectors)``, ∇_U J = (ŷ - y) v_cᵀ of shape (V, d), with a softmax that cannot overflow. Check cell:
  ``nb02.check_2_2(naive_softmax_grad_outside_vectors)``.
* Exercise 2.3 (derive first) asks for ``answer_2_3``, ∇_{v_c} J by hand for |V| = 3, d = 2, o = 0,
  v_c = 0 and U = [[1, 2], [0, 1], [3, 0]]. Check cell: ``nb02.check_2_3(globals().get("answer_2_3"))``.
* Exercise 2.4 (derive first) asks for ``answer_2_4``, the floating-point operations of one call of the full
  softmax's loss and gradients at |V| = 71,000 and d = 100, to leading order. Check cell:
  ``nb02.check_2_4(globals().get("answer_2_4"))``.

V is |𝒱|, the vocabulary size, and d the dimension, in the shapes above.

How the cases are chosen
------------------------
2.1: ordinary scores; large scores close together and large negative ones (stated in the task). Hidden: two
scores far apart, where shifting by the minimum still overflows and the log of the shifted softmax takes the
log of an underflowed 0; one score far above three equal ones, where shifting by the mean overflows; a single
score; fifty random ones.

2.2: ordinary scores; hidden: scores far above the overflow threshold of e^z, and scores so negative that
every e^z underflows to 0, both of which break a softmax without the max shift (NaN); more dimensions than
words, so a transposed outer product has another shape; v_c = 0, where ŷ is uniform.
"""

import numpy as np
from scipy.special import log_softmax as _scipy_log_softmax

from w2v_lib.checks import Case, Mistake, check_function, check_value
from w2v_lib.losses import naive_softmax_loss_and_gradient

FORBIDDEN_SOFTMAX = ("scipy.special.logsumexp", "scipy.special.log_softmax", "scipy.special.softmax")
FORBIDDEN_2_1 = FORBIDDEN_SOFTMAX + ("numpy.logaddexp",)
LIBRARY = ("w2v_lib.losses.naive_softmax_loss_and_gradient",)


def _quietly(function):
    """``function`` with numpy's floating-point warnings off: mistakes overflow on purpose."""
    return np.errstate(all="ignore")(function)


# ---------------------------------------------------------------------------------------------------------
# Exercise 2.1: a stable log-softmax


def _log_softmax(scores):
    return _scipy_log_softmax(np.asarray(scores, dtype=np.float64))


def _shifted_by(shift):
    """log-softmax computed by subtracting ``shift(z)`` before exponentiating."""
    def log_softmax(scores):
        shifted = scores - shift(scores)
        return shifted - np.log(np.sum(np.exp(shifted)))
    return _quietly(log_softmax)


MISTAKES_2_1 = (
    ("shifted by the minimum: the largest score, minus the smallest, can still overflow; shift by the "
     "maximum",
     _shifted_by(np.min)),
    ("shifted by the mean: a score far above the mean still overflows; shift by the maximum",
     _shifted_by(np.mean)),
    ("no shift: e^z overflows to infinity once a score is above about 709", _shifted_by(lambda z: 0.0)),
    ("the log of the shifted softmax: ŷ_w underflows to 0 for a score far below the largest, and "
     "log 0 = -inf; compute (z_w - a) - log Σ_j e^{z_j - a} instead",
     _quietly(lambda z: np.log(np.exp(z - z.max()) / np.sum(np.exp(z - z.max()))))),
    ("the log of the sum is missing: after the shift, subtract log Σ_j e^{z_j - a}",
     lambda z: z - z.max()),
    ("the sum itself subtracted: subtract its log, log Σ_j e^{z_j - a}",
     lambda z: z - z.max() - np.sum(np.exp(z - z.max()))),
)


def check_2_1(log_softmax):
    """Exercise 2.1: compare the student's log-softmax with SciPy's on seven cases, four hidden."""
    rng = np.random.default_rng(21)
    cases = [
        Case("ordinary scores", (np.array([0.5, -1.0, 2.0]),)),
        Case("large scores close together", (np.array([1000.0, 1001.0, 999.0]),)),
        Case("large negative scores", (np.array([-1000.0, -1002.0]),)),
        Case("two scores far apart", (np.array([0.0, 1000.0]),), hidden=True),
        Case("one score far above three equal ones", (np.array([0.0, 0.0, 0.0, 1500.0]),), hidden=True),
        Case("a single score", (np.array([3.0]),), hidden=True),
        Case("fifty random scores", (rng.normal(size=50),), hidden=True),
    ]
    check_function("Exercise 2.1", log_softmax, _log_softmax, cases, atol=1e-10, rtol=1e-10,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_2_1],
                   forbidden=FORBIDDEN_2_1, library=LIBRARY)


# ---------------------------------------------------------------------------------------------------------
# Exercise 2.2: the gradient with respect to U


def _grad_outside_vectors(center_vec, outside_idx, outside_vectors):
    return naive_softmax_loss_and_gradient(center_vec, outside_idx, outside_vectors)[2]


def _softmax_error(center_vec, outside_idx, outside_vectors, shift=True):
    """ŷ - y, with or without the max shift."""
    scores = outside_vectors @ center_vec
    exps = np.exp(scores - scores.max()) if shift else np.exp(scores)
    error = exps / exps.sum()
    error[outside_idx] -= 1.0
    return error


def _only_row_o(center_vec, outside_idx, outside_vectors):
    grad = np.zeros_like(outside_vectors)
    grad[outside_idx] = _softmax_error(center_vec, outside_idx, outside_vectors)[outside_idx] * center_vec
    return grad


def _without_y(center_vec, outside_idx, outside_vectors):
    error = _softmax_error(center_vec, outside_idx, outside_vectors)
    error[outside_idx] += 1.0  # back to ŷ
    return np.outer(error, center_vec)


MISTAKES_2_2 = (
    ("the softmax without the max shift: e^z overflows for large scores (infinity over infinity is NaN), and "
     "for very negative ones every e^z underflows to 0 (0/0)",
     _quietly(lambda v, o, U: np.outer(_softmax_error(v, o, U, shift=False), v))),
    ("the outer product the wrong way round: row w of ∇_U J is (ŷ_w - y_w) v_c, so the result is "
     "(ŷ - y) v_cᵀ of shape (V, d)", lambda v, o, U: np.outer(v, _softmax_error(v, o, U))),
    ("the sign: this is (y - ŷ) v_cᵀ, the gradient of -J",
     lambda v, o, U: -np.outer(_softmax_error(v, o, U), v)),
    ("the one-hot y is missing: row o gets (ŷ_o - 1) v_c, the others ŷ_w v_c", _without_y),
    ("only row o: every score z_w depends on its own row u_w, so every row w gets (ŷ_w - y_w) v_c",
     _only_row_o),
    ("u_o in place of v_c: the derivative of z_w = u_w·v_c with respect to u_w is v_c",
     lambda v, o, U: np.outer(_softmax_error(v, o, U), U[o])),
)


def check_2_2(naive_softmax_grad_outside_vectors):
    """Exercise 2.2: compare the student's ∇_U J with the library's on six cases, four hidden."""
    rng = np.random.default_rng(22)
    huge_rng = np.random.default_rng(222)
    huge_outside_vectors = huge_rng.normal(size=(6, 3))
    huge_center_vec = 600 * huge_rng.normal(size=3)  # scores of several hundred, some beyond 709
    cases = [
        Case("ordinary scores", (rng.normal(size=4), 3, rng.normal(size=(7, 4)))),
        Case("another word as the outside word", (rng.normal(size=3), 0, rng.normal(size=(5, 3)))),
        Case("large scores, beyond what e^z can hold", (huge_center_vec, 2, huge_outside_vectors),
             hidden=True),
        Case("very negative scores only", (-np.abs(huge_center_vec), 4, np.abs(huge_outside_vectors)),
             hidden=True),
        Case("more dimensions than words", (rng.normal(size=6), 1, rng.normal(size=(3, 6))), hidden=True),
        Case("v_c = 0, every score equal", (np.zeros(4), 2, rng.normal(size=(5, 4))), hidden=True),
    ]
    check_function("Exercise 2.2", naive_softmax_grad_outside_vectors, _grad_outside_vectors, cases,
                   atol=1e-10, rtol=1e-8,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_2_2],
                   forbidden=FORBIDDEN_SOFTMAX, library=LIBRARY)


# ---------------------------------------------------------------------------------------------------------
# Exercise 2.3: ∇_{v_c} J by hand


def check_2_3(answer_2_3):
    """Exercise 2.3: Uᵀ(ŷ - y) with v_c = 0 (so ŷ is uniform), o = 0, U = [[1, 2], [0, 1], [3, 0]]."""
    outside_vectors = np.array([[1.0, 2.0], [0.0, 1.0], [3.0, 0.0]])
    expected = naive_softmax_loss_and_gradient(np.zeros(2), 0, outside_vectors)[1]
    y_hat = np.full(3, 1 / 3)
    mistakes = [
        Mistake("the sign: this is Uᵀ(y - ŷ), the gradient of -J", -expected),
        Mistake("the one-hot y is missing: Uᵀŷ is the outside vector the model expects; the gradient "
                "subtracts the observed one, u_o", outside_vectors.T @ y_hat),
        Mistake("only the observed word's term -u_o: every score depends on v_c, so the expected vector "
                "Σ_w ŷ_w u_w is added to it", -outside_vectors[0]),
        Mistake("zero: with v_c = 0 every score is 0, so ŷ is uniform over the 3 words, not the one-hot y",
                np.zeros(2)),
    ]
    check_value("Exercise 2.3", answer_2_3, expected, atol=1e-9, rtol=1e-9, mistakes=mistakes)


# ---------------------------------------------------------------------------------------------------------
# Exercise 2.4: the operations of one call


def check_2_4(answer_2_4):
    """Exercise 2.4: 2|V|d (scores) + 2|V|d (Uᵀ(ŷ - y)) + |V|d (outer product) = 5|V|d, to leading order.

    The tolerance (0.5 %) also accepts the exact count 5|V|d - |V| - d, which differs by 0.2 %.
    """
    size = 71_000 * 100  # |V|·d
    mistakes = [
        Mistake("each matrix-vector product counted as |V|·d operations: it takes |V|·d multiplications and "
                "about as many additions", 3 * size),
        Mistake("the outer product (ŷ - y) v_cᵀ is missing: it computes |V|·d products too", 4 * size),
        Mistake("the outer product counted like a matrix-vector product: it multiplies but adds nothing",
                6 * size),
        Mistake("only the scores z = U v_c: the gradients cost more than the scores", 2 * size),
        Mistake("the SGD step counted as well: the question asks for the call alone", 7 * size),
    ]
    check_value("Exercise 2.4", answer_2_4, 5 * size, atol=0, rtol=5e-3, mistakes=mistakes)
