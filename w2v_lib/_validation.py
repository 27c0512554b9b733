"""Every hand-written input check of the library, and the one declaration of the training hyperparameters.

Not a lesson of its own: the public functions of every module call these at their entry, so that a mistake
fails at once with a message that names the argument, says what was expected and what came, and what to do.
Functions called by the library itself (the per-chunk work of training) trust their callers.

One exception type per kind of mistake: the wrong type raises :class:`ParameterTypeError` (a ``TypeError``),
a wrong value :class:`ParameterValueError` (a ``ValueError``), an index out of range
:class:`ParameterIndexError` (an ``IndexError``). Each keeps the parameter's name apart from the problem, so
that the command line can name the flag the user typed (``--dim``) instead of the Python parameter (``dim``).
"""

import math
import numbers
from dataclasses import dataclass
from functools import partial

import numpy as np


class ArgumentError(Exception):
    """An error whose message names arguments of the call, so that a caller can spell them its own way.

    ``template`` holds each name of ``names`` as a ``{name}`` field; ``str(error)`` spells them as the Python
    parameters, and ``error.message(spell)`` passes each through ``spell`` (the command line turns ``"dim"``
    into ``"--dim"``).
    """

    def __init__(self, template, names):
        self.template = template
        self.names = tuple(names)
        super().__init__(self.message())

    def message(self, spell=str):
        """The message with every argument name passed through ``spell``."""
        return self.template.format_map({name: spell(name) for name in self.names})


class ParameterError(ArgumentError):
    """Argument ``parameter`` is wrong; ``problem`` says how (the message is ``f"{parameter} {problem}"``).

    ``problem`` may name other parameters as ``{name}`` fields, listed in ``related``: e.g. min_alpha's
    "must be at most {alpha} = 0.025".
    """

    def __init__(self, parameter, problem, related=()):
        self.parameter = parameter
        if not related:
            problem = problem.replace("{", "{{").replace("}", "}}")
        super().__init__(f"{{{parameter}}} {problem}", (parameter, *related))


class ParameterTypeError(ParameterError, TypeError):
    """An argument of the wrong type."""


class ParameterValueError(ParameterError, ValueError):
    """An argument of the right type and a wrong value."""


