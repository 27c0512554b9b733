"""Checks of notebook 07's exercises (vectorized training), called from its check cells.

* Exercise 7.1 (derive first) asks for ``batch_loss_and_gradients(center_vectors, outside_vectors, centers,
  outsides, negatives)`` returning ``(loss, grad_center_vectors, grad_outside_vectors)``: the summed loss of a
  batch of B pairs and its two (V, d) gradients, with gathers, batched dot products and a scatter-add, without
  the library's loss functions, minibatch step or scatter kernel. Check cells: ``nb07.check_7_1(...)`` (test
  cases) and ``nb07.check_7_1_gradient(...)`` (gradcheck).
* Exercise 7.2 (derive first) asks for ``scatter_matrix(indices, weights, n_rows)``: the dense (n_rows, B)
  matrix S with S[r, i] = Σ_s weights[i, s] [indices[i, s] = r], so that the scatter-add of weighted vectors is
  the product S @ vectors; without ``np.add.at`` and without the library's scatter kernel. Check cell:
  ``nb07.check_7_2(scatter_matrix)``.
* Exercise 7.3 asks for ``first_diverging_batch_size(token_ids, sentence_starts, counts, batch_sizes,
  settings)``: the first of the increasing ``batch_sizes`` at which ``train_minibatch(..., batch_size=B,
  progress=False, **settings)`` raises FloatingPointError, or None when every one trains. Check cell:
  ``nb07.check_7_3(first_diverging_batch_size)``.
* Exercise 7.4 asks for ``expected_distinct(probabilities, n_draws)``: the expected number of distinct words among
  ``n_draws`` independent draws from ``probabilities``. Check cell: ``nb07.check_7_4(expected_distinct)``.

How the cases are chosen
------------------------
7.1: a batch with every kind of repeat (two pairs sharing a center, as all pairs of a window do; a word drawn
twice as a negative of one pair; a negative equal to its pair's outside word; a word that is a center and an
outside word), where ``+=`` with repeated indices and ``np.unique`` fail; hidden: one pair with one negative
(``squeeze`` breaks the shapes), more dimensions than words (a transposed outer product has another shape), and
a large batch of Zipf-distributed ids.

7.2: a word twice among one pair's slots (assignment ``S[indices, i] = weights`` keeps one weight), rows that no
pair uses (all-zero rows of S), and hidden: one slot per pair, more pairs than rows, a large skewed batch.

7.3: settings whose outcome is the same for every seed from 1 to 6 (measured when the cases were chosen), so
the answer is not a borderline case that round-off could flip: one where a middle batch size is the first to
diverge, one where none diverges, and hidden: one where the first batch size already diverges, and one with
another corpus and learning rate.

7.4: two draws of three words, where capping each word's expected count at 1, counting the words never drawn,
assuming uniform draws and counting every draw all give other numbers; a word of probability 0; hidden: a
single draw and no draw (1 and 0 whatever the distribution), and a batch's 5,120 negatives from a noise
distribution over a thousand words.
"""

import numpy as np

from w2v_lib.checks import Case, Mistake, check_function, check_gradient
from w2v_lib.datasets import toy_corpus
from w2v_lib.losses import log_sigmoid, neg_sampling_loss_and_gradient
from w2v_lib.train import train_minibatch
from w2v_lib.vocab import Vocabulary, encode_corpus

LIBRARY_7_1 = (
    "w2v_lib.losses.neg_sampling_loss_and_gradient",
    "w2v_lib.losses.skipgram_loss_and_gradient",
    "w2v_lib.losses._pair_loss_and_gradients",
    "w2v_lib.train.minibatch_step",
    "w2v_lib.train._step",
    "w2v_lib.scatter.scatter_add_products",
    "w2v_lib.scatter.scatter_sums",
)
RETURNS_7_1 = ("loss", "grad_center_vectors", "grad_outside_vectors")
FORBIDDEN_7_2 = ("numpy.add.at",)
LIBRARY_7_2 = ("w2v_lib.scatter.scatter_sums", "w2v_lib.scatter.scatter_add_products",
               "w2v_lib.scatter.scatter_plan", "w2v_lib.scatter._scatter_plan")


# ---------------------------------------------------------------------------------------------------------
# Exercise 7.1: the batched loss and gradients


