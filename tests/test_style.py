"""Tests of optbook.style: one distinct, color-blind-readable look per optimizer."""

from __future__ import annotations

import itertools
import warnings

import matplotlib as mpl
import pytest
from matplotlib.colors import is_color_like, to_rgb
from matplotlib.lines import Line2D

from optbook import style
from optbook.style import (
    COMPARED_PAIRS,
    FALLBACK_STYLE,
    MINIMUM_STYLE,
    OPTIMIZER_STYLES,
    START_STYLE,
    apply_book_style,
    book_style,
    color_difference,
    optimizer_name,
    register_style,
    simulate_cvd,
    style_for,
    symbol,
)

BOOK_OPTIMIZERS = [
    "SGD", "Momentum", "Nesterov", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdaMax",
    "Nadam", "AMSGrad", "AdamW", "QHAdam", "AggMo", "GradientNoise",
]


def test_every_optimizer_has_a_valid_distinct_triple() -> None:
    assert set(OPTIMIZER_STYLES) == set(BOOK_OPTIMIZERS)
    triples = list(OPTIMIZER_STYLES.values())
    assert len(set(triples)) == len(triples)
    markers = [m for _, _, m in triples if m]
    # each optimizer except the noise wrapper (which borrows its inner's) has its own marker
    assert len(set(markers)) == len(markers) - 1
    for color, linestyle, marker in triples:
        assert is_color_like(color)
        assert linestyle in Line2D.lineStyles
        assert marker in Line2D.markers
        assert marker != MINIMUM_STYLE["marker"]  # stars mark minima only


def test_compared_pairs_differ_in_color_for_color_blind_readers() -> None:
    for a, b in COMPARED_PAIRS:
        ca, cb = style_for(a)["color"], style_for(b)["color"]
        assert ca != cb, (a, b)
        assert color_difference(ca, cb) >= 30, (a, b)
        for kind in ("deuteranopia", "protanopia"):
            assert color_difference(ca, cb, kind) >= 30, (a, b, kind)
        # tritanopia is rare and harder for this palette: still noticeable
        assert color_difference(ca, cb, "tritanopia") >= 15, (a, b)


def test_no_line_color_is_too_pale_on_white() -> None:
    for color, _, _ in OPTIMIZER_STYLES.values():
        assert color_difference(color, "white") >= 35


def test_cvd_simulation_keeps_grays_and_merges_red_and_green() -> None:
    for kind in style.CVD_MATRICES:
        r, g, b = simulate_cvd("#808080", kind)
        assert abs(r - g) < 0.02 and abs(g - b) < 0.02
    # pure red and green look alike to a deuteranope, unlike to everyone else
    assert color_difference("#ff0000", "#00ff00", "deuteranopia") < 0.5 * color_difference(
        "#ff0000", "#00ff00")


def test_style_for_classes_instances_names_and_results() -> None:
    from optbook.optimizers import ALL_OPTIMIZERS, SGD, Adam, GradientNoise

    for cls in ALL_OPTIMIZERS:
        st = style_for(cls)
        assert st != FALLBACK_STYLE, cls.__name__
        assert st == style_for(cls()) == style_for(cls.__name__.lower())
        assert st == style_for(cls.__name__.upper())
    adam = style_for("Adam")
    assert adam == {"color": OPTIMIZER_STYLES["Adam"][0], "linestyle": "-",
                    "marker": OPTIMIZER_STYLES["Adam"][2]}
    noisy = style_for(GradientNoise(Adam()))
    assert noisy["color"] == adam["color"] and noisy["linestyle"] == ":"
    assert style_for("gradient_noise(adam)") == noisy
    assert optimizer_name(GradientNoise(SGD())) == "GradientNoise(SGD)"

    class Result:
        optimizer = "GradientNoise(SGD)"

    assert style_for(Result())["color"] == OPTIMIZER_STYLES["SGD"][0]
    assert style_for("gd") == style_for("SGD")


def test_unknown_optimizer_falls_back_quietly() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        st = style_for("MyOwnOptimizer")
    assert st == FALLBACK_STYLE and st is not FALLBACK_STYLE
    assert st not in [style_for(n) for n in BOOK_OPTIMIZERS]


def test_register_style() -> None:
    register_style("Lion", "#882255", "-", "*")
    try:
        assert style_for("lion") == {"color": "#882255", "linestyle": "-", "marker": "*"}
    finally:
        style._CUSTOM.clear()
    with pytest.raises(ValueError):
        register_style("Bad", "not-a-color")


def test_markers_for_start_and_minimum_are_distinct() -> None:
    assert START_STYLE["marker"] != MINIMUM_STYLE["marker"]
    assert to_rgb(MINIMUM_STYLE["markerfacecolor"]) not in [
        to_rgb(c) for c, _, _ in OPTIMIZER_STYLES.values()
    ]


def test_book_rcparams_fit_a_laptop() -> None:
    with book_style():
        w, h = mpl.rcParams["figure.figsize"]
        assert w <= 7 and h <= w
        assert mpl.rcParams["figure.dpi"] == 100
        assert mpl.rcParams["axes.grid"]
    saved = mpl.rcParams.copy()
    try:
        apply_book_style()
        assert mpl.rcParams["font.size"] == 11
    finally:
        mpl.rcParams.update(saved)


def test_symbols() -> None:
    assert symbol("lr") == "η"
    assert symbol("beta2") == "β₂"
    assert symbol("momentum") == "γ"
    assert symbol("beta") == "β"  # QHM's and AggMo's damping
    assert symbol("unknown") == "unknown"
    # the noise's own η and γ are not the learning rate and the momentum
    assert symbol("eta_noise") == "noise η" != symbol("lr")
    assert symbol("gamma_noise") == "noise γ" != symbol("momentum")


def test_all_pairs_at_least_distinguishable_by_triple() -> None:
    for a, b in itertools.combinations(BOOK_OPTIMIZERS, 2):
        assert style_for(a) != style_for(b)
