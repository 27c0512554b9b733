"""Intrinsic evaluation of word vectors: word-pair similarity, word analogies, and the toy corpus's planted structure.

Taught in notebook 08 (evaluation); :func:`planted_analogy_accuracy` and :func:`group_purity` score the toy
corpus from notebook 06 on, and the command line's demo.

The standard-set functions read the standard test files that gensim's wheel installs (``gensim.test.utils.datapath``:
``wordsim353.tsv``, ``simlex999.txt``, ``questions-words.txt``) and give the same numbers as gensim's
``KeyedVectors.evaluate_word_pairs`` and ``KeyedVectors.evaluate_word_analogies`` on the same vectors (the same
counts; correlations equal up to float32 round-off, which can swap the ranks of two nearly tied cosines):

* ``restrict_vocab`` keeps the first N words of the vocabulary (the most frequent ones when words are sorted by
  frequency); a test item with a word outside them counts as out of vocabulary (OOV).
* ``case_insensitive=True`` compares words after ``str.upper()``, as gensim does. When several vocabulary words
  have the same upper-case form ("Paris", "paris"), the first one in vocabulary order stands for all of them.
* A line that does not parse (a wrong number of fields, a similarity that is not a finite number) is an error
  naming the line, where gensim skips it silently; blank lines and ``#`` comments are skipped.
* A correlation needs at least 2 scored pairs whose human scores, and whose cosines, are not all equal; fewer is an
  error that says so.
"""

import math
from collections import OrderedDict

import numpy as np
from scipy import stats

from w2v_lib._validation import (
    ParameterTypeError,
    ParameterValueError,
    check_int,
    check_optional_int,
    check_real,
    check_vector,
    is_number,
)
from w2v_lib.files import text_lines
from w2v_lib.keyed_vectors import KeyedVectors

_QUESTIONS_PER_BATCH = 1024  # bounds the (questions, words) score matrix to 1024 × V float32 values
_CANDIDATES = 5  # gensim looks at the 5 best answers to skip case variants of the question words


def evaluate_word_pairs(kv, path, delimiter="\t", case_insensitive=True, dummy4unknown=False,
                        restrict_vocab=300_000):
    """Correlation between the model's cosine similarities and human similarity judgements.

    The file has one pair per line, ``word1 <delimiter> word2 <delimiter> score``; lines starting with ``#`` are
    comments. Each pair with both words known contributes (human score, cos(word1, word2)).

    Parameters
    ----------
    kv : KeyedVectors
    path : str or Path
        For example ``datapath("wordsim353.tsv")`` or ``datapath("simlex999.txt")``; ``.gz`` is read through gzip.
    delimiter : str
    case_insensitive : bool
        Compare upper-cased words (gensim's convention).
    dummy4unknown : bool
        False: skip pairs with an unknown word. True: keep them with model similarity 0.
    restrict_vocab : int >= 1 or None
        Only the first ``restrict_vocab`` words count as known; None means all.

    Returns
    -------
    dict
        ``pearson``, ``spearman`` : float, the correlation coefficients;
        ``pearson_pvalue``, ``spearman_pvalue`` : float, their two-sided p-values;
        ``oov_ratio`` : float, percentage of pairs with an unknown word;
        ``pairs`` : int, pairs used in the correlation; ``oov_pairs`` : int, pairs with an unknown word.

    Raises
    ------
    ValueError
        A line is not ``word <delimiter> word <delimiter> score`` with a finite score (the message names the
        line); fewer than 2 pairs could be scored; the human scores or the cosines are all equal.
    """
    scores = word_pair_scores(kv, path, delimiter, case_insensitive, restrict_vocab)
    oov = int((~scores["known"]).sum())
    used = np.ones_like(scores["known"]) if dummy4unknown else scores["known"]
    human, model = scores["human"][used], scores["model"][used]
    if len(human) < 2:
        raise ValueError(
            f"word pairs {str(path)!r}: {len(human)} pair(s) could be scored, and a correlation needs at least 2; "
            f"{oov} pair(s) have a word outside the first {scores['vocabulary_searched']} words of the vocabulary: "
            "check the case or restrict_vocab, or use a file with more pairs")
    for name, values in (("human scores", human), ("cosines of the model", model)):
        if np.ptp(values) == 0:
            raise ValueError(f"word pairs {str(path)!r}: the {name} of the {len(human)} scored pairs are all "
                             "equal, so their correlation is undefined")
    pearson = stats.pearsonr(human, model)
    spearman = stats.spearmanr(human, model)
    return {
        "pearson": float(pearson.statistic),
        "pearson_pvalue": float(pearson.pvalue),
        "spearman": float(spearman.statistic),
        "spearman_pvalue": float(spearman.pvalue),
        "oov_ratio": 100.0 * oov / (len(human) if dummy4unknown else len(human) + oov),
        "pairs": len(human),
        "oov_pairs": oov,
    }


