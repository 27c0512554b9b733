"""word2vec from scratch: the small library the course's notebooks build, one module per concept.

In the order the notebooks teach them:

* ``losses`` (01-04): σ, log σ, the naive-softmax loss, seed equations 1-8 (one pair, one window).
* ``gradcheck`` (01): central-difference gradient checks.
* ``vocab`` (05): words <-> ids, counts, ``min_count``, encoding a corpus.
* ``datasets`` (05): the toy corpus with planted structure, Lee, text files, text8.
* ``sampling`` (05): the noise distribution, negatives, subsampling, dynamic windows.
* ``chunks`` (06-07): the stream of training examples both trainers read.
* ``train`` (06-07): initialization, learning rate, the loop trainer, the minibatch step and trainer.
* ``scatter`` (07): the scatter-add of a minibatch as a sparse product.
* ``model`` (07): ``Word2Vec``, the trainers behind one object.
* ``keyed_vectors`` (08): lookup, cosine, neighbours, analogies, the word2vec file format.
* ``evaluate`` (08): WordSim/SimLex correlations, analogy accuracy, the toy corpus's planted structure.
* ``plotting`` (09, and the loss curves of 06-07): PCA and t-SNE plots.
* ``pmi`` (11): what SGNS learns: pair counts, (shifted, positive) PMI, the SVD embedding.

Not lessons: ``files`` (safe reading and writing), ``_validation`` (input checks, the hyperparameters),
``_progress`` (progress display), ``__main__`` (the command line), and the exercises' checks.
"""

__version__ = "0.2.0"
