r"""The book's figures: contours, trajectories, loss curves, animations, small multiples.

Every function draws with matplotlib (any backend, Agg included), returns the
``Axes`` or ``Figure`` it drew on, and never calls ``plt.show()``. Optimizer
colors come from :mod:`optbook.style`, so every figure of the book uses the
same look for the same method. Figures are at most 7 inches wide.

Conventions:

- A surface :math:`f(\theta)` with :math:`\theta = (x, y)` is drawn over its
  ``bounds``; the axes limits are fixed to the bounds, so an iterate that
  leaves the window (a diverging run) leaves the picture instead of zooming it
  out.
- Contour levels: log-spaced in :math:`f - f^*` for surfaces with
  ``log_contours`` (Rosenbrock, Beale, Himmelblau); otherwise, when
  :math:`f^*` is known, spaced as :math:`f^* + c k^2` (equally spaced ellipses
  on a quadratic), else linear (the saddle).
- Loss plots show the suboptimality :math:`f(\theta_t) - f^*` when every run
  knows :math:`f^*`. On a log axis, values that are zero or negative (exact
  convergence, or round-off just below :math:`f^*`) are drawn at a floor -- by
  default the smaller of :math:`10^{-16}` times the largest value plotted and
  the smallest positive value plotted -- so they neither vanish nor warn;
  positive values are drawn as they are.
"""

from __future__ import annotations

import base64
import functools
import inspect
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, HTMLWriter
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.transforms import offset_copy

from .run import RunResult, compare
from .style import MINIMUM_STYLE, START_STYLE, style_for, symbol

__all__ = [
    "CONTOUR_CMAP",
    "MAX_FRAMES",
    "animate_trajectories",
    "animation_html",
    "figure_to_base64",
    "plot_comparison",
    "plot_contours",
    "plot_losses",
    "plot_online",
    "plot_trajectories",
    "small_multiples",
]

#: Light gray background colormap: colored trajectories stay readable on it.
CONTOUR_CMAP = LinearSegmentedColormap.from_list("optbook_contours", ["#ffffff", "#d3d9e0"])
#: The most frames :func:`animate_trajectories` will embed (keeps the HTML small).
MAX_FRAMES = 40
#: The widest figure of the book, in inches.
MAX_WIDTH = 7.0

_LINE_KW = {"linewidth": 1.7, "markersize": 4.5, "markeredgewidth": 0.0}


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _window_figsize(
    bounds: Sequence[tuple[float, float]], width: float = 5.2
) -> tuple[float, float]:
    (x0, x1), (y0, y1) = bounds[0], bounds[1]
    ratio = (y1 - y0) / (x1 - x0)
    height = min(max(width * ratio, 2.4), 5.0) + 0.9  # room for the legend below
    return (width, height)


def _grid(objective: Any, bounds: tuple, resolution: int) -> tuple[np.ndarray, ...]:
    """X, Y and f(X, Y) on the window; cached per objective (explorers redraw often)."""
    try:
        return _cached_grid(objective, bounds, resolution)
    except TypeError:  # an unhashable objective of the reader's own
        return _compute_grid(objective, bounds, resolution)


def _compute_grid(objective: Any, bounds: tuple, resolution: int) -> tuple[np.ndarray, ...]:
    (x0, x1), (y0, y1) = bounds
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        Z = np.asarray(objective.value(np.stack([X, Y], axis=-1)), dtype=np.float64)
    return X, Y, Z


_cached_grid = functools.lru_cache(maxsize=32)(_compute_grid)


