"""Checks of notebook 05's exercises (corpus, vocabulary, sampling), called from its check cells.

* Exercise 5.1 asks for ``answer_5_1``, the constant λ such that word2vec.c's keep-probability
  min(1, sqrt(τ/f) + τ/f) is below 1 exactly when f(w) > λ·τ. Check cell:
  ``nb05.check_5_1(globals().get("answer_5_1"))``.
* Exercise 5.2 asks for ``alias_table(noise_probs)`` returning ``(accept, alias)``, Vose's alias table, built in
  O(|V|) without the library's ``_alias_table`` or ``NegativeSampler``. Check cell: ``nb05.check_5_2(alias_table)``.
* Exercise 5.3 asks for ``expected_pairs(n_tokens, window)``, the expected number of (center, outside) pairs
  of one sentence under word2vec.c's dynamic window. Check cell: ``nb05.check_5_3(expected_pairs)``.
* Exercise 5.4 asks for ``repeat_probability(noise_probs, negative)``, the probability that a pair's K negatives
  draw some word twice, exactly, in O(|V| K) operations. Check cell: ``nb05.check_5_4(repeat_probability)``.

How the cases are chosen
------------------------
An alias table is not unique (any under-full column may be paired with any over-full one), so exercise 5.2 is
not compared with a reference table: the check computes, from the student's ``accept`` and ``alias``, the
probability with which the table draws each word, and compares that with ``noise_probs``. When it differs, it
says which part of the construction gives the wrong mass. Its cases:

* four words (the notebook's cumulative-table example) and a Zipf-like distribution: the plain cases;
* one word, and a uniform distribution (hidden): every column is exactly full, nothing to pair;
* a word with probability 0 (hidden): its column goes entirely to its alias, and it must never be drawn;
* probabilities that do not sum exactly to 1 in floating point (hidden): round-off leaves a column a hair
  under 1 when no over-full word is left, which breaks a loop that runs ``while small:`` alone;
* a large vocabulary (hidden), timed at sizes 2^11 to 2^17: the CPU time must grow by less than 2.9 times per
  doubling of |V|, measured over up to three doublings (an O(|V|) build grows about 2 times, an O(|V|^2) one,
  with a search over all words or ``list.pop(0)`` at each step, 3.5 to 4 times once its quadratic part
  dominates, and times are judged only above 0.2 s, where it does). The sizes are timed without the watch of
  the checks (whose profile hook slows every call and would hide the quadratic part); the largest is then
  built once more under the watch and judged like the other cases.

Exercise 5.3's cases break the usual shortcuts: a one-word sentence, a sentence shorter than the window
(distances beyond the sentence must not count), a window of 1 (the dynamic window is then fixed), and long
sentences where the ends matter little but still count. Exercise 5.4's break the usual shortcuts of the
birthday problem with unequal probabilities: K = 2 (where the expected number of agreeing pairs, the
independent-pairs formula and the exact answer coincide) and K > 2 (where they differ), K = 1, equally likely
words (where the textbook birthday formula is right, and only there), more draws than words that can be drawn,
and a large Zipf-like distribution with K up to 15, where enumerating the K-tuples is out of reach (the
``itertools`` enumerators are refused outright).
"""

import math
import time

import numpy as np

from w2v_lib.checks import (
    STUB_MESSAGE,
    Case,
    CheckFailed,
    Mistake,
    _call_student,
    _case_words,
    _describe,
    _Guard,
    _judge,
    _read_only,
    _sentence,
    _shape_or_type_problem,
    check_function,
    check_value,
)

# ---------------------------------------------------------------------------------------------------------
# Exercise 5.1: which words subsampling ever discards


def check_5_1(answer_5_1):
    """Exercise 5.1: the constant λ of the subsampling threshold f(w) > λ·τ, to full precision."""
    golden = (1 + np.sqrt(5)) / 2
    mistakes = [
        Mistake("the boundary on τ/f(w), below which words are thinned; the question asks for f(w)/τ, its "
                "inverse", (3 - np.sqrt(5)) / 2),
        Mistake("the root of the quadratic in √(τ/f) itself; at the boundary f/τ is the inverse of its square",
                golden - 1),
        Mistake("the inverse of the root √(τ/f), not squared: at the boundary f/τ is the inverse of the root's "
                "square", golden),
        Mistake("the boundary of the paper's keep-probability √(τ/f), or of one term alone; word2vec.c keeps "
                "√(τ/f) + τ/f, both terms", 1.0),
    ]
    check_value("Exercise 5.1", answer_5_1, golden**2, atol=1e-9, rtol=1e-9, mistakes=mistakes)