def _batch_reference(center_vectors, outside_vectors, centers, outsides, negatives):
    """The right answer, pair by pair with notebook 03's function, summed."""
    loss = 0.0
    grad_center_vectors = np.zeros_like(center_vectors)
    grad_outside_vectors = np.zeros_like(outside_vectors)
    for center, outside, negative_row in zip(centers, outsides, negatives):
        pair_loss, grad_center_vec, pair_grad_outside = neg_sampling_loss_and_gradient(
            center_vectors[center], outside, outside_vectors, negative_row)
        loss += pair_loss
        grad_center_vectors[center] += grad_center_vec
        grad_outside_vectors += pair_grad_outside
    return loss, grad_center_vectors, grad_outside_vectors


def _parts(center_vectors, outside_vectors, centers, outsides, negatives):
    """Per pair and slot: the words (B, 1+K), the score derivatives δ = σ(z) - y and the gathered rows."""
    words = np.concatenate([np.asarray(outsides)[:, None], negatives], axis=1)
    center_vecs, word_vecs = center_vectors[centers], outside_vectors[words]
    scores = np.einsum("isd,id->is", word_vecs, center_vecs)
    deltas = 1 / (1 + np.exp(-scores))
    deltas[:, 0] -= 1
    loss = -(log_sigmoid(scores[:, 0]).sum() + log_sigmoid(-scores[:, 1:]).sum())
    return loss, words, deltas, center_vecs, word_vecs


def _buffered(center_vectors, outside_vectors, centers, outsides, negatives, rows="both"):
    """Scatter with fancy-index ``+=``: the last of a repeated row's updates wins."""
    loss, grad_center_vectors, grad_outside_vectors = _batch_reference(center_vectors, outside_vectors, centers,
                                                                       outsides, negatives)
    _, words, deltas, center_vecs, word_vecs = _parts(center_vectors, outside_vectors, centers, outsides, negatives)
    if rows in ("both", "outside"):
        grad_outside_vectors = np.zeros_like(outside_vectors)
        grad_outside_vectors[words.ravel()] += (deltas[:, :, None] * center_vecs[:, None, :]).reshape(
            -1, center_vectors.shape[1])
    if rows in ("both", "center"):
        grad_center_vectors = np.zeros_like(center_vectors)
        grad_center_vectors[centers] += np.einsum("is,isd->id", deltas, word_vecs)
    return loss, grad_center_vectors, grad_outside_vectors


def _mean(center_vectors, outside_vectors, centers, outsides, negatives):
    loss, grad_center_vectors, grad_outside_vectors = _batch_reference(center_vectors, outside_vectors, centers,
                                                                       outsides, negatives)
    return loss / len(centers), grad_center_vectors / len(centers), grad_outside_vectors / len(centers)


def _all_labelled_one(center_vectors, outside_vectors, centers, outsides, negatives):
    loss, words, deltas, center_vecs, word_vecs = _parts(center_vectors, outside_vectors, centers, outsides,
                                                         negatives)
    deltas[:, 1:] -= 1
    grad_center_vectors, grad_outside_vectors = np.zeros_like(center_vectors), np.zeros_like(outside_vectors)
    np.add.at(grad_center_vectors, centers, np.einsum("is,isd->id", deltas, word_vecs))
    np.add.at(grad_outside_vectors, words, deltas[:, :, None] * center_vecs[:, None, :])
    return loss, grad_center_vectors, grad_outside_vectors


def _flipped(center_vectors, outside_vectors, centers, outsides, negatives):
    loss, grad_center_vectors, grad_outside_vectors = _batch_reference(center_vectors, outside_vectors, centers,
                                                                       outsides, negatives)
    return loss, -grad_center_vectors, -grad_outside_vectors


def _center_gradient_from_outside_word_only(center_vectors, outside_vectors, centers, outsides, negatives):
    loss, grad_center_vectors, grad_outside_vectors = _batch_reference(center_vectors, outside_vectors, centers,
                                                                       outsides, negatives)
    _, words, deltas, center_vecs, word_vecs = _parts(center_vectors, outside_vectors, centers, outsides, negatives)
    grad_center_vectors = np.zeros_like(center_vectors)
    np.add.at(grad_center_vectors, centers, deltas[:, :1] * word_vecs[:, 0])
    return loss, grad_center_vectors, grad_outside_vectors


_DUPLICATES = ("duplicates lost to `+=`: with fancy indexing a repeated row keeps one update, but every "
               "occurrence of a word in the batch must add its own")