def evaluate_analogies(kv, path, restrict_vocab=30_000, case_insensitive=True, dummy4unknown=False):
    """Accuracy on analogy questions ``a b c d`` (a : b :: c : d), overall and per section.

    A section starts with a line ``: name``. For each question whose four words are all among the first
    ``restrict_vocab`` words, the prediction is the word of those first ``restrict_vocab`` with the highest cosine
    to the normalized mean of û_b + û_c − û_a, other than a, b, c (3CosAdd); the question is correct when
    the prediction is d. Questions with an unknown word are skipped (``dummy4unknown=False``) or counted
    wrong (``dummy4unknown=True``). Questions are scored a batch at a time with one matrix product.

    Parameters
    ----------
    kv : KeyedVectors
    path : str or Path
        For example ``datapath("questions-words.txt")``; ``.gz`` is read through gzip.
    restrict_vocab : int >= 1 or None
        None means the whole vocabulary.
    case_insensitive : bool
    dummy4unknown : bool

    Returns
    -------
    dict
        ``accuracy`` : float in [0, 1], ``correct`` : int, ``total`` : int (questions scored), over all sections;
        ``sections`` : OrderedDict, section name -> {"accuracy", "correct", "total"} in file order (accuracy 0.0
        for a section with no scored question, as gensim reports it);
        ``oov`` : int, questions with an unknown word; ``oov_ratio`` : float, their percentage of all questions.

    Raises
    ------
    ValueError
        A line is neither a ``: section`` header nor four words, a question comes before the first section
        header, a section name repeats, or no question could be scored (each message names the line).
    """
    lookup, keys = _restricted_lookup(kv, restrict_vocab, case_insensitive)
    vocab_size = len(keys)
    sections = OrderedDict()
    section_questions = {}
    oov = n_questions = 0
    name = None
    for line_number, line in text_lines(path, "analogies"):
        where = f"analogies {str(path)!r}, line {line_number}"
        if line.startswith(": "):
            name = line.lstrip(": ").strip()
            if name in sections:
                raise ValueError(f"{where}: section {name!r} appears twice; rename one")
            sections[name] = {"accuracy": 0.0, "correct": 0, "total": 0}
            section_questions[name] = []
            continue
        if not line.strip():
            continue
        if name is None:
            raise ValueError(f"{where}: a question before the first ': section' header")
        words = [word.upper() for word in line.split()] if case_insensitive else line.split()
        if len(words) != 4:
            raise ValueError(f"{where}: expected a ': section' header or four words 'a b c d' (a : b :: c : d), "
                             f"got {line[:60]!r}")
        n_questions += 1
        if all(word in lookup for word in words):
            section_questions[name].append([lookup[word] for word in words])
        else:
            oov += 1
            if dummy4unknown:
                sections[name]["total"] += 1
    for name, questions in section_questions.items():
        if questions:
            correct = _count_correct(kv, np.array(questions), keys)
            sections[name]["correct"] = correct
            sections[name]["total"] += len(questions)
        if sections[name]["total"]:
            sections[name]["accuracy"] = sections[name]["correct"] / sections[name]["total"]
    correct = sum(section["correct"] for section in sections.values())
    total = sum(section["total"] for section in sections.values())
    if total == 0:
        raise ValueError(
            f"no analogy question of {str(path)!r} could be scored: {oov} of {n_questions} questions have a word "
            f"outside the first {vocab_size} words of the vocabulary; check the case or raise restrict_vocab"
        )
    return {
        "accuracy": correct / total,
        "correct": correct,
        "total": total,
        "sections": sections,
        "oov": oov,
        "oov_ratio": 100.0 * oov / n_questions,
    }


