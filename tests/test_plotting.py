"""Embedding scatter plots and loss curves: what is drawn, checked against independent computations."""

import warnings
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from w2v_lib.keyed_vectors import KeyedVectors  # noqa: E402
from w2v_lib.plotting import GROUP_COLOURS, group_colour, label_points, plot_embeddings, plot_loss  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def kv():
    rng = np.random.default_rng(9)
    return KeyedVectors([f"w{i}" for i in range(12)], rng.normal(size=(12, 6)))


def plotted_points(ax):
    return np.concatenate([collection.get_offsets() for collection in ax.collections])


def legend_labels(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_pca_plot_points_legend_and_labels(kv):
    groups = {"first": ["w1", "w2", "w3"], "second": ["w4", "w5"]}
    ax = plot_embeddings(kv, ["w0", "w9"], groups=groups)
    assert isinstance(ax, plt.Axes)
    assert len(plotted_points(ax)) == 7
    assert legend_labels(ax) == ["first", "second", "other"]
    assert sorted(text.get_text() for text in ax.texts) == sorted(["w0", "w9", "w1", "w2", "w3", "w4", "w5"])
    assert ax.get_title() == "PCA of 7 word vectors"
    assert ax.get_xlabel().startswith("PC 1 (") and ax.get_ylabel().startswith("PC 2 (")


def test_pca_coordinates_match_svd_of_centered_unit_vectors(kv):
    words = ["w2", "w7", "w3", "w11", "w5"]
    ax = plot_embeddings(kv, words)
    unit = kv.vectors[[kv.index(w) for w in words]] / np.linalg.norm(kv.vectors[[kv.index(w) for w in words]],
                                                                      axis=1, keepdims=True)
    centered = unit - unit.mean(axis=0)
    u, s, _ = np.linalg.svd(centered, full_matrices=False)
    expected = u[:, :2] * s[:2]  # projections on the two principal directions, up to sign
    got = plotted_points(ax)  # without groups, one scatter of every word, in word order
    np.testing.assert_allclose(np.abs(got), np.abs(expected), atol=1e-5)
    variance = s[:2] ** 2 / np.sum(s ** 2) * 100
    assert ax.get_xlabel() == f"PC 1 ({variance[0]:.1f}% of the variance)"


def test_tsne_with_five_points_lowers_perplexity(kv):
    words = ["w1", "w2", "w3", "w4", "w5"]
    with pytest.warns(UserWarning, match="perplexity lowered from t-SNE's usual 30 to 4"):
        ax = plot_embeddings(kv, words, method="tsne")
    assert len(plotted_points(ax)) == 5
    assert ax.get_title() == "t-SNE of 5 word vectors (perplexity 4)"
    assert ax.get_legend() is None  # no groups, nothing to explain
    with pytest.warns(UserWarning, match="perplexity lowered from 10 to 4"):
        plot_embeddings(kv, words, method="tsne", perplexity=10)


def test_tsne_is_reproducible_with_a_seed(kv):
    groups = {"g": ["w1", "w2", "w3", "w4", "w5", "w6", "w7"]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a perplexity below the number of points is kept without a warning
        first = plotted_points(plot_embeddings(kv, groups=groups, method="tsne", perplexity=3, seed=4))
        again = plotted_points(plot_embeddings(kv, groups=groups, method="tsne", perplexity=3,
                                               seed=np.random.default_rng(4)))
    np.testing.assert_array_equal(first, again)


def test_tsne_random_init_depends_on_the_seed(kv):
    groups = {"g": ["w1", "w2", "w3", "w4", "w5", "w6", "w7"]}
    layouts = [plotted_points(plot_embeddings(kv, groups=groups, method="tsne", perplexity=3, seed=seed,
                                              init="random")) for seed in (0, 1, 0)]
    np.testing.assert_array_equal(layouts[0], layouts[2])
    assert not np.allclose(layouts[0], layouts[1])


def test_draws_on_the_given_axes(kv):
    _, (left, right) = plt.subplots(1, 2)
    assert plot_embeddings(kv, ["w1", "w2", "w3"], ax=right, title="mine") is right
    assert right.get_title() == "mine" and not left.collections


def test_unknown_words_are_all_named(kv):
    with pytest.raises(KeyError, match=r"2 of the words to plot are not in the vocabulary: \['zz', 'yy'\]"):
        plot_embeddings(kv, ["w1", "zz"], groups={"g": ["yy", "w2"]})


@pytest.mark.parametrize("words, groups, method, message", [
    (["w1", "w2", "w1"], None, "pca", "repeated: \\['w1'\\]"),
    (None, {"a": ["w1", "w2"], "b": ["w2"]}, "pca", "groups must not share words: 'w2' is in 'a' and 'b'"),
    (["w1"], None, "pca", "at least 2 words"),
    (["w1", "w2"], None, "umap", "method must be one of 'pca', 'tsne', got 'umap'"),
    (None, None, "pca", "give the words to plot"),
])
def test_bad_arguments(kv, words, groups, method, message):
    with pytest.raises(ValueError, match=message):
        plot_embeddings(kv, words, groups=groups, method=method)


def test_bad_perplexity(kv):
    with pytest.raises(ValueError, match="perplexity must be > 0"):
        plot_embeddings(kv, ["w1", "w2", "w3"], method="tsne", perplexity=0)


# --- colours and labels ---------------------------------------------------------------------------------------------

def scatter_colours(ax):
    """Legend label -> the RGBA face colour of its points."""
    return {collection.get_label(): tuple(collection.get_facecolor()[0]) for collection in ax.collections}


def test_a_group_keeps_its_colour_whatever_else_is_plotted(kv):
    first = scatter_colours(plot_embeddings(kv, groups={"countries": ["w1", "w2"], "capitals": ["w3", "w4"]}))
    second = scatter_colours(plot_embeddings(kv, groups={"numbers": ["w5", "w6"], "foods": ["w7"],
                                                         "countries": ["w8", "w9"]}, words=["w0"]))
    assert first["countries"] == second["countries"] == matplotlib.colors.to_rgba(GROUP_COLOURS["countries"])
    assert second["other"] == matplotlib.colors.to_rgba(GROUP_COLOURS["other"])
    # the course's groups have distinct colours, except the two spellings of one group
    named = {name: colour for name, colour in GROUP_COLOURS.items() if name != "colors"}
    assert len(set(named.values())) == len(named)


def test_an_unknown_group_gets_the_same_colour_every_time():
    colour = group_colour("planets")
    assert colour == group_colour("planets") and matplotlib.colors.is_color_like(colour)
    assert colour not in GROUP_COLOURS.values()
    with pytest.raises(TypeError, match="name must be a group name"):
        group_colour(3)


def label_boxes(ax):
    renderer = ax.figure.canvas.get_renderer()
    return [text.get_window_extent(renderer) for text in ax.texts]


def test_labels_of_a_dense_cluster_do_not_overlap():
    rng = np.random.default_rng(5)
    xy = np.concatenate([0.02 * rng.normal(size=(15, 2)), 1 + 0.02 * rng.normal(size=(15, 2))])
    words = [f"word{i}" for i in range(len(xy))]
    _, ax = plt.subplots(figsize=(6, 5))
    ax.scatter(*xy.T)
    texts = label_points(ax, xy, words)
    assert [text.get_text() for text in texts] == words
    boxes = label_boxes(ax)
    overlapping = [(i, j) for i in range(len(boxes)) for j in range(i) if boxes[i].overlaps(boxes[j])]
    assert overlapping == []
    # with every label at its point, most of them would overlap
    _, crowded = plt.subplots(figsize=(6, 5))
    for word, (x, y) in zip(words, xy):
        crowded.text(x, y, word)
    crowded.set_xlim(ax.get_xlim())
    crowded.set_ylim(ax.get_ylim())
    boxes = label_boxes(crowded)
    assert sum(boxes[i].overlaps(boxes[j]) for i in range(len(boxes)) for j in range(i)) > 20


def test_labels_keep_clear_of_the_given_segments():
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    segments = [((0.0, 0.0), (1.0, 1.0)), ((1.0, 0.0), (0.0, 1.0))]
    _, ax = plt.subplots(figsize=(4, 4))
    ax.scatter(*xy.T)
    for (x0, y0), (x1, y1) in segments:
        ax.plot([x0, x1], [y0, y1])
    label_points(ax, xy, ["a", "b", "c", "d"], segments=segments)
    to_data = ax.transData.inverted()
    for box in label_boxes(ax):
        (left, bottom), (right, top) = to_data.transform([[box.x0, box.y0], [box.x1, box.y1]])
        along = np.linspace(0, 1, 201)
        for (x0, y0), (x1, y1) in segments:
            x, y = x0 + along * (x1 - x0), y0 + along * (y1 - y0)
            assert not np.any((left < x) & (x < right) & (bottom < y) & (y < top))


def test_label_points_wants_one_point_per_word():
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"xy must have shape \(n, 2\) with one row per word, got \(3, 2\) for 2"):
        label_points(ax, np.zeros((3, 2)), ["a", "b"])


# --- loss curves ---------------------------------------------------------------------------------------------------

def test_plot_loss_of_a_list():
    ax = plot_loss([4.0, 3.0, 2.5, 2.0])
    (line,) = ax.get_lines()
    assert line.get_xdata().tolist() == [1, 2, 3, 4] and line.get_ydata().tolist() == [4.0, 3.0, 2.5, 2.0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Training loss", "record", "loss")
    assert legend_labels(ax) == ["loss"]


def test_plot_loss_smoothing_is_a_trailing_moving_average():
    ax = plot_loss([6.0, 3.0, 3.0, 0.0, 3.0], smooth=3)
    raw, smoothed = ax.get_lines()
    # Windows of 3: (6+3+3)/3 = 4 at x=3, (3+3+0)/3 = 2 at x=4, (3+0+3)/3 = 2 at x=5.
    assert smoothed.get_xdata().tolist() == [3, 4, 5]
    np.testing.assert_allclose(smoothed.get_ydata(), [4.0, 2.0, 2.0])
    assert len(raw.get_xdata()) == 5
    assert legend_labels(ax) == ["loss", "mean of 3 consecutive values"]


def test_plot_loss_of_a_training_history_uses_tokens_as_x():
    history = SimpleNamespace(loss=[3.0, 2.0, 1.5], tokens=[1000, 2000, 3000])
    for given in (history, {"loss": history.loss, "tokens": history.tokens}):
        ax = plot_loss(given)
        assert ax.get_lines()[0].get_xdata().tolist() == [1000, 2000, 3000]
        assert ax.get_xlabel() == "corpus tokens processed"
    ax = plot_loss([3.0, 2.0], x=[0.5, 1.0], xlabel="epoch")
    assert ax.get_lines()[0].get_xdata().tolist() == [0.5, 1.0] and ax.get_xlabel() == "epoch"


@pytest.mark.parametrize("history, kwargs, message", [
    ([1.0, 2.0], {"x": [1.0]}, "x has shape \\(1,\\) but there are 2 losses"),
    ([1.0, np.nan], {}, "NaN or infinity"),
    ([], {}, "non-empty 1-D"),
    ({"losses": [1.0]}, {}, "must have a 'loss' list"),
    ([1.0, 2.0], {"smooth": 3}, "smooth = 3 is longer than the 2 losses"),
    ([1.0, 2.0], {"smooth": 0}, "smooth must be >= 1, got 0"),
])
def test_plot_loss_rejects_bad_input(history, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_loss(history, **kwargs)