# ---------------------------------------------------------------------------------------------------------
# Exercise 5.2: Vose's alias table

LIBRARY_5_2 = ("w2v_lib.sampling._alias_table", "w2v_lib.sampling.NegativeSampler.__init__")
# Round-off allowed in the probability a table gives a word: the heights |V|·P carry a relative error of
# about 1e-16 per subtraction, and a frequent word lends to many columns.
ATOL_5_2, RTOL_5_2 = 1e-12, 1e-9
# Timing: twice the words may cost at most DOUBLING_LIMIT times the CPU time (O(|V|): about 2; O(|V|^2): 4).
DOUBLING_LIMIT, TIMING_SIZES, SLOW_SECONDS, MEASURABLE_SECONDS = 2.9, [2**k for k in range(11, 18)], 2.0, 0.2
TIMING_WHERE = "on a hidden test case (a large vocabulary, to time the construction)"


def _normalized(weights):
    weights = np.asarray(weights, dtype=np.float64)
    return weights / weights.sum()


def _cases_5_2():
    zipf_counts = 1000.0 / np.arange(1, 13)
    # These two sum to 1 - 2^-53 and 1 + 2^-52 in floating point; with both, a loop that pops an over-full
    # word whenever an under-full one is left runs out of over-full words.
    not_one = _normalized(np.array([24, 1, 24, 14, 15, 19], dtype=np.float64) ** 0.75)
    return [
        Case("four words", (np.array([0.5, 0.25, 0.15, 0.10]),)),
        Case("a Zipf-like distribution over twelve words", (_normalized(zipf_counts**0.75),)),
        Case("a one-word vocabulary", (np.array([1.0]),), hidden=True),
        Case("uniform probabilities", (np.full(10, 0.1),), hidden=True),
        Case("a word with probability 0", (np.array([0.35, 0.0, 0.4, 0.05, 0.2]),), hidden=True),
        Case("probabilities that do not sum exactly to 1 in floating point", (not_one,), hidden=True),
    ]


def _timing_probs(n):
    # Weights uniform in (0, 1): about half the columns under-full, half over-full, so both lists stay long.
    return _normalized(np.random.default_rng(n).random(n) + 1e-3)


def check_5_2(alias_table):
    """Exercise 5.2: the table draws every word with its probability, on six cases and a large timed one."""
    name = "Exercise 5.2"
    if alias_table is None:
        raise NotImplementedError(STUB_MESSAGE.format(name=name))
    guard = _Guard(name, (), LIBRARY_5_2)
    visible = 0
    cases = _cases_5_2()
    for case in cases:
        visible += not case.hidden
        where = _case_words(case, visible)
        try:
            output = _call_student(name, alias_table, case.args, where, guard)
        except CheckFailed as failure:
            if "raised IndexError" not in str(failure):
                raise
            raise CheckFailed(f"{failure}. If it came from taking a word out of an empty list: round-off can leave "
                              "a word in one list when the other is empty (question 2 tells you its height "
                              "then).") from None
        _judge_table(name, where, output, case.args[0])
    largest = _check_linear_time(name, alias_table)
    output = _call_student(name, alias_table, (largest,), TIMING_WHERE, guard)
    _judge_table(name, TIMING_WHERE, output, largest)
    hidden = sum(case.hidden for case in cases) + 1
    print(f"✓ {name}: every word gets its probability on all {len(cases) + 1} test cases ({hidden} of them "
          "hidden), and the time to build grows like |V|.")


