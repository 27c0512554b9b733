"""Input checks shared by the library: each error names the argument, what was expected and what came.

Modelled on scikit-learn's ``check_array``: fail early and say how to fix it, never compute a silent wrong answer.
"""

import math
import numbers

import numpy as np


def check_vector(name, value):
    """Return ``value`` as a 1-D floating array of length >= 1, or raise ValueError naming ``name``."""
    array = _as_float_array(name, value)
    if array.ndim != 1 or array.shape[0] == 0:
        raise ValueError(f"{name} must be a 1-D array of shape (d,) with d >= 1, got shape {array.shape}")
    return array


def check_matrix(name, value, shape=(None, None)):
    """Return ``value`` as a 2-D floating array matching ``shape`` (None matches any length)."""
    array = _as_float_array(name, value)
    expected = "(" + ", ".join("V" if n is None and i == 0 else "d" if n is None else str(n)
                               for i, n in enumerate(shape)) + ")"
    if array.ndim != 2 or any(n is not None and n != got for n, got in zip(shape, array.shape)):
        raise ValueError(f"{name} must have shape {expected}, got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column, got shape {array.shape}")
    return array


def check_int(name, value, minimum=1, hint=""):
    """Return ``value`` as an int >= ``minimum``: TypeError if it is not an integer (bools are refused),
    ValueError if it is too small. ``hint`` is appended to the ValueError, e.g. the usual value."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}{hint}, got {value}")
    return int(value)


def check_optional_positive_int(name, value):
    """Return None, or ``value`` as an int >= 1 (a count where None means "all"); ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int or None, got {value!r}")
    return int(value)


def check_real(name, value):
    """Return ``value`` as a finite float: TypeError if it is not a number, ValueError if NaN or infinite."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


def check_index(name, value, size):
    """Return ``value`` as a Python int in [0, size), or raise TypeError / IndexError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer word index, got {type(value).__name__} {value!r}")
    if not 0 <= value < size:
        raise IndexError(f"{name} = {value} is out of range for a vocabulary of {size} words (0..{size - 1})")
    return int(value)


def check_indices(name, value, size, ndim):
    """Return ``value`` as an integer array with ``ndim`` dimensions and entries in [0, size)."""
    array = np.asarray(value)
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integer word indices, got dtype {array.dtype}")
    array = array.astype(np.intp, copy=False)
    if array.ndim != ndim:
        expected = "(K,)" if ndim == 1 else "(n_outside, K)"
        raise ValueError(f"{name} must have shape {expected}, got shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() >= size):
        bad = array[(array < 0) | (array >= size)][0]
        raise IndexError(f"{name} contains {bad}, out of range for a vocabulary of {size} words (0..{size - 1})")
    return array


def check_token_ids(token_ids, vocab_size):
    """A 1-D int32 array of word ids, each below ``vocab_size`` (None: no upper bound)."""
    token_ids = np.asarray(token_ids)
    if token_ids.ndim != 1:
        raise ValueError(f"token_ids must be a 1-D array of shape (n,), got shape {token_ids.shape}")
    if token_ids.size and not np.issubdtype(token_ids.dtype, np.integer):
        raise TypeError(f"token_ids must be integer word ids, got dtype {token_ids.dtype}; "
                        "encode tokens with Vocabulary.encode")
    token_ids = token_ids.astype(np.int32, copy=False)
    if token_ids.size and token_ids.min() < 0:
        raise IndexError(f"token_ids contains {token_ids.min()}, word ids must be >= 0")
    if vocab_size is not None and token_ids.size and token_ids.max() >= vocab_size:
        raise IndexError(f"token_ids contains {token_ids.max()}, out of range for a vocabulary of "
                         f"{vocab_size} words (0..{vocab_size - 1})")
    return token_ids


def check_sentence_starts(sentence_starts, n):
    """A sorted 1-D int64 array of sentence offsets into a corpus of ``n`` tokens."""
    starts = np.asarray(sentence_starts)
    if starts.ndim != 1:
        raise ValueError(f"sentence_starts must be a 1-D array of offsets, got shape {starts.shape}")
    if starts.size and not np.issubdtype(starts.dtype, np.integer):
        raise TypeError(f"sentence_starts must be integer offsets, got dtype {starts.dtype}")
    starts = starts.astype(np.int64, copy=False)
    if starts.size and (starts.min() < 0 or starts.max() > n):
        raise ValueError(f"sentence_starts must be offsets in 0..{n} (the length of token_ids), got values "
                         f"from {starts.min()} to {starts.max()}")
    if np.any(np.diff(starts) < 0):
        raise ValueError("sentence_starts must be sorted in increasing order")
    return starts


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
            raise TypeError(f"{name} must be a floating-point array, got dtype {array.dtype}")
    return array