def _count_correct(kv, questions, keys):
    """Number of rows (a, b, c, d) of ``questions`` (rows into the first len(keys) words) answered d."""
    unit = kv.unit_vectors
    candidate_unit = unit[:len(keys)]
    zero_rows = np.flatnonzero(kv.norms[:len(keys)] == 0)
    correct = 0
    for start in range(0, len(questions), _QUESTIONS_PER_BATCH):
        batch = questions[start:start + _QUESTIONS_PER_BATCH]
        a, b, c, _ = batch.T
        query = (unit[b] + unit[c] - unit[a]).astype(np.float64)
        query_norms = np.linalg.norm(query, axis=1, keepdims=True)
        query = (query / np.where(query_norms > 0, query_norms, 1)).astype(np.float32)
        scores = query @ candidate_unit.T
        # A zero vector has no direction (gensim scores it NaN): rank it last.
        scores[:, zero_rows] = -np.inf
        scores[np.arange(len(batch))[:, None], batch[:, :3]] = -np.inf
        best = np.argmax(scores, axis=1)
        for question, row, question_scores in zip(batch.tolist(), best.tolist(), scores):
            question_keys = {keys[word_row] for word_row in question[:3]}
            if keys[row] in question_keys or question_scores[row] == -np.inf:
                row = _gensim_prediction(question, question_scores, question_keys, keys)
            correct += row is not None and keys[row] == keys[question[3]]
    return correct


def _gensim_prediction(question, scores, question_keys, keys):
    """The rare case: the best word is a case variant of a question word ("PARIS" for "paris"), or none is left.

    gensim takes the 5 best words other than the 3 question words, then the first of them whose key is not a
    question word's key, or the 5th if all are; None if there is no other word.
    """
    ranked = np.argsort(-scores, kind="stable").tolist()
    candidates = [row for row in ranked if row not in question[:3]][:_CANDIDATES]
    if not candidates:
        return None
    return next((row for row in candidates if keys[row] not in question_keys), candidates[-1])


def _restricted_lookup(kv, restrict_vocab, case_insensitive):
    """Map each (upper-cased) key of the first ``restrict_vocab`` words to the row of its first occurrence."""
    _check_kv(kv)
    restrict_vocab = check_optional_int("restrict_vocab", restrict_vocab)
    keys = kv.words[:restrict_vocab]
    if case_insensitive:
        keys = [word.upper() for word in keys]
    lookup = {}
    for row, key in enumerate(keys):
        lookup.setdefault(key, row)
    return lookup, keys


def _check_kv(kv):
    if not isinstance(kv, KeyedVectors):
        raise ParameterTypeError("kv", f"must be a w2v_lib KeyedVectors, got {type(kv).__name__}")


def analogy_answers(kv, analogies):
    """The 3CosAdd answer to each analogy question a : b :: c : ?, one word per question.

    The answer is ``kv.analogy(a, b, c)[0][0]``: the word w, other than a, b and c, with the highest
    cos(w, b - a + c) on unit vectors. Unlike :func:`evaluate_analogies` nothing is skipped, restricted or
    upper-cased: every word must be known.

    Parameters
    ----------
    kv : KeyedVectors
    analogies : sequence of (str, str, str, str), length n >= 1
        ``(a, b, c, d)`` questions, e.g. ``toy_corpus().analogies``; d, the expected answer, is not used.

    Returns
    -------
    list of str, length n

    Raises
    ------
    KeyError
        A word of a question is not in ``kv``.
    """
    _check_kv(kv)
    analogies = list(analogies)
    if not analogies:
        raise ParameterValueError("analogies", "is empty: give at least one (a, b, c, d) question")
    for question in analogies:
        if isinstance(question, str) or len(question) != 4:
            raise ParameterValueError("analogies", f"must hold (a, b, c, d) questions of 4 words, got {question!r}")
    return [kv.analogy(a, b, c)[0][0] for a, b, c, _ in analogies]