def _judge_table(name, where, output, noise_probs):
    """Raise CheckFailed unless ``output`` is an alias table that draws word w with probability noise_probs[w]."""
    n = noise_probs.shape[0]
    if not (isinstance(output, (tuple, list)) and len(output) == 2):
        raise CheckFailed(f"{name}: {where}, your function should return 2 values (accept, alias), not "
                          f"{_describe(output)}.")
    accept, alias = output
    for label, value in (("accept", accept), ("alias", alias)):
        problem = _shape_or_type_problem(value, (n,))
        if problem:
            raise CheckFailed(_sentence(f"{name}: {where}, {label} {problem}"))
    accept = np.asarray(accept, dtype=np.float64)
    if not np.all(np.isfinite(accept)):
        raise CheckFailed(f"{name}: {where}, accept contains NaN or infinity.")
    if np.any((accept < -1e-12) | (accept > 1 + 1e-12)):
        index = int(np.flatnonzero((accept < -1e-12) | (accept > 1 + 1e-12))[0])
        raise CheckFailed(f"{name}: {where}, accept[{index}] is outside [0, 1]: accept[w] is the probability of "
                          "keeping column w's own word, the share of the column it fills.")
    alias = np.asarray(alias)
    if alias.dtype.kind not in "iu" and not (alias.dtype.kind == "f" and np.all(alias == np.round(alias))):
        raise CheckFailed(f"{name}: {where}, alias should hold integer word ids, not values of dtype "
                          f"{alias.dtype}.")
    alias = alias.astype(np.int64)
    if np.any((alias < 0) | (alias >= n)):
        index = int(np.flatnonzero((alias < 0) | (alias >= n))[0])
        raise CheckFailed(f"{name}: {where}, alias[{index}] is not a word id (ids run from 0 to |V| - 1).")
    # Column w gives accept[w] / n to word w and (1 - accept[w]) / n to word alias[w].
    drawn = (accept + np.bincount(alias, weights=1 - accept, minlength=n)) / n
    if _judge(drawn, noise_probs, ATOL_5_2, RTOL_5_2) is None:
        return
    wrong = ~np.isclose(drawn, noise_probs, atol=ATOL_5_2, rtol=RTOL_5_2)
    lends = np.zeros(n, dtype=bool)  # words that top up at least one other column
    lends[alias[(accept < 1) & (alias != np.arange(n))]] = True
    head = f"{name}: {where}, your table draws {int(wrong.sum())} of the {n} words with the wrong probability"
    zero = np.flatnonzero(wrong & (noise_probs == 0))
    if zero.size:
        raise CheckFailed(f"{head}; word {int(zero[0])} has probability 0, yet your table can draw it: its column "
                          "must go entirely to its alias (accept 0), and it must never top up another column.")
    lender = np.flatnonzero(wrong & lends)
    if lender.size:
        raise CheckFailed(f"{head}, among them word {int(lender[0])}, which tops up other columns. When a word "
                          "fills the top 1 − accept[w'] of column w', its remaining height must go down by exactly "
                          "that amount, and the new height decides which list it goes back to.")
    unfilled = np.flatnonzero(wrong & (accept < 1) & (noise_probs > 0))
    if unfilled.size:
        word = int(unfilled[0])
        raise CheckFailed(f"{head}: word {word} tops up no column, yet its own column gives part of its height "
                          f"away (accept[{word}] < 1). A word still in a list when the loop ends has height 1 up to "
                          "round-off: its column is all its own (accept 1).")
    alone = np.flatnonzero(wrong & (noise_probs * n > 1))
    if alone.size:
        raise CheckFailed(f"{head}: word {int(alone[0])} is over-full (more than one column's worth, |V|·P(w) > 1) "
                          "yet tops up no other column; its extra height must go to under-full columns.")
    raise CheckFailed(f"{head} (word {int(np.flatnonzero(wrong)[0])} first). For each word, add its own part "
                      "accept[w] and the parts 1 − accept[w'] of the columns w' whose alias it is: together they "
                      "must make |V|·P(w) columns' worth.")


