"""KeyedVectors against hand-worked cosines, brute force, gensim, and malformed files."""

import gzip
import math

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKeyedVectors

from w2v_lib.keyed_vectors import KeyedVectors


@pytest.fixture
def random_kv():
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(60)] + ["naïve", "日本"]
    return KeyedVectors(words, rng.normal(size=(len(words), 7)))


def brute_force_most_similar(kv, positive, negative, restrict_vocab=None):
    """Every candidate's cosine with the 3CosAdd query, one plain Python loop per word."""
    def unit(vector):
        length = math.sqrt(sum(float(x) * float(x) for x in vector))
        return [float(x) / length for x in vector]

    query = [0.0] * kv.dim
    for word, sign in [(w, 1) for w in positive] + [(w, -1) for w in negative]:
        query = [q + sign * u for q, u in zip(query, unit(kv[word]))]
    query = unit(query)
    scored = []
    for word in kv.words[:restrict_vocab]:
        if word not in positive and word not in negative:
            scored.append((word, sum(q * u for q, u in zip(query, unit(kv[word])))))
    return sorted(scored, key=lambda pair: -pair[1])


# --- construction and lookup -------------------------------------------------------------------------------------

def test_stores_float32_read_only_copy():
    vectors = np.array([[1.0, 2.0], [3.0, 4.0]])
    kv = KeyedVectors(["a", "b"], vectors)
    vectors[0, 0] = 100.0
    assert kv.vectors.dtype == np.float32
    assert kv["a"].tolist() == [1.0, 2.0]
    assert kv.words == ["a", "b"] and len(kv) == 2 and "a" in kv and "c" not in kv
    assert kv.dim == 2 and kv.index("b") == 1 and list(kv) == ["a", "b"]
    with pytest.raises(ValueError):
        kv.vectors[0, 0] = 5.0


@pytest.mark.parametrize("words, vectors, error, message", [
    (["a", "b"], np.ones((3, 2)), ValueError, "vectors has 3 rows but there are 2 words"),
    (["a", "b"], np.ones(2), ValueError, "shape"),
    (["a", "b", "a"], np.ones((3, 2)), ValueError, "'a' occurs twice, at positions 0 and 2"),
    (["a", "b"], [[1.0, np.nan], [0.0, 1.0]], ValueError, "'a' \\(row 0\\) contains NaN"),
    (["a", "b"], [[1.0, 0.0], [1e39, 1.0]], ValueError, "'b' \\(row 1\\)"),
    (["a", 7], np.ones((2, 2)), TypeError, "words must be strings, got int 7 at position 1"),
    (["a"], [["x", "y"]], TypeError, "floating-point"),
])
def test_construction_rejects_bad_input(words, vectors, error, message):
    with pytest.raises(error, match=message):
        KeyedVectors(words, vectors)


def test_unknown_word_raises_key_error_naming_it(random_kv):
    for call in (lambda: random_kv["nope"], lambda: random_kv.similarity("w1", "nope"),
                 lambda: random_kv.most_similar(["w1", "nope"]), lambda: random_kv.analogy("w1", "w2", "nope"),
                 lambda: random_kv.doesnt_match(["w1", "w2", "nope"])):
        with pytest.raises(KeyError, match="'nope' is not in the vocabulary"):
            call()


def test_similarity_hand_worked():
    # (3, 4)·(4, 3) = 24 and both norms are 5, so the cosine is 24 / 25; (3, 4) and (-6, -8) point opposite ways.
    kv = KeyedVectors(["x", "y", "z"], [[3.0, 4.0], [4.0, 3.0], [-6.0, -8.0]])
    assert kv.similarity("x", "y") == pytest.approx(0.96, abs=1e-7)
    assert kv.similarity("x", "z") == pytest.approx(-1.0, abs=1e-7)
    assert kv.similarity("x", "x") == pytest.approx(1.0, abs=1e-7)


# --- most_similar, analogy, doesnt_match -----------------------------------------------------------------------

