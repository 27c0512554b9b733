"""word2vec from scratch: the small library the course's notebooks build, one module per concept."""

__version__ = "0.1.0"
