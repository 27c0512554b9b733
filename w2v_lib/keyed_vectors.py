"""Trained word vectors: lookup, cosine similarity, nearest neighbours, analogies, word2vec file format.

Taught in notebook 08 (evaluation), used from notebook 06 on to look at what training learned. A
``KeyedVectors`` holds a list of V distinct words and a float32 matrix of shape (V, d) whose row i is the
vector of ``words[i]``. Rows are usually ordered most frequent word first, which is what ``restrict_vocab``
relies on. The object is read-only: the vectors are stored as a read-only copy so that the unit vectors
computed once at construction can never go stale.

Cosine similarity is the dot product of unit vectors, cos(x, y) = x·y / (‖x‖ ‖y‖). A zero vector has no
direction; its unit vector is taken to be zero, so its cosine with every word is 0.

The word2vec file formats (those of word2vec.c, read by gensim's ``KeyedVectors.load_word2vec_format``):

* text: a header line ``"V d"``, then one line per word, ``word v1 v2 ... vd``, values separated by single
  spaces;
* binary: the same header line, then per word the UTF-8 word, one space, d little-endian float32 values
  (4 d bytes), and a newline, as word2vec.c writes them.

A path ending in ``.gz`` is read and written through gzip (:mod:`w2v_lib.files`). A file is written to a
temporary file first, which replaces the target only when complete. Nothing is ever unpickled. Before reading
the vectors, the header's V and d are checked against what the file can hold and against the available memory.
"""

from pathlib import Path

import numpy as np

from w2v_lib._validation import (
    ParameterTypeError,
    ParameterValueError,
    check_bool,
    check_matrix,
    check_memory,
    check_optional_int,
    is_number,
)
from w2v_lib.files import atomic_write, decode, open_input

# gzip's deflate can shrink data at most about 1032 times: a bound on what a .gz file can hold.
_MAX_GZIP_RATIO = 1032

_FLOAT32_LE = np.dtype("<f4")
_ROWS_PER_WRITE = 1024
_UNSAFE_CHARACTERS = (" ", "\t", "\n", "\r")


