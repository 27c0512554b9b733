"""Sweep: how window, dimension, negatives, subsampling threshold and epochs move the scores, with intervals.

    nice -n 10 python bench/sweep.py                      # the table in data/sweep.csv and data/sweep.md
    python bench/sweep.py --smoke --corpus FILE --output /tmp/sweep.csv   # a few seconds: 2 values per setting

Each setting is varied on its own around the defaults (skip-gram with negative sampling, the course's
``Word2Vec``: window m = 5, d = 100, K = 5 negatives, subsampling threshold τ = 1e-3, 1 epoch, min_count 5,
alpha 0.025 -> 0.0001, batch size 1024, seed 1), on the first ``--words`` tokens of the corpus (default: the
first 5,000,000 of ``../shared/bench/wiki17m.txt.gz``, lines cut into 10,000-token sentences). The default run
is trained once and belongs to every setting's curve; two more seeds of the default show how much the training's
own randomness moves the scores, which the intervals do not cover.

Every run records WordSim-353 and SimLex-999 Spearman correlations with 95 % percentile-bootstrap intervals
over the pairs (``w2v_lib.evaluate.word_pairs_interval``), the Google analogy accuracy over the 30,000 most
frequent words with its 95 % Wilson interval (``analogies_interval``), the wall-clock and CPU time of ``fit``
(vocabulary, pairs and training; reading the file is not timed) and the vocabulary size. The table goes to
``--output`` (CSV) and, with the command, the corpus's sha256 and the slice used, to the ``.md`` next to it;
both are written to a temporary file that replaces the old one only when complete.
"""

import argparse
import csv
import hashlib
import io
import os
import platform
import shlex
import sys
import time
from pathlib import Path

# One BLAS thread: the CPU time of a run is then one core's, comparable from run to run on a shared machine.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared/bench/wiki17m.txt.gz"
DEFAULT_OUTPUT = ROOT / "data/sweep.csv"
DEFAULTS = {"window": 5, "dim": 100, "negative": 5, "sample": 1e-3, "epochs": 1, "seed": 1}
# One setting at a time; each list holds the default too (its run is shared, not repeated).
GRID = {
    "window": [1, 2, 5, 10],
    "dim": [25, 50, 100, 200],
    "negative": [1, 2, 5, 10, 15],
    "sample": [0.0, 1e-5, 1e-4, 1e-3],
    "epochs": [1, 2, 3, 5],
    "seed": [1, 2, 3],
}
SMOKE_GRID = {"window": [2, 5], "dim": [10, 20], "negative": [2, 5], "sample": [0.0, 1e-3], "epochs": [1, 2],
              "seed": [1, 2]}