@pytest.mark.parametrize("positive, negative, restrict_vocab", [
    (["w3"], [], None), ("w3", [], None), (["w3", "w10"], ["w7"], None), (["naïve"], ["w1", "w2"], None),
    (["w3", "w10"], ["w7"], 20), (["w50"], [], 20), ([], ["w4"], None),
])
def test_most_similar_matches_brute_force(random_kv, positive, negative, restrict_vocab):
    expected = brute_force_most_similar(random_kv, [positive] if isinstance(positive, str) else positive,
                                        negative, restrict_vocab)
    got = random_kv.most_similar(positive, negative, topn=None, restrict_vocab=restrict_vocab)
    assert [word for word, _ in got] == [word for word, _ in expected]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-6)
    assert all(isinstance(word, str) and type(score) is float for word, score in got)
    top3 = random_kv.most_similar(positive, negative, topn=3, restrict_vocab=restrict_vocab)
    assert [word for word, _ in top3] == [word for word, _ in expected[:3]]


def test_most_similar_ties_keep_vocabulary_order():
    kv = KeyedVectors(["q", "b", "a", "c"], [[1.0, 0.0], [0.0, 1.0], [0.0, 2.0], [1.0, 1.0]])
    # b and a have the same direction, so the same cosine 0 with q; b comes first in the vocabulary.
    assert [word for word, _ in kv.most_similar("q")] == ["c", "b", "a"]


def test_most_similar_rejects_bad_arguments(random_kv):
    with pytest.raises(ValueError, match="at least one word"):
        random_kv.most_similar([])
    with pytest.raises(ValueError, match="topn must be >= 1, got 0"):
        random_kv.most_similar("w1", topn=0)
    with pytest.raises(ValueError, match="restrict_vocab"):
        random_kv.most_similar("w1", restrict_vocab=-3)
    with pytest.raises(ValueError, match="query vector is zero"):
        random_kv.most_similar("w1", negative="w1")


def test_analogy_hand_worked():
    # û_king + û_woman − û_man = (1/√2, 0, 1/√2) + (0, 1, 0) − (1, 0, 0) = (1/√2 − 1, 1, 1/√2);
    # its cosine with queen = (0, 1, 1)/√2 is (1 + 1/√2) / √2 / ‖q‖, with apple = (1, 1, 0)/√2 it is
    # (1/√2 − 1 + 1) / √2 / ‖q‖ = 1/2 / ‖q‖.
    words = ["man", "woman", "king", "queen", "apple"]
    kv = KeyedVectors(words, [[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 0]])
    r = 1 / math.sqrt(2)
    q_norm = math.sqrt((r - 1) ** 2 + 1 + r ** 2)
    result = kv.analogy("man", "king", "woman", topn=2)
    assert [word for word, _ in result] == ["queen", "apple"]
    assert result[0][1] == pytest.approx((1 + r) * r / q_norm, abs=1e-6)
    assert result[1][1] == pytest.approx(0.5 / q_norm, abs=1e-6)
    assert kv.analogy("man", "king", "woman") == kv.most_similar(["king", "woman"], ["man"], topn=1)


