"""Corpora for the course: a toy corpus with planted structure, the Lee corpus, text files, text8.

Taught in notebook 05 (corpus, vocabulary, sampling); the toy corpus is trained on from notebook 06 on. A
corpus is an iterable of sentences, each a list of string tokens. :class:`FirstTokens` cuts a corpus to its
first tokens (the command line's ``--max-tokens``, the benchmark's ``--words``).
"""

import codecs
import hashlib
import re
import shutil
import urllib.error
import urllib.request
import zipfile
from itertools import permutations
from pathlib import Path
from typing import NamedTuple

import numpy as np

from w2v_lib._progress import progress_bar
from w2v_lib._validation import check_bool, check_int, check_optional_int, check_seed
from w2v_lib.files import check_input, decode_error_message, open_input, text_lines

TEXT8_URL = "http://mattmahoney.net/dc/text8.zip"
TEXT8_ZIP_SIZE = 31_344_016
# SHA-1 published by GluonNLP's Text8 dataset; no SHA-256 of the zip is published that we could find, so the
# default download checks the size and this SHA-1 (and a SHA-256 if you pass one).
TEXT8_ZIP_SHA1 = "6c70299b93b7e1f927b42cd8f6ac1a31547c7a2e"

# Each pair shares a context word (a language, a place) with nothing else: skip-gram gives the two words of a
# pair a common component only through contexts they share, and analogies need that pair identity.
_COUNTRY_CAPITAL = [
    ("france", "paris"), ("germany", "berlin"), ("italy", "rome"), ("spain", "madrid"),
    ("japan", "tokyo"), ("china", "beijing"), ("russia", "moscow"), ("egypt", "cairo"),
    ("greece", "athens"), ("portugal", "lisbon"),
]
_LANGUAGES = ["french", "german", "italian", "spanish", "japanese", "chinese", "russian", "arabic", "greek",
              "portuguese"]
_MALE_FEMALE = [
    ("king", "queen"), ("prince", "princess"), ("man", "woman"), ("boy", "girl"), ("father", "mother"),
    ("son", "daughter"), ("brother", "sister"), ("uncle", "aunt"), ("husband", "wife"),
    ("nephew", "niece"),
]
_PLACES = ["kingdom", "castle", "street", "school", "family", "garden", "team", "village", "wedding", "town"]
_NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_ANIMALS = ["dog", "cat", "horse", "cow", "sheep", "pig", "goat", "rabbit", "mouse", "duck"]
_COLORS = ["red", "blue", "green", "yellow", "white", "black", "orange", "purple"]
_FOODS = ["bread", "cheese", "apple", "rice", "soup", "fish", "cake", "egg"]

_CAPITAL_TEMPLATES = [
    "the capital of {country} is {capital}",
    "{capital} is the capital of {country}",
    "{capital} is a city in {country}",
    "the government of {country} meets in {capital}",
    "people in {country} travel to {capital} by train",
]
_LANGUAGE_TEMPLATES = [
    "people in {place} speak {language}",
    "{language} is spoken in {place}",
]
_COUNTRY_TEMPLATES = [
    "{country} is a country",
    "we visited {country} last year",
    "the people of {country} are friendly",
]
_CITY_TEMPLATES = [
    "{capital} is a big city",
    "the streets of {capital} are busy",
    "we live in {capital}",
]
# Male words share he/his/man contexts, female words she/her/woman, and both words of a pair share a place:
# "queen" - "king" and "woman" - "man" then differ by the same offset, which 3CosAdd analogies rely on.
_MALE_TEMPLATES = [
    "the {male} of the {place} is a man", "he is the {male} of the {place}",
    "the {male} said he liked the {place}", "his {male} is at the {place}",
]
_FEMALE_TEMPLATES = [
    "the {female} of the {place} is a woman", "she is the {female} of the {place}",
    "the {female} said she liked the {place}", "her {female} is at the {place}",
]
_NUMBER_TEMPLATES = [
    "{a} plus one is {b}", "after {a} comes {b}", "i counted {a} {animal} in the field",
    "we have {a} {food} today",
]
_ANIMAL_TEMPLATES = [
    "the {animal} is an animal", "a {animal} lives on the farm", "the {color} {animal} eats grass",
]
_COLOR_TEMPLATES = [
    "the car is {color}", "we painted the wall {color}", "the {color} flower is pretty",
]
_FOOD_TEMPLATES = [
    "we ate {food} for dinner", "the {food} tastes good", "they bought {food} at the market",
]
_FILLERS = ["today", "really", "also", "then", "very", "indeed", "quite", "still"]