SMOKE_DEFAULTS = {**DEFAULTS, "dim": 20}
FIXED = {"min_count": 5, "alpha": 0.025, "min_alpha": 0.0001, "batch_size": 1024}
LEVEL = 0.95
RESTRICT_VOCAB = 30_000
COLUMNS = ["varied", "window", "dim", "negative", "sample", "epochs", "seed", "vocab_size", "seconds",
           "cpu_seconds",
           "wordsim353", "wordsim353_low", "wordsim353_high", "wordsim353_pairs",
           "simlex999", "simlex999_low", "simlex999_high", "simlex999_pairs",
           "analogy_percent", "analogy_percent_low", "analogy_percent_high", "analogy_correct", "analogy_total"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="whitespace-tokenized text, plain or .gz (default: %(default)s)")
    parser.add_argument("--words", type=int, default=5_000_000,
                        help="train on the first N tokens of the corpus (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help="the CSV table; its description goes to the same name with .md (default: %(default)s)")
    parser.add_argument("--resamples", type=int, default=10_000,
                        help="bootstrap resamples per correlation interval (default: %(default)s)")
    parser.add_argument("--smoke", action="store_true",
                        help="a quick check of the script: d = 20, two values per setting, 200 resamples")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.command = shlex.join(["python", "bench/sweep.py", *argv])
    try:
        check_arguments(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    from w2v_lib.datasets import FirstTokens, read_corpus

    grid, defaults = (SMOKE_GRID, SMOKE_DEFAULTS) if args.smoke else (GRID, DEFAULTS)
    resamples = 200 if args.smoke else args.resamples
    checksum = sha256_of_text(args.corpus)
    sentences = list(FirstTokens(read_corpus(args.corpus), args.words))
    n_tokens = sum(len(sentence) for sentence in sentences)
    runs = planned_runs(grid, defaults)
    print(f"{len(runs)} runs on the first {n_tokens:,} tokens of {args.corpus}", file=sys.stderr, flush=True)
    rows, start = [], time.perf_counter()
    for number, (varied, settings) in enumerate(runs, 1):
        rows.append({"varied": varied, **settings, **train_and_score(sentences, settings, resamples)})
        print(f"run {number}/{len(runs)} ({varied}: {settings[varied] if varied != 'default' else '-'}) "
              f"done, {time.perf_counter() - start:.0f} s so far", file=sys.stderr, flush=True)
    write_outputs(args, rows, defaults, grid, n_tokens, checksum, resamples, time.perf_counter() - start)
    return 0


def check_arguments(args):
    """Refuse, before reading anything, a corpus that cannot be read, a bad number or an unwritable output."""
    from w2v_lib._validation import ParameterError
    from w2v_lib.files import check_input, check_output

    if args.words < 1:
        raise ValueError(f"--words must be a positive number of tokens, got {args.words}")
    if args.resamples < 100:
        raise ValueError(f"--resamples must be at least 100 for a 95 % interval, got {args.resamples}")
    if args.output.suffix != ".csv":
        raise ValueError(f"--output {str(args.output)!r} must end in .csv (the description goes next to it, .md)")
    try:
        check_input(args.corpus, "--corpus")
        for path in (args.output, args.output.with_suffix(".md")):
            check_output(path, "output", inputs=[("corpus", args.corpus)])
    except ParameterError as error:
        raise ValueError(error.message(lambda name: f"--{name}")) from None
    except OSError as error:
        raise ValueError(str(error)) from None
    try:
        from gensim.test.utils import datapath  # noqa: F401  (the evaluation sets ship in gensim's wheel)
    except ImportError:
        raise ValueError("gensim is not installed, and the evaluation sets come with it: "
                         "pip install -r requirements.txt") from None


def planned_runs(grid, defaults):
    """The runs of the sweep, as (name of the setting varied or "default", settings): the default first."""
    runs = [("default", dict(defaults))]
    for name, values in grid.items():
        runs += [(name, {**defaults, name: value}) for value in values if value != defaults[name]]
    return runs


def train_and_score(sentences, settings, resamples):
    """Train the course's Word2Vec with ``settings`` on ``sentences`` and score it, with intervals."""
    from gensim.test.utils import datapath

    from w2v_lib.evaluate import analogies_interval, word_pairs_interval
    from w2v_lib.model import Word2Vec

    model = Word2Vec(**settings, **FIXED, progress=False)
    start, start_cpu = time.perf_counter(), time.process_time()
    model.fit(sentences)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
    row = {"vocab_size": len(model.vocab), "seconds": seconds, "cpu_seconds": cpu_seconds}
    for name, file in (("wordsim353", "wordsim353.tsv"), ("simlex999", "simlex999.txt")):
        result = word_pairs_interval(model.wv, datapath(file), level=LEVEL, n_resamples=resamples, seed=1)
        row.update({name: result["spearman"], f"{name}_low": result["low"], f"{name}_high": result["high"],
                    f"{name}_pairs": result["pairs"]})
    result = analogies_interval(model.wv, datapath("questions-words.txt"), level=LEVEL,
                                restrict_vocab=RESTRICT_VOCAB)
    row.update({"analogy_percent": 100 * result["accuracy"], "analogy_percent_low": 100 * result["low"],
                "analogy_percent_high": 100 * result["high"], "analogy_correct": result["correct"],
                "analogy_total": result["total"]})
    return row


def sha256_of_text(path):
    """sha256 of the file's text (of the uncompressed data for a .gz), the checksum the corpus is known by."""
    from w2v_lib.files import open_input

    digest = hashlib.sha256()
    with open_input(path, "corpus") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def write_outputs(args, rows, defaults, grid, n_tokens, checksum, resamples, total_seconds):
    from w2v_lib.files import atomic_write

    table = io.StringIO()
    writer = csv.DictWriter(table, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: format_value(row[key]) for key in COLUMNS})
    with atomic_write(args.output) as file:
        file.write(table.getvalue().encode())

    settings = ", ".join(f"{name} {value}" for name, value in {**defaults, **FIXED}.items())
    lines = [
        f"# Sweep of the course's Word2Vec: `{args.output.name}`",
        "",
        "Made with",
        "",
        "```bash",
        args.command,
        "```",
        "",
        f"- corpus: `{args.corpus.name}`, sha256 of its text `{checksum}`",
        f"- slice: the first {n_tokens:,} tokens (lines cut into 10,000-token sentences)",
        f"- defaults: {settings}; one setting varied at a time: "
        + "; ".join(f"{name} {', '.join(format_value(value) for value in values)}" for name, values in grid.items()),
        f"- intervals: {LEVEL:.0%} percentile bootstrap over the pairs ({resamples:,} resamples, seed 1) for the "
        f"correlations; {LEVEL:.0%} Wilson interval for the analogy accuracy (top {RESTRICT_VOCAB:,} words)",
        f"- time: {format_duration(total_seconds)} in all, one numpy thread, on {platform.machine()} with "
        f"{os.cpu_count()} cores shared with other work; `seconds` is the wall-clock time of `fit`, `cpu_seconds` "
        "its CPU time",
        "",
        "| varied | m | d | K | τ | epochs | seed | WordSim-353 ρ [95 % CI] | SimLex-999 ρ [95 % CI] "
        "| analogies % [95 % CI] | fit time (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['varied']} | {row['window']} | {row['dim']} | {row['negative']} | {format_value(row['sample'])} "
            f"| {row['epochs']} | {row['seed']} "
            f"| {row['wordsim353']:.3f} [{row['wordsim353_low']:.3f}, {row['wordsim353_high']:.3f}] "
            f"| {row['simlex999']:.3f} [{row['simlex999_low']:.3f}, {row['simlex999_high']:.3f}] "
            f"| {row['analogy_percent']:.1f} [{row['analogy_percent_low']:.1f}, {row['analogy_percent_high']:.1f}] "
            f"| {row['seconds']:.0f} |")
    with atomic_write(args.output.with_suffix(".md")) as file:
        file.write(("\n".join(lines) + "\n").encode())


def format_duration(seconds):
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def format_value(value):
    """Numbers as the table stores them: integers as such, floats with 6 significant digits."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
