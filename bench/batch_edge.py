"""Where a minibatch becomes too large for its learning rate: the first batch size that diverges, over seeds.

    python bench/batch_edge.py            # both corpora: about 5 minutes on 2 cores
    python bench/batch_edge.py --toy      # the toy corpus only

Notebook 07 (section 5 and section 6) quotes the figures this prints; it measures three seeds itself and leaves the
longer sweeps here. The toy corpus: ``toy_corpus(n_sentences=1500, seed=0)``, d = 20, m = 2, K = 5, tau = 1e-3,
alpha 0.2 -> 0.0001, 10 epochs, batch sizes 256 to 512 in steps of 32, seeds 1 to 20. The Lee corpus:
``min_count=5``, d = 50, m = 5, K = 5, tau = 1e-3, alpha 0.025 -> 0.0001, 20 epochs, batch sizes 2,048 to 16,384,
seeds 1 and 2. A run diverges when ``train_minibatch`` raises FloatingPointError.
"""

import argparse

from w2v_lib.datasets import lee_corpus, toy_corpus
from w2v_lib.train import train_minibatch
from w2v_lib.vocab import Vocabulary, encode_corpus


def first_diverging(sentences, min_count, batch_sizes, seed, settings):
    """The first of ``batch_sizes`` (increasing) whose training diverges, or None."""
    vocab = Vocabulary.build(sentences, min_count=min_count)
    token_ids, sentence_starts = encode_corpus(vocab, sentences)
    for batch_size in batch_sizes:
        try:
            train_minibatch(token_ids, sentence_starts, vocab.counts, batch_size=batch_size, seed=seed,
                            progress=False, **settings)
        except FloatingPointError:
            return batch_size
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--toy", action="store_true", help="the toy corpus only")
    args = parser.parse_args(argv)

    toy = toy_corpus(n_sentences=1500, seed=0).sentences
    toy_settings = dict(dim=20, window=2, negative=5, sample=1e-3, alpha=0.2, min_alpha=0.0001, epochs=10)
    edges = {seed: first_diverging(toy, 1, range(256, 513, 32), seed, toy_settings) for seed in range(1, 21)}
    print("toy corpus, eta = 0.2: first batch size that diverges, by seed:", edges)
    found = [edge for edge in edges.values() if edge is not None]
    print(f"  from {min(found)} to {max(found)} pairs; {len(edges) - len(found)} seeds train at every size")
    if args.toy:
        return
    lee_settings = dict(dim=50, window=5, negative=5, sample=1e-3, alpha=0.025, min_alpha=0.0001, epochs=20)
    for seed in (1, 2):
        edge = first_diverging(lee_corpus(), 5, [2_048, 4_096, 8_192, 12_288, 16_384], seed, lee_settings)
        print(f"Lee corpus, eta = 0.025, seed {seed}: first batch size that diverges: {edge}")


if __name__ == "__main__":
    main()
