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
    lookup, lookup_words = _restricted_lookup(kv, restrict_vocab, case_insensitive)
    human, rows_a, rows_b = [], [], []
    oov = 0
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
        word_a, word_b, score = fields
        if word_a in lookup and word_b in lookup:
            rows_a.append(lookup[word_a])
            rows_b.append(lookup[word_b])
        else:
            oov += 1
            if not dummy4unknown:
                continue
            rows_a.append(-1)
            rows_b.append(-1)
        human.append(float(score))
    if len(human) < 2:
        raise ValueError(
            f"word pairs {str(path)!r}: {len(human)} pair(s) could be scored, and a correlation needs at least 2; "
            f"{oov} pair(s) have a word outside the first {len(lookup_words)} words of the vocabulary: check the "
            "case or restrict_vocab, or use a file with more pairs")
    rows_a, rows_b = np.array(rows_a), np.array(rows_b)
    known = rows_a >= 0
    model = np.zeros(len(human))
    model[known] = np.einsum("ij,ij->i", kv.unit_vectors[rows_a[known]], kv.unit_vectors[rows_b[known]])
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