def _levels(objective: Any, Z: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """(levels, the field to contour, log?)."""
    finite = Z[np.isfinite(Z)]
    fstar = getattr(objective, "min_value", None)
    if getattr(objective, "log_contours", False):
        base = fstar if fstar is not None else float(finite.min())
        G = Z - base
        hi = float(np.nanmax(G))
        pos = G[np.isfinite(G) & (G > 0)]
        # the lowest level: the 0.5 % quantile of the grid, so that a few levels
        # outline the basin without a crowd of slivers along a flat valley floor
        lo = max(float(np.quantile(pos, 0.005)) if pos.size else hi * 1e-6, hi * 1e-7)
        levels = np.geomspace(lo, hi, n)
        return levels, np.clip(G, lo, None), True
    if fstar is not None:
        hi = float(finite.max())
        levels = fstar + (hi - fstar) * np.linspace(0, 1, n + 1)[1:] ** 2
        return levels, Z, False
    lo, hi = float(finite.min()), float(finite.max())
    return np.linspace(lo, hi, n + 2)[1:-1], Z, False


def plot_contours(
    objective: Any,
    ax: Axes | None = None,
    levels: int | Sequence[float] | None = None,
    resolution: int = 200,
    *,
    filled: bool = True,
    show_minima: bool = True,
    bounds: Sequence[tuple[float, float]] | None = None,
    title: str | None = None,
    aspect: str | None = None,
) -> Axes:
    r"""Contours of a 2-D objective over ``objective.bounds``, minima starred.

    ``levels``: a number of levels (default 18) or explicit values of
    :math:`f`. ``filled`` adds a light gray fill under the lines. ``aspect``:
    ``"equal"`` (default when the window is at most 3:1, so that gradients
    look perpendicular to the contours) or ``"auto"``. The axes limits are set
    to the bounds; ``title`` defaults to the objective's name and formula.
    """
    if getattr(objective, "dim", 2) != 2:
        raise ValueError(f"plot_contours needs a 2-D objective, got dim={objective.dim}")
    bounds = tuple(tuple(map(float, b)) for b in (bounds or objective.bounds))
    (x0, x1), (y0, y1) = bounds
    ax = _new_axes(ax, _window_figsize(bounds))
    X, Y, Z = _grid(objective, bounds, int(resolution))
    if levels is None or isinstance(levels, int | np.integer):
        lev, field, log = _levels(objective, Z, int(levels or 18))
    else:
        lev, field, log = np.asarray(levels, dtype=float), Z, False
        fstar = getattr(objective, "min_value", None)
        if getattr(objective, "log_contours", False) and fstar is not None and np.all(lev > fstar):
            lev = lev - fstar
            field, log = np.clip(Z - fstar, lev.min() * 1e-3, None), True
    norm = LogNorm(vmin=lev[0], vmax=lev[-1]) if log else None
    with np.errstate(all="ignore"):
        if filled:
            ax.contourf(X, Y, field, levels=lev, cmap=CONTOUR_CMAP, norm=norm, extend="both",
                        zorder=0)
        ax.contour(X, Y, field, levels=lev, colors="#7d8793", linewidths=0.6, alpha=0.85,
                   norm=norm, zorder=1)
    if show_minima and getattr(objective, "minima", ()):
        mins = np.array(objective.minima)
        inside = (mins[:, 0] >= x0) & (mins[:, 0] <= x1) & (mins[:, 1] >= y0) & (mins[:, 1] <= y1)
        if inside.any():
            ax.plot(mins[inside, 0], mins[inside, 1], **MINIMUM_STYLE,
                    label="minimum" if inside.sum() == 1 else "minima")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$", rotation=0, labelpad=8)
    ax.grid(False)
    if aspect is None:
        ratio = (y1 - y0) / (x1 - x0)
        aspect = "equal" if 1 / 3 <= ratio <= 3 else "auto"
    ax.set_aspect(aspect, adjustable="box")
    if title is None:
        name = getattr(objective, "name", "")
        formula = getattr(objective, "formula", "")
        title = f"{name}: {formula}" if formula and formula[1:-1] not in name else name
    if title:
        ax.set_title(title)
    return ax


def _clip_path(path: np.ndarray, bounds: Sequence[tuple[float, float]], margin: float = 2.0):
    """The path up to and including its first point far outside the window.

    Far means more than ``margin`` window-widths away; drawing stops there, so
    huge coordinates never reach the renderer, and the line still leaves the
    picture in the right direction.
    """
    (x0, x1), (y0, y1) = bounds
    wx, wy = x1 - x0, y1 - y0
    far = (
        (path[:, 0] < x0 - margin * wx) | (path[:, 0] > x1 + margin * wx)
        | (path[:, 1] < y0 - margin * wy) | (path[:, 1] > y1 + margin * wy)
    )
    idx = np.flatnonzero(far)
    return path if idx.size == 0 else path[: idx[0] + 1]


def _auto_markevery(n: int) -> int:
    return 1 if n <= 40 else int(math.ceil(n / 25))


def run_label(result: Any) -> str:
    """The legend label of a run: its label, plus "(diverged at t=k)" if it diverged."""
    at = getattr(result, "diverged_at", None)
    return f"{result.label} (diverged at t={at})" if at is not None else result.label


_MARKER_LABELS = ("start", "minimum", "minima")


def _ordered_handles(ax: Axes) -> tuple[list[Any], list[str]]:
    """Legend entries with the runs first and start / minimum last."""
    handles, labels = ax.get_legend_handles_labels()
    def rank(label: str) -> int:
        return _MARKER_LABELS.index(label) + 1 if label in _MARKER_LABELS else 0

    pairs = sorted(zip(handles, labels, strict=True), key=lambda hl: rank(hl[1]))
    return [h for h, _ in pairs], [lab for _, lab in pairs]


#: at most this many entries in one row of a legend below the axes
MAX_LEGEND_COLUMNS = 6


def _legend(ax: Axes, where: str | bool | None, ncol: int | None = None) -> None:
    handles, labels = _ordered_handles(ax)
    if not where or not handles:
        return
    kw = {"fontsize": 9, "handlelength": 2.6}
    if where == "below":
        n = len(handles)
        # two rows, or more when a row would hold more than MAX_LEGEND_COLUMNS
        # entries and run past the figure (eleven runs, the start and a minimum:
        # three rows of five)
        rows = max(2, math.ceil(n / MAX_LEGEND_COLUMNS))
        ncol = ncol or (n if n <= 4 else math.ceil(n / rows))
        # anchored 3.3 font sizes below the axes, clear of tick labels and x label
        below = offset_copy(ax.transAxes, fig=ax.figure, y=-3.3 * plt.rcParams["font.size"],
                            units="points")
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                  bbox_transform=below, ncol=ncol, frameon=False, columnspacing=1.2, **kw)
    elif where == "right":
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  frameon=False, **kw)
    else:
        # inside the axes, room is short: the runs only (the markers explain themselves)
        runs = [(h, lab) for h, lab in zip(handles, labels, strict=True)
                if lab not in _MARKER_LABELS]
        if runs:
            ax.legend([h for h, _ in runs], [lab for _, lab in runs],
                      loc=where if isinstance(where, str) else "best", framealpha=0.85, **kw)


