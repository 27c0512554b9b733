"""Tests of w2v_lib._validation: the declaration of the hyperparameters, the errors naming the argument, memory."""

import inspect

import numpy as np
import pytest

from w2v_lib import _validation
from w2v_lib.__main__ import _parser
from w2v_lib._validation import (
    HYPERPARAMETERS,
    ParameterIndexError,
    ParameterTypeError,
    ParameterValueError,
    check_hyperparameters,
    check_index,
    check_int,
    check_memory,
    check_seed,
)
from w2v_lib.chunks import training_chunks
from w2v_lib.model import Word2Vec
from w2v_lib.train import train_loop, train_minibatch


@pytest.mark.parametrize("function", [Word2Vec, train_loop, train_minibatch, training_chunks])
def test_signatures_take_the_declared_defaults(function):
    parameters = inspect.signature(function).parameters
    declared = [name for name in parameters if name in HYPERPARAMETERS]
    assert len(declared) >= 6
    for name in declared:
        assert parameters[name].default == HYPERPARAMETERS[name].default, name


def test_the_command_line_takes_the_declared_defaults_and_names():
    parser, flags = _parser()
    args = parser.parse_args(["train", "--corpus", "c.txt", "--output", "v.txt"])
    for name in ("model", "loss", "dim", "window", "negative", "min_count", "sample", "alpha", "min_alpha",
                 "epochs", "seed", "batch_size", "trainer"):
        assert getattr(args, name) == HYPERPARAMETERS[name].default
        assert flags[name] == "--" + name.replace("_", "-")
    # A setting with a few options takes exactly the declared ones, as typed on the command line.
    args = parser.parse_args(["train", "--corpus", "c.txt", "--output", "v.txt", "--model", "cbow", "--loss",
                              "hierarchical", "--trainer", "loop"])
    assert (args.model, args.loss, args.trainer) == ("cbow", "hierarchical", "loop")
    for name, options in (("model", ("skipgram", "cbow")), ("loss", ("negative", "hierarchical")),
                          ("trainer", ("minibatch", "loop"))):
        assert HYPERPARAMETERS[name].choices == options
        for option in options:
            assert check_hyperparameters(**{name: option}) == {name: option}
        with pytest.raises(ValueError, match=f"{name} must be one of "):
            check_hyperparameters(**{name: options[0].upper()})


def test_check_hyperparameters_checks_each_given_argument_once():
    assert check_hyperparameters(dim=3, sample=None, seed=np.random.default_rng(0))["dim"] == 3
    assert check_hyperparameters(dtype="float64")["dtype"] is np.float64
    with pytest.raises(TypeError, match="unknown names \\['size'\\]"):
        check_hyperparameters(size=3)
    # The relation between two arguments is checked when both are given, and only then.
    assert check_hyperparameters(min_alpha=0.5) == {"min_alpha": 0.5}
    with pytest.raises(ValueError, match="min_alpha must be at most alpha = 0.1"):
        check_hyperparameters(alpha=0.1, min_alpha=0.5)


def test_one_exception_type_per_kind_of_mistake():
    with pytest.raises(TypeError) as wrong_type:
        check_int("window", "5")
    with pytest.raises(ValueError) as wrong_value:
        check_int("window", 0)
    with pytest.raises(IndexError) as out_of_range:
        check_index("outside_idx", 9, 5)
    assert isinstance(wrong_type.value, ParameterTypeError)
    assert isinstance(wrong_value.value, ParameterValueError)
    assert isinstance(out_of_range.value, ParameterIndexError)
    assert str(out_of_range.value) == "outside_idx = 9 is out of range for a vocabulary of 5 words (0..4)"
    assert wrong_value.value.parameter == "window"


def test_messages_spell_every_parameter_the_callers_way():
    flags = {"alpha": "--alpha", "min_alpha": "--min-alpha"}

    def flag(name):
        return flags.get(name, name)

    with pytest.raises(ParameterValueError) as error:
        check_hyperparameters(alpha=0.01, min_alpha=0.1)
    assert str(error.value).startswith("min_alpha must be at most alpha = 0.01 ")
    assert error.value.message(flag).startswith("--min-alpha must be at most --alpha = 0.01 ")
    # Braces in a value are kept as they are.
    with pytest.raises(ParameterValueError) as error:
        check_hyperparameters(trainer="{x}")
    assert error.value.message(flag) == "trainer must be one of 'minibatch', 'loop', got '{x}'"


@pytest.mark.parametrize(("seed", "error", "message"), [
    (-1, ValueError, "seed must be an integer >= 0, got -1"),
    (True, TypeError, "seed must be an integer >= 0 or a numpy.random.Generator, got bool True"),
    ("1", TypeError, "got str '1'"),
])
def test_check_seed(seed, error, message):
    with pytest.raises(error, match=message):
        check_seed("seed", seed)
    generator = np.random.default_rng(0)
    assert check_seed("seed", generator) is generator and check_seed("seed", np.int64(3)) == 3


def test_available_memory_reads_meminfo(monkeypatch, tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24000000 kB\nMemFree:         1000 kB\nMemAvailable:    2048 kB\n")
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *args, **kwargs: real_open(
        meminfo if path == "/proc/meminfo" else path, *args, **kwargs))
    assert _validation.available_memory() == 2048 * 1024
    meminfo.unlink()  # as on a system without /proc: no guard, and no error
    assert _validation.available_memory() is None


def test_check_memory(monkeypatch):
    monkeypatch.setattr(_validation, "available_memory", lambda: 3 * 2**30)
    check_memory("work", {"a": 2**30, "b": 2**30}, "do less")
    with pytest.raises(MemoryError) as error:
        check_memory("work", {"a": 3 * 2**30, "b": 512 * 2**20}, "lower {negative}", ("negative",))
    assert str(error.value) == ("work needs about 3.5 GiB (a 3.0 GiB, b 512.0 MiB), but the machine has 3.0 GiB "
                                "available: lower negative")
    assert error.value.message({"negative": "--negative"}.get).endswith("lower --negative")
    monkeypatch.setattr(_validation, "available_memory", lambda: None)
    check_memory("work", {"a": 2**60}, "do less")
