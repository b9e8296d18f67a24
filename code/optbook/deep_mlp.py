"""Deep, narrow MLPs with a poor initialisation, for the gradient-noise chapter.

:class:`optbook.models.MLP` initialises its weights well (Glorot for tanh, He
for relu). Neelakantan et al. (2015) report that gradient noise helps most
when a deep network is initialised *badly*. :func:`gaussian_start` builds such
a start for any :class:`~optbook.models.MLP`: every weight drawn from
:math:`N(0, \\sigma_0^2)` with one fixed :math:`\\sigma_0` for all layers, all
biases zero. With :math:`\\sigma_0\\sqrt{n_{l-1}} < 1` each tanh layer shrinks
the signal, so through many layers both the activations and the gradients of
the first layers vanish. :func:`layer_gradient_norms` measures that.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizers._base import check_positive


def gaussian_start(model: Any, std: float, seed: int = 0) -> np.ndarray:
    r"""A start θ₀ for ``model`` (an MLP): weights :math:`N(0, \text{std}^2)`, biases 0.

    Seeded by ``numpy.random.default_rng(seed)``; the layers are drawn in
    order, each weight matrix row-major.
    """
    std = check_positive("std", std)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not hasattr(model, "unpack") or not hasattr(model, "layer_sizes"):
        raise ValueError(f"model must be an optbook.models.MLP, got {type(model).__name__}")
    rng = np.random.default_rng(seed)
    theta = np.zeros(model.dim)
    views = model.unpack(theta)
    for W in views[0::2]:
        W[...] = rng.normal(0.0, std, size=W.shape)
    return theta


def layer_gradient_norms(model: Any, theta: np.ndarray) -> np.ndarray:
    """The Frobenius norm of the full-batch gradient of each weight matrix, first layer first."""
    if not hasattr(model, "unpack"):
        raise ValueError(f"model must be an optbook.models.MLP, got {type(model).__name__}")
    g = np.asarray(model.grad(np.asarray(theta, dtype=np.float64)))
    return np.array([np.linalg.norm(W) for W in model.unpack(g)[0::2]])


__all__ = ["gaussian_start", "layer_gradient_norms"]