MISTAKES_7_1 = (
    (_DUPLICATES, _buffered),
    (_DUPLICATES + " (here in the rows of U)", lambda *args: _buffered(*args, rows="outside")),
    (_DUPLICATES + " (here in the rows of V: all pairs of a window share their center)",
     lambda *args: _buffered(*args, rows="center")),
    ("the mean over the batch: the batch loss is the sum of its pairs' losses, and so are the gradients", _mean),
    ("every slot labelled as a real neighbour: the negatives have label 0, so δ = σ(z) for them", _all_labelled_one),
    ("every sign is flipped: this is the gradient of -J", _flipped),
    ("the center's gradient has the outside word's term only: each negative adds σ(z) u to it (seed equation 2)",
     _center_gradient_from_outside_word_only),
)


def _cases_7_1():
    rng = np.random.default_rng(71)
    center_vectors, outside_vectors = 0.5 * rng.normal(size=(10, 4)), 0.5 * rng.normal(size=(10, 4))
    wide_rng, big_rng = np.random.default_rng(711), np.random.default_rng(712)
    zipf = 1.0 / np.arange(1, 51)
    big_centers = big_rng.choice(50, size=300, p=zipf / zipf.sum())
    return [
        Case("every word once in the batch", (center_vectors, outside_vectors, np.array([0, 3]), np.array([1, 4]),
                                              np.array([[2, 5, 6], [7, 8, 9]]))),
        Case("every kind of repeat: a shared center, a negative drawn twice, a negative equal to its outside "
             "word, a word that is both a center and an outside word",
             (center_vectors, outside_vectors, np.array([2, 2, 5, 7, 1]), np.array([5, 3, 2, 7, 8]),
              np.array([[1, 1, 9], [3, 0, 4], [6, 2, 2], [0, 5, 8], [8, 9, 2]]))),
        Case("one pair with one negative", (center_vectors, outside_vectors, np.array([4]), np.array([6]),
                                            np.array([[4]])), hidden=True),
        Case("more dimensions than words", (wide_rng.normal(size=(3, 7)), wide_rng.normal(size=(3, 7)),
                                            np.array([0, 1, 2, 0]), np.array([1, 2, 0, 0]),
                                            wide_rng.integers(0, 3, size=(4, 2))), hidden=True),
        Case("a large batch of skewed word ids",
             (0.3 * big_rng.normal(size=(50, 6)), 0.3 * big_rng.normal(size=(50, 6)), big_centers,
              big_rng.choice(50, size=300, p=zipf / zipf.sum()),
              big_rng.choice(50, size=(300, 5), p=zipf / zipf.sum())), hidden=True),
    ]


def check_7_1(batch_loss_and_gradients):
    """Exercise 7.1: compare with the pair-by-pair sums on five cases, three hidden."""
    check_function("Exercise 7.1", batch_loss_and_gradients, _batch_reference, _cases_7_1(), atol=1e-10,
                   rtol=1e-9, mistakes=[Mistake(words, function) for words, function in MISTAKES_7_1],
                   library=LIBRARY_7_1, returns=RETURNS_7_1)


def check_7_1_gradient(batch_loss_and_gradients):
    """Exercise 7.1: gradcheck both gradients on a batch with every kind of repeat."""
    rng = np.random.default_rng(713)
    center_vectors, outside_vectors = 0.5 * rng.normal(size=(6, 3)), 0.5 * rng.normal(size=(6, 3))
    centers, outsides = np.array([1, 1, 4, 0]), np.array([4, 2, 1, 4])
    negatives = np.array([[3, 3], [2, 5], [0, 1], [4, 1]])

    def loss_and_gradients(center_vectors, outside_vectors):
        # The loss is written out here: the guard blocks the library's loss functions during this call.
        words = np.concatenate([outsides[:, None], negatives], axis=1)
        scores = np.einsum("isd,id->is", outside_vectors[words], center_vectors[centers])
        loss = -(log_sigmoid(scores[:, 0]).sum() + log_sigmoid(-scores[:, 1:]).sum())
        return loss, batch_loss_and_gradients(center_vectors, outside_vectors, centers, outsides, negatives)[1:]

    def at_this_point(function):
        return lambda center_vectors, outside_vectors: function(center_vectors, outside_vectors, centers,
                                                                outsides, negatives)[1:]

    check_gradient("Exercise 7.1", loss_and_gradients, (center_vectors, outside_vectors),
                   blocks=("∇_V J (grad_center_vectors)", "∇_U J (grad_outside_vectors)"),
                   mistakes=[Mistake(words, at_this_point(function)) for words, function in MISTAKES_7_1],
                   library=LIBRARY_7_1, student=batch_loss_and_gradients)


