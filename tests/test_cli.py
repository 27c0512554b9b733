"""Tests of the command line, ``python -m w2v_lib``: training, the demo, and every bad input or fault it meets.

Each error case checks the one-line message, the exit code (2 a usage error, found before reading anything; 1 a
failure while reading, estimating memory, training or writing; 130 interrupted) and that no input and no earlier
output changed, byte for byte.
"""

import errno
import gzip
import os
import subprocess
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors as GensimKeyedVectors

from w2v_lib import __main__ as cli
from w2v_lib import _validation, files, keyed_vectors
from w2v_lib.datasets import read_corpus, toy_corpus
from w2v_lib.model import Word2Vec

TRAIN_FLAGS = ["--corpus", "--output", "--model", "--loss", "--dim", "--window", "--negative", "--min-count", "--sample",
               "--alpha", "--min-alpha", "--epochs", "--seed", "--batch-size", "--trainer", "--max-tokens",
               "--top-words", "--precision", "--quiet"]
SMALL = ["--dim", "8", "--window", "3", "--min-count", "2", "--epochs", "2", "--seed", "5", "--quiet"]


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    """300 toy sentences, one per line."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.txt"
    path.write_text("".join(" ".join(sentence) + "\n" for sentence in toy_corpus(n_sentences=300).sentences))
    return path


def run_cli(*args, **options):
    return subprocess.run([sys.executable, "-m", "w2v_lib", *map(str, args)], capture_output=True, text=True,
                          timeout=120, **options)


def contents(*paths):
    """The bytes of each path (None if absent), to check that nothing changed."""
    return {str(path): path.read_bytes() if path.is_file() else None for path in paths}


def assert_one_line_error(stderr, message):
    assert stderr.startswith("error: ") and stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    assert message in stderr, stderr


def run_main(capsys, *args):
    """``cli.main`` in this process; returns (exit code, standard error)."""
    code = cli.main([str(arg) for arg in args])
    return code, capsys.readouterr().err


# --- training --------------------------------------------------------------------------------------------


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
    model = Word2Vec(dim=8, window=3, min_count=2, epochs=2, seed=5, progress=False)
    model.fit(read_corpus(corpus_file))
    assert loaded.index_to_key == model.vocab.words
    assert np.array_equal(loaded.vectors, model.center_vectors)


@pytest.mark.parametrize(("model", "loss", "described"), [
    ("skipgram", "hierarchical", "(skipgram, hierarchical softmax)"),
    ("cbow", "negative", "(cbow, negative sampling)"),
    ("cbow", "hierarchical", "(cbow, hierarchical softmax)"),
])
def test_train_other_models_and_losses_round_trip(corpus_file, tmp_path, model, loss, described):
    # The flags reach Word2Vec as its model= and loss=: the file holds exactly the vectors of the same
    # Word2Vec, and they are not skip-gram with negative sampling's.
    output = tmp_path / "vectors.txt"
    result = run_cli("train", "--corpus", corpus_file, "--output", output, *SMALL[:-1], "--precision", "9",
                     "--model", model, "--loss", loss)
    assert result.returncode == 0, result.stderr
    assert described in result.stdout and result.stdout.startswith("trained on ")
    assert ("per window" in result.stdout) == (model == "cbow")
    loaded = GensimKeyedVectors.load_word2vec_format(str(output))
    fitted = Word2Vec(model=model, loss=loss, dim=8, window=3, min_count=2, epochs=2, seed=5, progress=False)
    fitted.fit(read_corpus(corpus_file))
    assert loaded.index_to_key == fitted.vocab.words
    assert np.array_equal(loaded.vectors, fitted.center_vectors)
    default = Word2Vec(dim=8, window=3, min_count=2, epochs=2, seed=5, progress=False).fit(read_corpus(corpus_file))
    assert not np.allclose(loaded.vectors, default.center_vectors, atol=1e-3)


def test_train_gzip_output_and_input_with_6_digits(corpus_file, tmp_path):
    gz_corpus = tmp_path / "corpus.txt.gz"
    gz_corpus.write_bytes(gzip.compress(corpus_file.read_bytes()))
    output = tmp_path / "vectors.txt.gz"
    assert run_cli("train", "--corpus", gz_corpus, "--output", output, *SMALL).returncode == 0
    loaded = GensimKeyedVectors.load_word2vec_format(str(output))
    model = Word2Vec(dim=8, window=3, min_count=2, epochs=2, seed=5, progress=False)
    model.fit(read_corpus(corpus_file))
    assert np.allclose(loaded.vectors, model.center_vectors, rtol=5e-6, atol=1e-12)  # 6 significant digits


def test_corpus_from_standard_input_plain_or_gzip(corpus_file, tmp_path):
    from_file, from_pipe, from_gzip_pipe = tmp_path / "file.txt", tmp_path / "pipe.txt", tmp_path / "gz.txt"
    assert run_cli("train", "--corpus", corpus_file, "--output", from_file, *SMALL).returncode == 0
    result = run_cli("train", "--corpus", "-", "--output", from_pipe, *SMALL, input=corpus_file.read_text())
    assert result.returncode == 0, result.stderr
    assert from_pipe.read_bytes() == from_file.read_bytes()
    compressed = subprocess.run([sys.executable, "-m", "w2v_lib", "train", "--corpus", "-", "--output",
                                 str(from_gzip_pipe), *SMALL], input=gzip.compress(corpus_file.read_bytes()),
                                capture_output=True, timeout=120)
    assert compressed.returncode == 0, compressed.stderr
    assert from_gzip_pipe.read_bytes() == from_file.read_bytes()


def test_top_words_writes_the_most_frequent_words_of_the_same_training(corpus_file, tmp_path, capsys):
    full, top = tmp_path / "full.txt", tmp_path / "top.txt"
    assert run_cli("train", "--corpus", corpus_file, "--output", full, *SMALL).returncode == 0
    assert run_cli("train", "--corpus", corpus_file, "--output", top, *SMALL, "--top-words", "10").returncode == 0
    full_lines, top_lines = full.read_text().splitlines(), top.read_text().splitlines()
    assert top_lines[0] == "10 8"
    assert top_lines[1:] == full_lines[1:11]  # the same vectors: the cut happens after training
    before = contents(top)
    code, err = run_main(capsys, "train", "--corpus", corpus_file, "--output", top, "--top-words", "0")
    assert code == 2
    assert_one_line_error(err, "error: --top-words must be >= 1, got 0")
    assert contents(top) == before


def test_one_long_line_and_max_tokens(tmp_path):
    # A text8-like corpus: one line of 25,000 tokens, cut into sentences of 10,000 tokens.
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in rng.zipf(1.5, size=25_000) % 300]
    corpus = tmp_path / "oneline.txt"
    corpus.write_text(" ".join(words))
    output = tmp_path / "v.txt"
    result = run_cli("train", "--corpus", corpus, "--output", output, *SMALL, "--epochs", "1",
                     "--max-tokens", "1000")
    assert result.returncode == 0, result.stderr
    kept = [word for word, count in Counter(words[:1000]).items() if count >= 2]
    assert int(output.read_text().split(maxsplit=1)[0]) == len(kept)


def test_progress_off_a_terminal_is_a_line_every_few_percent(tmp_path):
    rng = np.random.default_rng(1)
    corpus = tmp_path / "zipf.txt"
    corpus.write_text("\n".join(" ".join(f"w{i}" for i in rng.zipf(1.3, size=20) % 500) for _ in range(10_000)))
    output = tmp_path / "v.txt"
    result = run_cli("train", "--corpus", corpus, "--output", output, "--dim", "8", "--epochs", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    # 400,000 tokens in chunks of about 10,000: a line each 5% (20,000 tokens), and none in between.
    assert 15 <= len(lines) <= 21 and "\r" not in result.stderr
    assert all(line.startswith("training: ") and " tokens/s, loss " in line for line in lines)
    assert lines[-1].startswith("training: 100% (400,000 of 400,000 tokens")
    assert result.stdout.startswith("trained on 200,000 tokens") and result.stdout.count("\n") == 1
    quiet = run_cli("train", "--corpus", corpus, "--output", output, "--dim", "8", "--epochs", "1", "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


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
    import classroom.__main__

    received = []
    monkeypatch.setattr(classroom.__main__, "main", lambda argv, prog: received.append((argv, prog)) or 7)
    assert cli.main(["exercises", "build", "--check"]) == 7
    assert received == [(["build", "--check"], "python -m w2v_lib exercises")]


# --- outputs: never over an input, checked before training, written in full or not at all -----------------


def test_output_that_is_the_corpus_is_refused_whatever_the_spelling(corpus_file, tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(corpus_file.read_bytes())
    gz_corpus = tmp_path / "corpus.txt.gz"
    gz_corpus.write_bytes(gzip.compress(corpus.read_bytes()))
    (tmp_path / "sub").mkdir()
    os.link(corpus, tmp_path / "hard.txt")
    os.symlink(corpus, tmp_path / "link.txt")
    before = contents(corpus, gz_corpus)
    for corpus_flag, output_flag in [("corpus.txt", "corpus.txt"), ("corpus.txt", "sub/../corpus.txt"),
                                     ("corpus.txt", str(corpus)), ("corpus.txt.gz", "./corpus.txt.gz"),
                                     ("link.txt", "hard.txt"), ("hard.txt", "link.txt")]:
        result = run_cli("train", "--corpus", corpus_flag, "--output", output_flag, *SMALL, cwd=tmp_path)
        assert result.returncode == 2
        assert_one_line_error(result.stderr, f"error: --output {str(Path(output_flag))!r} is the same file as --corpus "
                                             f"{corpus_flag!r}: writing it would destroy the input; choose "
                                             "another name")
        assert contents(corpus, gz_corpus) == before
    # Standard input redirected from the file that --output names.
    with open(corpus, "rb") as stdin:
        result = run_cli("train", "--corpus", "-", "--output", corpus, *SMALL, stdin=stdin)
    assert result.returncode == 2
    assert_one_line_error(result.stderr, "is the same file as --corpus (standard input)")
    assert contents(corpus, gz_corpus) == before


@pytest.mark.parametrize(("make_output", "message"), [
    (lambda tmp_path: tmp_path, "is a directory: give a file name, e.g."),
    (lambda tmp_path: tmp_path / "missing" / "v.txt", "is in a directory that does not exist"),
    (lambda tmp_path: tmp_path / "fifo", "exists and is not a regular file (it is a device, a pipe or a socket)"),
])
def test_unwritable_outputs_fail_before_training(corpus_file, tmp_path, capsys, monkeypatch, make_output, message):
    os.mkfifo(tmp_path / "fifo")
    monkeypatch.setattr(Word2Vec, "fit", lambda *args: pytest.fail("training started"))
    output = make_output(tmp_path)
    code, err = run_main(capsys, "train", "--corpus", corpus_file, "--output", output)
    assert code == 2
    assert_one_line_error(err, f"error: --output {str(output)!r} {message}")


def test_read_only_output_directory_fails_before_training(corpus_file, tmp_path, capsys, monkeypatch):
    output = tmp_path / "v.txt"
    output.write_text("earlier output\n")

    def read_only(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", read_only)
    monkeypatch.setattr(Word2Vec, "fit", lambda *args: pytest.fail("training started"))
    code, err = run_main(capsys, "train", "--corpus", corpus_file, "--output", output)
    assert code == 2
    assert_one_line_error(err, f"error: --output {str(output)!r} cannot be written: the directory "
                               f"{str(tmp_path)!r} is not writable (Permission denied); choose another directory")
    assert output.read_text() == "earlier output\n"


@contextmanager
def failing_writes(after, error):
    """Make the vectors' writer raise ``error`` at its ``after``-th write, the earlier ones done."""
    real = keyed_vectors.atomic_write

    class Failing:
        def __init__(self, file):
            self.file, self.writes = file, 0

        def write(self, data):
            self.writes += 1
            if self.writes > after:
                raise error
            return self.file.write(data)

    @contextmanager
    def atomic_write(path):
        with real(path) as file:
            yield Failing(file)

    keyed_vectors.atomic_write = atomic_write
    try:
        yield
    finally:
        keyed_vectors.atomic_write = real