class ToyCorpus(NamedTuple):
    """A generated corpus and the structure planted in it.

    Attributes
    ----------
    sentences : list of list of str
    groups : dict of str to list of str
        Word groups that should cluster: ``countries``, ``capitals``, ``languages``, ``male``, ``female``,
        ``numbers``, ``animals``, ``colors``, ``foods``. ``countries[i]`` has capital ``capitals[i]`` and
        language ``languages[i]``; ``male[i]`` and ``female[i]`` are a pair.
    analogies : list of tuple of 4 str
        ``(a, b, c, d)`` with b - a + c closest to d, e.g. ``("france", "paris", "italy", "rome")`` and
        ``("king", "queen", "man", "woman")``: every ordered pair of two country-capital pairs and of two
        male-female pairs.
    """

    sentences: list
    groups: dict
    analogies: list


def toy_corpus(n_sentences=3000, seed=0):
    """Generate templated sentences with planted structure that skip-gram can learn in seconds.

    Sentences pair countries with their capitals ("the capital of france is paris") and languages
    ("french is spoken in paris"); put male and female words in he/she contexts with a place that each
    male-female pair shares ("the king of the kingdom is a man", "she is the queen of the kingdom"); count
    with numbers; and describe animals, colors and foods. About one sentence in three gets a filler word
    ("today", "really", ...) at a random place. The vocabulary has 165 words, each seen at least 18 times
    in the default 3000 sentences (18,049 tokens).

    gensim's skip-gram (its vector_size=20, window=5, negative=5, sample=1e-3, epochs=20, min_count=1) learns
    it in about a second: with seeds 1, 2, 3 it gets 89-96% of the country-capital analogies and all the
    male-female ones, and the 3 nearest neighbours of a country, capital, number, animal, color or food are
    mostly in its own group (those of a male or female word are its partner and other people words).

    Parameters
    ----------
    n_sentences : int, default 3000
    seed : int or numpy.random.Generator, default 0
        The same seed gives the same corpus.

    Returns
    -------
    ToyCorpus
        ``(sentences, groups, analogies)``.
    """
    n_sentences = check_int("n_sentences", n_sentences)
    rng = np.random.default_rng(check_seed("seed", seed))
    makers = [_capital_sentence, _country_or_city_sentence, _language_sentence, _gender_sentence,
              _gender_sentence, _number_sentence, _animal_sentence, _color_sentence, _food_sentence]
    sentences = []
    for _ in range(n_sentences):
        tokens = makers[rng.integers(len(makers))](rng).split()
        if rng.random() < 1 / 3:
            tokens.insert(int(rng.integers(len(tokens) + 1)), _pick(rng, _FILLERS))
        sentences.append(tokens)
    groups = {
        "countries": [c for c, _ in _COUNTRY_CAPITAL],
        "capitals": [c for _, c in _COUNTRY_CAPITAL],
        "languages": list(_LANGUAGES),
        "male": [m for m, _ in _MALE_FEMALE],
        "female": [f for _, f in _MALE_FEMALE],
        "numbers": list(_NUMBERS),
        "animals": list(_ANIMALS),
        "colors": list(_COLORS),
        "foods": list(_FOODS),
    }
    analogies = [(a, b, c, d) for pairs in (_COUNTRY_CAPITAL, _MALE_FEMALE)
                 for (a, b), (c, d) in permutations(pairs, 2)]
    return ToyCorpus(sentences, groups, analogies)


def _pick(rng, options):
    return options[rng.integers(len(options))]


def _capital_sentence(rng):
    country, capital = _pick(rng, _COUNTRY_CAPITAL)
    return _pick(rng, _CAPITAL_TEMPLATES).format(country=country, capital=capital)


def _country_or_city_sentence(rng):
    country, capital = _pick(rng, _COUNTRY_CAPITAL)
    template = _pick(rng, _COUNTRY_TEMPLATES + _CITY_TEMPLATES)
    return template.format(country=country, capital=capital)


def _language_sentence(rng):
    i = rng.integers(len(_COUNTRY_CAPITAL))
    place = _COUNTRY_CAPITAL[i][rng.integers(2)]
    return _pick(rng, _LANGUAGE_TEMPLATES).format(place=place, language=_LANGUAGES[i])


