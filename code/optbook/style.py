"""One look per optimizer for the whole book, readable by color-blind readers.

Fourteen optimizers are more than any color-blind-safe palette separates by hue
alone, so each optimizer gets a *triple* (color, line style, marker):

- **Colors** come from the Okabe & Ito (2008) palette, designed to stay
  distinguishable under the common color-vision deficiencies. Its yellow is
  too pale for lines on a white page, so it marks the minima instead; that
  leaves seven line colors.
- Each color serves at most two optimizers, one with a **solid** line (SGD,
  Momentum, Nesterov, Adagrad, RMSprop, Adam, Nadam) and one **dashed**
  (Adadelta, AdaMax, AMSGrad, AdamW, QHAdam, AggMo), and every optimizer has
  its own **marker** (none a star: stars mark minima), so all triples differ:

  ============== ============== ====== ======  ========= ============== ====== ======
  optimizer      color          line   marker  optimizer color          line   marker
  ============== ============== ====== ======  ========= ============== ====== ======
  SGD            black          solid  o       AMSGrad   black          dashed h
  Momentum       blue           solid  s       AdaMax    blue           dashed <
  Nesterov       orange         solid  ^       Adadelta  orange         dashed v
  Adagrad        sky blue       solid  D       AdamW     sky blue       dashed d
  RMSprop        bluish green   solid  p       AggMo     bluish green   dashed 8
  Nadam          reddish purple solid  >       QHAdam    reddish purple dashed H
  Adam           vermillion     solid  X
  ============== ============== ====== ======  ========= ============== ====== ======

- Colors were assigned so that the pairs a chapter puts side by side
  (``COMPARED_PAIRS``: each method with the one it improves on, and Adam with
  each of its variants) differ in color, and differ clearly under simulated
  deuteranopia and protanopia (CIELAB ΔE ≥ 30 with the Machado et al. 2009
  matrices; ``tests/test_style.py`` checks it). Adam, the method compared with
  most others, has vermillion to itself.
- :class:`~optbook.optimizers.GradientNoise` wrapping an optimizer takes that
  optimizer's color and marker with a **dotted** line.

Use :func:`style_for` for the matplotlib keyword arguments of an optimizer
class, instance, name (case-insensitive) or :class:`~optbook.run.RunResult`. An
unknown name gets ``FALLBACK_STYLE`` (gray, dash-dot, ``x`` markers) and no
error; :func:`register_style` gives a chapter's own optimizer a look.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.colors import to_rgb

__all__ = [
    "BOOK_RC",
    "COMPARED_PAIRS",
    "FALLBACK_STYLE",
    "MINIMUM_STYLE",
    "OKABE_ITO",
    "OPTIMIZER_STYLES",
    "START_STYLE",
    "SYMBOLS",
    "apply_book_style",
    "book_style",
    "color_difference",
    "optimizer_name",
    "register_style",
    "simulate_cvd",
    "style_for",
    "symbol",
]

#: The Okabe & Ito (2008) color-blind-safe palette.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
_C = OKABE_ITO

#: optimizer name -> (color, linestyle, marker); the book's one look per method.
OPTIMIZER_STYLES: dict[str, tuple[str, str, str]] = {
    "SGD": (_C["black"], "-", "o"),
    "Momentum": (_C["blue"], "-", "s"),
    "Nesterov": (_C["orange"], "-", "^"),
    "Adagrad": (_C["sky blue"], "-", "D"),
    "Adadelta": (_C["orange"], "--", "v"),
    "RMSprop": (_C["bluish green"], "-", "p"),
    "Adam": (_C["vermillion"], "-", "X"),
    "AdaMax": (_C["blue"], "--", "<"),
    "Nadam": (_C["reddish purple"], "-", ">"),
    "AMSGrad": (_C["black"], "--", "h"),
    "AdamW": (_C["sky blue"], "--", "d"),
    "QHAdam": (_C["reddish purple"], "--", "H"),
    "AggMo": (_C["bluish green"], "--", "8"),
    "GradientNoise": (_C["black"], ":", "o"),  # alone: as if wrapping SGD
}

#: The line style of GradientNoise(inner): inner's color and marker, dotted.
NOISE_LINESTYLE = ":"

#: Pairs of optimizers that chapters draw in the same figure.
COMPARED_PAIRS: tuple[tuple[str, str], ...] = (
    ("SGD", "Momentum"),
    ("Momentum", "Nesterov"),
    ("SGD", "Nesterov"),
    ("Nesterov", "Adagrad"),
    ("SGD", "Adagrad"),
    ("Adagrad", "Adadelta"),
    ("Adagrad", "RMSprop"),
    ("Adadelta", "RMSprop"),
    ("Momentum", "RMSprop"),
    ("SGD", "Adam"),
    ("Momentum", "Adam"),
    ("RMSprop", "Adam"),
    ("Adam", "AdaMax"),
    ("Adam", "Nadam"),
    ("Nesterov", "Nadam"),
    ("Adam", "AMSGrad"),
    ("Nadam", "AMSGrad"),
    ("Adam", "AdamW"),
    ("AMSGrad", "AdamW"),
    ("Adam", "QHAdam"),
    ("Momentum", "AggMo"),
    ("Nesterov", "AggMo"),
    ("SGD", "AggMo"),
)

#: The look of anything that is not a known optimizer.
FALLBACK_STYLE: dict[str, str] = {"color": "#7F7F7F", "linestyle": "-.", "marker": "x"}

#: The start point on contour plots: a white circle with a black edge.
START_STYLE: dict[str, Any] = {
    "marker": "o",
    "markersize": 9,
    "markerfacecolor": "white",
    "markeredgecolor": "black",
    "markeredgewidth": 1.5,
    "linestyle": "none",
    "zorder": 6,
}

#: Minima on contour plots: a yellow star with a black edge.
MINIMUM_STYLE: dict[str, Any] = {
    "marker": "*",
    "markersize": 15,
    "markerfacecolor": _C["yellow"],
    "markeredgecolor": "black",
    "markeredgewidth": 1.0,
    "linestyle": "none",
    "zorder": 6,
}

#: The book's symbol for each hyperparameter name (see the notation page).
SYMBOLS: dict[str, str] = {
    "lr": "η",
    "momentum": "γ",
    "gamma": "γ",
    "beta1": "β₁",
    "beta2": "β₂",
    "eps": "ε",
    "rho": "ρ",
    "nu1": "ν₁",
    "nu2": "ν₂",
    "weight_decay": "λ",
    "eta": "η",
    "beta": "β",
    # gradient noise (chapter 14): the noise's variance scale and decay exponent,
    # named so that a panel title does not read as the learning rate
    "eta_noise": "noise η",
    "gamma_noise": "noise γ",
    "start_x": "x₀",
    "start_y": "y₀",
    "C": "C",
}


def symbol(name: str) -> str:
    """The book's symbol for a hyperparameter name (``"lr"`` -> ``"η"``), else the name."""
    return SYMBOLS.get(name, name)


