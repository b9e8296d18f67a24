"""Tests of optbook.plotting: what each figure contains, its limits, and no warnings."""

from __future__ import annotations

import base64
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from optbook.functions import (  # noqa: E402
    STANDARD_SURFACES,
    beale,
    himmelblau,
    ill_conditioned_quadratic,
    quadratic,
    reddi_problem,
    rosenbrock,
    saddle,
)
from optbook.optimizers import SGD, Adam, Momentum  # noqa: E402
from optbook.plotting import (  # noqa: E402
    MAX_FRAMES,
    animate_trajectories,
    animation_html,
    plot_comparison,
    plot_contours,
    plot_losses,
    plot_online,
    plot_trajectories,
    run_styles,
    small_multiples,
)
from optbook.run import compare, run, run_online  # noqa: E402
from optbook.style import style_for  # noqa: E402


@pytest.fixture(autouse=True)
def _clean():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    plt.close("all")


def labels_of(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def run_lines(ax) -> list:
    return [ln for ln in ax.get_lines() if ln.get_label() not in ("start", "minimum", "minima")
            and not ln.get_label().startswith("_")]


@pytest.mark.parametrize("name", sorted(STANDARD_SURFACES))
def test_contours_limits_minima_and_labels(name: str) -> None:
    obj = STANDARD_SURFACES[name]()
    ax = plot_contours(obj)
    assert ax.get_xlim() == obj.bounds[0] and ax.get_ylim() == obj.bounds[1]
    stars = [ln for ln in ax.get_lines() if ln.get_marker() == "*"]
    n_minima = sum(len(ln.get_xdata()) for ln in stars)
    assert n_minima == len(obj.minima)
    assert ax.get_xlabel() and ax.get_ylabel()
    assert obj.name in ax.get_title()
    assert ax.figure.get_figwidth() <= 7


def test_log_surfaces_get_geometric_levels_and_quadratics_do_not() -> None:
    ax = plot_contours(rosenbrock(), filled=False)
    levels = ax.collections[-1].levels
    ratios = levels[1:] / levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    assert ratios[0] > 1.2
    ax = plot_contours(ill_conditioned_quadratic(), filled=False)
    levels = ax.collections[-1].levels
    assert not np.allclose(levels[1:] / levels[:-1], levels[1] / levels[0])


def test_trajectories_lines_legend_and_styles() -> None:
    obj = rosenbrock()
    results = compare(obj, {"SGD": SGD(lr=1e-3), "Adam": Adam(lr=0.05)}, 100)
    ax = plot_trajectories(obj, results, title="two runs")
    lines = run_lines(ax)
    assert len(lines) == 2
    for line, res in zip(lines, results, strict=True):
        np.testing.assert_allclose(np.column_stack(line.get_data()), res.path)
        assert line.get_color() == style_for(res)["color"]
    assert labels_of(ax) == ["SGD", "Adam", "start", "minimum"]
    assert ax.get_title() == "two runs"
    assert ax.get_xlim() == obj.bounds[0] and ax.get_ylim() == obj.bounds[1]


def test_diverged_run_is_labelled_clipped_and_keeps_the_window() -> None:
    obj = ill_conditioned_quadratic()
    results = compare(obj, [SGD(lr=0.5), SGD(lr=1.5)], 200)
    assert results[1].diverged
    ax = plot_trajectories(obj, results)
    labels = labels_of(ax)
    assert f"SGD (η=1.5) (diverged at t={results[1].diverged_at})" in labels
    assert ax.get_xlim() == obj.bounds[0] and ax.get_ylim() == obj.bounds[1]
    drawn = np.column_stack(run_lines(ax)[1].get_data())
    # drawn until the path leaves the window far behind, not up to 1e12
    assert len(drawn) < len(results[1].path)
    assert np.abs(drawn).max() < 10 * 16
    # two runs of one optimizer: same color, different line styles
    s1, s2 = run_styles(results)
    assert s1["color"] == s2["color"] and s1["linestyle"] != s2["linestyle"]


def test_losses_log_gap_with_zero_and_divergence() -> None:
    obj = quadratic((1.0,), start=(1.0,), bounds=((-2, 2),))
    exact = run(obj, SGD(lr=1.0), 10)  # x_1 = 0: the loss is exactly 0
    assert exact.losses[-1] == 0.0
    diverged = run(obj, SGD(lr=2.5), 500, label="too big")
    assert diverged.diverged
    ax = plot_losses([exact, diverged])
    assert ax.get_yscale() == "log"
    assert "f^*" in ax.get_ylabel()
    lines = ax.get_lines()
    assert len(lines) == 3  # two curves and the end marker of the diverged run
    for line in lines:
        y = np.asarray(line.get_ydata(), dtype=float)
        assert np.all(np.isfinite(y)) and np.all(y > 0)
    assert labels_of(ax) == ["SGD", f"too big (diverged at t={diverged.diverged_at})"]
    lo, hi = ax.get_ylim()
    assert np.isfinite(lo) and np.isfinite(hi) and lo > 0


def test_losses_without_minimum_use_loss_and_symlog() -> None:
    res = run(saddle(), SGD(lr=0.1), 60)
    ax = plot_losses(res)
    assert ax.get_yscale() == "symlog"
    assert "loss" in ax.get_ylabel() and "f^*" not in ax.get_ylabel()
    ax = plot_losses(res, log=False)
    assert ax.get_yscale() == "linear"


def test_comparison_figure_and_online_figure() -> None:
    obj = beale()
    results = compare(obj, [Adam(lr=0.1), Momentum(lr=1e-5, momentum=0.9)], 50)
    fig = plot_comparison(obj, results)
    assert len(fig.axes) == 2 and fig.get_figwidth() <= 7
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[:2] == ["Adam", "Momentum"]
    p = reddi_problem()
    online = [run_online(p, SGD(lr=0.1), 30), run_online(p, Adam(lr=0.1), 30)]
    fig = plot_online(online)
    assert len(fig.axes) == 2
    assert len(fig.axes[1].get_lines()) == 3  # two runs and the zero line


def frames_of(html: str) -> list[bytes]:
    flat = html.replace("\\\n", "")
    return [base64.b64decode(m) for m in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)",
                                                    flat)]


