"""The vocabulary: words <-> integer ids, word counts, ``min_count``, and encoding a corpus as id arrays.

Taught in notebook 05 (corpus, vocabulary, sampling). Ids follow gensim: id 0 is the most frequent word
(word2vec.c keeps id 0 for its sentence-end token ``</s>``, so its words start at 1). Words with equal counts
keep the order in which they first appear in the corpus (gensim puts the last seen first), so the same corpus
always gives the same ids. A word's id is its row in the trainers' (vocab_size, dim) matrices.
"""

from collections import Counter
from itertools import repeat

import numpy as np

from w2v_lib._validation import (
    ParameterTypeError,
    ParameterValueError,
    check_choice,
    check_int,
    check_optional_int,
)


class Vocabulary:
    """Words and their corpus counts, most frequent first.

    Build one from a corpus with :meth:`Vocabulary.build`; the constructor takes words and counts that are
    already chosen (for example, read back from a file).

    Parameters
    ----------
    words : list of str, length V
        Distinct words; ``words[i]`` gets id ``i``.
    counts : array_like of int, shape (V,)
        ``counts[i]`` = #(w) is the number of times w = ``words[i]`` occurs in the corpus.
    n_corpus_tokens : int, optional
        Number of tokens in the whole corpus, including words left out of the vocabulary. Defaults to the
        sum of ``counts``.
    min_count : int, optional
        The ``min_count`` the vocabulary was built with; only used to make error messages helpful.

    Attributes
    ----------
    words : list of str, length V
    counts : numpy.ndarray of int64, shape (V,)
    n_tokens : int
        N, the number of corpus tokens that are in the vocabulary (the sum of ``counts``): the length of the
        corpus that training reads.
    n_corpus_tokens : int
        Number of corpus tokens, including those dropped by ``min_count`` or ``max_size``.
    min_count : int or None
    """

    def __init__(self, words, counts, n_corpus_tokens=None, min_count=None):
        words = list(words)
        counts = np.asarray(counts)
        if counts.ndim != 1 or len(words) != counts.shape[0]:
            raise ParameterValueError("counts", f"must have one count per word, got {len(words)} words and "
                                                f"counts of shape {counts.shape}")
        if counts.size and not np.issubdtype(counts.dtype, np.integer):
            raise ParameterTypeError("counts", f"must be integers, got dtype {counts.dtype}")
        if counts.size and counts.min() < 0:
            raise ParameterValueError("counts", f"must be >= 0, got {counts.min()} for "
                                                f"{words[int(counts.argmin())]!r}")
        not_str = [w for w in words if not isinstance(w, str)]
        if not_str:
            raise ParameterTypeError("words", f"must be strings, got {type(not_str[0]).__name__} {not_str[0]!r}")
        self.words = words
        self.counts = counts.astype(np.int64)
        self._index = {word: i for i, word in enumerate(words)}
        if len(self._index) != len(words):
            duplicate = next(w for w, n in Counter(words).items() if n > 1)
            raise ParameterValueError("words", f"must be distinct, got {duplicate!r} more than once")
        self.n_tokens = int(self.counts.sum())
        self.n_corpus_tokens = self.n_tokens if n_corpus_tokens is None else int(n_corpus_tokens)
        if self.n_corpus_tokens < self.n_tokens:
            raise ParameterValueError("n_corpus_tokens", f"= {self.n_corpus_tokens} is less than the sum of "
                                                         f"counts ({self.n_tokens})")
        self.min_count = min_count

    @classmethod
    def build(cls, sentences, min_count=5, max_size=None):
        """Count the words of a corpus in one streaming pass and keep the frequent ones.

        Parameters
        ----------
        sentences : iterable of list of str
            The corpus, one token list per sentence. Read once, so a generator or a file reader works.
        min_count : int, default 5
            Keep words occurring at least this many times (word2vec.c's and gensim's default is 5).
        max_size : int or None, default None
            Keep at most this many words, the most frequent ones (ties broken by first occurrence).

        Returns
        -------
        Vocabulary
            Words ordered by decreasing count; equal counts in order of first occurrence in the corpus.

        Raises
        ------
        ValueError
            If the corpus has no tokens, or no word occurs ``min_count`` times.
        TypeError
            If a sentence is a string instead of a list of tokens.
        """
        min_count = check_int("min_count", min_count, hint=" (word2vec.c's default is 5)")
        max_size = check_optional_int("max_size", max_size)
        counter = Counter()
        for sentence in sentences:
            if isinstance(sentence, (str, bytes)):
                raise ParameterTypeError("sentences", "must be an iterable of token lists, got a string as a "
                                                      f"sentence ({sentence[:40]!r}); split it first, e.g. "
                                                      "[line.split() for line in lines]")
            counter.update(sentence)
        if not counter:
            raise ValueError("the corpus is empty: it has no tokens. Pass an iterable of token lists, "
                             "e.g. [['the', 'cat', 'sat'], ['a', 'dog']]")
        # Counter keeps first-occurrence order and sorted() is stable, so ties stay in that order.
        ranked = sorted(counter.items(), key=lambda item: -item[1])
        kept = [(word, count) for word, count in ranked if count >= min_count]
        if not kept:
            raise ParameterValueError("min_count", f"= {min_count} leaves no word: the most frequent, "
                                                   f"{ranked[0][0]!r}, occurs {ranked[0][1]} times; lower "
                                                   f"{{min_count}} to at most {ranked[0][1]} or use a larger "
                                                   "corpus", related=("min_count",))
        if max_size is not None:
            kept = kept[:max_size]
        words = [word for word, _ in kept]
        counts = np.array([count for _, count in kept], dtype=np.int64)
        return cls(words, counts, n_corpus_tokens=counter.total(), min_count=min_count)

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self._index

    def __getitem__(self, word):
        """``vocab[word]`` is ``vocab.index(word)``: a Vocabulary maps words to ids."""
        return self.index(word)

    def __repr__(self):
        return (f"Vocabulary({len(self)} words, n_tokens={self.n_tokens}, "
                f"n_corpus_tokens={self.n_corpus_tokens}, min_count={self.min_count})")

    def index(self, word):
        """The id (row) of ``word``; KeyError naming it if it is not in the vocabulary. ``words[i]`` is the
        other way."""
        try:
            return self._index[word]
        except (KeyError, TypeError):
            raise KeyError(self._unknown_message(word)) from None

    def encode(self, tokens, unknown="raise"):
        """Turn a list of tokens into an array of ids.

        Parameters
        ----------
        tokens : list of str, length n
        unknown : {"raise", "skip"}
            What to do with a token that is not in the vocabulary: raise KeyError naming it, or drop it
            (what training does with the words under ``min_count``).

        Returns
        -------
        numpy.ndarray of int32, shape (n,) (or shorter with ``unknown="skip"``)
        """
        if isinstance(tokens, (str, bytes)):
            raise ParameterTypeError("tokens", f"must be a list of tokens, got a string ({tokens[:40]!r}); "
                                               "split it first, e.g. vocab.encode(text.split())")
        check_choice("unknown", unknown, ("raise", "skip"))
        if not isinstance(tokens, (list, tuple)):
            tokens = list(tokens)
        index = self._index
        # map() with the dict's own methods keeps the per-token work in C: about 1e7 tokens/s.
        if unknown == "raise":
            try:
                return np.fromiter(map(index.__getitem__, tokens), dtype=np.int32, count=len(tokens))
            except (KeyError, TypeError):
                bad = next(token for token in tokens if token not in index)
                raise KeyError(self._unknown_message(bad)) from None
        ids = np.fromiter(map(index.get, tokens, repeat(-1)), dtype=np.int32, count=len(tokens))
        return ids[ids >= 0]

    def _unknown_message(self, word):
        hint = "" if self.min_count is None else (
            f"; words seen fewer than min_count = {self.min_count} times are left out, so lower min_count "
            "to keep rare words")
        return f"{word!r} is not in the vocabulary ({len(self)} words){hint}"



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
    token_ids : ndarray of int32, shape (N,)
        N = ``vocab.n_tokens`` when ``sentences`` is the corpus the vocabulary was built from.
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