def _check_linear_time(name, alias_table):
    """Time the student's function on vocabularies doubling in size; return the largest one's probabilities.

    The growth per doubling is measured over up to three doublings (8 times more words): about 2 for an
    O(|V|) build, 4 for an O(|V|^2) one. Only times above ``MEASURABLE_SECONDS`` are judged, a suspicious
    growth is measured again (noise only ever makes a time longer), and the sizes stop growing once a build
    takes ``SLOW_SECONDS``, so that a quadratic build fails within seconds.
    """
    seconds = {}
    for n in TIMING_SIZES:
        probs = _timing_probs(n)
        seconds[n] = _cpu_seconds(name, alias_table, probs, repeat=3 if n <= 2**13 else 1)
        if seconds[n] > MEASURABLE_SECONDS:
            smaller = next((n >> k for k in (3, 2, 1) if n >> k in seconds), None)
            if smaller is not None and _growth(seconds, n, smaller) > DOUBLING_LIMIT:
                # Measure again before concluding, in case the machine was busy: the smaller size (cheap)
                # always, the larger one if it is quick enough.
                seconds[smaller] = min(seconds[smaller], _cpu_seconds(name, alias_table, _timing_probs(smaller),
                                                                      repeat=2))
                if seconds[n] < SLOW_SECONDS:
                    seconds[n] = min(seconds[n], _cpu_seconds(name, alias_table, probs, repeat=1))
                if _growth(seconds, n, smaller) > DOUBLING_LIMIT:
                    raise CheckFailed(
                        f"{name}: {TIMING_WHERE}, your table for {n} words took {seconds[n] / seconds[smaller]:.0f} "
                        f"times as long to build as for {smaller} words: the work grows faster than |V|. Each step of the loop must take O(1) time: take and put back words at "
                        "the end of Python lists, with no search over all the words (argmax, min, sort, "
                        "list.pop(0), `in` a list) and no copy of a whole array inside the loop.")
        if seconds[n] > SLOW_SECONDS:
            if n < TIMING_SIZES[3]:
                raise CheckFailed(f"{name}: {TIMING_WHERE}, building the table for {n} words took more than "
                                  f"{SLOW_SECONDS:.0f} CPU seconds; an O(|V|) construction needs a few "
                                  "milliseconds. Each step of the loop must take O(1) time.")
            break  # slow but growing like |V|: no need for larger sizes
    return probs


