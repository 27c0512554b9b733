"""Tests of w2v_lib.files (safe reading and writing) and w2v_lib._progress (the progress display)."""

import builtins
import errno
import gzip
import io
import os
import stat
import sys

import pytest

from w2v_lib import _progress, files


def test_text_lines_plain_and_gzip(tmp_path):
    content = "première ligne\r\nsecond\n\nlast without newline"
    for name, data in (("a.txt", content.encode()), ("a.txt.gz", gzip.compress(content.encode()))):
        (tmp_path / name).write_bytes(data)
        assert list(files.text_lines(tmp_path / name, "test")) == [
            (1, "première ligne"), (2, "second"), (3, ""), (4, "last without newline")]


def test_a_file_that_cannot_be_read(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("a b c\n")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    with pytest.raises(PermissionError) as error:
        files.check_input(path, "corpus")
    assert str(error.value) == f"cannot read corpus {str(path)!r}: Permission denied; check that it is readable"


def test_atomic_write_keeps_the_mode_and_writes_through_a_link(tmp_path):
    target = tmp_path / "vectors.txt"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with files.atomic_write(link) as file:
        file.write(b"new")
    assert link.is_symlink() and target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    with files.atomic_write(tmp_path / "v.txt.gz") as file:
        file.write(b"compressed")
    assert gzip.decompress((tmp_path / "v.txt.gz").read_bytes()) == b"compressed"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["link.txt", "v.txt.gz", "vectors.txt"]


def test_atomic_write_leaves_nothing_when_the_body_fails(tmp_path):
    target = tmp_path / "vectors.txt"
    target.write_text("old")
    with pytest.raises(OSError, match="No space left"), files.atomic_write(target) as file:
        file.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_text() == "old" and [path.name for path in tmp_path.iterdir()] == ["vectors.txt"]


def test_spooled_stdin_keeps_gzip_data_as_gzip(monkeypatch):
    data = gzip.compress(b"a b c\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    with files.spooled_stdin() as path:
        assert path.suffix == ".gz" and path.read_bytes() == data
    assert not path.exists()


def test_check_output_accepts_a_new_file_and_an_output_that_is_no_input(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a b\n")
    files.check_output(tmp_path / "new.txt", "output", inputs=[("corpus", corpus)])
    files.check_output(tmp_path / "corpus.txt.gz", "output", inputs=[("corpus", corpus)])
    assert sorted(os.listdir(tmp_path)) == ["corpus.txt"]  # the probe of the directory is gone


def test_progress_is_tqdm_on_a_terminal_and_lines_elsewhere(monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    assert type(_progress.progress_bar(100, "token", "training")).__name__ == "tqdm"
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    reporter = _progress.progress_bar(1000, "token", "training")
    assert isinstance(reporter, _progress.LineReporter)
    with reporter:
        for _ in range(100):
            reporter.set_postfix(loss="1.0000")
            reporter.update(10)
    lines = sys.stderr.getvalue().splitlines()
    assert len(lines) == 20 and lines[0].startswith("training:   5% (50 of 1,000 tokens")
    assert lines[-1].startswith("training: 100% (1,000 of 1,000 tokens") and lines[-1].endswith(", loss 1.0000)")