def test_animation_is_small_javascript_with_the_requested_frames() -> None:
    obj = rosenbrock()
    results = compare(obj, [SGD(lr=1e-3), Adam(lr=0.05)], 300)
    html = animation_html(obj, results, frames=MAX_FRAMES)
    assert len(html.encode()) < 1.5e6
    assert "Animation" in html and "<script" in html
    frames = frames_of(html)
    assert len(frames) == MAX_FRAMES
    assert all(f.startswith(b"\x89PNG") for f in frames)
    assert frames[0] != frames[-1]
    assert plt.get_fignums() == []  # nothing left to show as a static image


def test_animation_rejects_too_many_frames_and_returns_html_object() -> None:
    obj = ill_conditioned_quadratic()
    res = run(obj, SGD(lr=0.5), 30)
    with pytest.raises(ValueError, match="frames"):
        animation_html(obj, res, frames=MAX_FRAMES + 1)
    out = animate_trajectories(obj, res, frames=5)
    assert "Animation" in out.data
    assert len(frames_of(out.data)) == 5


def test_small_multiples_one_panel_per_value_with_titles() -> None:
    obj = ill_conditioned_quadratic()
    values = [0.1, 0.5, 0.9, 1.5]
    fig = small_multiples(obj, SGD, {"lr": values}, 30, ncols=3)
    shown = [ax for ax in fig.axes if ax.axison]
    assert len(shown) == 4 and len(fig.axes) == 6
    titles = [ax.get_title() for ax in shown]
    assert titles[:3] == ["η = 0.1", "η = 0.5", "η = 0.9"]
    div = run(obj, SGD(lr=1.5), 30)
    assert titles[3] == f"η = 1.5\ndiverged at t={div.diverged_at}"
    assert fig.get_figwidth() <= 7
    for ax in shown:
        assert ax.get_xlim() == obj.bounds[0]


