"""Word-pair and analogy evaluation: hand-worked cases, and equality with gensim's evaluators."""

import gzip
import math

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKeyedVectors
from gensim.test.utils import datapath
from scipy import stats

from w2v_lib import evaluate
from w2v_lib.evaluate import (
    analogy_answers,
    evaluate_analogies,
    evaluate_word_pairs,
    group_purity,
    planted_analogy_accuracy,
)
from w2v_lib.keyed_vectors import KeyedVectors

QUESTIONS_PER_SECTION = 25


def to_gensim(kv):
    gensim_kv = GensimKeyedVectors(kv.dim)
    gensim_kv.add_vectors(kv.words, kv.vectors)
    return gensim_kv


@pytest.fixture(scope="module")
def question_subset(tmp_path_factory):
    """The first questions of each section of questions-words.txt, so that gensim's loop finishes quickly."""
    lines, count = [], 0
    with open(datapath("questions-words.txt"), encoding="utf-8") as file:
        for line in file:
            count = 0 if line.startswith(": ") else count + 1
            if count <= QUESTIONS_PER_SECTION:
                lines.append(line)
    path = tmp_path_factory.mktemp("questions") / "questions-subset.txt"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def planted_kv(question_subset):
    """Real words with vectors in which b − a ≈ d − c ≈ a relation vector per section, plus case variants.

    About half the analogies come out right (a relation is planted only the first time a word is reached),
    and case variants ("athens" next to "Athens", with a nearby vector) test gensim's upper-casing rules.
    """
    rng = np.random.default_rng(0)
    dim = 16
    vectors = {}
    question_words = set()
    relation = None
    with open(question_subset, encoding="utf-8") as file:
        for line in file:
            if line.startswith(": "):
                relation = rng.normal(size=dim)
                continue
            a, b, c, d = line.split()
            question_words.update(word.lower() for word in (a, b, c, d))
            for first, second in ((a, b), (c, d)):
                vectors.setdefault(first, rng.normal(size=dim))
                vectors.setdefault(second, vectors[first] + relation + 0.5 * rng.normal(size=dim))
    for name in ("wordsim353.tsv", "simlex999.txt"):
        with open(datapath(name), encoding="utf-8") as file:
            for line in file:
                if not line.startswith("#"):
                    for word in line.split("\t")[:2]:
                        vectors.setdefault(word, rng.normal(size=dim))
    for word in list(vectors)[::3]:
        variant = word.lower() if word != word.lower() else word.capitalize()
        if variant not in vectors:
            vectors[variant] = vectors[word] + 0.2 * rng.normal(size=dim)
    for i in range(200):
        vectors[f"filler{i}"] = rng.normal(size=dim)
    # Shuffled, but the question words (and variants) mostly first, as frequent words would be.
    rank = {word: rng.random() + (0.5 if word.lower() in question_words else 1.0) for word in vectors}
    words = sorted(vectors, key=rank.get)
    return KeyedVectors(words, np.array([vectors[word] for word in words]))


# --- analogies -----------------------------------------------------------------------------------------------------