def run_styles(results: Sequence[Any]) -> list[dict[str, Any]]:
    """The style of each run; repeats of one optimizer keep its color, vary line and marker.

    The first run of an optimizer gets the book's look; the k-th repeat (the
    same method with other hyperparameters) gets the next line style of
    ``-``, ``--``, ``:``, ``-.`` and a hollow marker, so that every line of a
    figure is distinct and the color still names the method.
    """
    seen: dict[str, int] = {}
    styles = []
    for res in results:
        st = style_for(res)
        key = getattr(res, "optimizer", str(res))
        k = seen.get(key, 0)
        seen[key] = k + 1
        if k:
            others = [ls for ls in ("-", "--", ":", "-.") if ls != st["linestyle"]]
            st["linestyle"] = others[(k - 1) % len(others)]
            st["markerfacecolor"] = "white"
            st["markeredgecolor"] = st["color"]
            st["markeredgewidth"] = 1.0
        styles.append(st)
    return styles


def plot_trajectories(
    objective: Any,
    results: RunResult | Sequence[RunResult],
    ax: Axes | None = None,
    title: str | None = None,
    mark_every: int | None = None,
    *,
    legend: str | bool | None = "auto",
    contours: bool = True,
    **contour_kwargs: Any,
) -> Axes:
    """Contours of ``objective`` with each run's path in its optimizer's style.

    The start is a white circle, minima yellow stars. A diverged run is drawn
    up to its last finite iterate and labelled "(diverged at t=k)"; the axes
    limits stay at the objective's bounds. ``mark_every`` puts a marker on
    every k-th iterate (default: every iterate up to 40 steps, else about 25
    markers). ``legend``: ``"below"`` the axes (never covers a path),
    ``"right"``, a matplotlib location such as ``"upper right"``, or ``False``;
    the default ``"auto"`` is ``"below"`` on a figure of its own and ``"best"``
    (inside) on an ``ax`` you pass, where a grid of panels leaves no room below.
    A legend inside the axes lists the runs only, not the start and minimum.
    """
    if isinstance(results, RunResult):
        results = [results]
    if legend == "auto":
        legend = "below" if ax is None else "best"
    if contours:
        ax = plot_contours(objective, ax, title=title, **contour_kwargs)
    else:
        ax = _new_axes(ax, _window_figsize(objective.bounds))
        if title:
            ax.set_title(title)
    bounds = tuple(tuple(b) for b in objective.bounds)
    for res, st in zip(results, run_styles(results), strict=True):
        path = _clip_path(np.asarray(res.path, dtype=float), bounds)
        me = mark_every or _auto_markevery(len(res.path) - 1)
        ax.plot(path[:, 0], path[:, 1], label=run_label(res), markevery=me, zorder=4,
                **{**_LINE_KW, **st})
    starts = {tuple(np.round(r.path[0], 12)) for r in results}
    for i, s in enumerate(sorted(starts)):
        ax.plot(*s, **START_STYLE, label="start" if i == 0 else None)
    ax.set_xlim(*bounds[0])
    ax.set_ylim(*bounds[1])
    _legend(ax, legend)
    return ax