_ALIASES = {
    "gd": "sgd",
    "gradientdescent": "sgd",
    "nag": "nesterov",
    "nesterovmomentum": "nesterov",
    "noise": "gradientnoise",
}
_CUSTOM: dict[str, tuple[str, str, str]] = {}


def _norm(name: str) -> str:
    key = re.sub(r"[\s_\-]", "", name).lower()
    return _ALIASES.get(key, key)


def _table() -> dict[str, tuple[str, str, str]]:
    table = {_norm(k): v for k, v in OPTIMIZER_STYLES.items()}
    table.update(_CUSTOM)
    return table


def register_style(name: str, color: str, linestyle: str = "-", marker: str = "o") -> None:
    """Give an optimizer that is not in the book's list (a chapter's own) a look."""
    to_rgb(color)  # raises ValueError for an invalid color
    _CUSTOM[_norm(name)] = (color, linestyle, marker)


def _wrapped(obj: Any) -> Any | None:
    for attr in ("optimizer", "inner", "base"):
        inner = getattr(obj, attr, None)
        if inner is not None and hasattr(inner, "step") and not isinstance(inner, str):
            return inner
    return None


def optimizer_name(obj: Any) -> str:
    """The name of an optimizer class or instance; a wrapper is ``"Outer(Inner)"``.

    ``optimizer_name(GradientNoise(SGD(lr=0.1)))`` is ``"GradientNoise(SGD)"``;
    a string is returned unchanged.
    """
    if isinstance(obj, str):
        return obj
    if isinstance(obj, type):
        return obj.__name__
    inner = _wrapped(obj)
    if inner is not None:
        return f"{type(obj).__name__}({optimizer_name(inner)})"
    return type(obj).__name__