def assert_same_as_gensim_analogies(kv, path, restrict_vocab, case_insensitive, dummy4unknown):
    ours = evaluate_analogies(kv, path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
                              dummy4unknown=dummy4unknown)
    score, gensim_sections = to_gensim(kv).evaluate_word_analogies(
        str(path), restrict_vocab=restrict_vocab or len(kv), case_insensitive=case_insensitive,
        dummy4unknown=dummy4unknown)
    total = gensim_sections[-1]
    assert total["section"] == "Total accuracy"
    assert ours["correct"] == len(total["correct"])
    assert ours["total"] == len(total["correct"]) + len(total["incorrect"])
    assert ours["accuracy"] == pytest.approx(score, abs=1e-12)
    expected_sections = [(s["section"], len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
                         for s in gensim_sections[:-1]]
    assert [(name, s["correct"], s["total"]) for name, s in ours["sections"].items()] == expected_sections
    for section, (_, correct, questions) in zip(ours["sections"].values(), expected_sections):
        assert section["accuracy"] == pytest.approx(correct / questions if questions else 0.0, abs=1e-12)
    return ours


@pytest.mark.parametrize("restrict_vocab", [None, 900, 500])
@pytest.mark.parametrize("case_insensitive", [True, False])
def test_analogies_equal_gensim(planted_kv, question_subset, restrict_vocab, case_insensitive, monkeypatch):
    variant_cases = []
    original = evaluate._gensim_prediction
    monkeypatch.setattr(evaluate, "_gensim_prediction",
                        lambda *args: variant_cases.append(args[0]) or original(*args))
    ours = assert_same_as_gensim_analogies(planted_kv, question_subset, restrict_vocab, case_insensitive, False)
    assert 0 < ours["correct"] < ours["total"]  # the comparison is not all-right or all-wrong
    if restrict_vocab is None and case_insensitive:
        assert variant_cases  # some best answer was a case variant of a question word, and was skipped
    if restrict_vocab is not None:
        assert ours["oov"] > 0


def test_analogies_with_dummy4unknown_equal_gensim(planted_kv, question_subset):
    ours = assert_same_as_gensim_analogies(planted_kv, question_subset, 500, True, True)
    assert ours["oov"] > 0


def test_analogies_on_the_full_standard_file_equal_gensim(planted_kv):
    # Only 150 words: most of the 19,544 questions are out of vocabulary, which keeps gensim's loop short.
    ours = assert_same_as_gensim_analogies(planted_kv, datapath("questions-words.txt"), 150, True, False)
    assert ours["oov"] + ours["total"] == 19544


def test_analogies_hand_worked(tmp_path):
    # man : king :: woman : ? gives queen (see test_keyed_vectors.test_analogy_hand_worked), so the first
    # question is right and the second (expecting apple) wrong; the third has the unknown word "pear".
    kv = KeyedVectors(["man", "woman", "king", "queen", "apple"],
                      [[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 0]])
    path = tmp_path / "q.txt"
    path.write_text(": royal\nman king woman queen\nman king woman apple\n: fruit\nman king woman pear\n\n")
    result = evaluate_analogies(kv, path)
    assert result["sections"] == {"royal": {"accuracy": 0.5, "correct": 1, "total": 2},
                                  "fruit": {"accuracy": 0.0, "correct": 0, "total": 0}}
    assert (result["accuracy"], result["correct"], result["total"]) == (0.5, 1, 2)
    assert (result["oov"], result["oov_ratio"]) == (1, 100 / 3)
    counted = evaluate_analogies(kv, path, dummy4unknown=True)
    assert counted["sections"]["fruit"] == {"accuracy": 0.0, "correct": 0, "total": 1}


def test_analogies_skip_case_variants_of_question_words(tmp_path):
    # Upper-cased, WOMAN is the question word "woman": gensim's rule skips it although it is the closest word
    # to û_king + û_woman − û_man, and answers queen.
    kv = KeyedVectors(["man", "woman", "king", "queen", "apple", "WOMAN"],
                      [[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 0], [-0.29, 1, 0.71]])
    path = tmp_path / "q.txt"
    path.write_text(": royal\nman king woman queen\n")
    assert kv.analogy("man", "king", "woman")[0][0] == "WOMAN"
    assert evaluate_analogies(kv, path)["correct"] == 1
    assert evaluate_analogies(kv, path, case_insensitive=False)["correct"] == 0
    for case_insensitive in (True, False):
        assert_same_as_gensim_analogies(kv, path, None, case_insensitive, False)


def test_analogies_when_all_candidates_are_case_variants(tmp_path):
    # Six variants of "abc" lie next to it and outrank every other word for the question cd : abc :: xy : abc.
    # Upper-cased they are all the question word ABC, so gensim keeps its 5th candidate, whose key ABC is also
    # the expected answer: counted right. Compared exactly, the best variant is simply a wrong answer.
    words = ["abc", "cd", "xy", "Abc", "aBc", "abC", "ABc", "AbC", "ABC", "other"]
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(len(words), 4))
    vectors[3:9] = vectors[0] + 0.01 * rng.normal(size=(6, 4))
    kv = KeyedVectors(words, vectors)
    path = tmp_path / "q.txt"
    path.write_text(": s\ncd abc xy abc\n")
    assert {word for word, _ in kv.analogy("cd", "abc", "xy", topn=6)} == set(words[3:9])
    assert assert_same_as_gensim_analogies(kv, path, None, True, False)["correct"] == 1
    assert assert_same_as_gensim_analogies(kv, path, None, False, False)["correct"] == 0