def _loss_data(results: Sequence[Any], gap: bool, min_value: float | None):
    fstars = [min_value if min_value is not None else getattr(r, "min_value", None)
              for r in results]
    use_gap = gap and all(f is not None for f in fstars)
    ys = [np.asarray(r.losses, dtype=float) - (f if use_gap else 0.0)
          for r, f in zip(results, fstars, strict=True)]
    return ys, use_gap


def plot_losses(
    results: RunResult | Sequence[RunResult],
    ax: Axes | None = None,
    log: bool = True,
    gap: bool = True,
    *,
    min_value: float | None = None,
    floor: float | None = None,
    mark_every: int | None = None,
    title: str | None = None,
    legend: str | bool | None = "best",
) -> Axes:
    r"""Loss against step :math:`t` for each run, in its optimizer's style.

    With ``gap`` (default) and :math:`f^*` known for every run (from the run or
    ``min_value``), plots the suboptimality :math:`f(\theta_t) - f^*`;
    otherwise the loss :math:`f(\theta_t)`. ``log`` uses a log y axis; values
    :math:`\le 0` are drawn at ``floor`` (default: the smaller of
    :math:`10^{-16}\times` the largest value and the smallest positive value).
    If the losses themselves go negative with no :math:`f^*` (the saddle), a
    symmetric-log axis is used instead. A diverged run's line ends at its last
    finite loss with an ✕ and "(diverged at t=k)" in the legend.
    """
    if isinstance(results, RunResult):
        results = [results]
    ax = _new_axes(ax, (5.2, 3.4))
    ys, use_gap = _loss_data(results, gap, min_value)
    scale = "linear"
    if log:
        finite_max = max((float(np.max(np.abs(y))) for y in ys if y.size), default=1.0)
        if not use_gap and any(np.any(y <= 0) for y in ys):
            scale = "symlog"
        else:
            scale = "log"
            if floor is None:
                positive = [float(y[y > 0].min()) for y in ys if np.any(y > 0)]
                floor = min([1e-16 * max(finite_max, 1e-300), *positive])
            ys = [np.where(y > 0, y, floor) for y in ys]
    for res, y, st in zip(results, ys, run_styles(results), strict=True):
        t = np.arange(y.size)
        me = mark_every or _auto_markevery(y.size - 1)
        ax.plot(t, y, label=run_label(res), markevery=me, **{**_LINE_KW, **st})
        if getattr(res, "diverged_at", None) is not None:
            ax.plot(t[-1], y[-1], marker="X", markersize=9, color=st["color"],
                    markeredgecolor="white", markeredgewidth=0.8, linestyle="none", zorder=5)
    if scale == "symlog":
        ax.set_yscale("symlog", linthresh=1e-3)
    elif scale == "log":
        ax.set_yscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"suboptimality $f(\theta_t) - f^*$" if use_gap else r"loss $f(\theta_t)$")
    ax.set_xlim(0, max(max((len(y) - 1 for y in ys), default=1), 1))
    if title:
        ax.set_title(title)
    _legend(ax, legend)
    return ax


