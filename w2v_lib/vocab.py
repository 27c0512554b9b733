"""The vocabulary: words <-> integer ids, word counts, ``min_count``, and encoding token lists as id arrays.

Ids follow word2vec.c and gensim: id 0 is the most frequent word. Words with equal counts keep the order in
which they first appear in the corpus, so the same corpus always gives the same ids.
"""

from collections import Counter
from itertools import repeat

import numpy as np

from w2v_lib._validation import check_index, check_int


class Vocabulary:
    """Words and their corpus counts, most frequent first.

    Build one from a corpus with :meth:`Vocabulary.build`; the constructor takes words and counts that are
    already chosen (for example, read back from a file).

    Parameters
    ----------
    words : list of str, length V
        Distinct words; ``words[i]`` gets id ``i``.
    counts : array_like of int, shape (V,)
        ``counts[i]`` is the number of times ``words[i]`` occurs in the corpus.
    corpus_words : int, optional
        Number of tokens in the whole corpus, including words left out of the vocabulary. Defaults to the
        sum of ``counts``.
    min_count : int, optional
        The ``min_count`` the vocabulary was built with; only used to make error messages helpful.

    Attributes
    ----------
    words : list of str, length V
    counts : numpy.ndarray of int64, shape (V,)
    total_words : int
        Number of corpus tokens that are in the vocabulary (the sum of ``counts``).
    corpus_words : int
        Number of corpus tokens, including those dropped by ``min_count`` or ``max_size``.
    min_count : int or None
    """

    def __init__(self, words, counts, corpus_words=None, min_count=None):
        words = list(words)
        counts = np.asarray(counts)
        if counts.ndim != 1 or len(words) != counts.shape[0]:
            raise ValueError(f"words and counts must have the same length, got {len(words)} words and counts "
                             f"of shape {counts.shape}")
        if counts.size and not np.issubdtype(counts.dtype, np.integer):
            raise TypeError(f"counts must be integers, got dtype {counts.dtype}")
        if counts.size and counts.min() < 0:
            raise ValueError(f"counts must be >= 0, got {counts.min()} for {words[int(counts.argmin())]!r}")
        not_str = [w for w in words if not isinstance(w, str)]
        if not_str:
            raise TypeError(f"words must be strings, got {type(not_str[0]).__name__} {not_str[0]!r}")
        self.words = words
        self.counts = counts.astype(np.int64)
        self._index = {word: i for i, word in enumerate(words)}
        if len(self._index) != len(words):
            duplicate = next(w for w, n in Counter(words).items() if n > 1)
            raise ValueError(f"words must be distinct, got {duplicate!r} more than once")
        self.total_words = int(self.counts.sum())
        self.corpus_words = self.total_words if corpus_words is None else int(corpus_words)
        if self.corpus_words < self.total_words:
            raise ValueError(f"corpus_words = {self.corpus_words} is less than the sum of counts "
                             f"({self.total_words})")
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
        min_count = check_int("min_count", min_count)
        if max_size is not None:
            max_size = check_int("max_size", max_size)
        counter = Counter()
        for sentence in sentences:
            if isinstance(sentence, (str, bytes)):
                raise TypeError("sentences must be an iterable of token lists, got a string as a sentence "
                                f"({sentence[:40]!r}); split it first, e.g. [line.split() for line in lines]")
            counter.update(sentence)
        if not counter:
            raise ValueError("the corpus is empty: it has no tokens. Pass an iterable of token lists, "
                             "e.g. [['the', 'cat', 'sat'], ['a', 'dog']]")
        # Counter keeps first-occurrence order and sorted() is stable, so ties stay in that order.
        ranked = sorted(counter.items(), key=lambda item: -item[1])
        kept = [(word, count) for word, count in ranked if count >= min_count]
        if not kept:
            raise ValueError(f"no word occurs min_count = {min_count} times (the most frequent, "
                             f"{ranked[0][0]!r}, occurs {ranked[0][1]} times): lower min_count to at most "
                             f"{ranked[0][1]} or use a larger corpus")
        if max_size is not None:
            kept = kept[:max_size]
        words = [word for word, _ in kept]
        counts = np.array([count for _, count in kept], dtype=np.int64)
        return cls(words, counts, corpus_words=counter.total(), min_count=min_count)

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self._index

    def __getitem__(self, word):
        return self.id_of(word)

    def __repr__(self):
        return (f"Vocabulary({len(self)} words, total_words={self.total_words}, "
                f"corpus_words={self.corpus_words}, min_count={self.min_count})")

    def id_of(self, word):
        """Return the id of ``word``; KeyError naming it if it is not in the vocabulary."""
        try:
            return self._index[word]
        except (KeyError, TypeError):
            raise KeyError(self._unknown_message(word)) from None

    def word_of(self, word_id):
        """Return the word with id ``word_id`` (an int in 0..V-1)."""
        return self.words[check_index("word_id", word_id, len(self.words))]

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
            raise TypeError(f"tokens must be a list of tokens, got a string ({tokens[:40]!r}); "
                            "split it first, e.g. vocab.encode(text.split())")
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
        if unknown == "skip":
            ids = np.fromiter(map(index.get, tokens, repeat(-1)), dtype=np.int32, count=len(tokens))
            return ids[ids >= 0]
        raise ValueError(f"unknown must be 'raise' or 'skip', got {unknown!r}")

    def _unknown_message(self, word):
        hint = "" if self.min_count is None else (
            f"; words seen fewer than min_count = {self.min_count} times are left out, so lower min_count "
            "to keep rare words")
        return f"{word!r} is not in the vocabulary ({len(self)} words){hint}"