def _growth(seconds, n, smaller):
    """Growth of the time per doubling of the vocabulary, between ``smaller`` and ``n`` words."""
    return (seconds[n] / max(seconds[smaller], 1e-9)) ** (1 / np.log2(n // smaller))


def _cpu_seconds(name, alias_table, probs, repeat):
    """Least CPU time of up to ``repeat`` calls (one once a call takes 0.05 s, where noise matters little).

    Outside the checks' watch: its profile hook would slow every call.
    """
    best = np.inf
    for _ in range(repeat):
        if 0.05 < best < np.inf:
            break
        frozen = _read_only(probs)
        start = time.process_time()
        try:
            alias_table(frozen)
        except NotImplementedError:
            raise NotImplementedError(STUB_MESSAGE.format(name=name)) from None
        except Exception as error:
            raise CheckFailed(f"{name}: {TIMING_WHERE}, your function raised {type(error).__name__}: "
                              f"{error}") from None
        best = min(best, time.process_time() - start)
    return best


# ---------------------------------------------------------------------------------------------------------
# Exercise 5.3: expected number of pairs of one sentence with the dynamic window

LIBRARY_5_3 = ("w2v_lib.sampling.window_pairs", "w2v_lib.sampling._window_pairs")


def _expected_pairs(n_tokens, window):
    """The right answer: 2 (n - d)(m - d + 1)/m summed over the distances d = 1..min(m, n - 1)."""
    distances = np.arange(1, min(window, n_tokens - 1) + 1)
    return float(np.sum(2 * (n_tokens - distances) * (window - distances + 1)) / window)


def _ends_ignored(n_tokens, window):
    return float(n_tokens * (window + 1))


def _fixed_window(n_tokens, window):
    distances = np.arange(1, min(window, n_tokens - 1) + 1)
    return float(np.sum(2 * (n_tokens - distances)))


def _gensim_reduction(n_tokens, window):
    distances = np.arange(1, min(window, n_tokens - 1) + 1)
    return float(np.sum(2 * (n_tokens - distances) * (window - distances)) / window)


def _one_side(n_tokens, window):
    return _expected_pairs(n_tokens, window) / 2


def _distances_beyond_sentence(n_tokens, window):
    distances = np.arange(1, window + 1)
    return float(np.sum(2 * (n_tokens - distances) * (window - distances + 1)) / window)


MISTAKES_5_3 = (
    ("the sentence ends are ignored: near an end a center has fewer neighbours on one side", _ends_ignored),
    ("a fixed window: the word at distance |j| is in the window only when the drawn b_t is at least |j|",
     _fixed_window),
    ("a window drawn from 0..m−1 (gensim's reduction m − b_t) instead of b_t from 1..m", _gensim_reduction),
    ("one side of the center only: the window reaches |j| words to the left and to the right", _one_side),
    ("distances longer than the sentence counted: a sentence of N tokens has N − |j| positions at distance |j| "
     "only while |j| < N, and none beyond", _distances_beyond_sentence),
)


def check_5_3(expected_pairs):
    """Exercise 5.3: the exact expected number of pairs, on seven sentence lengths and windows, four hidden."""
    cases = [
        Case("the running example's length, m = 2", (10, 2)),
        Case("a long sentence, m = 5", (100, 5)),
        Case("a one-word sentence", (1, 5), hidden=True),
        Case("a sentence shorter than the window", (3, 5), hidden=True),
        Case("a sentence one word longer than the window", (6, 5), hidden=True),
        Case("a window of one word on each side, where the dynamic window is fixed", (50, 1), hidden=True),
        Case("a very long sentence and a wide window", (1000, 10), hidden=True),
    ]
    check_function("Exercise 5.3", expected_pairs, _expected_pairs, cases, atol=1e-9, rtol=1e-12,
                   mistakes=[Mistake(description, function) for description, function in MISTAKES_5_3],
                   library=LIBRARY_5_3)


# ---------------------------------------------------------------------------------------------------------
# Exercise 5.4: how often a pair's K negatives repeat a word

FORBIDDEN_5_4 = ("itertools.permutations", "itertools.product", "itertools.combinations",
                 "itertools.combinations_with_replacement")


def _elementary_symmetric(noise_probs, negative):
    """e_k of the probabilities for k = 0..K: the sum over sets of k distinct words of their product."""
    sums = np.zeros(negative + 1)
    sums[0] = 1.0
    for probability in np.asarray(noise_probs, dtype=np.float64):
        sums[1:] = sums[1:] + probability * sums[:-1]
    return sums


def _repeat_probability(noise_probs, negative):
    """The right answer: 1 − K! e_K(P_n), one minus the probability that the K draws are all different."""
    return float(1 - math.factorial(negative) * _elementary_symmetric(noise_probs, negative)[negative])


def _agreeing_pairs(noise_probs, negative):
    return float(math.comb(negative, 2) * np.sum(np.asarray(noise_probs) ** 2))


def _independent_pairs(noise_probs, negative):
    return float(1 - (1 - np.sum(np.asarray(noise_probs) ** 2)) ** math.comb(negative, 2))


def _orderings_forgotten(noise_probs, negative):
    return float(1 - _elementary_symmetric(noise_probs, negative)[negative])


def _birthday_formula(noise_probs, negative):
    vocab_size = len(noise_probs)
    return float(1 - np.prod([1 - k / vocab_size for k in range(negative)]))


def _words_drawn_twice(noise_probs, negative):
    probs = np.asarray(noise_probs, dtype=np.float64)
    return float(np.sum(1 - (1 - probs) ** negative - negative * probs * (1 - probs) ** (negative - 1)))


MISTAKES_5_4 = (
    ("the expected number of pairs of draws that agree, C(K, 2) Σ P_n(w)², not the probability that at least one "
     "pair does", _agreeing_pairs),
    ("the C(K, 2) pairs of draws treated as independent; they are not (if draws 1 and 2 agree and draws 2 and 3 "
     "agree, draws 1 and 3 agree too)", _independent_pairs),
    ("the sum over sets of K distinct words without the K! orders in which the draws can produce them",
     _orderings_forgotten),
    ("the birthday formula for equally likely words; under P_n frequent words repeat far more often",
     _birthday_formula),
    ("the expected number of words drawn at least twice, not the probability that some word is",
     _words_drawn_twice),
)


def check_5_4(repeat_probability):
    """Exercise 5.4: the exact probability of a repeated negative, on seven distributions, five hidden."""
    zipf = 1.0 / np.arange(1, 2**13 + 1)
    cases = [
        Case("four words, two negatives", (np.array([0.5, 0.25, 0.15, 0.10]), 2)),
        Case("five words, three negatives", (_normalized(np.array([40, 25, 20, 10, 5]) ** 0.75), 3)),
        Case("one negative: nothing to repeat", (np.array([0.5, 0.3, 0.2]), 1), hidden=True),
        Case("equally likely words", (np.full(10, 0.1), 4), hidden=True),
        Case("more draws than words that can be drawn (one has probability 0)", (np.array([0.6, 0.4, 0.0]), 3),
             hidden=True),
        Case("a Zipf-like noise distribution over many words, five negatives", (_normalized(zipf**0.75), 5),
             hidden=True),
        Case("a Zipf-like noise distribution over many words, many negatives", (_normalized(zipf**0.75), 15),
             hidden=True),
    ]
    check_function("Exercise 5.4", repeat_probability, _repeat_probability, cases, atol=1e-12, rtol=1e-9,
                   mistakes=[Mistake(description, function) for description, function in MISTAKES_5_4],
                   forbidden=FORBIDDEN_5_4)