def planted_analogy_accuracy(kv, analogies):
    """Fraction of the planted analogies a : b :: c : d whose 3CosAdd answer (:func:`analogy_answers`) is d.

    Parameters
    ----------
    kv : KeyedVectors
    analogies : sequence of (str, str, str, str), length n >= 1
        ``(a, b, c, d)`` questions with every word in ``kv``, e.g. ``toy_corpus().analogies``.

    Returns
    -------
    float in [0, 1]
        (number of questions answered d) / n.
    """
    analogies = list(analogies)
    answers = analogy_answers(kv, analogies)
    return sum(answer == question[3] for answer, question in zip(answers, analogies)) / len(answers)


def group_purity(kv, groups, topn=3):
    """Mean fraction of a group word's ``topn`` nearest neighbours that are in its own group.

    For every word w of every group g, its ``topn`` nearest words by cosine among all the words of ``kv``
    (w itself excluded, ``kv.most_similar(w, topn=topn)``) are looked up; w scores the fraction of them that
    are in g, and the purity is the mean score over all group words. Random vectors score about
    Σ_g n_g (n_g - 1) / ((Σ_g n_g) (V - 1)) for groups of n_g words among V; vectors that recover the groups
    score close to 1.

    Parameters
    ----------
    kv : KeyedVectors
    groups : dict of str -> sequence of str
        Group name -> its words (e.g. ``toy_corpus().groups``), each group of at least one word.
    topn : int, default 3

    Returns
    -------
    float in [0, 1]

    Raises
    ------
    KeyError
        A group word is not in ``kv``.
    """
    _check_kv(kv)
    topn = check_int("topn", topn)
    if not isinstance(groups, dict) or not groups:
        raise ParameterTypeError("groups", f"must be a non-empty dict (group name -> words), got {groups!r:.60}")
    scores = []
    for name, words in groups.items():
        if isinstance(words, str) or not len(words):
            raise ParameterValueError("groups", f"must map each name to a list of words, got {name!r}: {words!r}")
        members = set(words)
        scores += [sum(neighbour in members for neighbour, _ in kv.most_similar(word, topn=topn)) / topn
                   for word in words]
    return float(np.mean(scores))


# Confidence intervals (notebook 10)

_BOOTSTRAP_BLOCK = 2**20  # entries of the (resamples, pairs) rank arrays handled at once (8 MB each in float64)


def word_pair_scores(kv, path, delimiter="\t", case_insensitive=True, restrict_vocab=300_000):
    """Every pair of a word-pair file with its human score and the model's cosine similarity.

    The one reader of word-pair files: :func:`evaluate_word_pairs` correlates these numbers and the intervals
    below resample them, so pairs with an unknown word are treated alike everywhere.

    Parameters
    ----------
    kv : KeyedVectors
    path : str or Path
    delimiter : str
    case_insensitive : bool
    restrict_vocab : int >= 1 or None
        As for :func:`evaluate_word_pairs`.

    Returns
    -------
    dict
        ``human`` : ndarray of float64, shape (n,), the human scores, one per pair in file order;
        ``model`` : ndarray of float64, shape (n,), cos(word1, word2), and 0.0 where a word is unknown (the
        value ``dummy4unknown=True`` gives such a pair);
        ``known`` : ndarray of bool, shape (n,), both words are among the first ``restrict_vocab``;
        ``vocabulary_searched`` : int, how many words of the vocabulary counted as known.

    Raises
    ------
    ValueError
        A line is not ``word <delimiter> word <delimiter> score`` with a finite score (the message names the
        line).
    """
    lookup, lookup_words = _restricted_lookup(kv, restrict_vocab, case_insensitive)
    human, rows = [], []
    for number, line in text_lines(path, "word pairs"):
        if line.startswith("#") or not line.strip():
            continue
        where = f"word pairs {str(path)!r}, line {number}"
        fields = line.split(delimiter)
        if len(fields) != 3:
            raise ValueError(f"{where}: expected 3 fields, word, word and score, separated by {delimiter!r}, got "
                             f"{line[:60]!r}; check the delimiter")
        if not is_number(fields[2]) or not math.isfinite(float(fields[2])):
            raise ValueError(f"{where}: the score {fields[2].strip()[:30]!r} is not a finite number")
        if case_insensitive:
            fields = [field.upper() for field in fields]
        human.append(float(fields[2]))
        rows.append((lookup.get(fields[0], -1), lookup.get(fields[1], -1)))
    rows = np.array(rows, dtype=np.int64).reshape(-1, 2)
    known = (rows >= 0).all(axis=1)
    model = np.zeros(len(human))
    unit = kv.unit_vectors
    model[known] = np.einsum("ij,ij->i", unit[rows[known, 0]], unit[rows[known, 1]])
    return {"human": np.array(human), "model": model, "known": known, "vocabulary_searched": len(lookup_words)}