def test_analogies_errors(tmp_path):
    kv = KeyedVectors(["a", "b", "c", "d"], np.eye(4))
    (tmp_path / "headless.txt").write_text("a b c d\n")
    with pytest.raises(ValueError, match="line 1: a question before the first ': section' header"):
        evaluate_analogies(kv, tmp_path / "headless.txt")
    (tmp_path / "oov.txt").write_text(": s\na b c e\n")
    with pytest.raises(ValueError, match="no analogy question .* could be scored: 1 of 1"):
        evaluate_analogies(kv, tmp_path / "oov.txt")
    (tmp_path / "twice.txt").write_text(": s\na b c d\n: s\nb a c d\n")
    with pytest.raises(ValueError, match="line 3: section 's' appears twice"):
        evaluate_analogies(kv, tmp_path / "twice.txt")
    with pytest.raises(ValueError, match="restrict_vocab must be >= 1, got 0"):
        evaluate_analogies(kv, tmp_path / "oov.txt", restrict_vocab=0)


# --- word pairs ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
@pytest.mark.parametrize("restrict_vocab", [None, 1500])
@pytest.mark.parametrize("case_insensitive", [True, False])
@pytest.mark.parametrize("dummy4unknown", [False, True])
def test_word_pairs_equal_gensim(planted_kv, name, restrict_vocab, case_insensitive, dummy4unknown):
    ours = evaluate_word_pairs(planted_kv, datapath(name), case_insensitive=case_insensitive,
                               dummy4unknown=dummy4unknown, restrict_vocab=restrict_vocab)
    pearson, spearman, oov_ratio = to_gensim(planted_kv).evaluate_word_pairs(
        datapath(name), case_insensitive=case_insensitive, dummy4unknown=dummy4unknown,
        restrict_vocab=restrict_vocab or len(planted_kv))
    assert ours["pearson"] == pytest.approx(pearson[0], abs=1e-6)
    assert ours["spearman"] == pytest.approx(spearman[0], abs=1e-6)
    assert ours["pearson_pvalue"] == pytest.approx(pearson[1], abs=1e-6)
    assert ours["spearman_pvalue"] == pytest.approx(spearman[1], abs=1e-6)
    assert ours["oov_ratio"] == pytest.approx(oov_ratio, abs=1e-12)
    if restrict_vocab is not None:
        assert ours["oov_pairs"] > 0