# ---------------------------------------------------------------------------------------------------------
# Exercise 7.2: the scatter-add as a matrix


def _scatter_reference(indices, weights, n_rows):
    matrix = np.zeros((n_rows, len(indices)))
    for i, (row_indices, row_weights) in enumerate(zip(indices, weights)):
        for r, weight in zip(row_indices, row_weights):
            matrix[r, i] += weight
    return matrix


def _assigned(indices, weights, n_rows):
    matrix = np.zeros((n_rows, len(indices)))
    matrix[indices, np.arange(len(indices))[:, None]] = weights  # a repeated (r, i) keeps one weight
    return matrix


def _counts(indices, weights, n_rows):
    return _scatter_reference(indices, np.ones_like(weights), n_rows)


def _first_slot_only(indices, weights, n_rows):
    return _scatter_reference(indices[:, :1], weights[:, :1], n_rows)


MISTAKES_7_2 = (
    ("a word in two slots of one pair kept one weight: `S[rows, cols] = weights` (or `+=`) with a repeated "
     "(row, column) keeps one of them, the scatter needs their sum", _assigned),
    ("the occurrences are counted but not weighted: S holds the weights, not 1 per occurrence", _counts),
    ("only the first slot of each pair is used: every slot of a pair adds its weight", _first_slot_only),
)


def _cases_7_2():
    rng = np.random.default_rng(72)
    big_rng = np.random.default_rng(721)
    zipf = 1.0 / np.arange(1, 41)
    return [
        Case("no word twice in a pair", (np.array([[0, 3], [2, 1], [3, 4]]), rng.normal(size=(3, 2)), 5)),
        Case("a word twice in one pair's slots", (np.array([[1, 1, 4], [4, 0, 1], [2, 2, 2]]),
                                                  rng.normal(size=(3, 3)), 5)),
        Case("rows that no pair uses", (np.array([[0, 6], [6, 0]]), rng.normal(size=(2, 2)), 9)),
        Case("one slot per pair", (np.array([[3], [0], [3], [1]]), rng.normal(size=(4, 1)), 4), hidden=True),
        Case("more pairs than rows", (rng.integers(0, 3, size=(8, 3)), rng.normal(size=(8, 3)), 3), hidden=True),
        Case("a large batch of skewed word ids", (big_rng.choice(40, size=(200, 6), p=zipf / zipf.sum()),
                                                  big_rng.normal(size=(200, 6)), 40), hidden=True),
    ]


def check_7_2(scatter_matrix):
    """Exercise 7.2: compare with the matrix built entry by entry on six cases, three hidden."""
    check_function("Exercise 7.2", scatter_matrix, _scatter_reference, _cases_7_2(), atol=1e-12, rtol=1e-10,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_7_2],
                   forbidden=FORBIDDEN_7_2, library=LIBRARY_7_2)


# ---------------------------------------------------------------------------------------------------------
# Exercise 7.3: where a batch size starts to diverge


def _first_diverging(token_ids, sentence_starts, counts, batch_sizes, settings):
    """The library's own behaviour: train with each batch size in turn until one raises FloatingPointError."""
    for batch_size in batch_sizes:
        try:
            train_minibatch(token_ids, sentence_starts, counts, batch_size=batch_size, progress=False, **settings)
        except FloatingPointError:
            return batch_size
    return None


def _as_number(batch_size):
    # None (nothing diverges) as -1, so that it compares as a number; -1 is never a batch size.
    return -1 if batch_size is None else batch_size


def _last_that_trains(token_ids, sentence_starts, counts, batch_sizes, settings):
    first = _first_diverging(token_ids, sentence_starts, counts, batch_sizes, settings)
    if first is None:
        return batch_sizes[-1]
    position = list(batch_sizes).index(first)
    return None if position == 0 else batch_sizes[position - 1]


def _last_that_diverges(token_ids, sentence_starts, counts, batch_sizes, settings):
    diverging = [size for size in batch_sizes if _first_diverging(token_ids, sentence_starts, counts, [size],
                                                                  settings) is not None]
    return diverging[-1] if diverging else None


