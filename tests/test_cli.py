"""Tests of the command line, ``python -m w2v_lib``."""

import gzip
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKeyedVectors

from w2v_lib import __main__ as cli
from w2v_lib.datasets import read_corpus, toy_corpus
from w2v_lib.model import Word2Vec

TRAIN_FLAGS = ["--corpus", "--output", "--dim", "--window", "--negative", "--min-count", "--sample",
               "--alpha", "--min-alpha", "--epochs", "--seed", "--batch-size", "--trainer", "--max-words",
               "--top-words", "--precision", "--quiet"]
SMALL = ["--dim", "8", "--window", "3", "--min-count", "2", "--epochs", "2", "--seed", "5", "--quiet"]


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    """300 toy sentences, one per line."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.txt"
    path.write_text("".join(" ".join(sentence) + "\n" for sentence in toy_corpus(n_sentences=300).sentences))
    return path


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "w2v_lib", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_train_writes_word2vec_format_that_gensim_reads(corpus_file, tmp_path):
    output = tmp_path / "vectors.txt"
    result = run_cli("train", "--corpus", corpus_file, "--output", output, *SMALL, "--precision", "9")
    assert result.returncode == 0, result.stderr
    header = output.read_text().splitlines()[0]
    loaded = GensimKeyedVectors.load_word2vec_format(str(output))

    # Header and order, against an independent count of the file: words seen >= 2 times, most frequent first,
    # equal counts in order of first occurrence.
    tokens = corpus_file.read_text().split()
    counts = Counter(tokens)
    first_seen = {word: len(tokens) - 1 - i for i, word in enumerate(reversed(tokens))}
    kept = sorted((word for word, count in counts.items() if count >= 2),
                  key=lambda word: (-counts[word], first_seen[word]))
    assert header == f"{len(kept)} 8"
    assert loaded.index_to_key == kept

    # 9 significant digits round-trip float32: the vectors are exactly those of the same Word2Vec.
    model = Word2Vec(vector_size=8, window=3, min_count=2, epochs=2, seed=5, progress=False)
    model.fit(read_corpus(corpus_file))
    assert loaded.index_to_key == model.vocab.words
    assert np.array_equal(loaded.vectors, model.center_vectors)


def test_train_gzip_output_and_input_with_6_digits(corpus_file, tmp_path):
    gz_corpus = tmp_path / "corpus.txt.gz"
    gz_corpus.write_bytes(gzip.compress(corpus_file.read_bytes()))
    output = tmp_path / "vectors.txt.gz"
    assert run_cli("train", "--corpus", gz_corpus, "--output", output, *SMALL).returncode == 0
    loaded = GensimKeyedVectors.load_word2vec_format(str(output))
    model = Word2Vec(vector_size=8, window=3, min_count=2, epochs=2, seed=5, progress=False)
    model.fit(read_corpus(corpus_file))
    assert np.allclose(loaded.vectors, model.center_vectors, rtol=5e-6, atol=1e-12)  # 6 significant digits


def test_top_words_writes_the_most_frequent_words_of_the_same_training(corpus_file, tmp_path):
    full, top = tmp_path / "full.txt", tmp_path / "top.txt"
    assert run_cli("train", "--corpus", corpus_file, "--output", full, *SMALL).returncode == 0
    assert run_cli("train", "--corpus", corpus_file, "--output", top, *SMALL, "--top-words", "10").returncode == 0
    full_lines, top_lines = full.read_text().splitlines(), top.read_text().splitlines()
    assert top_lines[0] == "10 8"
    assert top_lines[1:] == full_lines[1:11]  # the same vectors: the cut happens after training
    assert cli.main(["train", "--corpus", str(corpus_file), "--output", str(top), "--top-words", "0"]) == 1


def test_one_long_line_and_max_words(tmp_path):
    # A text8-like corpus: one line of 25,000 tokens, cut into sentences of 10,000 tokens.
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in rng.zipf(1.5, size=25_000) % 300]
    corpus = tmp_path / "oneline.txt"
    corpus.write_text(" ".join(words))
    output = tmp_path / "v.txt"
    result = run_cli("train", "--corpus", corpus, "--output", output, *SMALL, "--epochs", "1",
                     "--max-words", "1000")
    assert result.returncode == 0, result.stderr
    kept = [word for word, count in Counter(words[:1000]).items() if count >= 2]
    assert int(output.read_text().split(maxsplit=1)[0]) == len(kept)


def test_train_summary_is_printed_unless_quiet(corpus_file, tmp_path, capsys):
    assert cli.main(["train", "--corpus", str(corpus_file), "--output", str(tmp_path / "v.txt"), "--dim", "5",
                     "--epochs", "1", "--min-count", "2"]) == 0
    assert "words/s" in capsys.readouterr().out


def test_demo_prints_what_it_learned_and_writes_a_png(tmp_path, capsys):
    plot = tmp_path / "demo.png"
    assert cli.main(["demo", "--plot", str(plot), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "paris [capitals] -> " in out
    assert "planted analogies solved" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_help_lists_every_flag(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for flag in TRAIN_FLAGS:
        assert flag in text
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    text = capsys.readouterr().out
    assert "--plot" in text and "--seed" in text and "--quiet" in text
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert "train" in text and "demo" in text and "exercises" in text


def test_exercises_forwards_its_arguments(monkeypatch):
    from w2v_lib import exercises

    received = []
    monkeypatch.setattr(exercises, "main", lambda argv: received.append(argv) or 7)
    assert cli.main(["exercises", "build", "--check"]) == 7
    assert received == [["build", "--check"]]


def test_missing_corpus_file(tmp_path):
    result = run_cli("train", "--corpus", tmp_path / "nope.txt", "--output", tmp_path / "v.txt")
    assert result.returncode == 1
    assert "nope.txt" in result.stderr and "does not exist" in result.stderr


def test_empty_corpus(tmp_path, capsys):
    corpus = tmp_path / "empty.txt"
    corpus.write_text("\n\n")
    assert cli.main(["train", "--corpus", str(corpus), "--output", str(tmp_path / "v.txt"), "--quiet"]) == 1
    assert "the corpus is empty" in capsys.readouterr().err
    assert not (tmp_path / "v.txt").exists()


def test_other_bad_inputs(corpus_file, tmp_path, capsys):
    no_dir = tmp_path / "no_dir" / "v.txt"
    assert cli.main(["train", "--corpus", str(corpus_file), "--output", str(no_dir)]) == 1
    assert "create it first" in capsys.readouterr().err
    assert cli.main(["train", "--corpus", str(corpus_file), "--output", str(tmp_path / "v.txt"),
                     "--dim", "0"]) == 1
    assert "vector_size must be >= 1" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--output", "v.txt"])  # --corpus is required
    assert exit_info.value.code == 2