def plot_comparison(
    objective: Any,
    results: Sequence[RunResult],
    *,
    title: str | None = None,
    figsize: tuple[float, float] = (7.0, 3.4),
    log: bool = True,
    mark_every: int | None = None,
    resolution: int = 200,
) -> Figure:
    """Trajectories on the contours (left) next to their loss curves (right), one legend below."""
    fig = plt.figure(figsize=figsize, layout="constrained")
    (x0, x1), (y0, y1) = objective.bounds
    wide = (y1 - y0) / (x1 - x0) < 0.6  # a wide window gets the larger share of the width
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.7 if wide else 1.15, 1])
    plot_trajectories(objective, results, ax1, title="", mark_every=mark_every, legend=False,
                      resolution=resolution)
    plot_losses(results, ax2, log=log, mark_every=mark_every, legend=False)
    ax2.set_title("")
    handles, labels = _ordered_handles(ax1)
    fig.legend(handles, labels, loc="outside lower center",
               ncol=len(handles) if len(handles) <= 4 else math.ceil(len(handles) / 2),
               frameon=False, fontsize=9, handlelength=2.6)
    if title is None:
        title = objective.name
    if title:
        fig.suptitle(title, fontsize=12)
    return fig


def plot_online(results: Any | Sequence[Any], *, figsize: tuple[float, float] = (7.0, 3.0)
                ) -> Figure:
    r"""Two panels for :func:`~optbook.run.run_online` results: :math:`x_t` and :math:`R_t/t`."""
    if not isinstance(results, Sequence):
        results = [results]
    fig = plt.figure(figsize=figsize, layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    for res, st in zip(results, run_styles(results), strict=True):
        t = np.arange(1, res.path.size + 1)
        ax1.plot(t, res.path, label=res.label, linewidth=1.6, color=st["color"],
                 linestyle=st["linestyle"])
        ax2.plot(res.t, res.average_regret, label=res.label, linewidth=1.6, color=st["color"],
                 linestyle=st["linestyle"])
    ax1.set_xlabel("step $t$")
    ax1.set_ylabel("$x_t$", rotation=0, labelpad=10)
    ax1.set_ylim(-1.1, 1.1)
    ax2.set_xlabel("step $t$")
    ax2.set_ylabel("average regret $R_t / t$")
    ax2.axhline(0, color="#888888", linewidth=0.8)
    for ax in (ax1, ax2):
        ax.set_xscale("log")
    handles, labels = ax1.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=max(len(handles), 1),
               frameon=False, fontsize=9)
    return fig


