"""Figures of the course: word vectors projected to 2-D (PCA, t-SNE) and training-loss curves.

Taught in notebook 09 (visualization: ``plot_embeddings``); ``plot_loss`` draws the loss curves of notebooks 06
and 07.

The projections use scikit-learn; every figure has a title, axis labels and, when there are groups or several
curves, a legend. Each function draws on ``ax`` when given (so figures can be combined with subplots) or on a
new figure, and returns the Axes.

Two rules keep the scatter plots readable from figure to figure:

* a group has one colour everywhere (:data:`GROUP_COLOURS`, :func:`group_colour`): "countries" are blue in
  every figure of the course and the demo, whatever other groups share the plot;
* word labels never cover each other or a point (:func:`label_points`, with textalloc): each label goes to the
  free spot nearest to its point, joined to it by a thin line when it had to move. The placement is
  deterministic, so the same figure comes out on every machine.
"""

import warnings
import zlib
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import textalloc
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

from w2v_lib._validation import (
    ParameterTypeError,
    ParameterValueError,
    check_bool,
    check_choice,
    check_optional_int,
    check_real,
    check_seed,
)

_OTHER = "other"

# The colour of each group name the course plots (the benchmark groups of notebook 09 and the toy corpus's planted
# groups of notebooks 06-09 and the demo). Grey is kept for words in no group.
GROUP_COLOURS = {
    "countries": "#1f77b4",
    "capitals": "#ff7f0e",
    "numbers": "#2ca02c",
    "family": "#d62728",
    "animals": "#9467bd",
    "colours": "#8c564b",
    "colors": "#8c564b",
    "languages": "#e377c2",
    "male": "#17becf",
    "female": "#bcbd22",
    "people": "#7b4173",
    "foods": "#e7ba52",
    _OTHER: "#999999",
}
# Colours for other group names, picked by a checksum of the name (the same name, the same colour, every run).
_SPARE_COLOURS = ("#393b79", "#637939", "#843c39", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363")
_LEADER_COLOUR = "0.55"  # the line from a moved label to its point


def plot_embeddings(kv, words=None, groups=None, method="pca", seed=0, ax=None, perplexity=None, title=None,
                    normalize=True, init="pca", fontsize=9):
    """Scatter plot of word vectors projected to 2-D, one colour per group, each point labelled by its word.

    Each group has its colour of :func:`group_colour`, and the labels are placed by :func:`label_points`. In a
    figure of several panels, lay the figure out first (``plt.subplots(..., layout="constrained")`` or
    ``tight_layout`` before calling this function), so that the labels are placed for the final axes.

    Parameters
    ----------
    kv : KeyedVectors
    words : sequence of str or None
        The words to plot. None: the words of ``groups``, in order.
    groups : dict of str -> sequence of str, or None
        Group name -> its words, coloured by group and named in the legend. A plotted word that is in no group is
        drawn grey as ``"other"``; a group word missing from ``words`` is added. A word may be in one group only.
    method : {"pca", "tsne"}
        PCA (linear, deterministic; axes show the explained variance) or t-SNE (non-linear, keeps neighbours
        together; distances between far-apart clusters mean little, and the layout depends on the start).
    seed : int or numpy.random.Generator
        t-SNE's random state (PCA does not use it). With ``init="pca"`` it barely changes the picture; with
        ``init="random"`` each seed gives a different layout.
    ax : matplotlib Axes or None
    perplexity : float or None
        t-SNE only: about how many neighbours each point attends to; must be below the number of points.
        None: min(30, n_points - 1). A larger value is lowered to n_points - 1 with a warning.
    title : str or None
        None: a title naming the method and the number of words.
    normalize : bool
        Project unit vectors (True, the geometry cosine similarity sees) or the raw vectors.
    init : {"pca", "random"}
        t-SNE only: start from the PCA projection (stable from run to run) or from random points.
    fontsize : float
        Size of the word labels, in points.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        Some words are not in ``kv`` (all of them are named).
    ValueError
        Fewer than 2 words, a repeated word, a word in two groups, an unknown method, a perplexity <= 0.
    """
    method = check_choice("method", method, ("pca", "tsne"))
    init = check_choice("init", init, ("pca", "random"))
    normalize = check_bool("normalize", normalize)
    seed = check_seed("seed", seed)
    words, labels, group_names = _words_and_groups(words, groups)
    unknown = [word for word in words if word not in kv]
    if unknown:
        raise KeyError(f"{len(unknown)} of the words to plot are not in the vocabulary: {unknown}")
    if len(words) < 2:
        raise ParameterValueError("words", f"must be at least 2 words to plot, got {words}")
    rows = [kv.index(word) for word in words]
    points = (kv.unit_vectors if normalize else kv.vectors)[rows].astype(np.float64)
    if method == "pca":
        pca = PCA(n_components=2, svd_solver="full")
        xy = pca.fit_transform(points)
        variance = 100 * pca.explained_variance_ratio_
        axis_labels = (f"PC 1 ({variance[0]:.1f}% of the variance)", f"PC 2 ({variance[1]:.1f}% of the variance)")
        default_title = f"PCA of {len(words)} word vectors"
    else:
        perplexity = _tsne_perplexity(perplexity, len(words))
        random_state = int(np.random.default_rng(seed).integers(2**31 - 1))
        tsne = TSNE(n_components=2, perplexity=perplexity, random_state=random_state, init=init,
                    learning_rate="auto")
        xy = tsne.fit_transform(points)
        axis_labels = ("t-SNE dimension 1", "t-SNE dimension 2")
        default_title = f"t-SNE of {len(words)} word vectors (perplexity {perplexity:g})"

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6))
    labels = np.array(labels, dtype=object)
    for name in group_names:
        chosen = labels == name
        ax.scatter(xy[chosen, 0], xy[chosen, 1], color=group_colour(name), label=name)
    ax.set_xlabel(axis_labels[0])
    ax.set_ylabel(axis_labels[1])
    ax.set_title(default_title if title is None else title)
    if groups:
        ax.legend(title="group")
    label_points(ax, xy, words, fontsize=fontsize)
    return ax


