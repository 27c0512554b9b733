"""Reading and writing files safely: plain or gzip input with one-line errors, and outputs that never lose data.

Not a lesson: the readers of :mod:`w2v_lib.datasets` (corpora, notebook 05), :mod:`w2v_lib.keyed_vectors`
(vectors, notebook 08) and :mod:`w2v_lib.evaluate` (word pairs and analogies, notebook 08), the command line
and the demo's plot go through it, so that every reader fails the same way and every writer is safe:

* :func:`open_input` opens a file read as bytes, through gzip when its name ends in ``.gz``, after checking
  that it is a regular file; a gzip stream that is not gzip, truncated or corrupt, and a read error, become a
  one-line ``ValueError``/``OSError`` naming the file and what to do. :func:`decode` reports a byte that is not
  UTF-8 with its offset in the file (in the uncompressed data, for ``.gz``). :func:`text_lines` reads lines.
* :func:`atomic_write` writes to a temporary file in the same directory and renames it over the target only
  when the whole file is written: an interruption (a full disk, Ctrl-C) leaves the old file intact and no
  partial one. :func:`check_output` refuses, before any work, an output that is a directory, that is an input,
  or whose directory is missing or not writable.
"""

import gzip
import os
import shutil
import stat
import sys
import tempfile
import zlib
from contextlib import contextmanager
from pathlib import Path

from w2v_lib._validation import ParameterValueError

_GZIP_MAGIC = b"\x1f\x8b"


def check_input(path, what, alternative=""):
    """Check, without reading it, that ``path`` names a regular file that can be opened (and that a ``.gz``
    starts like gzip); raise a one-line error naming ``what`` (e.g. "corpus") and the file otherwise.
    ``alternative`` ends the message for a pipe or a device, e.g. ", or pipe it to --corpus -"."""
    path = Path(path)
    where = f"{what} {str(path)!r}"
    try:
        info = path.stat()
    except FileNotFoundError:
        raise FileNotFoundError(f"{where} does not exist: check the path") from None
    except OSError as error:
        raise _read_error(error, where) from None
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(f"{where} is a directory, not a file: give the path of a file in it")
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{where} is not a regular file (it is a pipe, a socket or a device), and it must be read "
                         f"from the start more than once: save it to a file first{alternative}")
    try:
        with open(path, "rb") as file:
            start = file.read(2)
    except OSError as error:
        raise _read_error(error, where) from None
    if path.suffix == ".gz" and start != _GZIP_MAGIC:
        raise ValueError(f"{where} is not gzip-compressed, although its name ends in .gz: rename it without .gz "
                         "if it is plain text, or get the file again")
    return path


@contextmanager
def open_input(path, what, name=None):
    """Open ``path`` for reading bytes (through gzip for ``.gz``), checked by :func:`check_input`.

    Errors of the gzip stream and of reading, raised in the body of the ``with``, become one-line errors that
    name ``what`` and the file (or ``name``, e.g. "standard input", for a file that stands for something else).
    """
    path = check_input(path, what)
    where = f"{what} {name or repr(str(path))}"
    try:
        with open(path, "rb") as raw:
            if path.suffix == ".gz":
                with gzip.GzipFile(fileobj=raw, mode="rb") as file:
                    yield file
            else:
                yield raw
    except EOFError:
        raise ValueError(f"{where} is truncated: its gzip data ends before the end marker; copy or download the "
                         "whole file again") from None
    except (gzip.BadGzipFile, zlib.error) as error:
        raise ValueError(f"{where} is corrupt ({error}): copy or download it again") from None
    except OSError as error:
        if error.errno is None:  # raised by the body with a message of its own
            raise
        raise _read_error(error, where) from None


def _read_error(error, where):
    """The OSError ``error`` of reading as a one-line error of the same type naming the file."""
    return type(error)(f"cannot read {where}: {error.strerror}; check that it is readable")