def test_word_pairs_hand_worked(tmp_path):
    kv = KeyedVectors(["a", "b", "c", "D"], [[1.0, 0.0], [0.0, 1.0], [3.0, 4.0], [1.0, 1.0]])
    path = tmp_path / "pairs.tsv"
    path.write_text("# a comment\na\tb\t1.0\na\tc\t5.5\nc\td\t9\nb\tzzz\t3\n\n")
    # Cosines: a·b = 0, a·c = 3/5, c·D = (3 + 4)/(5 √2); "d" matches "D" only when upper-casing.
    cosines = [0.0, 0.6, 7 / (5 * math.sqrt(2))]
    result = evaluate_word_pairs(kv, path)
    assert result["pearson"] == pytest.approx(stats.pearsonr([1.0, 5.5, 9.0], cosines).statistic, abs=1e-6)
    assert result["spearman"] == pytest.approx(1.0)
    assert (result["pairs"], result["oov_pairs"]) == (3, 1)
    assert result["oov_ratio"] == pytest.approx(25.0)
    exact_case = evaluate_word_pairs(kv, path, case_insensitive=False, dummy4unknown=True)
    assert (exact_case["pairs"], exact_case["oov_pairs"]) == (4, 2)
    assert exact_case["oov_ratio"] == pytest.approx(50.0)
    # With zeros for the unknown pairs the model's scores are 0, 0.6, 0, 0 against 1, 5.5, 9, 3.
    assert exact_case["pearson"] == pytest.approx(stats.pearsonr([1, 5.5, 9, 3], [0, 0.6, 0, 0]).statistic,
                                                  abs=1e-6)


@pytest.mark.parametrize(("content", "message"), [
    ("a\tb\t1\na,b,2\n", "line 2: expected 3 fields, word, word and score, separated by '\\\\t', got 'a,b,2'"),
    ("a\tb\t1\nb\ta\tnan\n", "line 2: the score 'nan' is not a finite number"),
    ("a\tb\tinf\nb\ta\t2\n", "line 1: the score 'inf' is not a finite number"),
    ("a\tb\thigh\n", "line 1: the score 'high' is not a finite number"),
    ("a\tb\t1\nx\ty\t1\n", "1 pair\\(s\\) could be scored, and a correlation needs at least 2; 1 pair\\(s\\) have a "
                             "word outside the first 2 words of the vocabulary"),
    ("x\ty\t1\n", "0 pair\\(s\\) could be scored, and a correlation needs at least 2"),
    ("a\tb\t1\nb\ta\t1\n", "the human scores of the 2 scored pairs are all equal"),
    ("a\tb\t1\nb\ta\t2\n", "the cosines of the model of the 2 scored pairs are all equal"),
])
def test_word_pairs_errors_name_the_line(tmp_path, content, message):
    kv = KeyedVectors(["a", "b"], np.eye(2))
    path = tmp_path / "pairs.tsv"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        evaluate_word_pairs(kv, path)


def test_analogy_files_errors_name_the_line(tmp_path):
    kv = KeyedVectors(["a", "b", "c", "d"], np.eye(4))
    path = tmp_path / "q.txt"
    path.write_text(": s\na b c d\na b c\n")
    with pytest.raises(ValueError, match="line 3: expected a ': section' header or four words 'a b c d'"):
        evaluate_analogies(kv, path)
    path.write_bytes(b": s\na b c d\na \xe9 c d\n")  # 4 + 8 + 2 bytes before the bad one
    with pytest.raises(ValueError, match="line 3: byte 0xe9 at byte offset 14 is not valid UTF-8"):
        evaluate_analogies(kv, path)


def test_planted_analogy_accuracy_and_answers_hand_worked():
    # Unit vectors man (1,0,0), woman (0,1,0), king (1,0,1)/√2, queen (0,1,1)/√2, apple (1,1,0)/√2.
    # man : king :: woman : ?   q = king - man + woman = (1/√2 - 1, 1, 1/√2): queen scores 1.207, apple 0.5.
    # woman : queen :: man : ?  q = (1, 1/√2 - 1, 1/√2): king 1.207, apple 0.5.
    # man : woman :: king : ?   q = woman - man + king, the first q again: queen, so expecting apple is wrong.
    kv = KeyedVectors(["man", "woman", "king", "queen", "apple"],
                      [[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 0]])
    questions = [("man", "king", "woman", "queen"), ("woman", "queen", "man", "king"),
                 ("man", "king", "woman", "apple"), ("man", "woman", "king", "apple")]
    assert analogy_answers(kv, questions) == ["queen", "king", "queen", "queen"]
    assert planted_analogy_accuracy(kv, questions) == 0.5
    assert planted_analogy_accuracy(kv, iter(questions[:1])) == 1.0
    with pytest.raises(KeyError, match="'pear'"):
        planted_analogy_accuracy(kv, [("man", "king", "pear", "queen")])
    with pytest.raises(ValueError, match="analogies is empty"):
        planted_analogy_accuracy(kv, [])
    with pytest.raises(ValueError, match="analogies must hold \\(a, b, c, d\\) questions of 4 words"):
        planted_analogy_accuracy(kv, [("man", "king", "woman")])