# ---------------------------------------------------------------------------
# animation
# ---------------------------------------------------------------------------
def _build_animation(objective, results, frames, figsize, dpi, title):
    """A figure (Agg canvas, not managed by pyplot), a frame updater and the frame count."""
    if isinstance(results, RunResult):
        results = [results]
    frames = int(frames)
    if not 2 <= frames <= MAX_FRAMES:
        raise ValueError(
            f"frames must be between 2 and {MAX_FRAMES} (each frame is an embedded PNG), "
            f"got {frames}"
        )
    if figsize[0] > MAX_WIDTH:
        raise ValueError(f"figsize is wider than {MAX_WIDTH} in: {figsize}")
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    plot_contours(objective, ax, filled=False, resolution=120, title=title)
    bounds = tuple(tuple(b) for b in objective.bounds)
    paths = [_clip_path(np.asarray(r.path, dtype=float), bounds) for r in results]
    lines, heads = [], []
    for res, st in zip(results, run_styles(results), strict=True):
        (line,) = ax.plot([], [], color=st["color"], linestyle=st["linestyle"], linewidth=1.6,
                          label=run_label(res), zorder=4)
        (head,) = ax.plot([], [], color=st["color"], marker=st["marker"], markersize=7,
                          markeredgecolor="white", markeredgewidth=0.6, linestyle="none",
                          zorder=5)
        lines.append(line)
        heads.append(head)
    ax.plot(*results[0].path[0], **START_STYLE, label="start")
    ax.set_xlim(*bounds[0])
    ax.set_ylim(*bounds[1])
    _legend(ax, "below")
    longest = max(len(r.path) - 1 for r in results)
    ts = np.unique(np.round(np.linspace(0, longest, frames)).astype(int))
    counter = ax.text(0.02, 0.96, "", transform=ax.transAxes, va="top", fontsize=10,
                      bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})

    def update(i: int) -> list[Any]:
        t = ts[i]
        for path, line, head in zip(paths, lines, heads, strict=True):
            p = path[: t + 1]
            line.set_data(p[:, 0], p[:, 1])
            head.set_data(p[-1:, 0], p[-1:, 1])
        counter.set_text(f"$t = {t}$")
        return [*lines, *heads, counter]

    return fig, update, len(ts)


def _palette_png(rgb: np.ndarray, colors: int = 128) -> bytes:
    """An RGB image as a PNG with an octree palette of ``colors`` colors, undithered.

    Antialiased contour lines make full-color frames about 70 kB each; the
    palette keeps them near 15 kB with the book's colors intact.
    """
    from PIL import Image

    img = Image.fromarray(np.ascontiguousarray(rgb[..., :3]))
    out = io.BytesIO()
    img.quantize(colors=colors, method=Image.Quantize.FASTOCTREE,
                 dither=Image.Dither.NONE).save(out, format="png")
    return out.getvalue()


# matplotlib's player draws its buttons with Font Awesome icons loaded from a
# CDN; the book must not depend on third-party hosts, so the icons become text.
_PLAYER_ICONS = {  # HTML character references, whatever the page's encoding
    "fa fa-minus": "&#x2212;",
    "fa fa-fast-backward": "&#x21E4;",
    "fa fa-step-backward": "&#x2039;",
    "fa fa-play fa-flip-horizontal": "&#x25C0;",
    "fa fa-pause": "&#x275A;&#x275A;",
    "fa fa-play": "&#x25B6;",
    "fa fa-step-forward": "&#x203A;",
    "fa fa-fast-forward": "&#x21E5;",
    "fa fa-plus": "+",
}


def _self_contained(html: str) -> str:
    """Drop the player's external icon stylesheet and draw its icons as text."""
    html = re.sub(r"<link[^>]*font-awesome[^>]*>\s*", "", html)
    for cls, glyph in _PLAYER_ICONS.items():
        html = html.replace(f'<i class="{cls}"></i>', f'<span aria-hidden="true">{glyph}</span>')
    return html


