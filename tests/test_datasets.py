"""Tests for w2v_lib.datasets: the toy corpus's planted structure, the Lee corpus, reading files, text8."""

import gzip
import hashlib
import re
import zipfile

import pytest

from w2v_lib.datasets import TextCorpus, download_text8, lee_corpus, read_corpus, tokenize, toy_corpus

# --- toy corpus ---------------------------------------------------------------------------------------------


def test_toy_corpus_deterministic_for_a_seed():
    a, b, c = toy_corpus(500, seed=3), toy_corpus(500, seed=3), toy_corpus(500, seed=4)
    assert a.sentences == b.sentences and a.groups == b.groups and a.analogies == b.analogies
    assert a.sentences != c.sentences
    assert len(a.sentences) == 500 and all(isinstance(w, str) for s in a.sentences for w in s)


def test_toy_corpus_planted_pairs_and_analogies():
    corpus = toy_corpus()
    vocabulary = {w for s in corpus.sentences for w in s}
    assert 100 <= len(vocabulary) <= 200
    groups = corpus.groups
    grouped = [w for words in groups.values() for w in words]
    assert len(grouped) == len(set(grouped)), "groups are disjoint"
    assert set(grouped) <= vocabulary
    assert ("france", "paris", "italy", "rome") in corpus.analogies
    assert ("king", "queen", "man", "woman") in corpus.analogies
    # 10 country-capital pairs and 10 male-female pairs: 10 * 9 ordered pairs of pairs each.
    assert len(corpus.analogies) == 180 and len(set(corpus.analogies)) == 180
    for a, b, c, d in corpus.analogies:
        if a in groups["countries"]:
            first, second = groups["countries"], groups["capitals"]
        else:
            first, second = groups["male"], groups["female"]
        assert first.index(a) == second.index(b) and first.index(c) == second.index(d) and a != c
    for country, capital in zip(groups["countries"], groups["capitals"]):
        assert ["the", "capital", "of", country, "is", capital] in corpus.sentences


def test_toy_corpus_pair_contexts_are_shared_by_the_pair_only():
    # Brute force over sentences: language i appears with country i or capital i and no other country/capital.
    corpus = toy_corpus()
    groups = corpus.groups
    places = groups["countries"] + groups["capitals"]
    for i, language in enumerate(groups["languages"]):
        seen_with = {w for s in corpus.sentences if language in s for w in s if w in places}
        assert seen_with == {groups["countries"][i], groups["capitals"][i]}
    he = {w for s in corpus.sentences if "he" in s or "his" in s for w in s}
    she = {w for s in corpus.sentences if "she" in s or "her" in s for w in s}
    assert set(groups["male"]) <= he and not set(groups["female"]) & he
    assert set(groups["female"]) <= she and not set(groups["male"]) & she


def test_toy_corpus_bad_size():
    with pytest.raises(ValueError, match="n_sentences"):
        toy_corpus(0)


# --- Lee corpus and tokenizer -------------------------------------------------------------------------------


def test_tokenize_by_hand():
    assert tokenize("It's 3pm in the U.S.A., Mr. O'Neil!\n") == ["it", "s", "pm", "in", "the", "u", "s", "a", "mr",
                                                               "o", "neil"]


def test_lee_corpus():
    corpus = lee_corpus()
    assert len(corpus) == 300  # 300 articles, one per line
    assert corpus[0][:10] == ["hundreds", "of", "people", "have", "been", "forced", "to", "vacate", "their",
                              "homes"]
    assert all(re.fullmatch(r"[a-z]+", w) for s in corpus for w in s)
    assert 50_000 < sum(map(len, corpus)) < 70_000


# --- reading files ------------------------------------------------------------------------------------------