class KeyedVectors:
    """Words and their vectors.

    Parameters
    ----------
    words : sequence of str, length V
        Distinct words; ``words[i]`` names row i of ``vectors``.
    vectors : array_like, shape (V, d)
        Finite numbers; stored as a read-only float32 copy.

    Attributes
    ----------
    words : list of str, length V
    vectors : ndarray, float32, shape (V, d), read-only
    unit_vectors : ndarray, float32, shape (V, d), read-only
        Each row divided by its Euclidean norm (zero rows stay zero).
    norms : ndarray, float64, shape (V,), read-only
        Euclidean norm of each row.
    dim : int
        d.

    Raises
    ------
    TypeError
        A word is not a str, or ``vectors`` is not numeric.
    ValueError
        ``vectors`` is not 2-D, is empty, has a different number of rows than there are words, holds NaN or
        infinity (also after rounding to float32), or a word occurs twice.
    """

    def __init__(self, words, vectors):
        words = list(words)
        for position, word in enumerate(words):
            if not isinstance(word, str):
                raise ParameterTypeError("words", f"must be strings, got {type(word).__name__} {word!r} at "
                                                  f"position {position}")
        vectors = check_matrix("vectors", vectors)
        if vectors.shape[0] != len(words):
            raise ParameterValueError("vectors", f"has {vectors.shape[0]} rows but there are {len(words)} words: "
                                                 "there must be one row per word")
        index = {}
        for position, word in enumerate(words):
            if word in index:
                raise ParameterValueError("words", f"must be unique, but {word!r} occurs twice, at positions "
                                                   f"{index[word]} and {position}")
            index[word] = position
        with np.errstate(over="ignore"):  # overflow to infinity is reported below, with the word
            stored = np.array(vectors, dtype=np.float32, order="C")
        finite_rows = np.isfinite(stored).all(axis=1)
        if not finite_rows.all():
            row = int(np.argmin(finite_rows))
            raise ParameterValueError("vectors", f"must be finite, but the vector of {words[row]!r} (row {row}) "
                                                 "contains NaN or infinity (or a value too large for float32)")
        # float64 so that no norm overflows (a float32 vector can have a norm above float32's maximum).
        norms = np.linalg.norm(stored.astype(np.float64), axis=1)
        unit = (stored / np.where(norms > 0, norms, 1)[:, None]).astype(np.float32)
        stored.flags.writeable = False
        unit.flags.writeable = False
        norms.flags.writeable = False
        self.words = words
        self.vectors = stored
        self.unit_vectors = unit
        self.norms = norms
        self._index = index

    @property
    def dim(self):
        """d, the number of dimensions."""
        return self.vectors.shape[1]

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self._index

    def __iter__(self):
        """The words, in row order (as iterating over a dict gives its keys)."""
        return iter(self.words)

    def __getitem__(self, word):
        """The vector of ``word``, shape (d,), a read-only view."""
        return self.vectors[self.index(word)]

    def __repr__(self):
        return f"KeyedVectors({len(self)} words, {self.dim} dimensions)"

    def index(self, word):
        """Row number of ``word`` (0 = first word); KeyError naming the word if it is unknown."""
        try:
            return self._index[word]
        except (KeyError, TypeError):
            raise KeyError(_unknown_word_message(word, len(self))) from None

    def similarity(self, word_a, word_b):
        """Cosine similarity of two words, a float in [-1, 1]."""
        return float(self.unit_vectors[self.index(word_a)] @ self.unit_vectors[self.index(word_b)])

    def most_similar(self, positive=(), negative=(), topn=10, restrict_vocab=None):
        """Words nearest to the sum of the positive words' unit vectors minus the negative ones' (3CosAdd).

        The query q = Σ_pos û_w − Σ_neg û_w (û a unit vector) is normalized, and every candidate word is
        scored by cos(q, w) = q̂·ŵ. The query words themselves are never returned. Equal scores are
        ordered by row (the more frequent word first).

        Parameters
        ----------
        positive : str or sequence of str
            One word or several; ``most_similar("king")`` is the nearest-neighbour query.
        negative : str or sequence of str
        topn : int >= 1 or None
            How many words to return; None returns every candidate.
        restrict_vocab : int >= 1 or None
            Search only the first ``restrict_vocab`` words (the most frequent ones); None searches all.
            Query words may lie outside this range.

        Returns
        -------
        list of (str, float)
            (word, cosine) pairs, best first.
        """
        positive = _as_word_list("positive", positive)
        negative = _as_word_list("negative", negative)
        if not positive and not negative:
            raise ParameterValueError("positive", "and negative are both empty: most_similar needs at least one "
                                                  "word")
        topn = check_optional_int("topn", topn)
        limit = check_optional_int("restrict_vocab", restrict_vocab)
        limit = len(self) if limit is None else min(limit, len(self))
        query_rows = [self.index(word) for word in positive + negative]
        query = (self.unit_vectors[query_rows[:len(positive)]].sum(axis=0)
                 - self.unit_vectors[query_rows[len(positive):]].sum(axis=0))
        query_norm = float(np.linalg.norm(query))
        if query_norm == 0:
            raise ValueError(f"the query vector is zero (positive={positive}, negative={negative} cancel out or "
                             "have zero vectors), so no word is more similar than another")
        scores = self.unit_vectors[:limit] @ (query / query_norm).astype(np.float32)
        candidates = np.ones(limit, dtype=bool)
        candidates[[row for row in query_rows if row < limit]] = False
        rows = np.flatnonzero(candidates)
        # A stable sort of the negated scores keeps equal scores in row order.
        ranked = rows[np.argsort(-scores[rows], kind="stable")]
        if topn is not None:
            ranked = ranked[:topn]
        return [(self.words[row], float(scores[row])) for row in ranked]

    def analogy(self, a, b, c, topn=1):
        """Solve a : b :: c : ? with 3CosAdd, i.e. ``most_similar(positive=[b, c], negative=[a], topn=topn)``.

        Example: ``analogy("man", "king", "woman")`` should give ``[("queen", cosine)]``.

        Returns
        -------
        list of (str, float)
            The ``topn`` best answers (a list even for ``topn=1``), never one of a, b, c.
        """
        return self.most_similar(positive=[b, c], negative=[a], topn=topn)

    def doesnt_match(self, words):
        """The word of ``words`` least like the others, as gensim's ``doesnt_match`` picks it.

        The unit vectors of the words are averaged and the mean normalized to m̂; the answer is the word
        whose unit vector has the lowest cosine with m̂ (on equal cosines, the one listed first).

        Parameters
        ----------
        words : sequence of str, at least 2 words, all known
        """
        words = _as_word_list("words", words)
        if len(words) < 2:
            raise ParameterValueError("words", f"must be at least 2 words to find the odd one out, got {words}")
        unit = self.unit_vectors[[self.index(word) for word in words]]
        mean = unit.mean(axis=0)
        mean_norm = float(np.linalg.norm(mean))
        if mean_norm == 0:
            raise ValueError(f"the mean of the unit vectors of {words} is zero: no word is further than another")
        return words[int(np.argmin(unit @ (mean / mean_norm)))]

    def save_word2vec_format(self, path, binary=False, precision=None):
        """Write the vectors in word2vec format, most frequent word first (row order).

        Parameters
        ----------
        path : str or Path
            Compressed with gzip when it ends in ``.gz``. Written to a temporary file in the same directory,
            which then replaces ``path``: if writing fails (a full disk, Ctrl-C), ``path`` is unchanged.
        binary : bool
            False: text format. True: binary format (float32 bytes, always an exact round trip).
        precision : int in 1..9 or None
            Text format only: significant digits per value. None means 9, which round-trips every float32
            exactly (``load_word2vec_format`` gives back the identical array). 6 gives files about a third
            smaller, with a relative error below 5e-6 per value (word2vec.c writes 6 decimals).

        Raises
        ------
        ValueError
            A word is empty or contains a space, tab or newline, which the format cannot represent.
        """
        binary = check_bool("binary", binary)
        precision = check_optional_int("precision", precision)
        if precision is not None and precision > 9:
            raise ParameterValueError("precision", f"must be from 1 to 9 (9 digits round-trip float32), got "
                                                   f"{precision}")
        for word in self.words:
            if word == "" or any(character in word for character in _UNSAFE_CHARACTERS):
                raise ValueError(
                    f"word {word!r} cannot be written in word2vec format: words must be non-empty and contain "
                    f"no space, tab or newline"
                )
        header = f"{len(self)} {self.dim}\n".encode()
        with atomic_write(path) as file:
            file.write(header)
            # Blocks of rows per write: many small writes are slow, gzip's especially.
            for start in range(0, len(self), _ROWS_PER_WRITE):
                words = self.words[start:start + _ROWS_PER_WRITE]
                block = self.vectors[start:start + _ROWS_PER_WRITE]
                if binary:
                    file.write(b"".join(word.encode() + b" " + vector.tobytes() + b"\n"
                                        for word, vector in zip(words, block.astype(_FLOAT32_LE, copy=False))))
                else:
                    line_format = "%s " + " ".join([f"%.{precision or 9}g"] * self.dim) + "\n"
                    file.write("".join(line_format % (word, *vector)
                                       for word, vector in zip(words, block.tolist())).encode())

    @classmethod
    def load_word2vec_format(cls, path, binary=False):
        """Read a word2vec text or binary file (``.gz`` by suffix), such as word2vec.c or gensim write.

        Parameters
        ----------
        path : str or Path
        binary : bool
            Must match how the file was written.

        Returns
        -------
        KeyedVectors

        Raises
        ------
        ValueError
            The file is malformed; the message gives the line (text) or word number and byte offset (binary)
            and what was wrong: a bad header, a wrong number of values, a value that is not a finite number,
            fewer (or more) words than the header says, a duplicate word, invalid UTF-8.
        """
        binary = check_bool("binary", binary)
        compressed = Path(path).suffix == ".gz"
        with open_input(path, "vectors") as file:
            header = file.readline()
            vocab_size, dim = _parse_header(path, header)
            _check_capacity(path, vocab_size, dim, binary, len(header), compressed)
            if binary:
                words, vectors = _read_binary(path, file, vocab_size, dim, len(header), compressed)
            else:
                words, vectors = _read_text(path, file, vocab_size, dim, len(header), compressed)
        return cls(words, vectors)


