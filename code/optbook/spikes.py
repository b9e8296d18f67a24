r"""Gradient spikes: one huge gradient among ordinary ones, and what it does to a step size.

A *spike* of size :math:`R` at step :math:`s` multiplies the gradient
:math:`g_s` by :math:`R`. An adaptive method divides by a memory of past
gradient sizes (Adam's :math:`\sqrt{\hat v_t}`, AdaMax's :math:`u_t`), so the
spike shrinks its steps until the memory has forgotten it.

- :func:`step_ratios_after_spike` runs an optimizer on the constant gradient
  :math:`g_t = 1` with a spike of size :math:`R` at step ``at``, for many
  :math:`R` at once (one coordinate per :math:`R`; the rules are
  element-wise), and returns :math:`|\theta_t - \theta_{t-1}|/\eta`.
- :func:`recovery_time` reads off how many steps after the spike the step
  stays below a fraction ``level`` of its normal size;
  :func:`predicted_recovery` gives the closed forms for AdaMax and Adam.
- :class:`SpikedModel` wraps a model of :mod:`optbook.models` so that
  chosen updates of :func:`optbook.train.train` see a spiked gradient.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = [
    "SpikedModel",
    "predicted_recovery",
    "recovery_time",
    "step_ratios_after_spike",
]


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_factors(factors: Any) -> np.ndarray:
    r = np.atleast_1d(np.asarray(factors, dtype=np.float64))
    if r.ndim != 1 or r.size == 0 or not np.all(np.isfinite(r)) or np.any(r <= 0):
        raise ValueError(f"factors must be positive finite numbers, got {factors!r}")
    return r


def step_ratios_after_spike(
    make_optimizer: Callable[[], Any],
    factors: Any,
    steps: int,
    at: int,
) -> np.ndarray:
    r"""Normalised step sizes :math:`|\Delta\theta_t|/\eta`, t = 1..``steps``, around a spike.

    Coordinate j sees :math:`g_t = 1` for every t except :math:`g_{at} = R_j`
    (``factors[j]``). ``make_optimizer()`` returns a fresh optimizer with an
    ``lr``; the result has shape ``(steps, len(factors))``, row t − 1 for step t.
    """
    r = _check_factors(factors)
    steps = _check_int("steps", steps, 1)
    at = _check_int("at", at, 1)
    if at > steps:
        raise ValueError(f"at must be <= steps ({steps}), got {at}")
    opt = make_optimizer()
    if not hasattr(opt, "lr") or getattr(opt, "t", 0) != 0:
        raise ValueError("make_optimizer must return a fresh optimizer with an lr")
    theta = np.zeros(r.size)
    ones = np.ones(r.size)
    out = np.empty((steps, r.size))
    for t in range(1, steps + 1):
        before = theta.copy()
        opt.step(theta, r.copy() if t == at else ones.copy())
        out[t - 1] = np.abs(theta - before) / opt.lr
    return out


def recovery_time(ratios: np.ndarray, at: int, level: float = 0.5) -> np.ndarray:
    r"""Steps after the spike during which the step stays below ``level`` × normal.

    ``ratios`` is the output of :func:`step_ratios_after_spike` (normal size 1).
    For each column, the result is the smallest :math:`k \ge 1` such that every
    step from :math:`at + k` on is at least ``level``, minus one: the number of
    suppressed steps after the spike (0 if none). A column that never recovers
    within the run gives ``-1``.
    """
    ratios = np.asarray(ratios, dtype=np.float64)
    if ratios.ndim == 1:
        ratios = ratios[:, None]
    at = _check_int("at", at, 1)
    if at > ratios.shape[0]:
        raise ValueError(f"at must be <= the number of steps ({ratios.shape[0]}), got {at}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    after = ratios[at:]                          # steps at+1, at+2, ...
    out = np.empty(ratios.shape[1], dtype=np.int64)
    for j in range(ratios.shape[1]):
        low = np.flatnonzero(after[:, j] < level)
        if low.size == 0:
            out[j] = 0
        elif low[-1] == after.shape[0] - 1:
            out[j] = -1
        else:
            out[j] = low[-1] + 1
    return out


def predicted_recovery(method: str, factors: Any, beta2: float = 0.999,
                       level: float = 0.5) -> np.ndarray:
    r"""Closed-form number of suppressed steps after a spike of size R (normal gradient 1).

    Long after the spike the first moment is back to 1, and the step is
    :math:`1/D_k` with the memory :math:`D_k` k steps after the spike:

    - AdaMax: :math:`D_k = \max(R\beta_2^k, 1)`, so the step is below ``level``
      while :math:`R\beta_2^k > 1/\text{level}`:
      :math:`k^* = \ln(R\,\text{level})/\ln(1/\beta_2)`.
    - Adam (bias correction ≈ 1, long after the start):
      :math:`D_k^2 = 1 + (1-\beta_2)(R^2-1)\beta_2^k`, below ``level`` while
      :math:`(1-\beta_2)(R^2-1)\beta_2^k > 1/\text{level}^2 - 1`.

    Returns the real-valued :math:`k^*` (0 where the step is never suppressed);
    the measured count is its ceiling, up to the transient of :math:`m_t`.
    """
    r = _check_factors(factors)
    if method not in ("AdaMax", "Adam"):
        raise ValueError(f"method must be 'AdaMax' or 'Adam', got {method!r}")
    if not 0 < beta2 < 1:
        raise ValueError(f"beta2 must be in (0, 1), got {beta2!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    rate = math.log(1 / beta2)
    if method == "AdaMax":
        k = np.log(r * level) / rate
    else:
        with np.errstate(divide="ignore"):        # R = 1: log 0 = -inf, clipped to 0 below
            k = np.log((1 - beta2) * (r**2 - 1) / (1 / level**2 - 1)) / rate
    return np.maximum(k, 0.0)


class SpikedModel:
    """A model whose gradient is multiplied by a factor at chosen updates.

    ``SpikedModel(model, {200: 1000.0})`` behaves like ``model`` (every
    attribute is the model's) except that the 200th call of ``value_and_grad``
    -- update 200 of :func:`optbook.train.train` -- returns the gradient times
    1000. The loss is not changed. Use a fresh wrapper for every run: the
    wrapper counts calls.
    """

    def __init__(self, model: Any, spikes: Mapping[int, float]):
        if not hasattr(model, "value_and_grad"):
            raise ValueError("model must have value_and_grad(theta, X, y)")
        if not isinstance(spikes, Mapping) or not spikes:
            raise ValueError(f"spikes must be a non-empty dict update -> factor, got {spikes!r}")
        clean = {}
        for k, f in spikes.items():
            k = _check_int("spikes key", k, 1)
            f = float(_check_factors(f)[0])
            clean[k] = f
        self._model = model
        self.spikes = clean
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def value_and_grad(self, theta: np.ndarray, X: np.ndarray | None = None,
                       y: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """The model's loss and gradient; the gradient is spiked at the chosen calls."""
        self.calls += 1
        loss, g = self._model.value_and_grad(theta, X, y)
        factor = self.spikes.get(self.calls)
        return loss, (g if factor is None else g * factor)