LONG_LINE = " ".join(f"w{i % 997}" for i in range(25_000))
TEXT = f"a b  c\n\n\t{LONG_LINE}\nx\ty z \nlast line"  # no newline at the end
# Expected by hand: "a b c", no sentence for the empty line, the 25,000-token line cut into 10,000 + 10,000 +
# 5,000, then "x y z" and "last line".
LONG_TOKENS = LONG_LINE.split()
EXPECTED = [["a", "b", "c"], LONG_TOKENS[:10_000], LONG_TOKENS[10_000:20_000], LONG_TOKENS[20_000:],
            ["x", "y", "z"], ["last", "line"]]


@pytest.mark.parametrize("name", ["corpus.txt", "corpus.txt.gz"])
def test_read_corpus_plain_and_gz(tmp_path, name):
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(TEXT)
    else:
        path.write_text(TEXT, encoding="utf-8")
    corpus = read_corpus(path)
    assert list(corpus) == EXPECTED
    assert list(corpus) == EXPECTED, "iterating again reads the file again"


@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 5, 7, 64, 1000])
def test_read_corpus_chunks_split_only_at_whitespace(tmp_path, chunk_bytes):
    # Pieces of a few characters cut tokens in two everywhere; the result must not depend on where.
    text = "alpha  be gamma\tdeltaaaaaa e\nfff g  \n  hh\n"
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf-8")
    got = list(TextCorpus(path, max_sentence_length=3, chunk_bytes=chunk_bytes))
    assert got == [["alpha", "be", "gamma"], ["deltaaaaaa", "e"], ["fff", "g"], ["hh"]]


def test_read_corpus_exactly_max_length(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c d e f\ng\n", encoding="utf-8")
    assert list(read_corpus(path, max_sentence_length=3)) == [["a", "b", "c"], ["d", "e", "f"], ["g"]]


def test_read_corpus_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        read_corpus(tmp_path / "missing.txt")
    path = tmp_path / "c.txt"
    path.write_text("a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="max_sentence_length"):
        read_corpus(path, max_sentence_length=0)


# --- text8 download (no network: an unreachable port and file:// URLs) ------------------------------------


def make_zip(tmp_path, content=b"anarchism originated as a term"):
    path = tmp_path / "served" / "text8.zip"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("text8", content)
    return path


def test_download_offline_says_how_to_get_it(tmp_path):
    data_dir = tmp_path / "data"
    with pytest.raises(ConnectionError, match=r"by hand.*http://mattmahoney\.net/dc/text8\.zip.*unzip"):
        download_text8(data_dir, url="http://127.0.0.1:9/text8.zip", progress=False, timeout=5)
    assert not any(data_dir.iterdir())


def test_download_verifies_checksum_and_caches(tmp_path):
    zipped = make_zip(tmp_path)
    data = zipped.read_bytes()
    data_dir = tmp_path / "data"
    path = download_text8(data_dir, url=zipped.as_uri(), sha256=hashlib.sha256(data).hexdigest(),
                          sha1=hashlib.sha1(data).hexdigest(), size=len(data), progress=False)
    assert path == data_dir / "text8"
    assert path.read_bytes() == b"anarchism originated as a term"
    assert (data_dir / "text8.zip").read_bytes() == data
    # Cached: no download is attempted, so an unreachable URL does not matter.
    assert download_text8(data_dir, url="http://127.0.0.1:9/", progress=False) == path


@pytest.mark.parametrize("kwargs, match", [
    ({"sha256": "0" * 64, "sha1": None, "size": None}, "sha256"),
    ({"sha256": None, "sha1": "0" * 40, "size": None}, "sha1"),
    ({"sha256": None, "sha1": None, "size": 31_344_016}, "size"),
])
def test_download_rejects_bad_file(tmp_path, kwargs, match):
    zipped = make_zip(tmp_path)
    data_dir = tmp_path / "data"
    with pytest.raises(ValueError, match=match):
        download_text8(data_dir, url=zipped.as_uri(), progress=False, **kwargs)
    assert list(data_dir.iterdir()) == [], "a file that fails a check is deleted"