MISTAKES_7_3 = (
    ("the last batch size that trains, not the first one that diverges", _last_that_trains),
    ("the largest batch size that diverges, not the first one", _last_that_diverges),
)


def _corpus(n_sentences, seed):
    toy = toy_corpus(n_sentences=n_sentences, seed=seed)
    vocab = Vocabulary.build(toy.sentences, min_count=1)
    token_ids, sentence_starts = encode_corpus(vocab, toy.sentences)
    return token_ids, sentence_starts, vocab.counts


def _cases_7_3():
    corpus, other = _corpus(1500, 3), _corpus(1200, 8)
    settings = dict(dim=10, window=2, negative=5, sample=1e-3, epochs=2, seed=1)
    return [
        Case("the toy corpus at learning rate 0.2", corpus + ([32, 128, 1024, 4096], dict(settings, alpha=0.2))),
        Case("a learning rate small enough for every batch size", corpus + ([64, 512, 4096],
                                                                           dict(settings, alpha=0.02))),
        Case("a learning rate so large that the first batch size already diverges",
             corpus + ([32, 128, 512], dict(settings, alpha=0.8, seed=4)), hidden=True),
        Case("another corpus, window and learning rate",
             other + ([32, 128, 1024], dict(settings, window=3, alpha=0.5, seed=2)), hidden=True),
    ]


def check_7_3(first_diverging_batch_size):
    """Exercise 7.3: compare with the library's own training on four settings, two hidden."""
    if first_diverging_batch_size is None:
        student = None
    else:
        def student(token_ids, sentence_starts, counts, batch_sizes, settings):
            return _as_number(first_diverging_batch_size(token_ids, sentence_starts, counts, batch_sizes, settings))

    def reference(*args):
        return _as_number(_first_diverging(*args))

    def named(function):
        return lambda *args: _as_number(function(*args))

    check_function("Exercise 7.3", student, reference, _cases_7_3(), atol=0, rtol=0,
                   mistakes=[Mistake(words, named(function)) for words, function in MISTAKES_7_3])


# ---------------------------------------------------------------------------------------------------------
# Exercise 7.4: the expected number of distinct words among n draws


def _expected_distinct(probabilities, n_draws):
    """Σ_w 1 - (1 - P(w))^n, computed without losing the small terms of rare words."""
    return float(-np.expm1(n_draws * np.log1p(-np.asarray(probabilities, dtype=np.float64))).sum())


def _capped(probabilities, n_draws):
    return float(np.minimum(1, n_draws * np.asarray(probabilities)).sum())


def _never_drawn(probabilities, n_draws):
    return float(((1 - np.asarray(probabilities)) ** n_draws).sum())


def _uniform(probabilities, n_draws):
    vocab_size = len(probabilities)
    return float(vocab_size * (1 - (1 - 1 / vocab_size) ** n_draws))


def _all_distinct(probabilities, n_draws):
    return float(min(n_draws, len(probabilities)))


MISTAKES_7_4 = (
    ("the expected count of each word capped at 1: a word's chance of being drawn at least once is not "
     "min(1, n P(w))", _capped),
    ("the expected number of words never drawn: the distinct words drawn are the others", _never_drawn),
    ("the draws treated as uniform over the vocabulary: each word has its own probability", _uniform),
    ("every draw counted as a new word: a word drawn twice counts once", _all_distinct),
)


def _cases_7_4():
    zipf = 1.0 / np.arange(1, 1001) ** 0.75
    return [
        Case("three words, two draws", (np.array([0.5, 0.25, 0.25]), 2)),
        Case("a word that is never drawn", (np.array([0.6, 0.0, 0.3, 0.1]), 10)),
        Case("a single draw", (np.array([0.1, 0.2, 0.3, 0.4]), 1), hidden=True),
        Case("no draw at all", (np.array([0.5, 0.5]), 0), hidden=True),
        Case("a noise distribution over a thousand words, a batch's negatives", (zipf / zipf.sum(), 5120),
             hidden=True),
    ]


def check_7_4(expected_distinct):
    """Exercise 7.4: compare with the closed form on five cases, three hidden."""
    check_function("Exercise 7.4", expected_distinct, _expected_distinct, _cases_7_4(), atol=1e-9, rtol=1e-9,
                   mistakes=[Mistake(words, function) for words, function in MISTAKES_7_4])