def bootstrap_spearman(human, model, *, level=0.95, n_resamples=10_000, seed=1):
    """Spearman correlation with a percentile bootstrap confidence interval over the pairs.

    The pairs are the sampling unit: a resample draws n pairs with replacement from the n pairs (a pair drawn
    twice counts twice, its ranks tied), its Spearman correlation is computed, and the interval is the
    (1 - level)/2 and (1 + level)/2 quantiles of the ``n_resamples`` correlations (numpy's default, linear
    interpolation). It says how much the score would move on another test set of the same kind and size; it
    knows nothing of the training run's own randomness (retrain with other seeds for that).

    The draws are ``np.random.default_rng(seed).integers(n, size=(n_resamples, n))``: row b holds the pairs of
    resample b. A resample whose human or model scores are all equal has no correlation; such resamples (rare
    unless n is tiny) are left out of the quantiles and counted.

    Parameters
    ----------
    human, model : array_like of float, shape (n,), n >= 2
        Human similarity scores and the model's scores (cosines) of the same pairs.
    level : float in (0, 1)
        Confidence level, e.g. 0.95.
    n_resamples : int >= 1
    seed : int or numpy.random.Generator

    Returns
    -------
    dict
        ``spearman`` : float, the point estimate, the correlation of all n pairs (as scipy's ``spearmanr``);
        ``low``, ``high`` : float, the interval; ``level`` : float; ``n_resamples`` : int;
        ``undefined_resamples`` : int, resamples left out; ``pairs`` : int, n;
        ``distribution`` : ndarray of float64, shape (n_resamples,), the resamples' correlations (NaN where
        undefined), to plot or test.

    Raises
    ------
    ValueError
        Fewer than 2 pairs, different lengths, non-finite scores, constant scores (no correlation at all),
        level not in (0, 1), or every resample undefined.
    """
    human, model = _check_scores(human=human, model=model)
    level, n_resamples = _check_bootstrap_settings(level, n_resamples)
    point = _spearman_of_resamples(np.arange(len(human))[None], human, model)[0]  # the data as drawn
    draws = np.random.default_rng(seed).integers(len(human), size=(n_resamples, len(human)))
    values = _spearman_of_resamples(draws, human, model)
    low, high, undefined = _percentile_interval(values, level)
    return {"spearman": float(point), "low": low, "high": high, "level": level, "n_resamples": n_resamples,
            "undefined_resamples": undefined, "pairs": len(human), "distribution": values}


