"""The command line: ``python -m w2v_lib train|demo|exercises ...``.

Not a lesson: the README's "Train on your own text" and "Try it" sections use it.

* ``train --corpus FILE --output VECTORS.txt``: word2vec (skip-gram with negative sampling unless ``--model cbow``
  or ``--loss hierarchical``) on a whitespace-tokenized UTF-8 text file (one sentence a line, ``.gz`` read too,
  ``-`` for standard input), the center vectors written in word2vec text format.
* ``demo``: trains on the toy corpus in seconds, offline, and shows what it learned: nearest neighbours,
  analogies next to the planted truth, and a PCA plot of the planted word groups.
* ``exercises ...``: the student notebooks and grading, forwarded to the course tooling
  (``python -m classroom``, the package next to this one).

Every error is one line, ``error: ...`` on standard error, naming the flag as typed. Exit codes: 0 success;
2 a usage error, found before anything is read: an unknown flag or a value out of range, or an output that
cannot be written (a directory, an input, a missing or read-only directory); 1 a failure while reading the
input, in the memory estimate, in training or while writing (the message says what to do); 130 interrupted
(Ctrl-C), with no output changed.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from w2v_lib._validation import (
    HYPERPARAMETERS,
    ArgumentError,
    ParameterError,
    check_int,
    check_optional_int,
    check_seed,
)

# The toy corpus is tiny and repetitive: the hyperparameters under which the demo recovers the planted
# structure in about two seconds (analogy accuracy 0.98-1.00 over seeds 1-4).
DEMO_SETTINGS = dict(dim=50, window=5, negative=5, min_count=1, sample=1e-3, epochs=20, batch_size=1024)
DEMO_WORDS = ("paris", "france", "king", "woman", "three", "dog", "red", "bread")
DEFAULT_PLOT = "demo.png"
TRAIN_HYPERPARAMETERS = ("model", "loss", "dim", "window", "negative", "min_count", "sample", "alpha", "min_alpha",
                         "epochs", "seed", "batch_size", "trainer")


def main(argv=None):
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)

    # The exercises sub-command: forwarded as it is to the course tooling, which has its own parser.
    if argv[:1] == ["exercises"]:
        try:
            from classroom.__main__ import main as classroom_main
        except ImportError:  # a venv installed before classroom was a package of the project: use the checkout's
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from classroom.__main__ import main as classroom_main
        return classroom_main(argv[1:], prog="python -m w2v_lib exercises")

    parser, flags = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ParameterError as error:
        return _fail(error.message(lambda name: flags.get(name, name)), 2)
    except ArgumentError as error:  # not enough memory, training diverged: the message names the flags to change
        return _fail(error.message(lambda name: flags.get(name, name)), 1)
    except KeyboardInterrupt:
        return _fail("interrupted; no output was changed", 130)
    except KeyError as error:
        return _fail(error.args[0] if error.args else str(error), 1)
    except (OSError, ValueError, TypeError, FloatingPointError, MemoryError) as error:
        return _fail(str(error), 1)


def _fail(message, code):
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return code


def _parser():
    """The parser, and the flag of each parameter (``"min_count"`` -> ``"--min-count"``) for messages."""
    parser = argparse.ArgumentParser(
        prog="python -m w2v_lib",
        description="word2vec from scratch: train word2vec (skip-gram or CBOW, negative sampling or "
                    "hierarchical softmax), try the toy demo, or build and grade the course's exercises.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{train,demo,exercises}")
    flags = {}

    def add(subparser, flag, **options):
        action = subparser.add_argument(flag, **options)
        flags[action.dest] = flag

    train = commands.add_parser(
        "train", help="train on a text file and write the vectors",
        description="Train word2vec (skip-gram with negative sampling unless --model or --loss say otherwise) "
                    "on a whitespace-tokenized UTF-8 text file (one sentence a line; lines longer than 10,000 "
                    "tokens are cut into 10,000-token sentences, so a one-line corpus such as text8 works; .gz "
                    "is read too) and write the center vectors "
                    "in word2vec text format: a 'V d' header, then 'word v1 ... vd' per line, most frequent "
                    "word first, which gensim's KeyedVectors.load_word2vec_format reads.")
    add(train, "--corpus", required=True,
        help="the text file to train on (.gz allowed), or - for standard input (a pipe)")
    add(train, "--output", type=Path, required=True,
        help="where to write the vectors (word2vec text format; gzip-compressed if it ends in .gz); written "
             "in full or not at all, and never over the corpus")
    for name in TRAIN_HYPERPARAMETERS:
        spec = HYPERPARAMETERS[name]
        options = {"choices": spec.choices} if spec.choices else {"type": type(spec.default)}
        add(train, "--" + name.replace("_", "-"), default=spec.default,
            help=f"{spec.help} (default: %(default)s)", **options)
    add(train, "--max-tokens", type=int, default=None, help="train on the first N tokens of the corpus only")
    add(train, "--top-words", type=int, default=None,
        help="write only the N most frequent words (training still uses the whole vocabulary)")
    add(train, "--precision", type=int, default=6,
        help="significant digits of each written value (1-9) (default: %(default)s)")
    train.add_argument("--quiet", action="store_true", help="no progress and no summary")
    train.set_defaults(run=_train)

    demo = commands.add_parser(
        "demo", help="train on the toy corpus and show what was learned",
        description="Train on the generated toy corpus (offline, a few seconds), print nearest neighbours "
                    "and solved analogies next to the structure planted in the corpus, and save a PCA plot "
                    "of the planted word groups.")
    add(demo, "--plot", type=Path, default=None,
        help=f"where to save the PNG plot (default: {DEFAULT_PLOT} in the current directory, or in the temporary "
             "directory if the current one cannot be written)")
    add(demo, "--seed", type=int, default=1, help="random seed of the training (default: %(default)s)")
    demo.add_argument("--quiet", action="store_true", help="no progress")
    demo.set_defaults(run=_demo)

    commands.add_parser(
        "exercises", add_help=False, help="build student notebooks or grade submissions "
                                          "(see 'python -m w2v_lib exercises --help')")
    return parser, flags


def _train(args):
    from w2v_lib.datasets import FirstTokens, TextCorpus
    from w2v_lib.files import check_input, check_output, spooled_stdin
    from w2v_lib.keyed_vectors import KeyedVectors
    from w2v_lib.model import Word2Vec

    # Everything that can be checked without reading the corpus, before reading it.
    precision = check_int("precision", args.precision)
    if precision > 9:
        raise ParameterError("precision", f"must be from 1 to 9 (9 digits round-trip float32), got {precision}")
    top_words = check_optional_int("top_words", args.top_words)
    check_optional_int("max_tokens", args.max_tokens)
    model = Word2Vec(**{name: getattr(args, name) for name in TRAIN_HYPERPARAMETERS}, progress=not args.quiet)
    from_stdin = args.corpus == "-"
    if not from_stdin:
        check_input(args.corpus, "corpus", alternative=" (or pipe it to --corpus -)")
    check_output(args.output, "output", inputs=[("corpus", sys.stdin.fileno() if from_stdin else args.corpus)])
    existed = args.output.exists()

    start = time.perf_counter()
    if from_stdin:
        with spooled_stdin() as path:
            model.fit(FirstTokens(TextCorpus(path, name="standard input"), args.max_tokens))
    else:
        model.fit(FirstTokens(TextCorpus(args.corpus), args.max_tokens))
    seconds = time.perf_counter() - start
    kv = model.wv
    if top_words is not None:
        kv = KeyedVectors(kv.words[:top_words], kv.vectors[:top_words])
    try:
        kv.save_word2vec_format(args.output, precision=precision)
    except OSError as error:
        unchanged = "the previous file is unchanged" if existed else "no file was written"
        raise OSError(f"--output {str(args.output)!r} could not be written ({error.strerror or error}): "
                      f"{unchanged}") from None
    if not args.quiet:
        history = model.history
        prediction = "pair" if args.model == "skipgram" else "window"
        loss = "negative sampling" if args.loss == "negative" else "hierarchical softmax"
        print(f"trained on {model.vocab.n_tokens:,} tokens ({len(model.vocab):,} distinct words) x {args.epochs} "
              f"epochs ({args.model}, {loss}) in {seconds:.1f} s ({history.tokens_per_second:,.0f} tokens/s); "
              f"final loss per {prediction} "
              f"{history.epoch_loss[-1]:.4f}; wrote {len(kv):,} vectors of {args.dim} dimensions to "
              f"{args.output}")
    return 0


def _demo(args):
    from w2v_lib.datasets import toy_corpus
    from w2v_lib.evaluate import analogy_answers, group_purity, planted_analogy_accuracy
    from w2v_lib.model import Word2Vec

    seed = check_seed("seed", args.seed)
    plot, plot_note = _plot_destination(args.plot)
    toy = toy_corpus()
    n_tokens = sum(len(sentence) for sentence in toy.sentences)
    print(f"Training skip-gram on the toy corpus: {len(toy.sentences):,} generated sentences, "
          f"{n_tokens:,} tokens, seed {seed}.")
    model = Word2Vec(**DEMO_SETTINGS, seed=seed, progress=not args.quiet).fit(toy.sentences)
    kv = model.wv
    group_of = {word: group for group, words in toy.groups.items() for word in words}

    print("\nNearest neighbours by cosine similarity, [planted group] of each:")
    for word in DEMO_WORDS:
        nearest = kv.most_similar(word, topn=4)
        neighbours = ", ".join(f"{other} [{group_of.get(other, '-')}]" for other, _ in nearest)
        print(f"  {word:>7} [{group_of[word]}] -> {neighbours}")
    print(f"Group purity: {group_purity(kv, toy.groups, topn=3):.0%} of the 3 nearest neighbours of a planted "
          f"group's word are in its group.")

    accuracy = planted_analogy_accuracy(kv, toy.analogies)
    print(f"\nAnalogies a : b :: c : ?, answered by the word nearest to b - a + c: "
          f"{round(accuracy * len(toy.analogies))} of {len(toy.analogies)} planted analogies solved "
          f"({accuracy:.1%}).")
    solved = list(zip(toy.analogies, analogy_answers(kv, toy.analogies)))
    missed = [(question, answer) for question, answer in solved if answer != question[3]]
    print("Two of them" + (f", and the first {min(3, len(missed))} missed:" if missed else ":"))
    for question, answer in [solved[0], solved[len(solved) // 2], *missed[:3]]:
        a, b, c, truth = question
        verdict = "correct" if answer == truth else "WRONG"
        print(f"  {a} : {b} :: {c} : ?  ->  {answer}   (planted: {truth}, {verdict})")

    if plot is None:
        print(f"\n{plot_note}")
        return 0
    try:
        _plot_groups(kv, toy.groups, plot)
    except OSError as error:
        print(f"\nPlot not saved: could not write {plot} ({error.strerror}); pass --plot PATH to save it elsewhere")
        return 0
    print(f"\nSaved a PCA plot of the planted word groups to {plot}{plot_note}")
    return 0


def _plot_destination(requested):
    """Where the demo's plot goes and a note: ``(path, note after "Saved ... to path")``, or ``(None, why it is
    not saved)``. Without --plot, a current directory that cannot be written gives way to the temporary one."""
    from w2v_lib.files import check_output

    if requested is not None:
        try:
            check_output(requested, "plot")
        except ParameterError as error:
            return None, f"Plot not saved: {error.message(lambda name: '--plot')}"
        return requested, ""
    fallback_note = " (the current directory cannot be written or no longer exists)"
    for directory, note in ((Path("."), ""), (Path(tempfile.gettempdir()), fallback_note)):
        try:
            check_output(directory / DEFAULT_PLOT, "plot")
        except ParameterError:
            continue
        return directory / DEFAULT_PLOT, note
    return None, (f"Plot not saved: neither the current directory nor {tempfile.gettempdir()} can be written; pass "
                  "--plot PATH to save it elsewhere")


def _plot_groups(kv, groups, path):
    """Save a PCA scatter plot of the words of each group as a PNG, in full or not at all."""
    import matplotlib

    matplotlib.use("Agg")  # a file, never a window: the command line may run without a display
    from matplotlib.figure import Figure

    from w2v_lib.files import atomic_write
    from w2v_lib.plotting import plot_embeddings

    figure = Figure(figsize=(9, 7))
    plot_embeddings(kv, groups=groups, method="pca", ax=figure.subplots(),
                    title="Toy corpus: the planted word groups (PCA of the center vectors)")
    with atomic_write(path) as file:
        figure.savefig(file, dpi=100, format="png")


if __name__ == "__main__":
    sys.exit(main())