class ParameterIndexError(ParameterError, IndexError):
    """A word index out of the range of the vocabulary."""


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_int(name, value, minimum=1, hint=""):
    """Return ``value`` as an int >= ``minimum``; ``hint`` (e.g. the usual value) is added to a ValueError."""
    if not _is_int(value):
        raise ParameterTypeError(name, f"must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ParameterValueError(name, f"must be >= {minimum}{hint}, got {value}")
    return int(value)


def check_optional_int(name, value, minimum=1, hint=""):
    """Return None (a count where None means "all"), or ``value`` checked by :func:`check_int`."""
    return None if value is None else check_int(name, value, minimum, hint)


def check_real(name, value, minimum=-math.inf, above=False, hint=""):
    """Return ``value`` as a finite float >= ``minimum`` (> ``minimum`` when ``above``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ParameterTypeError(name, f"must be a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ParameterValueError(name, f"must be a finite number{hint}, got {value}")
    if value < minimum or (above and value == minimum):
        raise ParameterValueError(name, f"must be {'>' if above else '>='} {minimum:g}{hint}, got {value}")
    return float(value)


def check_bool(name, value):
    """Return ``value`` if it is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterTypeError(name, f"must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices``."""
    if not any(value is choice or (type(value) is type(choice) and value == choice) for choice in choices):
        raise ParameterValueError(name, f"must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_seed(name, value):
    """Return ``value`` if it is an int >= 0 or a ``numpy.random.Generator`` (what ``default_rng`` takes)."""
    if isinstance(value, np.random.Generator):
        return value
    if not _is_int(value):
        raise ParameterTypeError(name, f"must be an integer >= 0 or a numpy.random.Generator, got "
                                       f"{type(value).__name__} {value!r}")
    if value < 0:
        raise ParameterValueError(name, f"must be an integer >= 0, got {value}")
    return int(value)


def check_dtype(name, value):
    """Return ``value`` as numpy.float32 or numpy.float64, the dtypes the trainers compute in."""
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ParameterValueError(name, f"must be numpy.float32 or numpy.float64, got {value!r}")
    return dtype.type


def check_vector(name, value):
    """Return ``value`` as a 1-D floating array of length >= 1."""
    array = _as_float_array(name, value)
    if array.ndim != 1 or array.shape[0] == 0:
        raise ParameterValueError(name, f"must be a 1-D array of shape (d,) with d >= 1, got shape {array.shape}")
    return array


def check_matrix(name, value, shape=(None, None)):
    """Return ``value`` as a 2-D floating array matching ``shape`` (None matches any length)."""
    array = _as_float_array(name, value)
    expected = "(" + ", ".join("V" if n is None and i == 0 else "d" if n is None else str(n)
                               for i, n in enumerate(shape)) + ")"
    if array.ndim != 2 or any(n is not None and n != got for n, got in zip(shape, array.shape)):
        raise ParameterValueError(name, f"must have shape {expected}, got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ParameterValueError(name, f"must have at least one row and one column, got shape {array.shape}")
    return array


def check_index(name, value, size):
    """Return ``value`` as a Python int in [0, size)."""
    if not _is_int(value):
        raise ParameterTypeError(name, f"must be an integer word index, got {type(value).__name__} {value!r}")
    if not 0 <= value < size:
        raise ParameterIndexError(name, f"= {value} is out of range for a vocabulary of {size} words "
                                        f"(0..{size - 1})")
    return int(value)


def check_indices(name, value, size, ndim):
    """Return ``value`` as an integer array with ``ndim`` dimensions and entries in [0, size)."""
    array = np.asarray(value)
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ParameterTypeError(name, f"must hold integer word indices, got dtype {array.dtype}")
    array = array.astype(np.intp, copy=False)
    if array.ndim != ndim:
        expected = "(K,)" if ndim == 1 else "(n_outside, K)"
        raise ParameterValueError(name, f"must have shape {expected}, got shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() >= size):
        bad = array[(array < 0) | (array >= size)][0]
        raise ParameterIndexError(name, f"contains {bad}, out of range for a vocabulary of {size} words "
                                        f"(0..{size - 1})")
    return array


def check_token_ids(token_ids, vocab_size=None):
    """Return the corpus as a 1-D int32 array of word ids, each below ``vocab_size`` (None: no bound)."""
    token_ids = np.asarray(token_ids)
    if token_ids.ndim != 1:
        raise ParameterValueError("token_ids", f"must be a 1-D array of shape (n_tokens,), got shape "
                                               f"{token_ids.shape}")
    if token_ids.size and not np.issubdtype(token_ids.dtype, np.integer):
        raise ParameterTypeError("token_ids", f"must be integer word ids, got dtype {token_ids.dtype}; encode "
                                              "tokens with Vocabulary.encode")
    token_ids = token_ids.astype(np.int32, copy=False)
    if token_ids.size and token_ids.min() < 0:
        raise ParameterIndexError("token_ids", f"contains {token_ids.min()}, word ids must be >= 0")
    if vocab_size is not None and token_ids.size and token_ids.max() >= vocab_size:
        raise ParameterIndexError("token_ids", f"contains {token_ids.max()}, out of range for a vocabulary of "
                                               f"{vocab_size} words (0..{vocab_size - 1})")
    return token_ids


def check_sentence_starts(sentence_starts, n_tokens):
    """Return sorted sentence offsets into a corpus of ``n_tokens`` tokens as a 1-D int64 array."""
    starts = np.asarray(sentence_starts)
    if starts.ndim != 1:
        raise ParameterValueError("sentence_starts", f"must be a 1-D array of offsets, got shape {starts.shape}")
    if starts.size and not np.issubdtype(starts.dtype, np.integer):
        raise ParameterTypeError("sentence_starts", f"must be integer offsets, got dtype {starts.dtype}")
    starts = starts.astype(np.int64, copy=False)
    if starts.size and (starts.min() < 0 or starts.max() > n_tokens):
        raise ParameterValueError("sentence_starts", f"must be offsets in 0..{n_tokens} (the length of "
                                                     f"token_ids), got values from {starts.min()} to {starts.max()}")
    if np.any(np.diff(starts) < 0):
        raise ParameterValueError("sentence_starts", "must be sorted in increasing order")
    return starts


def check_counts(counts):
    """Return word counts as a float64 array of shape (vocab_size,): finite, >= 0, not all zero."""
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.shape[0] == 0:
        raise ParameterValueError("counts", f"must be a 1-D array of shape (vocab_size,) with vocab_size >= 1, "
                                            f"got shape {counts.shape}")
    if not (np.issubdtype(counts.dtype, np.integer) or np.issubdtype(counts.dtype, np.floating)):
        raise ParameterTypeError("counts", f"must be numbers, got dtype {counts.dtype}")
    counts = counts.astype(np.float64)
    if not np.all(np.isfinite(counts)):
        raise ParameterValueError("counts", "must be finite")
    if counts.min() < 0:
        raise ParameterValueError("counts", f"must be >= 0, got {counts.min()} at index {int(counts.argmin())}")
    if counts.sum() == 0:
        raise ParameterValueError("counts", "are all zero: there is no word to sample; build the vocabulary "
                                            "from a non-empty corpus")
    return counts


def check_corpus(token_ids, sentence_starts, counts):
    """The corpus a trainer reads: (token_ids int32, sentence_starts int64, counts float64), checked together.

    ``sentence_starts`` must start with 0; empty sentences (repeated starts, a start at the end) are dropped.
    """
    counts = check_counts(counts)
    token_ids = check_token_ids(token_ids, len(counts))
    if token_ids.size == 0:
        raise ParameterValueError("token_ids", "must be a non-empty 1-D array of word ids: there is nothing to "
                                               "train on")
    starts = check_sentence_starts(sentence_starts, len(token_ids))
    if starts.size == 0 or starts[0] != 0:
        raise ParameterValueError("sentence_starts", "must be sorted offsets into token_ids starting with 0, "
                                                     f"got {starts[:10]}{'...' if starts.size > 10 else ''}")
    return token_ids, np.unique(starts[starts < len(token_ids)]), counts


def is_number(text):
    """Whether ``float(text)`` succeeds: a value field of a data file."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _as_float_array(name, value):
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.floating):
        if np.issubdtype(array.dtype, np.integer) or array.dtype == bool:
            array = array.astype(np.float64)
        else:
            raise ParameterTypeError(name, f"must be a floating-point array, got dtype {array.dtype}")
    return array


# --- the hyperparameters, declared once ------------------------------------------------------------------


@dataclass(frozen=True)
class Hyperparameter:
    """One training setting: its default, the check of a value, what it means (the CLI's help text), and for a
    setting that names one of a few options, those options (the CLI's choices)."""

    default: object
    check: object
    help: str
    choices: tuple = ()


def _choice(default, choices, help):
    return Hyperparameter(default, partial(check_choice, choices=choices), help, choices)


def _check_sample(name, value):
    return None if value is None else check_real(name, value, minimum=0.0,
                                                 hint=" (word2vec.c uses 1e-3; 0 turns subsampling off)")


_positive = partial(check_int, minimum=1)

# Word2Vec, train_loop, train_minibatch, training_chunks and the command line take these names, with these
# defaults (a test holds their signatures to them), and check every argument they get through
# check_hyperparameters.
HYPERPARAMETERS = {
    "model": _choice("skipgram", ("skipgram", "cbow"),
                     "skipgram predicts each outside word from the center word; cbow predicts the center word from "
                     "the mean of its outside words (word2vec.c's -cbow, gensim's sg=0)"),
    "loss": _choice("negative", ("negative", "hierarchical"),
                    "negative sampling, or hierarchical softmax over a Huffman tree of the words (word2vec.c's -hs 1 "
                    "-negative 0, gensim's hs=1, negative=0; it draws no negatives and ignores negative)"),
    "dim": Hyperparameter(100, _positive, "d, the number of dimensions of a word vector"),
    "window": Hyperparameter(5, _positive, "m, the largest number of words on each side of a center (each "
                                           "center draws its own window b from 1..m)"),
    "negative": Hyperparameter(5, _positive, "K, the negative samples per prediction: per (center, outside) pair "
                                             "in skip-gram, per window in CBOW"),
    "min_count": Hyperparameter(5, _positive, "words seen fewer times are left out of the vocabulary"),
    "sample": Hyperparameter(1e-3, _check_sample, "tau, the subsampling threshold of frequent words "
                                                  "(0 keeps every word)"),
    "alpha": Hyperparameter(0.025, partial(check_real, minimum=0.0, above=True,
                                           hint=" (word2vec.c's skip-gram default is 0.025)"),
                            "eta, the initial learning rate, for every model and loss (gensim's default; word2vec.c "
                            "uses 0.05 for CBOW)"),
    "min_alpha": Hyperparameter(0.0001, partial(check_real, minimum=0.0),
                                "eta_min, the final learning rate (the rate decays linearly over all epochs)"),
    "epochs": Hyperparameter(5, _positive, "passes over the corpus"),
    "batch_size": Hyperparameter(1024, _positive, "B, the pairs per minibatch step (rounded to whole windows); "
                                                  "larger is faster but can diverge"),
    "seed": Hyperparameter(1, check_seed, "the random seed (an integer >= 0); the same seed gives the same "
                                          "vectors"),
    "chunk_tokens": Hyperparameter(10_000, _positive, "corpus tokens per chunk of the example stream, which is "
                                                      "also one record of the training history"),
    "trainer": _choice("minibatch", ("minibatch", "loop"),
                       "the vectorized trainer, or the readable one-window-at-a-time one (slow)"),
    "dtype": Hyperparameter(np.float32, check_dtype, "the dtype of the parameters during training"),
    "prefetch": Hyperparameter(True, check_bool, "make the next chunk in a background thread"),
    "progress": Hyperparameter(True, check_bool, "show the progress of training"),
}


def check_hyperparameters(**values):
    """Check every given hyperparameter against its declaration; return them as a dict of checked values.

    Raises ParameterTypeError or ParameterValueError naming the first wrong one; min_alpha must also be at most
    alpha when both are given.
    """
    unknown = sorted(set(values) - set(HYPERPARAMETERS))
    if unknown:
        raise TypeError(f"check_hyperparameters got unknown names {unknown}")
    checked = {name: HYPERPARAMETERS[name].check(name, value) for name, value in values.items()}
    if "alpha" in checked and "min_alpha" in checked and checked["min_alpha"] > checked["alpha"]:
        raise ParameterValueError("min_alpha", f"must be at most {{alpha}} = {checked['alpha']} (the learning "
                                               f"rate decays from alpha to min_alpha), got {checked['min_alpha']}",
                                  related=("alpha",))
    return checked


# --- memory ----------------------------------------------------------------------------------------------


def available_memory():
    """Bytes of memory the machine can still give without swapping (MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class InsufficientMemoryError(ArgumentError, MemoryError):
    """A computation would need more memory than the machine has available; raised before allocating."""


def check_memory(what, parts, advice, related=()):
    """Raise MemoryError before allocating if the arrays of ``parts`` cannot fit in the available memory.

    Parameters
    ----------
    what : str
        What needs the memory, e.g. "training".
    parts : dict of str -> int
        The main allocations, in bytes; their sum is the estimate.
    advice : str
        What to change to need less; may name parameters as ``{name}`` fields, listed in ``related``.
    related : tuple of str
    """
    available = available_memory()
    need = sum(parts.values())
    if available is not None and need > available:
        largest = sorted(parts.items(), key=lambda item: -item[1])[:3]
        detail = ", ".join(f"{name} {format_bytes(size)}" for name, size in largest)
        raise InsufficientMemoryError(f"{what} needs about {format_bytes(need)} ({detail}), but the machine "
                                      f"has {format_bytes(available)} available: {advice}", related)


def format_bytes(size):
    """``size`` bytes as a short human-readable string, e.g. '27.9 GiB'."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