def paired_bootstrap_spearman(human, model_a, model_b, *, level=0.95, n_resamples=10_000, seed=1):
    """Difference of two models' Spearman correlations on the same pairs, with a paired bootstrap interval.

    This is the tool for "is 0.678 better than 0.672?". Both models are scored on the same resample of pairs
    in every round, so the difficulty of the pairs drawn, which moves both scores together, cancels in the
    difference. Comparing two separate intervals does not do that: they overlap far more often than the
    difference is in doubt. If the interval of the difference contains 0, the data cannot tell the two apart.

    Resampling is as in :func:`bootstrap_spearman` (the same draws for the same seed); a resample where either
    correlation is undefined is left out and counted.

    Parameters
    ----------
    human, model_a, model_b : array_like of float, shape (n,), n >= 2
        The human scores and the two models' scores of the same pairs, in the same order.
    level : float in (0, 1)
    n_resamples : int >= 1
    seed : int or numpy.random.Generator

    Returns
    -------
    dict
        ``spearman_a``, ``spearman_b`` : float, the point estimates; ``difference`` : float, a - b;
        ``low``, ``high`` : float, the interval of the difference; ``level``; ``n_resamples``;
        ``undefined_resamples``; ``pairs``; ``distribution`` : ndarray, shape (n_resamples,), the resamples'
        differences (NaN where undefined).
    """
    human, model_a, model_b = _check_scores(human=human, model_a=model_a, model_b=model_b)
    level, n_resamples = _check_bootstrap_settings(level, n_resamples)
    all_pairs = np.arange(len(human))[None]
    point_a = _spearman_of_resamples(all_pairs, human, model_a)[0]
    point_b = _spearman_of_resamples(all_pairs, human, model_b)[0]
    draws = np.random.default_rng(seed).integers(len(human), size=(n_resamples, len(human)))
    differences = _spearman_of_resamples(draws, human, model_a) - _spearman_of_resamples(draws, human, model_b)
    low, high, undefined = _percentile_interval(differences, level)
    return {"spearman_a": float(point_a), "spearman_b": float(point_b), "difference": float(point_a - point_b),
            "low": low, "high": high, "level": level, "n_resamples": n_resamples,
            "undefined_resamples": undefined, "pairs": len(human), "distribution": differences}


def wilson_interval(correct, total, level=0.95):
    """Wilson score interval for a proportion correct / total (an accuracy), without continuity correction.

    The interval holds the proportions p whose normal test would not reject the observed count:
    |p̂ - p| <= z sqrt(p (1 - p) / n), with p̂ = correct / total, n = total and z the (1 + level)/2 quantile of
    the standard normal. Solving that quadratic in p gives

        (p̂ + z²/2n ± z sqrt(p̂(1 - p̂)/n + z²/4n²)) / (1 + z²/n).

    Unlike the textbook p̂ ± z sqrt(p̂(1 - p̂)/n), it stays inside [0, 1] and does not shrink to a point at
    0 or n correct. It is scipy's ``binomtest(correct, total).proportion_ci(method="wilson")``.

    Parameters
    ----------
    correct : int, 0 <= correct <= total
    total : int >= 1
    level : float in (0, 1)

    Returns
    -------
    low, high : float
    """
    total = check_int("total", total, minimum=1)
    correct = check_int("correct", correct, minimum=0)
    if correct > total:
        raise ValueError(f"correct = {correct} is more than total = {total}")
    level = _check_level(level)
    z = stats.norm.ppf((1 + level) / 2)
    p_hat = correct / total
    denominator = 1 + z**2 / total
    center = (p_hat + z**2 / (2 * total)) / denominator
    half_width = z * np.sqrt(p_hat * (1 - p_hat) / total + z**2 / (4 * total**2)) / denominator
    # With none (all) correct the lower (upper) end is exactly 0 (1); computed, round-off leaves it a hair off.
    low = 0.0 if correct == 0 else float(center - half_width)
    high = 1.0 if correct == total else float(center + half_width)
    return low, high


def interval_coverage(interval, total, p):
    """Exact coverage of an interval method for a proportion: how often its interval contains the true p.

    The count right is binomial(total, p); the method gives one interval per count, which contains p or not, so
    the coverage is the sum of the binomial probabilities of the counts whose interval contains p (exercise 10.4).

    Parameters
    ----------
    interval : callable
        ``interval(correct, total) -> (low, high)``, for example :func:`wilson_interval`.
    total : int >= 1
        The number of questions n.
    p : float in [0, 1]
        The true accuracy.

    Returns
    -------
    float
        The probability that the interval of a binomial(total, p) count contains p.
    """
    total = check_int("total", total, minimum=1)
    p = check_real("p", p, minimum=0.0)
    if p > 1:
        raise ParameterValueError("p", f"must be a probability in [0, 1] (the true accuracy), got {p}")
    counts = np.arange(total + 1)
    contains = np.array([low <= p <= high for low, high in (interval(int(count), total) for count in counts)])
    return float(stats.binom.pmf(counts, total, p)[contains].sum())