def group_colour(name):
    """The colour of a group in every figure: :data:`GROUP_COLOURS` for the course's groups, else a fixed pick.

    Parameters
    ----------
    name : str

    Returns
    -------
    str
        A matplotlib colour (``"#rrggbb"``).
    """
    if not isinstance(name, str):
        raise ParameterTypeError("name", f"must be a group name (str), got {type(name).__name__}")
    if name in GROUP_COLOURS:
        return GROUP_COLOURS[name]
    return _SPARE_COLOURS[zlib.crc32(name.encode()) % len(_SPARE_COLOURS)]


def label_points(ax, xy, words, fontsize=9, segments=()):
    """Write each word near its point, where it covers no other label, point or given segment.

    The placement is textalloc's: for each label in turn, the free spot nearest to its point among candidate
    positions around it; a label that had to move away is joined to its point by a thin grey line. Call it
    after everything else is drawn on ``ax`` (points, arrows, title, axis labels, legend) and the axis limits
    are final, and, in a figure of several panels, after ``tight_layout``: the labels are placed for the axes as
    they are then.

    Parameters
    ----------
    ax : matplotlib Axes
    xy : array_like, shape (n, 2)
        The points, in data coordinates.
    words : sequence of str, length n
    fontsize : float
        In points.
    segments : sequence of ((x0, y0), (x1, y1))
        Line segments drawn on ``ax`` (arrows, for example) that the labels must not cover.

    Returns
    -------
    list of matplotlib.text.Text
        The labels, in the order of ``words``.
    """
    xy = np.asarray(xy, dtype=np.float64)
    words = list(words)
    if xy.ndim != 2 or xy.shape[1] != 2 or xy.shape[0] != len(words):
        raise ParameterValueError("xy", f"must have shape (n, 2) with one row per word, got {xy.shape} for "
                                        f"{len(words)} words")
    fontsize = check_real("fontsize", fontsize, minimum=0.0, above=True)
    segments = np.asarray(segments, dtype=np.float64).reshape(-1, 2, 2)
    if not words:
        return []
    lines = {"x_lines": list(segments[:, :, 0]), "y_lines": list(segments[:, :, 1])} if len(segments) else {}
    _, _, texts, _ = textalloc.allocate(ax, xy[:, 0], xy[:, 1], words, x_scatter=xy[:, 0], y_scatter=xy[:, 1],
                                        textsize=fontsize, linecolor=_LEADER_COLOUR, linewidth=0.5,
                                        min_distance=0.01, max_distance=0.4, margin=0.005, **lines)
    return texts


