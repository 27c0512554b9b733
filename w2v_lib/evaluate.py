"""Intrinsic evaluation of word vectors: word-pair similarity and word analogies.

Both functions read the standard test files that gensim's wheel installs (``gensim.test.utils.datapath``:
``wordsim353.tsv``, ``simlex999.txt``, ``questions-words.txt``) and give the same numbers as gensim's
``KeyedVectors.evaluate_word_pairs`` and ``KeyedVectors.evaluate_word_analogies`` on the same vectors (the same
counts; correlations equal up to float32 round-off, which can swap the ranks of two nearly tied cosines):

* ``restrict_vocab`` keeps the first N words of the vocabulary (the most frequent ones when words are sorted by
  frequency); a test item with a word outside them counts as out of vocabulary (OOV).
* ``case_insensitive=True`` compares words after ``str.upper()``, as gensim does. When several vocabulary words
  have the same upper-case form ("Paris", "paris"), the first one in vocabulary order stands for all of them.
* Lines that do not parse (wrong number of fields, a similarity that is not a number) are skipped, as gensim
  skips them; their count is returned as ``skipped_lines`` so that nothing is dropped silently.
"""

import gzip
from collections import OrderedDict
from pathlib import Path

import numpy as np
from scipy import stats

from w2v_lib._validation import check_optional_positive_int, is_number
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
        ``pairs`` : int, pairs used in the correlation; ``oov_pairs`` : int, pairs with an unknown word;
        ``skipped_lines`` : int, lines that are neither comments nor valid pairs.

    Raises
    ------
    ValueError
        No pair could be scored (every pair has an unknown word, or the file has no valid line).
    """
    lookup, _ = _restricted_lookup(kv, restrict_vocab, case_insensitive)
    human, rows_a, rows_b = [], [], []
    oov = skipped = 0
    with _open_text(path) as file:
        for line in file:
            if line.startswith("#"):
                continue
            fields = line.split(delimiter)
            if case_insensitive:
                fields = [field.upper() for field in fields]
            if len(fields) != 3 or not is_number(fields[2]):
                skipped += 1
                continue
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
    if not human:
        raise ValueError(
            f"no word pair of {path} could be scored: {oov} pairs have a word outside the first "
            f"{len(kv) if restrict_vocab is None else restrict_vocab} words of the vocabulary and {skipped} lines "
            f"are not 'word{delimiter}word{delimiter}number'; check the delimiter, the case, or restrict_vocab"
        )
    rows_a, rows_b = np.array(rows_a), np.array(rows_b)
    known = rows_a >= 0
    model = np.zeros(len(human))
    model[known] = np.einsum("ij,ij->i", kv.unit_vectors[rows_a[known]], kv.unit_vectors[rows_b[known]])
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
        "skipped_lines": skipped,
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
        ``oov`` : int, questions with an unknown word; ``oov_ratio`` : float, their percentage of all questions;
        ``skipped_lines`` : int, lines that are neither a section header nor four words.

    Raises
    ------
    ValueError
        A question comes before the first section header, a section name repeats, or no question could be
        scored.
    """
    lookup, keys = _restricted_lookup(kv, restrict_vocab, case_insensitive)
    n_words = len(keys)
    sections = OrderedDict()
    section_questions = {}
    oov = skipped = n_questions = 0
    name = None
    with _open_text(path) as file:
        for line_number, line in enumerate(file, start=1):
            if line.startswith(": "):
                name = line.lstrip(": ").strip()
                if name in sections:
                    raise ValueError(f"{path}, line {line_number}: section {name!r} appears twice; rename one")
                sections[name] = {"accuracy": 0.0, "correct": 0, "total": 0}
                section_questions[name] = []
                continue
            if name is None:
                raise ValueError(f"{path}, line {line_number}: a question before the first ': section' header")
            words = [word.upper() for word in line.split()] if case_insensitive else line.split()
            if len(words) != 4:
                skipped += 1
                continue
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
            f"no analogy question of {path} could be scored: {oov} of {n_questions} questions have a word outside "
            f"the first {n_words} words of the vocabulary; check the case or raise restrict_vocab"
        )
    return {
        "accuracy": correct / total,
        "correct": correct,
        "total": total,
        "sections": sections,
        "oov": oov,
        "oov_ratio": 100.0 * oov / n_questions,
        "skipped_lines": skipped,
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
    if not isinstance(kv, KeyedVectors):
        raise TypeError(f"kv must be a w2v_lib KeyedVectors, got {type(kv).__name__}")
    restrict_vocab = check_optional_positive_int("restrict_vocab", restrict_vocab)
    keys = kv.words[:restrict_vocab]
    if case_insensitive:
        keys = [word.upper() for word in keys]
    lookup = {}
    for row, key in enumerate(keys):
        lookup.setdefault(key, row)
    return lookup, keys


def _open_text(path):
    path = Path(path)
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")