def style_for(obj: Any) -> dict[str, str]:
    """Matplotlib keyword arguments ``{color, linestyle, marker}`` for an optimizer.

    ``obj`` may be an optimizer class, an instance, a name (case-insensitive;
    ``"GradientNoise(Adam)"`` works too), or a run result with an
    ``optimizer`` name. Unknown optimizers get a copy of ``FALLBACK_STYLE``.
    """
    if not isinstance(obj, str | type) and isinstance(getattr(obj, "optimizer", None), str):
        obj = obj.optimizer  # a RunResult
    name = optimizer_name(obj)
    table = _table()
    m = re.fullmatch(r"\s*([^()]+?)\s*\((.*)\)\s*", name)
    if m:
        outer, inner = m.group(1), m.group(2)
        if _norm(outer) == "gradientnoise":
            style = style_for(inner)
            style["linestyle"] = NOISE_LINESTYLE
            return style
        name = outer
    triple = table.get(_norm(name))
    if triple is None:
        return dict(FALLBACK_STYLE)
    color, linestyle, marker = triple
    return {"color": color, "linestyle": linestyle, "marker": marker}


# ---------------------------------------------------------------------------
# color-vision-deficiency simulation (for the tests and the curious reader)
# ---------------------------------------------------------------------------
#: Machado, Oliveira & Fernandes (2009) matrices, severity 1, on linear RGB.
CVD_MATRICES: dict[str, np.ndarray] = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
         [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
         [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
         [0.004733, 0.691367, 0.303900]]
    ),
}


def _to_linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _to_srgb(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0, 1)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def simulate_cvd(color: Any, kind: str) -> tuple[float, float, float]:
    """The sRGB color a reader with ``kind`` (protanopia, deuteranopia, tritanopia) sees."""
    lin = CVD_MATRICES[kind] @ _to_linear(np.array(to_rgb(color)))
    return tuple(float(v) for v in _to_srgb(lin))


def _lab(color: Any) -> np.ndarray:
    lin = _to_linear(np.array(to_rgb(color)))
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ lin / np.array([0.95047, 1.0, 1.08883])
    d = 6 / 29
    f = np.where(xyz > d**3, np.cbrt(xyz), xyz / (3 * d * d) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def color_difference(c1: Any, c2: Any, kind: str | None = None) -> float:
    """CIE76 ΔE between two colors, as seen normally or under ``kind`` of CVD.

    ΔE ≈ 2 is just noticeable; the book asks ≥ 30 for lines that are compared.
    """
    if kind is not None:
        c1, c2 = simulate_cvd(c1, kind), simulate_cvd(c2, kind)
    return float(np.linalg.norm(_lab(c1) - _lab(c2)))


# ---------------------------------------------------------------------------
# rcParams
# ---------------------------------------------------------------------------
#: The book's matplotlib settings: figures 6.4 in wide (readable on a laptop,
#: narrower than the text column), 100 dpi on screen, light grid. No layout
#: engine is set, so ``fig.tight_layout()`` works without a warning; the
#: figures that :mod:`optbook.plotting` creates use constrained layout.
BOOK_RC: dict[str, Any] = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9,
    "legend.framealpha": 0.9,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "grid.color": "#b0b0b0",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "axes.prop_cycle": mpl.cycler(
        color=[_C[k] for k in ("blue", "vermillion", "bluish green", "orange",
                               "reddish purple", "sky blue", "black")]
    ),
    "image.cmap": "viridis",
    "animation.embed_limit": 5.0,
}


def apply_book_style() -> None:
    """Set the book's rcParams (``BOOK_RC``) for the rest of the session."""
    mpl.rcParams.update(BOOK_RC)


@contextlib.contextmanager
def book_style() -> Iterator[None]:
    """Use the book's rcParams inside a ``with`` block only."""
    with mpl.rc_context(BOOK_RC):
        yield