def word_pairs_interval(kv, path, *, level=0.95, n_resamples=10_000, seed=1, delimiter="\t",
                        case_insensitive=True, dummy4unknown=False, restrict_vocab=300_000):
    """The Spearman correlation of :func:`evaluate_word_pairs` with a bootstrap interval over the pairs.

    The pairs used are those of the point estimate: the pairs with both words known, or all pairs with
    model score 0 for the unknown ones when ``dummy4unknown=True``. See :func:`bootstrap_spearman`.

    Parameters
    ----------
    kv : KeyedVectors
    path : str or Path
        For example ``datapath("wordsim353.tsv")`` or ``datapath("simlex999.txt")``.
    level, n_resamples, seed
        As for :func:`bootstrap_spearman`.
    delimiter, case_insensitive, dummy4unknown, restrict_vocab
        As for :func:`evaluate_word_pairs`.

    Returns
    -------
    dict
        The keys of :func:`bootstrap_spearman`, plus ``oov_pairs`` as in :func:`evaluate_word_pairs`.
    """
    scores = word_pair_scores(kv, path, delimiter, case_insensitive, restrict_vocab)
    used = _pairs_used(path, dummy4unknown, scores["known"])
    result = bootstrap_spearman(scores["human"][used], scores["model"][used], level=level,
                                n_resamples=n_resamples, seed=seed)
    result["oov_pairs"] = int((~scores["known"]).sum())
    return result


def compare_word_pairs(kv_a, kv_b, path, *, level=0.95, n_resamples=10_000, seed=1, delimiter="\t",
                       case_insensitive=True, dummy4unknown=False, restrict_vocab=300_000):
    """Paired bootstrap of the difference between two embeddings' Spearman correlations on one test file.

    Both are scored on the same pairs: those whose words both embeddings know (with ``dummy4unknown=True``,
    all pairs, an unknown one scoring 0 in the embedding that lacks it). With different vocabularies that
    common set is smaller than each one's own, so ``spearman_a`` and ``spearman_b`` can differ from their
    :func:`evaluate_word_pairs` scores. See :func:`paired_bootstrap_spearman`.

    Parameters
    ----------
    kv_a, kv_b : KeyedVectors
    path : str or Path
    level, n_resamples, seed
        As for :func:`paired_bootstrap_spearman`.
    delimiter, case_insensitive, dummy4unknown, restrict_vocab
        As for :func:`evaluate_word_pairs`, applied to both.

    Returns
    -------
    dict
        The keys of :func:`paired_bootstrap_spearman`, plus ``oov_pairs``: pairs left out (or scored 0) because
        one of the embeddings lacks a word.
    """
    scores_a = word_pair_scores(kv_a, path, delimiter, case_insensitive, restrict_vocab)
    scores_b = word_pair_scores(kv_b, path, delimiter, case_insensitive, restrict_vocab)
    known = scores_a["known"] & scores_b["known"]
    used = _pairs_used(path, dummy4unknown, known)
    result = paired_bootstrap_spearman(scores_a["human"][used], scores_a["model"][used], scores_b["model"][used],
                                       level=level, n_resamples=n_resamples, seed=seed)
    result["oov_pairs"] = int((~known).sum())
    return result


def analogies_interval(kv, path, *, level=0.95, restrict_vocab=30_000, case_insensitive=True,
                       dummy4unknown=False):
    """The accuracy of :func:`evaluate_analogies` with Wilson score intervals, overall and per section.

    An accuracy is a proportion of questions answered right, so the binomial Wilson interval
    (:func:`wilson_interval`) fits it without resampling: it needs only the counts, is exact to compute,
    and behaves at accuracies near 0 or 1 and in small sections, where a bootstrap of a few questions is
    coarse. Like the bootstrap over questions, it treats questions as independent draws; questions that share
    words (a section reuses its capitals) are not, so the interval is, if anything, too narrow.

    Parameters
    ----------
    kv : KeyedVectors
    path : str or Path
    level : float in (0, 1)
    restrict_vocab, case_insensitive, dummy4unknown
        As for :func:`evaluate_analogies`.

    Returns
    -------
    dict
        The result of :func:`evaluate_analogies`, with ``low``, ``high`` added overall and to each section (a
        section without scored questions gets the whole [0, 1]), and ``level``.
    """
    level = _check_level(level)
    result = evaluate_analogies(kv, path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
                                dummy4unknown=dummy4unknown)
    for scored in (result, *result["sections"].values()):
        scored["low"], scored["high"] = (wilson_interval(scored["correct"], scored["total"], level)
                                         if scored["total"] else (0.0, 1.0))
    result["level"] = level
    return result


