r"""How noisy is a mini-batch gradient? Exact and measured variances.

A model of :mod:`optbook.models` is a training loss that is a mean over the
:math:`n` rows of its data plus a penalty,
:math:`L(\theta) = \frac1n\sum_{i=1}^n \ell_i(\theta) + \frac\lambda2\lVert w\rVert^2`.
Write :math:`g_i = \nabla\ell_i(\theta) + \lambda(w, 0)` for the gradient of the
model on row :math:`i` alone (what ``model.grad(theta, X[i:i+1], y[i:i+1])``
returns) and :math:`\bar g = \frac1n\sum_i g_i = \nabla L(\theta)`. The
*per-example covariance* is

.. math::

    \Sigma = \frac1n \sum_{i=1}^n (g_i - \bar g)(g_i - \bar g)^\top ,
    \qquad \operatorname{tr}\Sigma = \frac1n \sum_{i=1}^n \lVert g_i - \bar g\rVert^2 .

The gradient :math:`g_{\mathcal B}` of a mini-batch :math:`\mathcal B` of
:math:`B` rows drawn uniformly at random is an unbiased estimate of
:math:`\bar g`, and its mean squared deviation is

.. math::

    \mathbb E\,\lVert g_{\mathcal B} - \bar g\rVert^2 =
    \begin{cases}
      \dfrac{\operatorname{tr}\Sigma}{B} & \text{rows drawn with replacement,}\\[1ex]
      \dfrac{n - B}{n - 1}\,\dfrac{\operatorname{tr}\Sigma}{B} &
      \text{without replacement (a slice of a random permutation).}
    \end{cases}

The second line is the finite-population correction of survey sampling
(Cochran, *Sampling Techniques*, 3rd ed., 1977, chapter 2); the book's
chapter on batch, stochastic and mini-batch gradient descent proves both.

- :func:`per_example_gradients` -- the :math:`g_i`, one model call per row;
- :func:`gradient_variance` -- :math:`\operatorname{tr}\Sigma` from them;
- :func:`predicted_minibatch_variance` -- the two formulas above;
- :func:`minibatch_gradient_variance` -- the same quantity *measured* by
  drawing mini-batches, as the training loop does;
- :func:`gradient_noise_scale` -- :math:`\operatorname{tr}\Sigma/\lVert\bar g\rVert^2`,
  the batch size at which noise and signal are equal (McCandlish et al.,
  2018, *An empirical model of large-batch training*, their
  :math:`\mathcal B_{\text{simple}}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "gradient_noise_scale",
    "gradient_variance",
    "minibatch_gradient_variance",
    "per_example_gradients",
    "predicted_minibatch_variance",
]


def _data(model: Any) -> tuple[np.ndarray, np.ndarray]:
    X, y = getattr(model, "X", None), getattr(model, "y", None)
    if X is None or y is None:
        raise ValueError("model must carry its training data as model.X and model.y")
    if not hasattr(model, "grad"):
        raise ValueError("model needs a grad(theta, X, y) method")
    return np.asarray(X), np.asarray(y)


def _theta(theta: Any) -> np.ndarray:
    arr = np.asarray(theta)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"theta must be an array of real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def _check_replace(replace: Any) -> bool:
    if not isinstance(replace, bool | np.bool_):
        raise ValueError(f"replace must be True or False, got {replace!r}")
    return bool(replace)


def _batch_sizes(batch_sizes: Any, n: int, replace: bool) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(batch_sizes))
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
        raise ValueError(f"batch_sizes must be a non-empty list of integers, got {batch_sizes!r}")
    if np.any(arr < 1):
        raise ValueError(f"batch_sizes must all be >= 1, got {arr.tolist()}")
    if not replace and np.any(arr > n):
        raise ValueError(
            f"batch_sizes must all be <= n = {n} without replacement, got {arr.tolist()}"
        )
    return arr.astype(np.int64)


def per_example_gradients(model: Any, theta: np.ndarray) -> np.ndarray:
    r"""The gradient of the model on each training row alone, shape ``(n, dim)``.

    Row :math:`i` is :math:`g_i = \nabla\ell_i(\theta) + \lambda(w, 0)`, the
    value of ``model.grad(theta, X[i:i+1], y[i:i+1])``; the penalty is in every
    row, so the rows average to the full gradient :math:`\nabla L(\theta)`.
    Costs :math:`n` model calls.
    """
    X, y = _data(model)
    theta = _theta(theta)
    return np.stack([np.asarray(model.grad(theta, X[i: i + 1], y[i: i + 1]), dtype=np.float64)
                     for i in range(X.shape[0])])


def gradient_variance(model: Any, theta: np.ndarray) -> float:
    r"""The trace of the per-example covariance, :math:`\frac1n\sum_i\lVert g_i - \bar g\rVert^2`.

    This is :math:`\operatorname{tr}\Sigma` of the module docstring: the mean
    squared deviation of a single-example gradient (:math:`B = 1`) from the
    full gradient. Exact, from :func:`per_example_gradients`.
    """
    G = per_example_gradients(model, theta)
    D = G - G.mean(axis=0)
    return float(np.mean(np.einsum("ij,ij->i", D, D)))


def predicted_minibatch_variance(
    trace: float, n: int, batch_sizes: Sequence[int] | np.ndarray, replace: bool = False
) -> np.ndarray:
    r"""The exact :math:`\mathbb E\lVert g_{\mathcal B} - \bar g\rVert^2` for each batch size.

    :math:`\operatorname{tr}\Sigma / B` with replacement, and
    :math:`\frac{n-B}{n-1}\operatorname{tr}\Sigma/B` without (zero at :math:`B = n`).
    ``trace`` is :math:`\operatorname{tr}\Sigma` (:func:`gradient_variance`).
    """
    if (isinstance(trace, bool) or not isinstance(trace, int | float | np.integer | np.floating)
            or not np.isfinite(trace) or trace < 0):
        raise ValueError(f"trace must be a finite number >= 0, got {trace!r}")
    replace = _check_replace(replace)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    B = _batch_sizes(batch_sizes, int(n), replace).astype(np.float64)
    out = trace / B
    if not replace:
        out = out * (n - B) / (n - 1)
    return out


def minibatch_gradient_variance(
    model: Any,
    theta: np.ndarray,
    batch_sizes: Sequence[int] | np.ndarray,
    n_draws: int = 200,
    seed: int = 0,
    replace: bool = False,
    *,
    return_stderr: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""Measure :math:`\mathbb E\lVert g_{\mathcal B} - \nabla L(\theta)\rVert^2` by sampling.

    For each batch size :math:`B`, draws ``n_draws`` mini-batches of
    :math:`B` row indices -- uniformly without replacement (``replace=False``:
    what slicing a shuffled data set gives within an epoch) or with
    replacement -- computes ``model.grad(theta, X[batch], y[batch])`` on each
    and averages the squared distance to the full gradient
    ``model.grad(theta)``. Compare with :func:`predicted_minibatch_variance`.

    Returns an array with one value per batch size; with ``return_stderr``
    also the standard error of each (sample standard deviation of the
    squared distances over :math:`\sqrt{n_{draws}}`). Seeded by ``seed``
    (an integer >= 0).
    """
    X, y = _data(model)
    n = X.shape[0]
    replace = _check_replace(replace)
    B = _batch_sizes(batch_sizes, n, replace)
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 2:
        raise ValueError(f"n_draws must be an integer >= 2, got {n_draws!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    theta = _theta(theta)
    full = np.asarray(model.grad(theta), dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = np.empty(B.size)
    errors = np.empty(B.size)
    for k, b in enumerate(B):
        sq = np.empty(n_draws)
        for j in range(n_draws):
            idx = rng.choice(n, size=int(b), replace=replace)
            d = np.asarray(model.grad(theta, X[idx], y[idx]), dtype=np.float64) - full
            sq[j] = d @ d
        means[k] = sq.mean()
        errors[k] = sq.std(ddof=1) / np.sqrt(n_draws)
    return (means, errors) if return_stderr else means


def gradient_noise_scale(model: Any, theta: np.ndarray) -> float:
    r"""The simple noise scale :math:`\operatorname{tr}\Sigma / \lVert\nabla L(\theta)\rVert^2`.

    With replacement, :math:`\mathbb E\lVert g_{\mathcal B}\rVert^2 =
    \lVert\nabla L\rVert^2 + \operatorname{tr}\Sigma/B`: the noise part equals
    the signal part at :math:`B` equal to this ratio. Much smaller batches are
    dominated by noise, much larger ones waste computation on a gradient
    that is already accurate (McCandlish et al., 2018, :math:`\mathcal B_{\text{simple}}`).
    Infinite where the full gradient vanishes (at a minimum).
    """
    theta = _theta(theta)
    full = np.asarray(model.grad(theta), dtype=np.float64)
    trace = gradient_variance(model, theta)
    signal = float(full @ full)
    return float("inf") if signal == 0 else trace / signal