def animation_html(
    objective: Any,
    results: RunResult | Sequence[RunResult],
    frames: int = 30,
    interval: int = 150,
    *,
    figsize: tuple[float, float] = (4.8, 4.2),
    dpi: int = 72,
    title: str | None = None,
) -> str:
    """The HTML/JavaScript of :func:`animate_trajectories` as a string.

    The player is matplotlib's, the one ``FuncAnimation.to_jshtml()`` makes
    (``matplotlib.animation.HTMLWriter``): the frames are PNGs embedded in the
    page with a small JavaScript player (play, pause, step, a frame slider),
    so it plays on a static website -- no ffmpeg, no kernel, and no request to
    another host (the player's buttons are drawn as text). To keep the page
    small and fast to make, the background is drawn once and only the paths
    move (blitting), frames are 128-color palette PNGs, at most
    ``MAX_FRAMES`` = 40 frames at 72 dpi: about 20 kB per frame, under 1 MB in
    all. (Should a future matplotlib change the writer's internals, this falls
    back to ``FuncAnimation.to_jshtml()`` itself: same player, larger frames.)
    """
    fig, update, n = _build_animation(objective, results, frames, figsize, dpi, title)
    with plt.rc_context({"animation.frame_format": "png", "savefig.bbox": None}), \
            TemporaryDirectory() as tmp:
        path = Path(tmp, "animation.html")
        writer = HTMLWriter(fps=1000 / interval, embed_frames=True, default_mode="once")
        writer.setup(fig, path, dpi)  # may round the figure size to whole pixels
        if not isinstance(getattr(writer, "_saved_frames", None), list):
            anim = FuncAnimation(fig, update, frames=n, interval=interval, repeat=False)
            return _self_contained(anim.to_jshtml(default_mode="once"))
        canvas = fig.canvas
        canvas.draw()
        fig.set_layout_engine("none")  # freeze the layout: frames only move the paths
        background = canvas.copy_from_bbox(fig.bbox)
        for i in range(n):
            canvas.restore_region(background)
            for artist in update(i):
                fig.draw_artist(artist)
            png = _palette_png(np.asarray(canvas.buffer_rgba()))
            writer._saved_frames.append(base64.encodebytes(png).decode("ascii"))
        writer.finish()
        return _self_contained(path.read_text())


def animate_trajectories(
    objective: Any,
    results: RunResult | Sequence[RunResult],
    frames: int = 30,
    interval: int = 150,
    **kwargs: Any,
) -> Any:
    """An ``IPython.display.HTML`` animation of the runs on the contours.

    See :func:`animation_html` for what it holds.

    The last expression of a cell, it shows a player with play/pause and a
    frame slider; the figure itself is closed, so no extra static image appears.
    """
    from IPython.display import HTML

    return HTML(animation_html(objective, results, frames, interval, **kwargs))


# ---------------------------------------------------------------------------
# small multiples
# ---------------------------------------------------------------------------
START_PARAMS = {"start_x": 0, "start_y": 1}


def _accepts(factory: Callable[..., Any], name: str) -> bool:
    try:
        sig = inspect.signature(factory)
    except (TypeError, ValueError):
        return True
    params = sig.parameters.values()
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params) or name in sig.parameters


def split_params(
    params: Mapping[str, Any], start: Sequence[float] | np.ndarray
) -> tuple[dict[str, Any], np.ndarray]:
    """Split ``start_x`` / ``start_y`` (the start point) from optimizer hyperparameters."""
    start = np.array(start, dtype=float).copy()
    kwargs = {}
    for k, v in params.items():
        if k in START_PARAMS:
            start[START_PARAMS[k]] = v
        else:
            kwargs[k] = v
    return kwargs, start


def build_optimizers(
    make_optimizer: Callable[..., Any] | Mapping[str, Callable[..., Any]],
    kwargs: Mapping[str, Any],
) -> dict[str, Any]:
    """``label -> fresh optimizer``, each factory called with the kwargs it accepts.

    ``make_optimizer`` is one factory (an optimizer class or a function of
    hyperparameters) or a dict ``label -> factory``. A keyword that no factory
    accepts raises ``ValueError``.
    """
    if isinstance(make_optimizer, Mapping):
        factories = dict(make_optimizer)
    else:
        name = getattr(make_optimizer, "__name__", "")
        factories = {name if name and name != "<lambda>" else "": make_optimizer}
    for k in kwargs:
        if not any(_accepts(f, k) for f in factories.values()):
            raise ValueError(f"no optimizer accepts the hyperparameter {k!r}")
    opts = {}
    for label, f in factories.items():
        opt = f(**{k: v for k, v in kwargs.items() if _accepts(f, k)})
        opts[label or type(opt).__name__] = opt
    return opts


def _fmt_value(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float | np.floating) else str(v)


