"""Word2Vec: word2vec behind one object, in the spirit of gensim's ``Word2Vec``.

    model = Word2Vec(dim=50, min_count=1, epochs=10).fit(sentences)
    model.wv.most_similar("paris")
    cbow = Word2Vec(model="cbow", loss="hierarchical").fit(sentences)   # gensim's sg=0, hs=1, negative=0

Taught in notebook 07 (vectorized training), used from then on; notebook 12 trains its other models and losses.
``fit`` builds the vocabulary (:mod:`w2v_lib.vocab`), encodes the corpus as word ids and trains with one of the
two trainers of :mod:`w2v_lib.train`. The hyperparameters are checked when the object is made, before any corpus
is read.
"""

import numpy as np

from w2v_lib._validation import ParameterTypeError, check_hyperparameters, check_memory
from w2v_lib.keyed_vectors import KeyedVectors
from w2v_lib.train import train_loop, train_minibatch, training_memory
from w2v_lib.vocab import Vocabulary, encode_corpus

_MEMORY_ADVICE = "use a smaller {negative}, {batch_size} or {dim}, or a smaller vocabulary (a larger {min_count})"
_MEMORY_NAMES = ("negative", "batch_size", "dim", "min_count")
_CHUNK_TOKENS = 10_000


class Word2Vec:
    """word2vec: skip-gram with negative sampling (SGNS) by default, CBOW and hierarchical softmax on request.

    Parameters
    ----------
    model : {"skipgram", "cbow"}, default "skipgram"
        Skip-gram predicts each outside word from the center word's vector; CBOW predicts the center word from
        the mean of its outside words' vectors (word2vec.c's ``-cbow 1``, gensim's ``sg=0`` with
        ``cbow_mean=1``). CBOW updates as they do: each outside word's row takes the whole step of the mean.
    loss : {"negative", "hierarchical"}, default "negative"
        Negative sampling, or hierarchical softmax over word2vec.c's Huffman tree of the counts (``-hs 1
        -negative 0``, gensim's ``hs=1, negative=0``), which ignores ``negative``.
    dim : int, default 100
        d, the number of dimensions.
    window : int, default 5
        m, the largest number of words on each side of a center (each center draws its own b from 1..m).
    negative : int, default 5
        K, negatives per prediction: per (center, outside) pair in skip-gram, per window in CBOW.
    min_count : int, default 5
        Words seen fewer times are dropped from the corpus.
    sample : float or None, default 1e-3
        Subsampling threshold τ of frequent words; 0 or None keeps every word.
    alpha, min_alpha : float, default 0.025 and 0.0001
        The learning rate decays linearly from η = alpha to η_min = min_alpha over all epochs. The same default
        for every model and loss, gensim's (word2vec.c starts CBOW at 0.05).
    epochs : int, default 5
    batch_size : int, default 1024
        B, pairs per step of the minibatch trainer (rounded to whole windows); larger batches can diverge.
    seed : int or numpy.random.Generator, default 1
        The same seed gives bit-identical vectors.
    trainer : {"minibatch", "loop"}, default "minibatch"
        "loop" is the readable one-window-at-a-time trainer (float64, slow); "minibatch" the vectorized one
        (float32).
    progress : bool, default True
        Show the progress of training.

    Attributes (after ``fit``)
    --------------------------
    vocab : Vocabulary
    center_vectors : ndarray, shape (vocab_size, dim)
        V, row i is the embedding of ``vocab.words[i]``.
    outside_vectors : ndarray, shape (vocab_size, dim), or None
        U (negative sampling); None with hierarchical softmax.
    node_vectors : ndarray, shape (vocab_size - 1, dim), or None
        Q, the inner-node vectors of ``tree`` (hierarchical softmax); None with negative sampling.
    tree : HuffmanTree or None
        The Huffman tree of the vocabulary's counts (hierarchical softmax).
    history : TrainingHistory
        Loss and learning rate along training.
    wv : KeyedVectors
        The center vectors with their words.

    Raises
    ------
    TypeError, ValueError
        A hyperparameter of the wrong type or value (:class:`~w2v_lib._validation.ParameterError`, naming it).
    """

    def __init__(self, dim=100, window=5, negative=5, min_count=5, sample=1e-3, alpha=0.025, min_alpha=0.0001,
                 epochs=5, batch_size=1024, seed=1, trainer="minibatch", progress=True, model="skipgram",
                 loss="negative"):
        settings = check_hyperparameters(model=model, loss=loss, dim=dim, window=window, negative=negative,
                                         min_count=min_count, sample=sample, alpha=alpha, min_alpha=min_alpha,
                                         epochs=epochs, batch_size=batch_size, seed=seed, trainer=trainer,
                                         progress=progress)
        for name, value in settings.items():
            setattr(self, name, value)
        self._wv = None

    def __repr__(self):
        return (f"Word2Vec(model={self.model!r}, loss={self.loss!r}, dim={self.dim}, window={self.window}, "
                f"negative={self.negative}, "
                f"min_count={self.min_count}, sample={self.sample}, alpha={self.alpha}, "
                f"min_alpha={self.min_alpha}, epochs={self.epochs}, batch_size={self.batch_size}, "
                f"seed={self.seed!r}, trainer={self.trainer!r})")

    def fit(self, sentences):
        """Build the vocabulary from ``sentences`` and train on them.

        Parameters
        ----------
        sentences : re-iterable of list of str
            A list of token lists, or :func:`w2v_lib.datasets.read_corpus` for a file. It is read twice
            (counting, then encoding), so a one-shot generator is refused.

        Returns
        -------
        self

        Raises
        ------
        MemoryError
            Before reading the corpus, or before encoding it, if training would not fit in the available memory.
        """
        if iter(sentences) is sentences:
            raise ParameterTypeError("sentences", "must be re-iterable (a list of token lists, or "
                                                  "datasets.read_corpus(path)), not a one-shot iterator: fit reads "
                                                  "it twice. Wrap a generator in list(...)")
        self._check_memory(vocab_size=None, n_tokens=0)  # what does not depend on the corpus, before reading it
        vocab = Vocabulary.build(sentences, min_count=self.min_count)
        if len(vocab) < 2:
            purpose = "sample negatives from" if self.loss == "negative" else "build a Huffman tree of"
            raise ValueError(f"the vocabulary has {len(vocab)} word ({vocab.words[0]!r}), too few to {purpose}: "
                             f"use a larger corpus")
        self._check_memory(vocab_size=len(vocab), n_tokens=vocab.n_tokens)
        token_ids, sentence_starts = encode_corpus(vocab, sentences)
        options = dict(model=self.model, loss=self.loss, dim=self.dim, window=self.window, negative=self.negative,
                       sample=self.sample, alpha=self.alpha, min_alpha=self.min_alpha, epochs=self.epochs,
                       seed=self.seed, chunk_tokens=_CHUNK_TOKENS, progress=self.progress)
        if self.trainer == "loop":
            result = train_loop(token_ids, sentence_starts, vocab.counts, **options)
        else:
            result = train_minibatch(token_ids, sentence_starts, vocab.counts, batch_size=self.batch_size,
                                     **options)
        self.vocab = vocab
        self.center_vectors = result.center_vectors
        self.outside_vectors = result.outside_vectors
        self.node_vectors = result.node_vectors
        self.tree = result.tree
        self.history = result.history
        self._wv = None
        return self

    def _check_memory(self, vocab_size, n_tokens):
        minibatch = self.trainer == "minibatch"
        parts = training_memory(vocab_size, dim=self.dim, window=self.window, negative=self.negative,
                                largest_chunk=_CHUNK_TOKENS, batch_size=self.batch_size,
                                dtype=np.float32 if minibatch else np.float64, prefetch=minibatch,
                                trainer=self.trainer, model=self.model, loss=self.loss)
        if n_tokens:
            parts["the corpus as word ids"] = 12 * n_tokens  # the sentences' id arrays and their concatenation
        check_memory("training", parts, _MEMORY_ADVICE, _MEMORY_NAMES)

    @property
    def wv(self):
        """The trained center vectors as :class:`~w2v_lib.keyed_vectors.KeyedVectors`, most frequent first."""
        if not hasattr(self, "center_vectors"):
            raise AttributeError("this Word2Vec is not trained yet: call fit(sentences) first")
        if self._wv is None:
            self._wv = KeyedVectors(self.vocab.words, self.center_vectors)
        return self._wv