def test_doesnt_match_uses_unit_vectors():
    # Unit vectors (1, 0), (0, 1), (0.6, 0.8) sum to (1.6, 1.8); their dots with it are 1.6, 1.8 and 2.4, so
    # "long" (the (10, 0) vector) is furthest from the mean direction. The raw mean (3.53, 0.6) would pick "up".
    kv = KeyedVectors(["long", "up", "diag"], [[10.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    assert kv.doesnt_match(["long", "up", "diag"]) == "long"
    assert kv.doesnt_match(("diag", "up", "long")) == "long"
    with pytest.raises(ValueError, match="at least 2 words"):
        kv.doesnt_match(["up"])


def test_doesnt_match_and_most_similar_agree_with_gensim(random_kv, tmp_path):
    gensim_kv = GensimKeyedVectors(random_kv.dim)
    gensim_kv.add_vectors(random_kv.words, random_kv.vectors)
    for words in (["w1", "w2", "w3", "w4"], ["naïve", "w8", "w20", "日本", "w33"]):
        assert random_kv.doesnt_match(words) == gensim_kv.doesnt_match(words)
    got = random_kv.most_similar(["w1", "w2"], ["w3"], topn=5)
    expected = gensim_kv.most_similar(positive=["w1", "w2"], negative=["w3"], topn=5)
    assert [w for w, _ in got] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-6)


def test_zero_vector_has_cosine_zero():
    kv = KeyedVectors(["zero", "x", "y"], [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    assert kv.similarity("zero", "x") == 0.0
    assert dict(kv.most_similar("x"))["zero"] == 0.0


# --- word2vec format ---------------------------------------------------------------------------------------------

def awkward_kv():
    """float32 values that a careless writer gets wrong: subnormals, the extremes, -0, many digits."""
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(30, 6)).astype(np.float32) * np.float32(1e-3)
    vectors[0] = [np.finfo(np.float32).tiny / 8, np.finfo(np.float32).max, -np.finfo(np.float32).max, -0.0,
                  np.float32(1) / np.float32(3), np.nextafter(np.float32(1), np.float32(2))]
    words = [f"word{i}" for i in range(29)] + ["ünïcödé"]
    return KeyedVectors(words, vectors)


@pytest.mark.parametrize("name, binary", [("v.txt", False), ("v.txt.gz", False), ("v.bin", True),
                                          ("v.bin.gz", True)])
def test_round_trip_is_exact(tmp_path, name, binary):
    kv = awkward_kv()
    kv.save_word2vec_format(tmp_path / name, binary=binary)
    loaded = KeyedVectors.load_word2vec_format(tmp_path / name, binary=binary)
    assert loaded.words == kv.words
    assert loaded.vectors.tobytes() == kv.vectors.tobytes()
    if name.endswith(".gz"):
        with gzip.open(tmp_path / name, "rb") as file:
            assert file.readline() == b"30 6\n"


def test_text_format_layout_and_precision(tmp_path):
    kv = KeyedVectors(["a", "b"], [[0.1, -2.5], [1 / 3, 1e-8]])
    kv.save_word2vec_format(tmp_path / "six.txt", precision=6)
    assert (tmp_path / "six.txt").read_text() == "2 2\na 0.1 -2.5\nb 0.333333 1e-08\n"
    loaded = KeyedVectors.load_word2vec_format(tmp_path / "six.txt")
    # 6 significant digits: at most half a unit of the 6th digit, 5e-6 relative when the leading digit is 1.
    np.testing.assert_allclose(loaded.vectors, kv.vectors, rtol=5e-6)
    kv.save_word2vec_format(tmp_path / "exact.txt")
    lines = (tmp_path / "exact.txt").read_text().splitlines()
    # 9 significant digits: float32(0.1) is 0.100000001490116..., float32(1/3) is 0.333333343267...
    assert lines[1:] == ["a 0.100000001 -2.5", "b 0.333333343 9.99999994e-09"]


def test_binary_layout_is_word2vec_c(tmp_path):
    kv = KeyedVectors(["ab", "c"], [[1.0, -2.0], [0.5, 3.0]])
    kv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    expected = (b"2 2\n" + b"ab " + np.array([1.0, -2.0], "<f4").tobytes() + b"\n"
                + b"c " + np.array([0.5, 3.0], "<f4").tobytes() + b"\n")
    assert (tmp_path / "v.bin").read_bytes() == expected


@pytest.mark.parametrize("name, binary", [("v.txt", False), ("v.txt.gz", False), ("v.bin", True),
                                          ("v.bin.gz", True)])
def test_gensim_reads_our_files(tmp_path, name, binary):
    kv = awkward_kv()
    kv = KeyedVectors(kv.words, kv.vectors[:, [0, 3, 4, 5]])  # gensim's float32 norms overflow at ±float32 max
    kv.save_word2vec_format(tmp_path / name, binary=binary)
    gensim_kv = GensimKeyedVectors.load_word2vec_format(tmp_path / name, binary=binary)
    assert gensim_kv.index_to_key == kv.words
    assert gensim_kv.vectors.tobytes() == kv.vectors.tobytes()
    for positive, negative in ((["word3"], []), (["word3", "ünïcödé"], ["word7"])):
        ours = kv.most_similar(positive, negative, topn=5)
        theirs = gensim_kv.most_similar(positive=positive, negative=negative, topn=5)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-6)


@pytest.mark.parametrize("name, binary", [("g.txt", False), ("g.bin", True), ("g.bin.gz", True)])
def test_we_read_gensim_files(tmp_path, name, binary):
    kv = awkward_kv()
    gensim_kv = GensimKeyedVectors(kv.dim)
    gensim_kv.add_vectors(kv.words, kv.vectors)
    gensim_kv.save_word2vec_format(str(tmp_path / name), binary=binary)  # gensim's binary has no newlines
    loaded = KeyedVectors.load_word2vec_format(tmp_path / name, binary=binary)
    assert loaded.words == kv.words
    assert loaded.vectors.tobytes() == kv.vectors.tobytes()


def test_text_reader_accepts_trailing_space_and_crlf(tmp_path):
    # word2vec.c writes a space after the last value of each line; Windows tools write \r\n.
    (tmp_path / "c.txt").write_bytes(b"2 3\r\nx 1 2 3 \r\ny 4 5 6 \n")
    loaded = KeyedVectors.load_word2vec_format(tmp_path / "c.txt")
    assert loaded.words == ["x", "y"] and loaded.vectors.tolist() == [[1, 2, 3], [4, 5, 6]]


@pytest.mark.parametrize("content, message", [
    (b"", "line 1: the file is empty"),
    (b"3\nx 1 2\n", "line 1: bad header '3'"),
    (b"two 2\nx 1 2\n", "line 1: bad header 'two 2'"),
    (b"0 2\n", "line 1: bad header '0 2'"),
    (b"2 2 7\nx 1 2\ny 3 4\n", "line 1: bad header"),
    (b"3 2\nx 1 2\ny 3\nz 5 6\n", "line 3: expected 2 values after the word 'y', got 1"),
    (b"3 2\nx 1 2\ny 3 4\nz 5 6 7\n", "line 4: expected 2 values after the word 'z', got 3"),
    (b"3 2\nx 1 2\ny 3 4\nz 5 six\n", "line 4: value 'six' of word 'z' is not a number"),
    (b"2 2\nx 1 2\ny 3  4\n", "line 3: expected 2 values"),
    (b"3 2\nx 1.25 2.5\ny 3.75 4.5\n", "line 3: the file ends after 2 words, but the header says 3"),
    (b"3 2\nx 1 2\ny 3 4\n", "line 1: the header declares 3 words of 2 values, which take at least 19 bytes, "
                          "but the file has 16 bytes: the header is wrong or the file is cut short"),
    (b"3 2\nx 1 2\ny 3 4\nx 5 6\n", "line 4: duplicate word 'x', first seen on line 2"),
    (b"2 2\nx 1 2\ny 3 4\nz 5 6\n", "line 4: the header says 2 words, but more follow"),
    (b"2 2\nx 1 nan\ny 3 4\n", "line 2: value 'nan' of word 'x' is not finite"),
    (b"2 2\nx 1 2\ny 3 1e39\n", "line 3: value '1e39' of word 'y' is not finite"),
    (b"2 2\nx 1 2\n 3 4\n", "line 3: expected a word"),
    (b"2 2\nx 1 2\n\xff 3 4\n", "line 3: byte 0xff at byte offset 10 is not valid UTF-8 \\(invalid start byte\\)"),
])
def test_malformed_text_file_names_line_and_problem(tmp_path, content, message):
    (tmp_path / "bad.txt").write_bytes(content)
    with pytest.raises(ValueError, match=message):
        KeyedVectors.load_word2vec_format(tmp_path / "bad.txt")


def _binary_entry(word, values):
    return word + b" " + np.array(values, dtype="<f4").tobytes() + b"\n"


@pytest.mark.parametrize("content, message", [
    (b"2 x\n", "line 1: bad header"),
    (b"2 2\n" + _binary_entry(b"a", [1, 2]) + b"\n" * 10, "word 2 \\(byte offset 25\\): the file ends after 1 words"),
    (b"2 2\n" + _binary_entry(b"a", [1, 2]) + b"bbbb " + b"\0" * 5, "word 2 .*the file ends after 1 words"),
    (b"2 2\n" + _binary_entry(b"a", [1, 2]), "line 1: the header declares 2 words of 2 values, which take at "
                                              "least 24 bytes, but the file has 15 bytes"),
    (b"2 2\n" + _binary_entry(b"a", [1, 2]) + _binary_entry(b"a", [3, 4]),
     "word 2 \\(byte offset 15\\): duplicate word 'a', first seen as word 1"),
    (b"1 2\n" + _binary_entry(b"a", [1, np.inf]), "word 1 .*'a' contains NaN or infinity"),
    (b"1 2\n" + _binary_entry(b"a", [1, 2]) + b"junk", "extra data after the 1 words"),
])
def test_malformed_binary_file_names_word_and_problem(tmp_path, content, message):
    (tmp_path / "bad.bin").write_bytes(content)
    with pytest.raises(ValueError, match=message):
        KeyedVectors.load_word2vec_format(tmp_path / "bad.bin", binary=True)


def test_save_rejects_words_the_format_cannot_hold(tmp_path):
    kv = KeyedVectors(["new york", "b"], np.eye(2))
    with pytest.raises(ValueError, match="'new york' cannot be written"):
        kv.save_word2vec_format(tmp_path / "v.txt")
    with pytest.raises(ValueError, match="precision must be from 1 to 9"):
        KeyedVectors(["a"], [[1.0]]).save_word2vec_format(tmp_path / "v.txt", precision=12)


def test_header_declaring_more_than_the_file_holds_is_refused_before_allocating(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"1000000000000 100\nx " + b"0 " * 100 + b"\n")
    with pytest.raises(ValueError) as error:
        KeyedVectors.load_word2vec_format(path)
    assert str(error.value) == (f"vectors {str(path)!r}, line 1: the header declares 1,000,000,000,000 words of 100 "
                                "values, which take at least 201,000,000,000,018 bytes, but the file has 221 bytes: "
                                "the header is wrong or the file is cut short")
    compressed = tmp_path / "huge.bin.gz"
    compressed.write_bytes(gzip.compress(b"3 1000000\n" + b"\0" * 1000))
    with pytest.raises(ValueError, match="which take at least 12,000,016 bytes, but the file has .* bytes \\(at most "
                                         ".* once uncompressed\\): the header is wrong"):
        KeyedVectors.load_word2vec_format(compressed, binary=True)


def test_vectors_that_do_not_fit_in_memory_are_refused(tmp_path, monkeypatch):
    from w2v_lib import _validation

    path = tmp_path / "v.txt"
    KeyedVectors([f"w{i}" for i in range(300)], np.ones((300, 50))).save_word2vec_format(path)
    monkeypatch.setattr(_validation, "available_memory", lambda: 100_000)
    with pytest.raises(MemoryError, match=f"loading vectors {str(path)!r} needs about 322.3 KiB .* but the machine "
                                          "has 97.7 KiB available: load it on a machine with more memory"):
        KeyedVectors.load_word2vec_format(path)


def test_unreadable_vector_files(tmp_path):
    good = b"2 2\nx 1 2\ny 3 4\n"
    compressed = gzip.compress(good)
    cases = {
        "plain.txt.gz": (good, "is not gzip-compressed, although its name ends in .gz"),
        "truncated.txt.gz": (compressed[:-12], "is truncated: its gzip data ends before the end marker"),
        "latin1.txt.gz": (gzip.compress(good + b"caf\xe9 5 6\n"), "line 4: byte 0xe9 at byte offset 19 of the "
                                                                   "uncompressed data is not valid UTF-8"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match=message):
            KeyedVectors.load_word2vec_format(tmp_path / name)
    with pytest.raises(IsADirectoryError, match=f"vectors {str(tmp_path)!r} is a directory"):
        KeyedVectors.load_word2vec_format(tmp_path)
    with pytest.raises(FileNotFoundError, match="vectors .*nope.txt' does not exist: check the path"):
        KeyedVectors.load_word2vec_format(tmp_path / "nope.txt")


@pytest.mark.parametrize(("name", "binary"), [("v.txt", False), ("v.bin.gz", True)])
def test_an_interrupted_save_leaves_the_old_file(tmp_path, monkeypatch, name, binary):
    from contextlib import contextmanager

    from w2v_lib import keyed_vectors

    path = tmp_path / name
    path.write_bytes(b"old content")
    kv = KeyedVectors([f"w{i}" for i in range(50)], np.ones((50, 3)))
    monkeypatch.setattr(keyed_vectors, "_ROWS_PER_WRITE", 4)
    real_atomic_write = keyed_vectors.atomic_write
    written = []

    class Interrupted:  # a file whose 4th write is interrupted by Ctrl-C
        def __init__(self, file):
            self.file = file

        def write(self, data):
            if len(written) == 3:
                raise KeyboardInterrupt
            written.append(data)
            return self.file.write(data)

    @contextmanager
    def interrupted_write(target):
        with real_atomic_write(target) as file:
            yield Interrupted(file)

    monkeypatch.setattr(keyed_vectors, "atomic_write", interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        kv.save_word2vec_format(path, binary=binary)
    assert len(written) == 3  # the header and two blocks of rows were written to the temporary file
    assert path.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == [name]
    monkeypatch.setattr(keyed_vectors, "atomic_write", real_atomic_write)
    kv.save_word2vec_format(path, binary=binary)
    assert KeyedVectors.load_word2vec_format(path, binary=binary).words == kv.words