def _pairs_used(path, dummy4unknown, known):
    """The pairs a correlation uses, as evaluate_word_pairs chooses them (a boolean mask)."""
    used = np.ones_like(known) if dummy4unknown else known
    if not used.any():
        raise ValueError(f"no word pair of {path} could be scored: all {int((~known).sum())} pairs have a word "
                         "outside the vocabulary; check the case or restrict_vocab")
    return used


def _spearman_of_resamples(draws, human, model):
    """Spearman correlation of each resample (rows of pair indices ``draws``, shape (B, n)): shape (B,), NaN
    where the human or model scores of a resample are all equal."""
    block = max(1, _BOOTSTRAP_BLOCK // draws.shape[1])
    return np.concatenate([_rank_correlation(_resample_ranks(human, draws[start:start + block]),
                                             _resample_ranks(model, draws[start:start + block]))
                           for start in range(0, len(draws), block)])


def _resample_ranks(values, draws):
    """Average ranks (scipy.stats.rankdata's) of ``values[draws]`` within each row of ``draws``, shape (B, n).

    A rank in a resample depends only on how many draws have a smaller or an equal value, so counting the
    draws of each distinct value replaces sorting every row (about 15 times faster).
    """
    _, distinct_of = np.unique(values, return_inverse=True)  # each pair's value, as an index of the sorted values
    n_distinct = distinct_of.max() + 1
    drawn = distinct_of[draws]
    row_offsets = n_distinct * np.arange(len(draws))[:, None]
    counts = np.bincount((drawn + row_offsets).ravel(), minlength=len(draws) * n_distinct).reshape(-1, n_distinct)
    # A value drawn k times after `below` smaller draws holds ranks below + 1 .. below + k: their mean.
    average_ranks = np.cumsum(counts, axis=1) - (counts - 1) / 2
    return np.take_along_axis(average_ranks, drawn, axis=1)


def _rank_correlation(rank_x, rank_y):
    """Pearson correlation of each row of rank_x with the same row of rank_y, shape (B, n) -> (B,)."""
    rank_x = rank_x - rank_x.mean(axis=1, keepdims=True)
    rank_y = rank_y - rank_y.mean(axis=1, keepdims=True)
    norms = np.sqrt((rank_x**2).sum(axis=1) * (rank_y**2).sum(axis=1))
    covariance = (rank_x * rank_y).sum(axis=1)
    return np.divide(covariance, norms, out=np.full(len(norms), np.nan), where=norms > 0)


def _percentile_interval(values, level):
    defined = values[~np.isnan(values)]
    if defined.size == 0:
        raise ValueError("every bootstrap resample had constant scores, so no correlation is defined: use more "
                         "pairs")
    low, high = np.quantile(defined, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high), int(values.size - defined.size)


def _check_scores(**scores):
    arrays = [check_vector(name, value) for name, value in scores.items()]
    names = list(scores)
    for name, array in zip(names, arrays):
        if array.shape != arrays[0].shape:
            raise ValueError(f"{name} has shape {array.shape} but {names[0]} has {arrays[0].shape}: give one score "
                             "per pair to each")
        if not np.isfinite(array).all():
            raise ValueError(f"{name} contains NaN or infinity; every score must be finite")
    if len(arrays[0]) < 2:
        raise ValueError(f"a correlation needs at least 2 pairs, got {len(arrays[0])}")
    for name, array in zip(names, arrays):
        if np.all(array == array[0]):
            raise ValueError(f"{name} is constant ({array[0]} for every pair), so it has no correlation")
    return [array.astype(np.float64) for array in arrays]


def _check_bootstrap_settings(level, n_resamples):
    return _check_level(level), check_int("n_resamples", n_resamples, minimum=1)


def _check_level(level):
    level = check_real("level", level)
    if not 0 < level < 1:
        raise ValueError(f"level must be a confidence level strictly between 0 and 1 (e.g. 0.95), got {level}")
    return level
