r"""Effective per-coordinate step sizes of the adaptive optimizers.

An adaptive method multiplies each coordinate of its search direction by its
own step size. For the rules of Part II the step of update :math:`t` is

.. math::

    \theta_{t,i} - \theta_{t-1,i} = -\,\eta_{\mathrm{eff},t,i}\; d_{t,i},

where :math:`d_t` is the gradient :math:`g_t` (SGD, Adagrad, Adadelta,
RMSprop) or the bias-corrected momentum :math:`\hat m_t` (Adam), and

=============================  ==================================================
optimizer                      :math:`\eta_{\mathrm{eff},t,i}`
=============================  ==================================================
SGD                            :math:`\eta`
Adagrad                        :math:`\eta_t / \sqrt{G_{t,i} + \epsilon}`, with
                               :math:`\eta_t = \eta/(1 + c(t-1))`
Adadelta                       :math:`\eta\,\sqrt{s_{t-1,i} + \epsilon}/\sqrt{v_{t,i} + \epsilon}`
RMSprop                        :math:`\eta / \sqrt{v_{t,i} + \epsilon}` (centered:
                               :math:`\eta/\sqrt{v_{t,i} - m_{t,i}^2 + \epsilon}`)
Adam                           :math:`\eta / (\sqrt{\hat v_{t,i}} + \epsilon)`
=============================  ==================================================

(ε outside the root where the optimizer's ``eps_inside_sqrt`` is ``False``).
Duchi et al. (2011), Zeiler (2012, §4.3 "effective learning rates"), Hinton's
lecture 6e and Kingma & Ba (2015, §2.1) all read their rules this way.

:func:`effective_step` computes :math:`\eta_{\mathrm{eff},t}` of the *next*
update from the optimizer's current state (after :math:`t-1` updates) and the
gradient :math:`g_t` that update will use, without changing the optimizer: it
needs :math:`g_t` because :math:`v_t` and :math:`G_t` already contain
:math:`g_t^2`. For RMSprop with ``momentum`` > 0 it is the factor applied to
:math:`g_t` before it enters the momentum buffer. :func:`effective_step_history`
runs an optimizer and records :math:`\eta_{\mathrm{eff},t}` at every update.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .optimizers import SGD, Adadelta, Adagrad, Adam, RMSprop

SUPPORTED = (SGD, Adagrad, Adadelta, RMSprop, Adam)


def _state(optimizer: Any, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, np.ndarray]:
    """The state arrays of a single-array optimizer, or its initial state before step 1."""
    if not optimizer.state:
        return optimizer._init_state(np.zeros(shape, dtype=dtype))
    if len(optimizer.state) != 1:
        raise ValueError(
            "optimizer must hold the state of a single parameter array, "
            f"it holds {len(optimizer.state)}"
        )
    ((key, st),) = optimizer.state.items()
    known = tuple(optimizer._specs[key][0]) if optimizer._specs else shape
    if known != shape:
        raise ValueError(f"g has shape {shape} but the optimizer's parameters have shape {known}")
    return st


def _root(x: np.ndarray, eps: float, inside: bool) -> np.ndarray:
    return np.sqrt(x + eps) if inside else np.sqrt(x) + eps


def effective_step(optimizer: Any, g: np.ndarray) -> np.ndarray:
    r"""The effective step sizes :math:`\eta_{\mathrm{eff},t}` of the next update, for ``g``.


    ``optimizer`` is an SGD, Adagrad, Adadelta, RMSprop or Adam instance that
    has taken :math:`t-1` steps on one parameter array (or none); ``g`` is the
    gradient :math:`g_t` of the next step. The optimizer is not changed. The
    result has the shape of ``g``; after ``optimizer.step(theta, g)``,
    ``theta`` has moved by exactly ``-effective_step(...) * d`` with
    :math:`d = g_t` (for Adam :math:`d = \hat m_t`), up to rounding.
    """
    if not isinstance(optimizer, SUPPORTED):
        names = ", ".join(c.__name__ for c in SUPPORTED)
        raise ValueError(f"optimizer must be one of {names}, got {type(optimizer).__name__}")
    g = np.asarray(g)
    if g.dtype not in (np.float32, np.float64):
        raise ValueError(f"g must be a float32 or float64 array, got dtype {g.dtype}")
    st = _state(optimizer, g.shape, g.dtype)
    g = g.astype(np.float64)
    t = optimizer.t + 1
    eta = optimizer.lr
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(optimizer, SGD):
            out = np.full(g.shape, eta)
        elif isinstance(optimizer, Adagrad):
            G = st["G"] + g * g
            eta_t = eta / (1 + (t - 1) * getattr(optimizer, "lr_decay", 0.0))
            out = eta_t / _root(G, optimizer.eps, optimizer.eps_inside_sqrt)
        elif isinstance(optimizer, Adadelta):
            rho, eps = optimizer.rho, optimizer.eps
            v = rho * st["v"] + (1 - rho) * g * g
            out = eta * np.sqrt(st["s"] + eps) / np.sqrt(v + eps)
        elif isinstance(optimizer, RMSprop):
            rho = optimizer.rho
            v = rho * st["v"] + (1 - rho) * g * g
            if optimizer.centered:
                m = rho * st["m"] + (1 - rho) * g
                v = np.maximum(v - m * m, 0.0)
            out = eta / _root(v, optimizer.eps, optimizer.eps_inside_sqrt)
        else:  # Adam
            b2 = optimizer.beta2
            v = b2 * st["v"] + (1 - b2) * g * g
            mode = optimizer.bias_correction
            if mode == "moments":
                out = eta / (np.sqrt(v / (1 - b2**t)) + optimizer.eps)
            elif mode == "step_size":
                out = eta * math.sqrt(1 - b2**t) / (np.sqrt(v) + optimizer.eps)
            else:
                out = eta / (np.sqrt(v) + optimizer.eps)
    # a zero denominator only where every gradient so far was 0: the step there is 0
    return np.where(np.isfinite(out), out, 0.0)


@dataclass
class EffectiveStepRun:
    """The record of :func:`effective_step_history`.

    ``path`` is ``(n + 1, d)``: :math:`\\theta_0, \\dots, \\theta_n`; ``steps``
    is ``(n, d)``: row ``t - 1`` is :math:`\\eta_{\\mathrm{eff},t}`; ``grads`` is
    ``(n, d)``, the gradients used. ``diverged_at`` is the first update whose
    gradient or iterate was not finite (then ``n`` is one less), else ``None``.
    """

    path: np.ndarray
    steps: np.ndarray
    grads: np.ndarray
    label: str
    diverged_at: int | None = None


def effective_step_history(
    grad: Callable[[np.ndarray, int], np.ndarray] | Any,
    optimizer: Any,
    n_steps: int,
    start: np.ndarray | list[float],
    label: str | None = None,
) -> EffectiveStepRun:
    r"""Run ``optimizer`` for ``n_steps`` updates and record :math:`\eta_{\mathrm{eff},t}` of each.

    ``grad`` is a function ``grad(theta, t)`` returning :math:`g_t` (a
    stochastic gradient may depend on ``t``), or an object with a method
    ``grad(theta)`` (an :class:`~optbook.functions.Objective`). ``optimizer``
    must be fresh (no steps taken).
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, int | np.integer) or n_steps < 0:
        raise ValueError(f"n_steps must be an integer >= 0, got {n_steps!r}")
    if optimizer.t != 0:
        raise ValueError(f"optimizer must be fresh, it has taken {optimizer.t} steps")
    if callable(grad) and not hasattr(grad, "grad"):
        grad_fn = grad
    elif hasattr(grad, "grad"):
        def grad_fn(th: np.ndarray, t: int) -> np.ndarray:
            return grad.grad(th)
    else:
        raise ValueError(f"grad must be a function (theta, t) -> g or have .grad, got {grad!r}")
    theta = np.array(start, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(theta)):
        raise ValueError("start must be finite")
    path, steps, grads = [theta.copy()], [], []
    diverged_at = None
    for t in range(1, int(n_steps) + 1):
        with np.errstate(all="ignore"):
            g = np.asarray(grad_fn(theta, t), dtype=np.float64).reshape(theta.shape)
        if not np.all(np.isfinite(g)):  # a non-finite gradient: the run has diverged
            diverged_at = t
            break
        eff = effective_step(optimizer, g)
        with np.errstate(all="ignore"):
            optimizer.step(theta, g)
        if not np.all(np.isfinite(theta)):
            diverged_at = t
            break
        path.append(theta.copy())
        steps.append(eff)
        grads.append(g)
    d = theta.size
    return EffectiveStepRun(
        path=np.array(path),
        steps=np.array(steps).reshape(-1, d),
        grads=np.array(grads).reshape(-1, d),
        label=label or type(optimizer).__name__,
        diverged_at=diverged_at,
    )


__all__ = ["SUPPORTED", "EffectiveStepRun", "effective_step", "effective_step_history"]