def test_group_purity_hand_worked():
    # Two tight pairs and a loner. Cosines: a-a2 and b-b2 0.995, a2-b 0.198, a-b and a2-b2 0.0995, others 0; so
    # each word's nearest word is its partner, and its second the nearer word of the other pair.
    kv = KeyedVectors(["a", "a2", "b", "b2", "c"],
                      [[1, 0, 0], [1, 0.1, 0], [0.1, 1, 0], [0, 1, 0], [0, 0, 1]])
    groups = {"A": ["a", "a2"], "B": ["b", "b2"]}
    # topn 1: every word's nearest neighbour is its partner.
    assert group_purity(kv, groups, topn=1) == 1.0
    # topn 2: the partner and one word of the other group, for each of the 4 words: 1/2.
    assert group_purity(kv, groups, topn=2) == 0.5
    # A group of one word has no partner to find; its nearest neighbour a2 is not in {"a"}.
    assert group_purity(kv, {"A": ["a"], "B": ["b", "b2"]}, topn=1) == pytest.approx(2 / 3)
    with pytest.raises(KeyError, match="'z'"):
        group_purity(kv, {"Z": ["z"]})
    with pytest.raises(TypeError, match="groups must be a non-empty dict"):
        group_purity(kv, ["a", "b"])
    with pytest.raises(ValueError, match="topn must be >= 1"):
        group_purity(kv, groups, topn=0)


def test_word_pairs_errors(tmp_path):
    kv = KeyedVectors(["a", "b"], np.eye(2))
    (tmp_path / "none.tsv").write_text("x\ty\t1\nz\tw\t2\n")
    with pytest.raises(ValueError, match="0 pair\\(s\\) could be scored, and a correlation needs at least 2; 2 "
                                         "pair\\(s\\) have a word outside"):
        evaluate_word_pairs(kv, tmp_path / "none.tsv")
    with pytest.raises(TypeError, match="w2v_lib KeyedVectors"):
        evaluate_word_pairs({"a": [1.0]}, tmp_path / "none.tsv")


def test_unreadable_evaluation_files(tmp_path):
    kv = KeyedVectors(["a", "b", "c"], np.eye(3))
    pairs = b"a\tb\t1\nb\tc\t2\na\tc\t3\n"
    (tmp_path / "truncated.tsv.gz").write_bytes(gzip.compress(pairs)[:-10])
    with pytest.raises(ValueError, match="word pairs .*truncated.tsv.gz' is truncated: its gzip data ends before"):
        evaluate_word_pairs(kv, tmp_path / "truncated.tsv.gz")
    (tmp_path / "plain.txt.gz").write_bytes(b": s\na b c a\n")
    with pytest.raises(ValueError, match="analogies .*plain.txt.gz' is not gzip-compressed"):
        evaluate_analogies(kv, tmp_path / "plain.txt.gz")
    with pytest.raises(IsADirectoryError, match="analogies .* is a directory"):
        evaluate_analogies(kv, tmp_path)
    (tmp_path / "latin1.tsv.gz").write_bytes(gzip.compress(pairs + b"caf\xe9\ta\t4\n"))
    with pytest.raises(ValueError, match="line 4: byte 0xe9 at byte offset 21 of the uncompressed data is not valid "
                                         "UTF-8"):
        evaluate_word_pairs(kv, tmp_path / "latin1.tsv.gz")
