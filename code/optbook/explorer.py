"""Interactive explorers (ipywidgets) with a static fallback for the book's website.

An :class:`Explorer` is a row of sliders above a picture that is redrawn when a
slider moves. Displayed in a notebook, it offers two representations:

- ``application/vnd.jupyter.widget-view+json``: the live widget, which
  Jupyter, Binder, Colab and VS Code render when a kernel runs;
- ``text/html``: the **static fallback**, a ``<figure>`` with the same lesson
  drawn for a few slider values (small multiples, as inline base64 PNG) and a
  caption saying that it is the static version of the explorer.

(``text/plain`` is there too.) A live notebook picks the widget; the book's
static site, whose renderer (myst-nb) is configured to prefer ``text/html``
over widget views, shows the fallback. Nothing else is needed in the chapter:
the last line of the cell is the explorer.

The fallback draws one slider over ``fallback_values`` (a dict with one, or
two, slider names -> list of values); by default it takes the first
hyperparameter slider (a ``start_*`` slider only if there is no other) at six
values spread over its range (log-spaced for a log slider), with the other
sliders at their initial values.

:func:`optimizer_explorer` builds the explorer of the chapters (trajectories on
a surface plus loss curves, sliders for hyperparameters and the start point);
:func:`explorer` is the generic form for a chapter's own drawing.
"""

from __future__ import annotations

import base64
import html
import io
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .plotting import (
    START_PARAMS,
    _accepts,
    build_optimizers,
    plot_comparison,
    plot_trajectories,
    small_multiples,
    split_params,
)
from .run import compare
from .style import symbol

__all__ = ["Explorer", "Slider", "explorer", "optimizer_explorer"]

#: Number of panels of the default fallback.
FALLBACK_PANELS = 6