@pytest.mark.parametrize("name", ["v.txt", "v.txt.gz"])
@pytest.mark.parametrize(("error", "code", "message"), [
    (OSError(errno.ENOSPC, "No space left on device"), 1,
     "error: --output {!r} could not be written (No space left on device): the previous file is unchanged"),
    (KeyboardInterrupt(), 130, "error: interrupted; no output was changed"),
])
def test_an_interrupted_save_leaves_the_old_output_and_no_partial_file(corpus_file, tmp_path, capsys, monkeypatch,
                                                                       name, error, code, message):
    output = tmp_path / name
    output.write_bytes(b"the earlier vectors\n")
    monkeypatch.setattr(keyed_vectors, "_ROWS_PER_WRITE", 10)
    with failing_writes(after=3, error=error):
        got_code, err = run_main(capsys, "train", "--corpus", corpus_file, "--output", output, *SMALL)
    assert got_code == code
    assert_one_line_error(err, message.format(str(output)))
    assert output.read_bytes() == b"the earlier vectors\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [name]  # no temporary file left
    # Without an earlier output, there is no file at all.
    output.unlink()
    with failing_writes(after=3, error=error):
        assert run_main(capsys, "train", "--corpus", corpus_file, "--output", output, *SMALL)[0] == code
    assert list(tmp_path.iterdir()) == []