def _check_capacity(path, vocab_size, dim, binary, header_length, compressed):
    """Refuse a header that declares more than the file can hold, or than memory can, before allocating."""
    file_size = Path(path).stat().st_size
    capacity = file_size * _MAX_GZIP_RATIO if compressed else file_size
    # The shortest row: a one-byte word, then per value a space and one digit (text) or 4 bytes after a space.
    row_bytes = 2 + 4 * dim if binary else 1 + 2 * dim
    if vocab_size * row_bytes > capacity - header_length:
        held = f"{file_size:,} bytes" + (f" (at most {capacity:,} once uncompressed)" if compressed else "")
        raise ValueError(f"vectors {str(path)!r}, line 1: the header declares {vocab_size:,} words of {dim:,} values, "
                         f"which take at least {vocab_size * row_bytes + header_length:,} bytes, but the file has "
                         f"{held}: the header is wrong or the file is cut short")
    check_memory(f"loading vectors {str(path)!r}",
                 {"the vectors": 4 * vocab_size * dim, "their unit vectors and float64 norms": 16 * vocab_size * dim,
                  "the words": 100 * vocab_size},
                 "load it on a machine with more memory, or keep only its first words")


def _read_text(path, file, vocab_size, dim, offset, compressed):
    words = []
    vectors = np.empty((vocab_size, dim), dtype=np.float32)
    first_line = {}
    line_number = 1
    for line_number, raw_line in enumerate(file, start=2):
        where = f"vectors {str(path)!r}, line {line_number}"
        line = decode(raw_line, where, offset, compressed).rstrip("\r\n").rstrip(" ")
        offset += len(raw_line)
        if len(words) == vocab_size:
            if line.strip():
                raise ValueError(f"{where}: the header says {vocab_size} words, but more follow")
            continue
        parts = line.split(" ")
        word, values = parts[0], parts[1:]
        if word == "":
            raise ValueError(f"{where}: expected a word then {dim} values, got {line[:60]!r}")
        if len(values) != dim:
            raise ValueError(f"{where}: expected {dim} values after the word {word!r}, got {len(values)}")
        if word in first_line:
            raise ValueError(f"{where}: duplicate word {word!r}, first seen on line {first_line[word]}")
        first_line[word] = line_number
        vectors[len(words)] = _parse_values(where, word, values)
        words.append(word)
    if len(words) < vocab_size:
        raise ValueError(f"vectors {str(path)!r}, line {line_number}: the file ends after {len(words)} words, but "
                         f"the header says {vocab_size}")
    return words, vectors