@dataclass
class Slider:
    """One slider: its range, initial value, step and label.

    ``log=True`` makes a logarithmic slider (``FloatLogSlider``; ``min`` must be
    > 0 and ``step`` is then a step of the base-10 exponent). ``label`` is the
    text before the slider; by default the book's symbol for the parameter
    name (``lr`` -> "η", ``start_x`` -> "x₀"); ``description`` is accepted as
    another name for it, as in ipywidgets. ``integer=True`` makes an
    ``IntSlider``. ``step`` defaults to 1/100 of the range.
    """

    min: float
    max: float
    value: float
    step: float | None = None
    log: bool = False
    label: str | None = None
    integer: bool = False
    description: str | None = None

    def __post_init__(self) -> None:
        if self.label is None and self.description is not None:
            self.label = self.description  # ipywidgets' name for the label
        for name in ("min", "max", "value"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
                raise ValueError(f"Slider {name} must be a number, got {v!r}")
            if not math.isfinite(v):
                raise ValueError(f"Slider {name} must be finite, got {v!r}")
        if not self.min < self.max:
            raise ValueError(f"Slider needs min < max, got min={self.min}, max={self.max}")
        if not self.min <= self.value <= self.max:
            raise ValueError(
                f"Slider value {self.value} is outside [min, max] = [{self.min}, {self.max}]"
            )
        if self.log and self.min <= 0:
            raise ValueError(f"a log Slider needs min > 0, got {self.min}")
        if self.log and self.integer:
            raise ValueError("a Slider cannot be both log and integer")
        if self.step is not None and self.step <= 0:
            raise ValueError(f"Slider step must be > 0, got {self.step}")

    def make_widget(self, name: str, continuous_update: bool = False) -> widgets.Widget:
        """The ipywidgets slider for parameter ``name``."""
        desc = self.label if self.label is not None else symbol(name)
        common = {
            "description": desc,
            "continuous_update": continuous_update,
            "style": {"description_width": "initial"},
            "layout": widgets.Layout(width="320px"),
        }
        if self.log:
            lo, hi = math.log10(self.min), math.log10(self.max)
            return widgets.FloatLogSlider(
                value=self.value, base=10, min=lo, max=hi,
                step=self.step or (hi - lo) / 100, readout_format=".3g", **common,
            )
        if self.integer:
            return widgets.IntSlider(
                value=int(self.value), min=int(self.min), max=int(self.max),
                step=int(self.step or 1), **common,
            )
        return widgets.FloatSlider(
            value=self.value, min=self.min, max=self.max,
            step=self.step or (self.max - self.min) / 100, readout_format=".3g", **common,
        )

    def spread(self, n: int = FALLBACK_PANELS) -> list[float]:
        """``n`` values across the range (log-spaced for a log slider), rounded to 3 digits."""
        if self.log:
            vals = np.geomspace(self.min, self.max, n)
        else:
            vals = np.linspace(self.min, self.max, n)
        if self.integer:
            return sorted({int(round(v)) for v in vals})
        return [float(f"{v:.3g}") for v in vals]


def _png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _fmt(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float | np.floating) else str(v)


class Explorer:
    """Sliders that redraw a figure, with a static fallback (see the module docstring).

    Attributes
    ----------
    widget:
        the ``ipywidgets.VBox``: sliders, the picture (an ``Image`` widget
        holding the PNG of the latest drawing) and a status line.
    controls:
        parameter name -> slider widget.
    n_draws:
        how many times the figure has been drawn (the initial drawing is 1).
    last_draw_seconds:
        the time the latest drawing took.
    last_error:
        the message of the latest failed drawing, or ``None``. A drawing that
        raises (an invalid hyperparameter combination, say) leaves the old
        picture and shows the message in the status line instead of a traceback.
    """

    def __init__(
        self,
        draw: Callable[..., Figure],
        sliders: Mapping[str, Slider],
        fallback_values: Mapping[str, Sequence[Any]] | None = None,
        *,
        fallback: Figure | Callable[[], Figure] | None = None,
        caption: str | None = None,
        dpi: int = 90,
        fallback_dpi: int = 110,
        continuous_update: bool = False,
    ) -> None:
        if not sliders:
            raise ValueError("an explorer needs at least one slider")
        for name, s in sliders.items():
            if not isinstance(s, Slider):
                raise ValueError(f"sliders[{name!r}] must be a Slider, got {type(s).__name__}")
        self.draw = draw
        self.sliders = dict(sliders)
        self.caption = caption
        self.dpi = dpi
        self.fallback_dpi = fallback_dpi
        self._fallback = fallback
        self.fallback_values = self._check_fallback_values(fallback_values)
        self._fallback_html: str | None = None
        self.n_draws = 0
        self.last_draw_seconds = 0.0
        self.last_error: str | None = None

        self.controls = {
            name: s.make_widget(name, continuous_update) for name, s in self.sliders.items()
        }
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.status = widgets.HTML(value="")
        box = widgets.Box(
            list(self.controls.values()),
            layout=widgets.Layout(display="flex", flex_flow="row wrap"),
        )
        self.widget = widgets.VBox([box, self.image, self.status])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()

    # ------------------------------------------------------------ live widget
    @property
    def values(self) -> dict[str, Any]:
        """The current slider values, name -> value."""
        return {name: c.value for name, c in self.controls.items()}

    def set(self, **values: Any) -> None:
        """Move sliders (each move redraws, as if the reader had moved them)."""
        for name, v in values.items():
            if name not in self.controls:
                raise ValueError(f"no slider named {name!r}; sliders: {list(self.controls)}")
            self.controls[name].value = v

    def _on_change(self, change: Mapping[str, Any]) -> None:
        self.redraw()

    def figure(self, **values: Any) -> Figure:
        """The figure for the current slider values, overridden by ``values``."""
        return self.draw(**{**self.values, **values})

    def redraw(self) -> None:
        """Draw the figure for the current values into the picture."""
        t0 = time.perf_counter()
        fig = None
        try:
            fig = self.figure()
            self.image.value = _png(fig, self.dpi)
            self.last_error = None
            self.status.value = ""
        except (ValueError, ArithmeticError) as err:
            self.last_error = f"{type(err).__name__}: {err}"
            self.status.value = (
                f"<span style='color:#b00'>Cannot draw: {html.escape(str(err))}</span>"
            )
        finally:
            if fig is not None:
                plt.close(fig)
            self.n_draws += 1
            self.last_draw_seconds = time.perf_counter() - t0

    # -------------------------------------------------------- static fallback
    def _check_fallback_values(
        self, values: Mapping[str, Sequence[Any]] | None
    ) -> dict[str, list[Any]]:
        if values is None:
            names = [n for n in self.sliders if n not in START_PARAMS] or list(self.sliders)
            name = names[0]
            return {name: self.sliders[name].spread()}
        values = {k: list(v) for k, v in values.items()}
        if not values or len(values) > 2 or any(not v for v in values.values()):
            raise ValueError(
                "fallback_values must map one or two slider names to non-empty lists, "
                f"got {values!r}"
            )
        for k in values:
            if k not in self.sliders:
                raise ValueError(f"fallback_values names {k!r}, which is not a slider")
        return values

    def _fallback_summary(self) -> str:
        parts = []
        for k, vals in self.fallback_values.items():
            label = self.sliders[k].label or symbol(k)
            parts.append(f"{label} = " + ", ".join(_fmt(v) for v in vals))
        others = [k for k in self.sliders if k not in self.fallback_values]
        text = "; ".join(parts)
        if others:
            fixed = ", ".join(
                f"{self.sliders[k].label or symbol(k)} = {_fmt(self.sliders[k].value)}"
                for k in others
            )
            text += f" (with {fixed})"
        return text

    def fallback_figure(self) -> Figure:
        """The static figure: ``fallback`` if given, else :meth:`_fallback_grid`."""
        if isinstance(self._fallback, Figure):
            return self._fallback
        if callable(self._fallback):
            return self._fallback()
        return self._fallback_grid()

    def _fallback_grid(self) -> Figure:
        """The drawing for each fallback value, tiled (generic explorers)."""
        combos = _combos(self.fallback_values)
        initial = {k: s.value for k, s in self.sliders.items()}
        pngs = []
        for combo in combos:
            fig = self.draw(**{**initial, **combo})
            pngs.append(plt.imread(io.BytesIO(_png(fig, self.fallback_dpi))))
            plt.close(fig)
        ncols = min(len(pngs), 2 if len(pngs) <= 4 else 3)
        nrows = math.ceil(len(pngs) / ncols)
        h, w = pngs[0].shape[:2]
        width = 7.0
        height = width / ncols * h / w * nrows + 0.3 * nrows
        grid = plt.figure(figsize=(width, height), layout="constrained")
        axes = np.atleast_1d(grid.subplots(nrows, ncols, squeeze=False)).ravel()
        for ax, img, combo in zip(axes, pngs, combos, strict=False):
            ax.imshow(img)
            ax.set_title(", ".join(f"{self.sliders[k].label or symbol(k)} = {_fmt(v)}"
                                   for k, v in combo.items()), fontsize=10)
        for ax in axes:
            ax.set_axis_off()
        return grid

    def fallback_html(self) -> str:
        """The static fallback: a ``<figure>`` with an inline base64 PNG and a caption.

        Computed once and cached.
        """
        if self._fallback_html is None:
            fig = self.fallback_figure()
            try:
                data = base64.b64encode(_png(fig, self.fallback_dpi)).decode("ascii")
            finally:
                plt.close(fig)
            summary = html.escape(self._fallback_summary())
            lead = f"{html.escape(self.caption)} " if self.caption else ""
            caption = (
                f"{lead}<em>Static version of the interactive explorer</em>, drawn for {summary}. "
                "Run this notebook (Jupyter, Binder or Colab) to move the sliders yourself."
            )
            self._fallback_html = (
                '<figure class="optbook-explorer-fallback" style="margin:1em 0">'
                f'<img src="data:image/png;base64,{data}" style="max-width:100%;height:auto" '
                f'alt="Static version of the interactive explorer: {summary}">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
        return self._fallback_html

    def render_fallback(self) -> Any:
        """The fallback as an ``IPython.display.HTML`` object (to show it in a notebook)."""
        from IPython.display import HTML

        return HTML(self.fallback_html())

    show_fallback = render_fallback

    # ------------------------------------------------------------- display
    def __repr__(self) -> str:
        names = ", ".join(self.sliders[k].label or symbol(k) for k in self.sliders)
        return f"<Explorer with sliders {names}: run the notebook to use it>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any
                          ) -> dict[str, Any]:
        """The widget view, the static fallback (``text/html``) and ``text/plain``."""
        bundle = widget_view_bundle(self.widget, include=include, exclude=exclude)
        bundle["text/html"] = self.fallback_html()
        bundle["text/plain"] = repr(self)
        return bundle


#: The mime type of a live widget view (ipywidgets 7 and 8).
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


def widget_view_bundle(widget: Any, include: Any = None, exclude: Any = None) -> dict[str, Any]:
    """The mime bundle of a widget's live view, for ipywidgets 8 and 7.

    ipywidgets 8 widgets have ``_repr_mimebundle_``. ipywidgets 7 (what Google
    Colab ships) only has ``_ipython_display_``, which publishes the same
    widget-view message itself; here it is built from the widget's model id,
    exactly as ipywidgets 7 does, so that an explorer works on both.
    """
    method = getattr(widget, "_repr_mimebundle_", None)
    if method is not None:
        return dict(method(include=include, exclude=exclude) or {})
    model_id = getattr(widget, "_model_id", None) or getattr(widget, "model_id", None)
    if model_id is None:
        raise ValueError(f"{widget!r} is not an ipywidgets widget: it has no model id")
    return {
        "text/plain": repr(widget),
        WIDGET_VIEW_MIME: {"version_major": 2, "version_minor": 0, "model_id": model_id},
    }


def _combos(values: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    names = list(values)
    if len(names) == 1:
        return [{names[0]: v} for v in values[names[0]]]
    return [{names[0]: a, names[1]: b} for a in values[names[0]] for b in values[names[1]]]


def explorer(
    draw: Callable[..., Figure],
    sliders: Mapping[str, Slider],
    fallback_values: Mapping[str, Sequence[Any]] | None = None,
    **kwargs: Any,
) -> Explorer:
    """A generic explorer: ``draw(**slider_values)`` returns a matplotlib Figure.

    ``draw`` is called with every slider's value by name each time a slider
    moves; its figure is rendered to PNG and closed. The static fallback tiles
    the drawings for ``fallback_values`` (see the module docstring), unless
    ``fallback=`` gives a figure (or a function returning one) to show instead.
    Other keyword arguments go to :class:`Explorer` (``caption``, ``dpi``,
    ``continuous_update``).
    """
    return Explorer(draw, sliders, fallback_values, **kwargs)


def optimizer_explorer(
    objective: Any,
    optimizers: Any | Mapping[str, Any],
    sliders: Mapping[str, Slider],
    steps: int = 100,
    start: Sequence[float] | None = None,
    fixed: Mapping[str, Any] | None = None,
    fallback_values: Mapping[str, Sequence[Any]] | None = None,
    *,
    show_losses: bool = True,
    resolution: int = 120,
    caption: str | None = None,
    **kwargs: Any,
) -> Explorer:
    """Sliders for hyperparameters (and the start point) of optimizers on a 2-D surface.

    Each redraw runs every optimizer for ``steps`` steps with the slider values
    and draws the trajectories on the contours, next to the loss curves
    (``show_losses``).

    Parameters
    ----------
    objective:
        a 2-D :class:`~optbook.functions.Objective`.
    optimizers:
        an optimizer class (or a factory taking hyperparameters as keywords),
        or a dict ``label -> class/factory``. Each gets the slider and ``fixed``
        values it accepts: a ``momentum`` slider moves Momentum, not SGD.
    sliders:
        parameter name -> :class:`Slider`. The names ``start_x`` and
        ``start_y`` move the start point; every other name must be a
        keyword of at least one optimizer.
    steps, start:
        the budget and the start point (default ``objective.start``).
    fixed:
        hyperparameters that do not get a slider.
    fallback_values:
        the slider values of the static fallback (see the module docstring);
        its figure is :func:`~optbook.plotting.small_multiples`.
    """
    fixed = dict(fixed or {})
    start_arr = np.array(objective.start if start is None else start, dtype=float)
    factories = optimizers if isinstance(optimizers, Mapping) else {"": optimizers}
    for name in list(sliders) + list(fixed):
        if name in START_PARAMS:
            if getattr(objective, "dim", 2) != 2:
                raise ValueError(f"{name} needs a 2-D objective")
            continue
        if not any(_accepts(f, name) for f in factories.values()):
            raise ValueError(f"no optimizer accepts the hyperparameter {name!r}")
    opt_arg = optimizers

    def draw(**values: Any) -> Figure:
        kw, st = split_params({**fixed, **values}, start_arr)
        results = compare(objective, build_optimizers(opt_arg, kw), steps, st)
        title = objective.name + ": " + ", ".join(
            f"{sliders[k].label or symbol(k)} = {_fmt(v)}" for k, v in values.items()
        )
        if show_losses:
            return plot_comparison(objective, results, title=title, resolution=resolution,
                                   figsize=(7.0, 3.3))
        ax = plot_trajectories(objective, results, title=title, resolution=resolution)
        return ax.figure

    exp = Explorer(draw, sliders, fallback_values, caption=caption, **kwargs)

    def fallback() -> Figure:
        others = {k: s.value for k, s in sliders.items() if k not in exp.fallback_values}
        return small_multiples(objective, opt_arg, exp.fallback_values, steps, start_arr,
                               fixed={**fixed, **others})

    exp._fallback = fallback
    return exp