def _gender_sentence(rng):
    i = rng.integers(len(_MALE_FEMALE))
    male, female = _MALE_FEMALE[i]
    if rng.random() < 0.5:
        return _pick(rng, _MALE_TEMPLATES).format(male=male, place=_PLACES[i])
    return _pick(rng, _FEMALE_TEMPLATES).format(female=female, place=_PLACES[i])


def _number_sentence(rng):
    i = rng.integers(len(_NUMBERS) - 1)
    return _pick(rng, _NUMBER_TEMPLATES).format(a=_NUMBERS[i], b=_NUMBERS[i + 1], animal=_pick(rng, _ANIMALS),
                                                food=_pick(rng, _FOODS))


def _animal_sentence(rng):
    return _pick(rng, _ANIMAL_TEMPLATES).format(animal=_pick(rng, _ANIMALS), color=_pick(rng, _COLORS))


def _color_sentence(rng):
    return _pick(rng, _COLOR_TEMPLATES).format(color=_pick(rng, _COLORS))


def _food_sentence(rng):
    return _pick(rng, _FOOD_TEMPLATES).format(food=_pick(rng, _FOODS))


def tokenize(text):
    """The course's tokenizer: lower-case, then keep the runs of letters a-z (digits and punctuation go)."""
    return re.findall(r"[a-z]+", text.lower())


def lee_corpus():
    """The Lee background corpus (300 short news articles, about 60,000 tokens) shipped with gensim.

    Returns
    -------
    list of list of str
        One sentence per article (per line of ``lee_background.cor``), tokenized with :func:`tokenize`.
    """
    try:
        from gensim.test.utils import datapath
    except ImportError:
        raise ImportError("the Lee corpus ships with gensim: pip install -r requirements.txt") from None
    return [tokens for _, line in text_lines(datapath("lee_background.cor"), "Lee corpus")
            if (tokens := tokenize(line))]


class TextCorpus:
    """A whitespace-tokenized UTF-8 text file read as sentences, one per line, streamed on every iteration.

    Lines longer than ``max_sentence_length`` tokens are cut into sentences of that many tokens (plus a
    shorter last one), like gensim's ``LineSentence``. A line is read in pieces of about ``chunk_bytes``
    bytes, split at whitespace, so a one-line file such as text8 (100 MB) is never held as one string.
    Empty lines give no sentence. The file is checked when the object is made; a byte that is not UTF-8 is
    reported with its offset in the file (in the uncompressed data of a ``.gz``).

    Parameters
    ----------
    path : str or Path
        A text file, or a gzip-compressed one if the name ends in ``.gz``.
    max_sentence_length : int, default 10_000
    chunk_bytes : int, default 1_048_576
    name : str or None
        How messages name the file, when it stands for something else (the command line's "standard input").
    """

    def __init__(self, path, max_sentence_length=10_000, chunk_bytes=1 << 20, name=None):
        self.path = check_input(path, "corpus")
        self.max_sentence_length = check_int("max_sentence_length", max_sentence_length)
        self.chunk_bytes = check_int("chunk_bytes", chunk_bytes)
        self.name = name

    def __repr__(self):
        return f"TextCorpus({str(self.path)!r}, max_sentence_length={self.max_sentence_length})"

    def __iter__(self):
        limit = self.max_sentence_length
        where = f"corpus {self.name or repr(str(self.path))}"
        compressed = self.path.suffix == ".gz"
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0  # bytes of the file read before the current piece
        with open_input(self.path, "corpus", self.name) as f:
            sentence = []
            partial = ""  # a token cut in two by the end of a piece
            while True:
                raw = f.readline(self.chunk_bytes)
                if not raw:
                    break
                pending = len(decoder.getstate()[0])  # bytes of a character cut by the previous piece
                try:
                    piece = decoder.decode(raw)
                except UnicodeDecodeError as error:
                    raise ValueError(decode_error_message(where, error, offset - pending, compressed)) from None
                offset += len(raw)
                end_of_line = raw.endswith(b"\n")
                tokens = (partial + piece).split()
                partial = ""
                if not end_of_line and tokens and not piece[-1:].isspace():
                    partial = tokens.pop()
                sentence.extend(tokens)
                start = 0
                while len(sentence) - start >= limit:
                    yield sentence[start:start + limit]
                    start += limit
                sentence = sentence[start:]
                if end_of_line and sentence:
                    yield sentence
                    sentence = []
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as error:
                raise ValueError(decode_error_message(where, error, offset - len(error.object), compressed)) \
                    from None
            if partial:
                sentence.append(partial)
            if sentence:
                yield sentence