def plot_loss(history, x=None, ax=None, smooth=None, title="Training loss", xlabel=None, label="loss"):
    """Loss curve, optionally with a moving average on top of the raw values.

    Parameters
    ----------
    history : array_like of float, dict, or object with a ``loss`` attribute
        The losses, one per record (per step, per chunk or per epoch). A dict or an object (such as
        ``w2v_lib.train.TrainingHistory``) gives them as ``"loss"`` / ``.loss``, and its ``"tokens"`` / ``.tokens``
        (corpus tokens processed at each record), when present, become the x values.
    x : array_like or None
        x values, same length as the losses. None: ``tokens`` of ``history`` if it has them, else 1, 2, ..., n.
    ax : matplotlib Axes or None
    smooth : int >= 1 or None
        Also draw the mean of each window of ``smooth`` consecutive losses (trailing window), which shows the
        trend of a noisy curve. None or 1: raw losses only.
    title : str
    xlabel : str or None
        None: "corpus tokens processed" when x comes from ``tokens``, "record" for 1..n, "x" otherwise.
    label : str
        Legend label of the raw curve.

    Returns
    -------
    matplotlib.axes.Axes
    """
    losses, history_x = _losses_and_x(history)
    if x is None:
        x, default_xlabel = (history_x, "corpus tokens processed") if history_x is not None else (
            np.arange(1, len(losses) + 1), "record")
    else:
        default_xlabel = "x"
    x = np.asarray(x, dtype=np.float64)
    if x.shape != losses.shape:
        raise ParameterValueError("x", f"has shape {x.shape} but there are {losses.shape[0]} losses: give one x per "
                                       "loss")
    smooth = check_optional_int("smooth", smooth)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    if smooth is None or smooth == 1:
        ax.plot(x, losses, label=label)
    else:
        if smooth > len(losses):
            raise ParameterValueError("smooth", f"= {smooth} is longer than the {len(losses)} losses; use a smaller "
                                                "window")
        ax.plot(x, losses, alpha=0.35, label=label)
        moving_average = np.convolve(losses, np.ones(smooth) / smooth, mode="valid")
        ax.plot(x[smooth - 1:], moving_average, label=f"mean of {smooth} consecutive values")
    ax.set_xlabel(default_xlabel if xlabel is None else xlabel)
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend()
    return ax


def _losses_and_x(history):
    """The losses as a 1-D float array and the x values that come with them (or None)."""
    if isinstance(history, dict):
        if "loss" not in history:
            raise ParameterValueError("history", f"must have a 'loss' list when it is a dict, got keys "
                                                 f"{sorted(history)}")
        losses, x = history["loss"], history.get("tokens")
    elif hasattr(history, "loss"):
        losses, x = history.loss, getattr(history, "tokens", None)
    else:
        losses, x = history, None
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim != 1 or losses.shape[0] == 0:
        raise ParameterValueError("history", f"must hold a non-empty 1-D sequence of losses, got shape "
                                             f"{losses.shape}")
    if not np.isfinite(losses).all():
        raise ValueError("the losses contain NaN or infinity: training diverged; try a smaller learning rate")
    if x is None or len(x) == 0:
        return losses, None
    x = np.asarray(x, dtype=np.float64)
    if x.shape != losses.shape:
        raise ParameterValueError("history", f"has {losses.shape[0]} losses but {x.shape[0]} 'tokens' values")
    return losses, x


def _tsne_perplexity(perplexity, n_points):
    if perplexity is None:
        if n_points - 1 < 30:
            warnings.warn(f"perplexity lowered from t-SNE's usual 30 to {n_points - 1}: it must be below the "
                          f"number of points ({n_points})", stacklevel=3)
        return float(min(30, n_points - 1))
    perplexity = check_real("perplexity", perplexity, minimum=0.0, above=True)
    if perplexity >= n_points:
        warnings.warn(f"perplexity lowered from {perplexity:g} to {n_points - 1}: it must be below the number of "
                      f"points ({n_points})", stacklevel=3)
        return float(n_points - 1)
    return float(perplexity)


def _words_and_groups(words, groups):
    """The words to plot, each one's group label, and the group names in legend order."""
    if words is None and not groups:
        raise ParameterValueError("words", "and groups are both None: give the words to plot, or groups of words "
                                           "(a dict: group name -> list of words)")
    if isinstance(words, str):
        raise ParameterTypeError("words", f"must be a list of words, got the single string {words!r}; use "
                                          f"[{words!r}]")
    if groups is not None and not isinstance(groups, dict):
        raise ParameterTypeError("groups", f"must be a dict (group name -> list of words), got "
                                           f"{type(groups).__name__}")
    group_of = {}
    for name, members in (groups or {}).items():
        if isinstance(members, str):
            raise ParameterTypeError("groups", f"must map each name to a list of words, got the single string "
                                               f"{members!r} for {name!r}")
        for word in members:
            if word in group_of:
                raise ParameterValueError("groups", f"must not share words: {word!r} is in {group_of[word]!r} and "
                                                    f"{name!r}; keep it in one group")
            group_of[word] = name
    words = list(group_of) if words is None else list(words)
    repeated = sorted(word for word, count in Counter(words).items() if count > 1)
    if repeated:
        raise ParameterValueError("words", f"must be distinct, these are repeated: {repeated}")
    listed = set(words)
    words += [word for word in group_of if word not in listed]
    labels = [group_of.get(word, _OTHER) for word in words]
    names = list(groups or {}) + ([_OTHER] if _OTHER in labels and _OTHER not in (groups or {}) else [])
    return words, labels, [name for name in names if name in labels]
