"""The command line: ``python -m w2v_lib train|demo|exercises ...``.

* ``train --corpus FILE --output VECTORS.txt``: skip-gram with negative sampling on a whitespace-tokenized
  text file (one sentence a line, ``.gz`` read too), the center vectors written in word2vec text format.
* ``demo``: trains on the toy corpus in seconds, offline, and shows what it learned: nearest neighbours,
  analogies next to the planted truth, and a PCA plot of the planted word groups.
* ``exercises ...``: the student notebooks and grading, forwarded to the course tooling
  (``python -m classroom``, the package next to this one).

Exit codes: 0 success, 1 an error in the input or in training (the message says what to do), 2 a usage error.
"""

import argparse
import sys
import time
from pathlib import Path

# The toy corpus is tiny and repetitive: the hyperparameters under which the demo recovers the planted
# structure in about two seconds (analogy accuracy 0.98-1.00 over seeds 1-4).
DEMO_SETTINGS = dict(vector_size=50, window=5, negative=5, min_count=1, sample=1e-3, epochs=20,
                     batch_size=1024)
DEMO_WORDS = ("paris", "france", "king", "woman", "three", "dog", "red", "bread")


def main(argv=None):
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["exercises"]:
        try:
            from classroom.__main__ import main as classroom_main
        except ImportError:  # a venv installed before classroom was a package of the project: use the checkout's
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from classroom.__main__ import main as classroom_main
        return classroom_main(argv[1:], prog="python -m w2v_lib exercises")
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (FileNotFoundError, ValueError, TypeError, KeyError, FloatingPointError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"python -m w2v_lib {args.command}: error: {message}", file=sys.stderr)
        return 1


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m w2v_lib",
        description="word2vec from scratch: train skip-gram with negative sampling, try the toy demo, or "
                    "build and grade the course's exercises.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{train,demo,exercises}")

    train = commands.add_parser(
        "train", help="train on a text file and write the vectors",
        description="Train skip-gram with negative sampling on a whitespace-tokenized text file (one "
                    "sentence a line; lines longer than 10,000 tokens are cut into 10,000-token sentences, "
                    "so a one-line corpus such as text8 works; .gz is read too) and write the center vectors "
                    "in word2vec text format: a 'V d' header, then 'word v1 ... vd' per line, most frequent "
                    "word first, which gensim's KeyedVectors.load_word2vec_format reads.")
    train.add_argument("--corpus", type=Path, required=True, help="the text file to train on (.gz allowed)")
    train.add_argument("--output", type=Path, required=True,
                       help="where to write the vectors (word2vec text format; gzip-compressed if it ends "
                            "in .gz)")
    train.add_argument("--dim", type=int, default=100, help="vector size d (default: %(default)s)")
    train.add_argument("--window", type=int, default=5,
                       help="largest number of words on each side of a center (default: %(default)s)")
    train.add_argument("--negative", type=int, default=5,
                       help="negative samples K per (center, outside) pair (default: %(default)s)")
    train.add_argument("--min-count", type=int, default=5,
                       help="ignore words seen fewer times (default: %(default)s)")
    train.add_argument("--sample", type=float, default=1e-3,
                       help="subsampling threshold of frequent words (0 keeps every word)"
                            " (default: %(default)s)")
    train.add_argument("--alpha", type=float, default=0.025,
                       help="initial learning rate (default: %(default)s)")
    train.add_argument("--min-alpha", type=float, default=0.0001,
                       help="final learning rate (the rate decays linearly over all epochs)"
                            " (default: %(default)s)")
    train.add_argument("--epochs", type=int, default=5, help="passes over the corpus (default: %(default)s)")
    train.add_argument("--seed", type=int, default=1,
                       help="random seed; the same seed gives the same vectors (default: %(default)s)")
    train.add_argument("--batch-size", type=int, default=1024,
                       help="pairs per minibatch step; larger is faster but can diverge"
                            " (default: %(default)s)")
    train.add_argument("--trainer", choices=("minibatch", "loop"), default="minibatch",
                       help="the vectorized trainer, or the readable one-window-at-a-time one (slow)"
                            " (default: %(default)s)")
    train.add_argument("--max-words", type=int, default=None,
                       help="train on the first N words of the corpus only")
    train.add_argument("--top-words", type=int, default=None,
                       help="write only the N most frequent words (training still uses the whole vocabulary)")
    train.add_argument("--precision", type=int, default=6,
                       help="significant digits of each written value (1-9) (default: %(default)s)")
    train.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    train.set_defaults(run=_train)

    demo = commands.add_parser(
        "demo", help="train on the toy corpus and show what was learned",
        description="Train on the generated toy corpus (offline, a few seconds), print nearest neighbours "
                    "and solved analogies next to the structure planted in the corpus, and save a PCA plot "
                    "of the planted word groups.")
    demo.add_argument("--plot", type=Path, default=Path("demo.png"),
                      help="where to save the PNG plot (default: %(default)s)")
    demo.add_argument("--seed", type=int, default=1,
                      help="random seed of the training (default: %(default)s)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(run=_demo)

    commands.add_parser(
        "exercises", add_help=False, help="build student notebooks or grade submissions "
                                          "(see 'python -m w2v_lib exercises --help')")
    return parser


def _train(args):
    from w2v_lib.datasets import read_corpus
    from w2v_lib.keyed_vectors import KeyedVectors
    from w2v_lib.model import Word2Vec

    if not 1 <= args.precision <= 9:
        raise ValueError(f"--precision must be from 1 to 9, got {args.precision}")
    for flag, value in (("--max-words", args.max_words), ("--top-words", args.top_words)):
        if value is not None and value < 1:
            raise ValueError(f"{flag} must be >= 1, got {value}")
    if not args.output.parent.is_dir():
        raise FileNotFoundError(f"the directory of --output {str(args.output)!r} does not exist: "
                                "create it first")
    sentences = read_corpus(args.corpus)
    if args.max_words is not None:
        sentences = FirstWords(sentences, args.max_words)
    model = Word2Vec(vector_size=args.dim, window=args.window, negative=args.negative,
                     min_count=args.min_count, sample=args.sample, alpha=args.alpha, min_alpha=args.min_alpha,
                     epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, trainer=args.trainer,
                     progress=not args.quiet)
    start = time.perf_counter()
    model.fit(sentences)
    seconds = time.perf_counter() - start
    kv = model.wv
    if args.top_words is not None:
        kv = KeyedVectors(kv.words[:args.top_words], kv.vectors[:args.top_words])
    kv.save_word2vec_format(args.output, precision=args.precision)
    if not args.quiet:
        history = model.history
        print(f"trained on {model.vocab.total_words:,} words ({len(model.vocab):,} distinct) x {args.epochs} "
              f"epochs in {seconds:.1f} s ({history.words_per_second:,.0f} words/s); final loss per pair "
              f"{history.epoch_loss[-1]:.4f}; wrote {len(kv):,} vectors of {args.dim} dimensions to "
              f"{args.output}")
    return 0


def _demo(args):
    from w2v_lib.datasets import toy_corpus
    from w2v_lib.model import Word2Vec

    toy = toy_corpus()
    n_words = sum(len(sentence) for sentence in toy.sentences)
    print(f"Training skip-gram on the toy corpus: {len(toy.sentences):,} generated sentences, "
          f"{n_words:,} words, seed {args.seed}.")
    model = Word2Vec(**DEMO_SETTINGS, seed=args.seed, progress=not args.quiet).fit(toy.sentences)
    kv = model.wv
    group_of = {word: group for group, words in toy.groups.items() for word in words}

    print("\nNearest neighbours by cosine similarity, [planted group] of each:")
    for word in DEMO_WORDS:
        nearest = kv.most_similar(word, topn=4)
        neighbours = ", ".join(f"{other} [{group_of.get(other, '-')}]" for other, _ in nearest)
        print(f"  {word:>7} [{group_of[word]}] -> {neighbours}")

    solved = [(question, kv.analogy(*question[:3])[0][0]) for question in toy.analogies]
    n_correct = sum(answer == question[3] for question, answer in solved)
    print(f"\nAnalogies a : b :: c : ?, answered by the word nearest to b - a + c: {n_correct} of "
          f"{len(solved)} planted analogies solved ({100 * n_correct / len(solved):.1f}%). Two of them, and "
          f"the first misses:")
    missed = [(question, answer) for question, answer in solved if answer != question[3]]
    for question, answer in [solved[0], solved[len(solved) // 2], *missed[:3]]:
        a, b, c, truth = question
        verdict = "correct" if answer == truth else "WRONG"
        print(f"  {a} : {b} :: {c} : ?  ->  {answer}   (planted: {truth}, {verdict})")

    _plot_groups(kv, toy.groups, args.plot)
    print(f"\nSaved a PCA plot of the planted word groups to {args.plot}")
    return 0


def _plot_groups(kv, groups, path):
    """Save a PCA scatter plot of the words of each group as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # a file, never a window: the command line may run without a display
    from matplotlib.figure import Figure

    from w2v_lib.plotting import plot_embeddings

    figure = Figure(figsize=(9, 7))
    plot_embeddings(kv, groups=groups, method="pca", ax=figure.subplots(),
                    title="Toy corpus: the planted word groups (PCA of the center vectors)")
    figure.savefig(path, dpi=100, format="png")


class FirstWords:
    """The first ``max_words`` words of a corpus, re-iterable: the last sentence is cut where the limit falls.

    Parameters
    ----------
    sentences : re-iterable of list of str
    max_words : int
    """

    def __init__(self, sentences, max_words):
        self.sentences = sentences
        self.max_words = max_words

    def __iter__(self):
        remaining = self.max_words
        for sentence in self.sentences:
            if remaining <= 0:
                return
            yield sentence[:remaining]
            remaining -= len(sentence)


if __name__ == "__main__":
    sys.exit(main())