def small_multiples(
    objective: Any,
    make_optimizer: Callable[..., Any] | Mapping[str, Callable[..., Any]],
    values: Mapping[str, Sequence[Any]],
    steps: int,
    start: Sequence[float] | None = None,
    ncols: int = 3,
    *,
    fixed: Mapping[str, Any] | None = None,
    panel_width: float | None = None,
    title: str | None = None,
    resolution: int = 120,
) -> Figure:
    """A grid of trajectory plots, one per value of a hyperparameter.

    ``values`` maps one hyperparameter name to its values: one panel per value,
    ``ncols`` per row, each titled with the book's symbol ("η = 0.1") and, if
    a run diverged, "diverged at t=k". With two names, rows follow the first
    and columns the second. The names ``start_x`` and ``start_y`` move the
    start point instead. ``make_optimizer`` is a factory called with the
    hyperparameters (an optimizer class works: ``SGD`` gets ``lr=...``), or a
    dict ``label -> factory`` to draw several optimizers per panel (each gets
    the hyperparameters it accepts). ``fixed`` adds constant hyperparameters.
    """
    if not values or len(values) > 2:
        raise ValueError(f"values must name one or two hyperparameters, got {list(values)}")
    names = list(values)
    fixed = dict(fixed or {})
    start = objective.start if start is None else np.asarray(start, dtype=float)
    if len(names) == 1:
        combos = [{names[0]: v} for v in values[names[0]]]
        ncols = max(1, min(int(ncols), len(combos)))
        nrows = math.ceil(len(combos) / ncols) if combos else 0
    else:
        combos = [{names[0]: a, names[1]: b} for a in values[names[0]] for b in values[names[1]]]
        nrows, ncols = len(values[names[0]]), len(values[names[1]])
    if not combos:
        raise ValueError("values must not be empty")
    # run everything first, so the layout knows which titles need a second line
    panels = []
    for combo in combos:
        kwargs, st = split_params({**fixed, **combo}, start)
        opts = build_optimizers(make_optimizer, kwargs)
        panels.append((combo, compare(objective, opts, steps, st)))
    two_lines = any(r.diverged for _, results in panels for r in results)

    width = min(MAX_WIDTH, (panel_width or min(2.3, MAX_WIDTH / ncols)) * ncols)
    (x0, x1), (y0, y1) = objective.bounds
    ratio = (y1 - y0) / (x1 - x0)
    axes_w = width / ncols - 0.45  # minus tick labels and y label
    axes_h = min(max(axes_w * ratio if 1 / 3 <= ratio <= 3 else axes_w * 0.8, 0.6), 3.0)
    row_h = axes_h + 0.55 + (0.18 if two_lines else 0.0)
    fig = plt.figure(figsize=(width, row_h * nrows + 0.95), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    labels_seen: dict[str, Any] = {}
    for i, (ax, (combo, results)) in enumerate(zip(axes, panels, strict=False)):
        plot_trajectories(objective, results, ax, title="", legend=False,
                          resolution=resolution)
        head = ", ".join(f"{symbol(k)} = {_fmt_value(v)}" for k, v in combo.items())
        div = [r for r in results if r.diverged]
        if div:
            note = "; ".join(
                (f"{r.label} " if len(results) > 1 else "") + f"diverged at t={r.diverged_at}"
                for r in div
            )
            head = f"{head}\n{note}"
        ax.set_title(head, fontsize=10)
        row, col = divmod(i, ncols)
        if col:
            ax.set_ylabel("")
        if i + ncols < len(combos):
            ax.set_xlabel("")
        ax.tick_params(labelsize=8)
        for handle, lab in zip(*_ordered_handles(ax), strict=True):
            labels_seen.setdefault(lab.split(" (diverged")[0], handle)
    for ax in axes[len(combos):]:
        ax.set_axis_off()
    handles = list(labels_seen.values())
    fig.legend(handles, list(labels_seen), loc="outside lower center", ncol=len(handles),
               frameon=False, fontsize=9, handlelength=2.4)
    if title is None:
        opt_names = ", ".join(k for k in labels_seen if k not in _MARKER_LABELS)
        title = f"{opt_names} on the {objective.name}, {steps} steps"
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def figure_to_base64(fig: Figure, dpi: int = 100, fmt: str = "png") -> str:
    """The figure as a base64 string (for ``<img src="data:image/png;base64,...">``)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")