# --- inputs: one line naming the file and what to do -------------------------------------------------------


def _bad_corpora(tmp_path, corpus_file):
    text = corpus_file.read_bytes()
    latin1 = text[:5000] + b"caf\xe9 " + text[5000:]
    compressed = gzip.compress(text)
    corrupt = bytearray(compressed)
    corrupt[len(corrupt) // 2] ^= 0xFF
    cases = {
        "latin1.txt": (latin1, "error: corpus {path!r}: byte 0xe9 at byte offset 5,003 is not valid UTF-8 "
                               "(invalid continuation byte): the file must be UTF-8 text; convert it first, e.g. "
                               "with iconv -f latin1 -t utf-8"),
        "latin1.txt.gz": (gzip.compress(latin1), "error: corpus {path!r}: byte 0xe9 at byte offset 5,003 of the "
                                                 "uncompressed data is not valid UTF-8"),
        "cut.txt": (text[:100] + "é".encode()[:1], "error: corpus {path!r}: byte 0xc3 at byte offset 100 is not "
                                                   "valid UTF-8 (unexpected end of data)"),
        "truncated.txt.gz": (compressed[:len(compressed) // 2], "error: corpus {path!r} is truncated: its gzip "
                                                                "data ends before the end marker; copy or download "
                                                                "the whole file again"),
        "plain.txt.gz": (text, "error: corpus {path!r} is not gzip-compressed, although its name ends in .gz: rename "
                               "it without .gz if it is plain text, or get the file again"),
        "corrupt.txt.gz": (bytes(corrupt), "error: corpus {path!r} is corrupt ("),  # zlib's words follow
    }
    for name, (data, _) in cases.items():
        (tmp_path / name).write_bytes(data)
    return {tmp_path / name: message for name, (_, message) in cases.items()}


def test_unreadable_corpora(corpus_file, tmp_path, capsys):
    output = tmp_path / "v.txt"
    output.write_text("earlier output\n")
    for path, message in _bad_corpora(tmp_path, corpus_file).items():
        before = contents(path, output)
        code, err = run_main(capsys, "train", "--corpus", path, "--output", output, *SMALL)
        assert code == 1
        assert_one_line_error(err, message.format(path=str(path)))
        assert any(advice in err for advice in ("convert it first", "copy or download", "rename it"))
        assert contents(path, output) == before


def test_corpus_that_is_not_a_regular_file(tmp_path, capsys):
    os.mkfifo(tmp_path / "fifo")
    for corpus, message in [(tmp_path, "is a directory, not a file: give the path of a file in it"),
                            (tmp_path / "fifo", "is not a regular file (it is a pipe, a socket or a device), and "
                                                "it must be read from the start more than once: save it to a file "
                                                "first (or pipe it to --corpus -)"),
                            (tmp_path / "nope.txt", "does not exist: check the path")]:
        code, err = run_main(capsys, "train", "--corpus", corpus, "--output", tmp_path / "v.txt")
        assert code == 1
        assert_one_line_error(err, f"error: corpus {str(corpus)!r} {message}")
    assert not (tmp_path / "v.txt").exists()
    # /dev/stdin of a pipe, the case process substitution <(...) also gives: read it with --corpus - instead.
    result = subprocess.run(f"echo a b | {sys.executable} -m w2v_lib train --corpus /dev/stdin --output "
                            f"{tmp_path / 'v.txt'}", shell=True, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert_one_line_error(result.stderr, "error: corpus '/dev/stdin' is not a regular file")


def test_empty_corpus(tmp_path, capsys):
    corpus = tmp_path / "empty.txt"
    corpus.write_text("\n\n")
    code, err = run_main(capsys, "train", "--corpus", corpus, "--output", tmp_path / "v.txt", "--quiet")
    assert code == 1
    assert_one_line_error(err, "the corpus is empty")
    assert not (tmp_path / "v.txt").exists()


# --- flags: named as typed --------------------------------------------------------------------------------


@pytest.mark.parametrize(("flags", "message"), [
    (["--dim", "0"], "error: --dim must be >= 1, got 0"),
    (["--seed", "-1"], "error: --seed must be an integer >= 0, got -1"),
    (["--window", "0"], "error: --window must be >= 1, got 0"),
    (["--sample", "-0.1"], "error: --sample must be >= 0 (word2vec.c uses 1e-3; 0 turns subsampling off), got -0.1"),
    (["--sample", "nan"], "error: --sample must be a finite number"),
    (["--alpha", "0"], "error: --alpha must be > 0"),
    (["--min-alpha", "0.5"], "error: --min-alpha must be at most --alpha = 0.025"),
    (["--batch-size", "0"], "error: --batch-size must be >= 1, got 0"),
    (["--precision", "12"], "error: --precision must be from 1 to 9"),
    (["--max-tokens", "0"], "error: --max-tokens must be >= 1, got 0"),
    (["--min-count", "1000"], "error: --min-count = 1000 leaves no word: the most frequent, 'the', occurs"),
])
def test_bad_flags_are_named_as_typed(corpus_file, tmp_path, capsys, flags, message):
    code, err = run_main(capsys, "train", "--corpus", corpus_file, "--output", tmp_path / "v.txt", "--quiet",
                         *flags)
    assert code == 2
    assert_one_line_error(err, message)
    assert not (tmp_path / "v.txt").exists()


def test_missing_or_malformed_flags_are_argparse_usage_errors():
    result = run_cli("train", "--output", "v.txt")
    assert result.returncode == 2 and "the following arguments are required: --corpus" in result.stderr
    result = run_cli("train", "--corpus", "c.txt", "--output", "v.txt", "--model", "sg")
    assert result.returncode == 2 and "argument --model: invalid choice: 'sg'" in result.stderr
    assert "skipgram" in result.stderr and "cbow" in result.stderr  # the choices (quoted or not by Python version)
    result = run_cli("train", "--corpus", "c.txt", "--output", "v.txt", "--loss", "hs")
    assert result.returncode == 2 and "argument --loss: invalid choice: 'hs'" in result.stderr
    result = run_cli("train", "--corpus", "c.txt", "--output", "v.txt", "--dim", "ten")
    assert result.returncode == 2 and "argument --dim: invalid int value: 'ten'" in result.stderr


def test_memory_guard(corpus_file, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_validation, "available_memory", lambda: 8 * 2**30)
    monkeypatch.setattr(Word2Vec, "_check_memory", Word2Vec._check_memory)  # the real guard, nothing replaced
    code, err = run_main(capsys, "train", "--corpus", corpus_file, "--output", tmp_path / "v.txt",
                         "--negative", "1000000")
    assert code == 1
    assert_one_line_error(err, "error: training needs about 6.7 TiB (a chunk's pairs 5.9 TiB, the largest batch "
                               "arrays 793.5 GiB), but the machine has 8.0 GiB available: use a smaller --negative, "
                               "--batch-size or --dim, or a smaller vocabulary (a larger --min-count)")
    assert not (tmp_path / "v.txt").exists()


def test_divergence_names_the_flags(corpus_file, tmp_path, capsys):
    code, err = run_main(capsys, "train", "--corpus", corpus_file, "--output", tmp_path / "v.txt", "--quiet",
                         "--alpha", "1000", "--min-alpha", "0")
    assert code == 1
    assert_one_line_error(err, "error: training diverged: ")
    assert "use a smaller --alpha (got 1000.0) or a smaller --batch-size (got 1024;" in err


# --- the demo ----------------------------------------------------------------------------------------------


def test_demo_prints_what_it_learned_and_writes_a_png(tmp_path, capsys):
    plot = tmp_path / "demo.png"
    assert cli.main(["demo", "--plot", str(plot), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "paris [capitals] -> " in out
    assert "planted analogies solved" in out and "Group purity: " in out
    assert out.rstrip().endswith(f"Saved a PCA plot of the planted word groups to {plot}")
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["demo.png"]


def test_demo_plot_where_it_can(tmp_path, capsys, monkeypatch):
    # A read-only current directory: the plot goes to the temporary directory, and the demo says so.
    elsewhere = tmp_path / "tmp"
    elsewhere.mkdir()
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))
    real_mkstemp = files.tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if os.path.samefile(dir, read_only):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(files.tempfile, "mkstemp", mkstemp)
    monkeypatch.chdir(read_only)
    assert cli.main(["demo", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(f"Saved a PCA plot of the planted word groups to {elsewhere / 'demo.png'} (the "
                                 "current directory cannot be written or no longer exists)")
    assert list(read_only.iterdir()) == [] and (elsewhere / "demo.png").is_file()
    # An explicit --plot that cannot be written: a one-line note, and the results all the same.
    assert cli.main(["demo", "--quiet", "--plot", "demo.png"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("Plot not saved: --plot 'demo.png' cannot be written: the directory "
                                 f"{str(read_only)!r} is not writable (Read-only file system); choose another "
                                 "directory")
    assert "planted analogies solved" in out


@pytest.mark.skipif(sys.platform == "win32", reason="Windows does not let a process's current folder be removed")
def test_demo_in_a_vanished_current_directory(tmp_path):
    # As a user meets it: `python -m w2v_lib demo` started in a folder that is gone (`python -c` would put "" on
    # sys.path, which Python 3.13.0's own import machinery cannot handle without a current folder).
    gone = tmp_path / "gone"
    gone.mkdir()
    command = f'cd "{gone}" && rmdir "{gone}" && exec "{sys.executable}" -m w2v_lib demo --quiet'
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "TMPDIR": str(tmp_path)})
    # matplotlib may warn that placing the legend was slow (over 1 s on a loaded machine): not what is tested here.
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.rstrip().endswith(f"Saved a PCA plot of the planted word groups to {tmp_path / 'demo.png'}"
                                           " (the current directory cannot be written or no longer exists)")