def read_corpus(path, max_sentence_length=10_000):
    """Stream a whitespace-tokenized UTF-8 text file (plain or ``.gz``) as sentences, one per line.

    Returns a :class:`TextCorpus`: iterating it again reads the file again, so it can be passed to code
    that makes several passes (counting the vocabulary, then each training epoch).

    Parameters
    ----------
    path : str or Path
    max_sentence_length : int, default 10_000
        Longer lines are cut into sentences of this many tokens.

    Returns
    -------
    TextCorpus
        An iterable of lists of str.
    """
    return TextCorpus(path, max_sentence_length=max_sentence_length)


class FirstTokens:
    """The first ``max_tokens`` tokens of a corpus, re-iterable: the last sentence is cut where the limit falls.

    Parameters
    ----------
    sentences : re-iterable of list of str
    max_tokens : int or None
        None: the whole corpus.
    """

    def __init__(self, sentences, max_tokens):
        self.sentences = sentences
        self.max_tokens = check_optional_int("max_tokens", max_tokens)

    def __iter__(self):
        if self.max_tokens is None:
            yield from self.sentences
            return
        remaining = self.max_tokens
        for sentence in self.sentences:
            if remaining <= 0:
                return
            yield sentence[:remaining]
            remaining -= len(sentence)


def download_text8(data_dir="data", url=TEXT8_URL, sha256=None, sha1=TEXT8_ZIP_SHA1, size=TEXT8_ZIP_SIZE,
                   progress=True, timeout=60):
    """Download text8 (the first 10^8 bytes of English Wikipedia, cleaned) into ``data_dir`` and unzip it.

    Nothing is downloaded if ``data_dir/text8`` already exists. The zip is written to a ``.tmp`` file,
    checked, then unzipped; a file that fails a check is deleted.

    Parameters
    ----------
    data_dir : str or Path, default "data"
    url : str, default http://mattmahoney.net/dc/text8.zip
    sha256, sha1 : str or None
        Expected hex digests of the zip; None skips that check. The default checks the SHA-1 that
        GluonNLP publishes for text8.zip.
    size : int or None, default 31_344_016
        Expected size of the zip in bytes; None skips the check.
    progress : bool, default True
        Show the progress (a tqdm bar on a terminal; a line every 5% elsewhere).
    timeout : float, default 60
        Seconds to wait for the server.

    Returns
    -------
    Path
        ``data_dir/text8``, a one-line file of 100,000,000 characters: pass it to :func:`read_corpus`.

    Raises
    ------
    ConnectionError
        If the download fails (for example, offline); the message says how to get the file by hand.
    ValueError
        If the downloaded file has the wrong size or checksum.
    """
    data_dir = Path(data_dir)
    target = data_dir / "text8"
    if target.is_file():
        return target
    data_dir.mkdir(parents=True, exist_ok=True)
    partial = data_dir / "text8.zip.tmp"
    hashes = {"sha256": hashlib.sha256(), "sha1": hashlib.sha1()}
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as out:
            length = response.headers.get("Content-Length")
            with progress_bar(int(length) if length else size, "B", "text8.zip", check_bool("progress", progress)) \
                    as bar:
                while block := response.read(1 << 20):
                    out.write(block)
                    for digest in hashes.values():
                        digest.update(block)
                    bar.update(len(block))
    except (urllib.error.URLError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise ConnectionError(
            f"could not download {url} ({error}). To get text8 by hand, download "
            f"http://mattmahoney.net/dc/text8.zip ({TEXT8_ZIP_SIZE:,} bytes) with a browser, unzip it and "
            f"put the file text8 at {target}") from None
    got_size = partial.stat().st_size
    checks = [("size", size, got_size), ("sha256", sha256, hashes["sha256"].hexdigest()),
              ("sha1", sha1, hashes["sha1"].hexdigest())]
    for name, expected, got in checks:
        if expected is not None and expected != got:
            partial.unlink()
            raise ValueError(f"the file downloaded from {url} has {name} {got}, expected {expected}: the "
                             "download is corrupt or the file changed. It was deleted; try again, or get "
                             f"text8 by hand and put it at {target}")
    unzipped = data_dir / "text8.tmp"
    with zipfile.ZipFile(partial) as archive, archive.open("text8") as src, open(unzipped, "wb") as dst:
        shutil.copyfileobj(src, dst)
    # Renaming only complete files means an interrupted run never leaves a text8 that looks cached.
    unzipped.replace(target)
    partial.replace(data_dir / "text8.zip")
    return target