def test_small_multiples_grid_of_two_parameters_and_start() -> None:
    obj = himmelblau()
    fig = small_multiples(obj, {"SGD": SGD, "Momentum": Momentum},
                          {"momentum": [0.5, 0.9], "start_x": [-1.0, 1.0]}, 20,
                          fixed={"lr": 0.005})
    assert len(fig.axes) == 4
    assert fig.axes[1].get_title() == "γ = 0.5, x₀ = 1"
    start_marker = [ln for ln in fig.axes[1].get_lines() if ln.get_label() == "start"][0]
    assert start_marker.get_xdata()[0] == 1.0
    # SGD does not take momentum, Momentum does; both take lr
    assert len(run_lines(fig.axes[0])) == 2
    with pytest.raises(ValueError, match="no optimizer accepts"):
        small_multiples(obj, SGD, {"momentum": [0.5]}, 5)


def test_legend_inside_a_given_axes_lists_runs_only() -> None:
    obj = saddle()
    fig, axes = plt.subplots(1, 2, figsize=(7, 3))
    results = [run(obj, SGD(lr=0.1), 20, start=(1.0, y0), label=f"y0={y0}") for y0 in (0.1, 0.01)]
    plot_trajectories(obj, results, ax=axes[0])
    assert labels_of(axes[0]) == ["y0=0.1", "y0=0.01"]
    # on its own figure the legend goes below and names the start too
    ax = plot_trajectories(obj, results)
    assert labels_of(ax) == ["y0=0.1", "y0=0.01", "start"]


def test_loss_floor_replaces_only_nonpositive_values() -> None:
    obj = quadratic((1.0,), start=(1.0,), bounds=((-2, 2),))
    slow = run(obj, SGD(lr=0.99), 40)  # x_t = 0.01^t: the loss reaches 1e-160, all positive
    exact = run(obj, SGD(lr=1.0), 5, label="exact")  # the loss is 0 from t = 1 on
    ax = plot_losses([slow, exact])
    y_slow = ax.get_lines()[0].get_ydata()
    np.testing.assert_array_equal(y_slow, slow.losses)  # drawn as they are
    y_exact = ax.get_lines()[1].get_ydata()
    assert y_exact[0] == 0.5 and np.all(y_exact[1:] == slow.losses[-1])  # the smallest value


def test_explicit_levels() -> None:
    ax = plot_contours(beale(), levels=[0.1, 1, 10, 100, 1000])
    np.testing.assert_allclose(ax.collections[-1].levels, [0.1, 1, 10, 100, 1000])
    ax = plot_contours(saddle(), levels=[-1, 0, 1], filled=False)
    np.testing.assert_allclose(ax.collections[-1].levels, [-1, 0, 1])


def test_animation_requests_no_other_host() -> None:
    """matplotlib's player loads Font Awesome from a CDN; ours draws its buttons as text."""
    obj = ill_conditioned_quadratic()
    html = animation_html(obj, [run(obj, SGD(lr=0.5), 10)], frames=5)
    assert re.findall(r"https?://", html) == []
    assert 'class="fa' not in html
    assert "&#x25B6;" in html  # the play button


def test_a_legend_of_thirteen_entries_fits_the_animation() -> None:
    """Eleven runs, the start and the minimum: three rows of at most six, inside the figure."""
    from optbook.plotting import MAX_LEGEND_COLUMNS, _build_animation

    obj = beale()
    names = ["SGD", "Momentum", "Nesterov", "Adagrad", "Adadelta", "RMSprop", "Adam",
             "AdaMax", "Nadam", "AMSGrad", "AdamW"]
    results = [run(obj, SGD(lr=10.0 ** -(4 + k)), 20, label=name)
               for k, name in enumerate(names)]
    fig, _, _ = _build_animation(obj, results, 4, (7.0, 6.2), 72, "Beale")
    legend = fig.axes[0].get_legend()
    assert len(legend.get_texts()) == 13  # the eleven runs, "start" and "minimum"
    assert legend._ncols <= MAX_LEGEND_COLUMNS
    fig.canvas.draw()
    box, frame = legend.get_window_extent(), fig.bbox
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