def decode(raw, where, offset, compressed=False):
    """``raw`` bytes as UTF-8 text, or a ValueError naming ``where`` and the file offset of the bad byte.

    ``offset`` is where ``raw`` starts in the file (in its uncompressed data when ``compressed``).
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(decode_error_message(where, error, offset, compressed)) from None


def decode_error_message(where, error, offset, compressed=False):
    """The one-line message of a UnicodeDecodeError at file offset ``offset + error.start``."""
    bad = error.object[error.start:error.start + 1].hex()
    of_data = " of the uncompressed data" if compressed else ""
    return (f"{where}: byte 0x{bad} at byte offset {offset + error.start:,}{of_data} is not valid UTF-8 "
            f"({error.reason}): the file must be UTF-8 text; convert it first, e.g. with iconv -f latin1 -t utf-8")


def text_lines(path, what):
    """Yield ``(line_number, line)`` for each line of a UTF-8 text file (plain or ``.gz``), without its
    line ending; errors name ``what``, the file, the line and the byte offset."""
    compressed = Path(path).suffix == ".gz"
    with open_input(path, what) as file:
        offset = 0
        for number, raw in enumerate(file, start=1):
            line = decode(raw, f"{what} {str(path)!r}, line {number}", offset, compressed)
            offset += len(raw)
            yield number, line.rstrip("\r\n")


def is_same_file(info, other):
    """Whether two ``os.stat`` results are the same file (same device and inode, whatever the path)."""
    return (info.st_dev, info.st_ino) == (other.st_dev, other.st_ino)


def check_output(path, name, inputs=()):
    """Check, before any work, that a file can be written at ``path``; raise ParameterValueError naming
    ``name`` (the parameter, or the flag the command line spells) otherwise.

    Parameters
    ----------
    path : str or Path
    name : str
        The parameter that gave ``path``, e.g. "output".
    inputs : sequence of (str, str or Path or int)
        The inputs of the same run as (parameter name, path or open file descriptor): the output must not be
        one of them, whatever the spelling (a relative path, a link, another name of the same file).
    """
    path = Path(path)
    shown = repr(str(path))
    try:
        directory = Path(os.path.realpath(path)).parent
    except FileNotFoundError:  # os.getcwd() fails in a current directory that was deleted
        raise ParameterValueError(name, f"{shown} cannot be written: the current directory no longer exists; give "
                                        "an absolute path or change directory") from None
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as error:  # a component that is not a directory, a name too long, ...
        raise ParameterValueError(name, f"{shown} cannot be written ({error.strerror}): choose another path") \
            from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise ParameterValueError(name, f"{shown} is a directory: give a file name, e.g. "
                                        f"{str(path / 'vectors.txt')!r}")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise ParameterValueError(name, f"{shown} exists and is not a regular file (it is a device, a pipe or a "
                                        "socket), which a new file would replace: give the path of a file")
    for input_name, input_path in inputs:
        try:
            input_info = os.stat(input_path)
        except (OSError, ValueError):
            continue
        if info is not None and is_same_file(info, input_info):
            given = "(standard input)" if isinstance(input_path, int) else repr(str(input_path))
            raise ParameterValueError(name, f"{shown} is the same file as {{{input_name}}} {given}: writing it would "
                                            "destroy the input; choose another name", related=(input_name,))
    if not directory.is_dir():
        raise ParameterValueError(name, f"{shown} is in a directory that does not exist ({str(directory)!r}): "
                                        "create it first")
    try:
        descriptor, probe = tempfile.mkstemp(dir=directory, prefix=".w2v_lib-probe-")
        os.close(descriptor)
        os.unlink(probe)
    except OSError as error:
        raise ParameterValueError(name, f"{shown} cannot be written: the directory {str(directory)!r} is not "
                                        f"writable ({error.strerror}); choose another directory") from None


@contextmanager
def atomic_write(path):
    """Write bytes to ``path`` (through gzip when it ends in ``.gz``) all at once or not at all.

    The file object yielded writes a temporary file in the same directory, which replaces ``path`` (or the
    file a link at ``path`` points to) only after the body of the ``with`` has finished and the data is on
    disk. If the body raises (a full disk, KeyboardInterrupt), the temporary file is deleted and ``path``
    keeps its old content.
    """
    path = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(path.stat().st_mode)  # a replaced file keeps its permissions
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with open(descriptor, "wb") as raw:
            if path.suffix == ".gz":
                # Level 6 (gzip's command-line default) writes several times faster than Python's default 9.
                with gzip.GzipFile(filename=str(path), mode="wb", fileobj=raw, compresslevel=6) as file:
                    yield file
            else:
                yield raw
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def spooled_stdin():
    """Copy standard input to a temporary file (``.gz`` if it is gzip data) and yield its path; delete it after.

    A corpus is read more than once (counting the words, then each pass of training), which a pipe cannot do.
    """
    source = sys.stdin.buffer
    start = source.read(2)
    suffix = ".gz" if start == _GZIP_MAGIC else ".txt"
    descriptor, temporary = tempfile.mkstemp(prefix="w2v_lib-stdin-", suffix=suffix)
    try:
        with open(descriptor, "wb") as spool:
            spool.write(start)
            shutil.copyfileobj(source, spool, 1 << 20)
        yield Path(temporary)
    finally:
        Path(temporary).unlink(missing_ok=True)
