"""Word2Vec: skip-gram with negative sampling behind one object, in the spirit of gensim's ``Word2Vec``.

    model = Word2Vec(vector_size=50, min_count=1, epochs=10).fit(sentences)
    model.wv.most_similar("paris")

``fit`` builds the vocabulary, encodes the corpus as word ids and trains with one of the two trainers of
:mod:`w2v_lib.train`.
"""


import numpy as np

from w2v_lib._validation import check_int
from w2v_lib.keyed_vectors import KeyedVectors
from w2v_lib.train import check_hyperparameters, train_loop, train_minibatch
from w2v_lib.vocab import Vocabulary

TRAINERS = ("minibatch", "loop")


class Word2Vec:
    """Skip-gram with negative sampling (SGNS).

    Parameters
    ----------
    vector_size : int, default 100
        d, the number of dimensions.
    window : int, default 5
        m, the largest number of words on each side of a center (each center draws its own 1..m).
    negative : int, default 5
        K, negatives per (center, outside) pair.
    min_count : int, default 5
        Words seen fewer times are dropped from the corpus.
    sample : float or None, default 1e-3
        Subsampling threshold t of frequent words; 0 or None keeps every word.
    alpha, min_alpha : float, default 0.025 and 0.0001
        The learning rate decays linearly from alpha to min_alpha over all epochs.
    epochs : int, default 5
    batch_size : int, default 1024
        Pairs per step of the minibatch trainer (rounded to whole windows); larger batches can diverge.
    seed : int or numpy.random.Generator, default 1
        The same seed gives bit-identical vectors.
    trainer : {"minibatch", "loop"}, default "minibatch"
        "loop" is the readable one-window-at-a-time trainer (float64, slow); "minibatch" the vectorized one
        (float32).
    progress : bool, default True
        Show a progress bar while training.

    Attributes (after ``fit``)
    --------------------------
    vocab : Vocabulary
    center_vectors : ndarray, shape (V, d)
        Row i is the embedding of ``vocab.words[i]``.
    outside_vectors : ndarray, shape (V, d)
    history : TrainingHistory
        Loss and learning rate along training.
    wv : KeyedVectors
        The center vectors with their words.
    """

    def __init__(self, vector_size=100, window=5, negative=5, min_count=5, sample=1e-3, alpha=0.025,
                 min_alpha=0.0001, epochs=5, batch_size=1024, seed=1, trainer="minibatch", progress=True):
        check_hyperparameters(vector_size=vector_size, window=window, negative=negative, sample=sample,
                              alpha=alpha, min_alpha=min_alpha, epochs=epochs, batch_size=batch_size)
        check_int("min_count", min_count, hint=" (word2vec.c's default is 5)")
        if trainer not in TRAINERS:
            raise ValueError(f"trainer must be one of {TRAINERS}, got {trainer!r}")
        self.vector_size = vector_size
        self.window = window
        self.negative = negative
        self.min_count = min_count
        self.sample = sample
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed
        self.trainer = trainer
        self.progress = progress
        self._wv = None

    def __repr__(self):
        return (f"Word2Vec(vector_size={self.vector_size}, window={self.window}, negative={self.negative}, "
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
        """
        if iter(sentences) is sentences:
            raise TypeError("sentences must be re-iterable (a list of token lists, or "
                            "datasets.read_corpus(path)), not a one-shot iterator: fit reads it twice. "
                            "Wrap a generator in list(...)")
        vocab = Vocabulary.build(sentences, min_count=self.min_count)
        if len(vocab) < 2:
            raise ValueError(f"the vocabulary has {len(vocab)} word ({vocab.words[0]!r}), too few to sample "
                             f"negatives from: lower min_count (now {self.min_count}) or use a larger corpus")
        token_ids, sentence_starts = encode_corpus(vocab, sentences)
        options = dict(vector_size=self.vector_size, window=self.window, negative=self.negative,
                       sample=self.sample, alpha=self.alpha, min_alpha=self.min_alpha, epochs=self.epochs,
                       seed=self.seed, progress=self.progress)
        if self.trainer == "loop":
            result = train_loop(token_ids, sentence_starts, vocab.counts, **options)
        else:
            result = train_minibatch(token_ids, sentence_starts, vocab.counts, batch_size=self.batch_size,
                                     **options)
        self.vocab = vocab
        self.center_vectors = result.center_vectors
        self.outside_vectors = result.outside_vectors
        self.history = result.history
        self._wv = None
        return self

    @property
    def wv(self):
        """The trained center vectors as :class:`~w2v_lib.keyed_vectors.KeyedVectors`, most frequent first."""
        if not hasattr(self, "center_vectors"):
            raise AttributeError("this Word2Vec is not trained yet: call fit(sentences) first")
        if self._wv is None:
            self._wv = KeyedVectors(self.vocab.words, self.center_vectors)
        return self._wv


def encode_corpus(vocab, sentences):
    """The corpus as one array of word ids and the offsets where its sentences start.

    Words not in the vocabulary are dropped (as word2vec.c drops words under min_count), and sentences left
    empty are dropped with them.

    Parameters
    ----------
    vocab : Vocabulary
    sentences : iterable of list of str

    Returns
    -------
    token_ids : ndarray of int32, shape (n,)
    sentence_starts : ndarray of int64, shape (S,)
        ``token_ids[sentence_starts[s]:sentence_starts[s + 1]]`` is sentence s.
    """
    encoded = [ids for ids in (vocab.encode(sentence, unknown="skip") for sentence in sentences) if len(ids)]
    if not encoded:
        raise ValueError("no sentence has a word of the vocabulary: the corpus is empty after dropping "
                         "out-of-vocabulary words")
    lengths = np.array([len(ids) for ids in encoded], dtype=np.int64)
    sentence_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    return np.concatenate(encoded), sentence_starts