def _parse_values(where, word, values):
    try:
        with np.errstate(over="ignore"):  # overflow to infinity is reported below, with the line
            vector = np.array(values, dtype=np.float32)
    except ValueError:
        bad = next((value for value in values if not is_number(value)), " ".join(values)[:60])
        raise ValueError(f"{where}: value {bad!r} of word {word!r} is not a number") from None
    if not np.isfinite(vector).all():
        bad = values[int(np.argmin(np.isfinite(vector)))]
        raise ValueError(f"{where}: value {bad!r} of word {word!r} is not finite in float32")
    return vector


def _read_binary(path, file, vocab_size, dim, header_length, compressed):
    data = file.read()
    n_bytes = dim * _FLOAT32_LE.itemsize
    words = []
    vectors = np.empty((vocab_size, dim), dtype=np.float32)
    first_word = {}
    position = 0
    for number in range(1, vocab_size + 1):
        # word2vec.c ends each vector with a newline; gensim's writer does not. Accept both.
        while data[position:position + 1] == b"\n":
            position += 1
        where = f"vectors {str(path)!r}, word {number} (byte offset {header_length + position:,})"
        space = data.find(b" ", position)
        if space == -1 or len(data) - (space + 1) < n_bytes:
            raise ValueError(f"{where}: the file ends after {number - 1} words, but the header says {vocab_size}")
        word = decode(data[position:space], where, header_length + position, compressed)
        if word == "":
            raise ValueError(f"{where}: empty word")
        if word in first_word:
            raise ValueError(f"{where}: duplicate word {word!r}, first seen as word {first_word[word]}")
        first_word[word] = number
        vector = np.frombuffer(data, dtype=_FLOAT32_LE, count=dim, offset=space + 1)
        if not np.isfinite(vector).all():
            raise ValueError(f"{where}: the vector of word {word!r} contains NaN or infinity")
        vectors[number - 1] = vector
        words.append(word)
        position = space + 1 + n_bytes
    if data[position:].strip(b"\n"):
        raise ValueError(f"vectors {str(path)!r}, byte offset {header_length + position:,}: extra data after the "
                         f"{vocab_size} words the header announces")
    return words, vectors


def _parse_header(path, raw_header):
    header = decode(raw_header, f"vectors {str(path)!r}, line 1", 0, Path(path).suffix == ".gz").strip()
    parts = header.split()
    if not header:
        raise ValueError(f"vectors {str(path)!r}, line 1: the file is empty or its header is blank; expected a "
                         "header 'V d'")
    if len(parts) != 2 or not all(part.isdigit() for part in parts) or min(int(part) for part in parts) < 1:
        raise ValueError(f"vectors {str(path)!r}, line 1: bad header {header[:60]!r}: expected 'V d', the number of "
                         "words and the vector size, two positive integers (is this a word2vec file?)")
    return int(parts[0]), int(parts[1])


def _as_word_list(name, words):
    if isinstance(words, str):
        return [words]
    try:
        words = list(words)
    except TypeError:
        raise ParameterTypeError(name, f"must be a word or a sequence of words, got {type(words).__name__}") \
            from None
    return words


def _unknown_word_message(word, vocab_size):
    return (f"word {word!r} is not in the vocabulary of {vocab_size} words (check spelling and case; training drops "
            f"words rarer than min_count)")
