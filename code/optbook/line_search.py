r"""Armijo backtracking line search, and gradient descent that uses it.

At a point :math:`\theta` with gradient :math:`g = \nabla f(\theta) \ne 0`,
backtracking tries the step sizes :math:`\eta_0, \tau\eta_0, \tau^2\eta_0, \dots`
(shrink factor :math:`0 < \tau < 1`) and returns the first one that satisfies
Armijo's sufficient-decrease condition along :math:`-g`,

.. math::

    f(\theta - \eta g) \le f(\theta) - c\,\eta\,\lVert g\rVert^2 ,
    \qquad 0 < c < 1 .

If :math:`f` is :math:`L`-smooth (:math:`\nabla f` is :math:`L`-Lipschitz), the
descent lemma :math:`f(\theta - \eta g) \le f(\theta) - \eta(1 - L\eta/2)\lVert
g\rVert^2` shows that every :math:`\eta \le 2(1 - c)/L` satisfies the condition.
So backtracking stops after finitely many trials, with

.. math::

    \eta \ge \min\bigl(\eta_0,\ 2\tau(1 - c)/L\bigr),

and it needs no knowledge of :math:`L`. References: Armijo (1966); Nocedal &
Wright (2006), *Numerical Optimization*, 2nd ed., §3.1 (Algorithm 3.1, where
the shrink factor is written :math:`\rho` and :math:`c` is :math:`c_1`; the book
keeps :math:`\rho` for Adadelta and RMSprop).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["ArmijoResult", "armijo_backtracking", "gradient_descent_armijo"]


def _check_unit(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number in (0, 1), got {value!r}")
    if not 0 < value < 1:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    return float(value)


def armijo_backtracking(
    f: Callable[[np.ndarray], float],
    theta: np.ndarray,
    grad: np.ndarray,
    *,
    eta0: float = 1.0,
    shrink: float = 0.5,
    c: float = 1e-4,
    max_trials: int = 60,
) -> tuple[float, int]:
    r"""The first :math:`\eta = \eta_0\tau^k` that satisfies Armijo's condition.

    The condition is :math:`f(\theta - \eta g) \le f(\theta) - c\eta\lVert g\rVert^2`.

    Parameters
    ----------
    f:
        the objective, :math:`\theta \mapsto f(\theta)`.
    theta:
        the current point :math:`\theta`.
    grad:
        :math:`g = \nabla f(\theta)`, same shape as ``theta``.
    eta0:
        the first trial step :math:`\eta_0 > 0`.
    shrink:
        the shrink factor :math:`\tau \in (0, 1)`.
    c:
        Armijo's constant :math:`c \in (0, 1)`.
    max_trials:
        the number of trials :math:`k = 0, 1, \dots` allowed (>= 1).

    Returns
    -------
    ``(eta, trials)``: the accepted step and the number of function
    evaluations it took (1 if :math:`\eta_0` is accepted). A zero gradient
    returns ``(eta0, 0)``: every step satisfies the condition with equality.

    Raises
    ------
    ValueError
        for bad arguments, or when no trial step is accepted within
        ``max_trials`` (possible only if :math:`f` is not smooth near
        :math:`\theta` or ``grad`` is not its gradient).
    """
    theta = np.asarray(theta, dtype=np.float64)
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape != theta.shape:
        raise ValueError(f"grad must have the shape of theta {theta.shape}, got {grad.shape}")
    if not np.all(np.isfinite(grad)):
        raise ValueError("grad must be finite")
    if isinstance(eta0, bool) or not isinstance(eta0, int | float | np.integer | np.floating):
        raise ValueError(f"eta0 must be a positive number, got {eta0!r}")
    if not 0 < eta0 < math.inf:
        raise ValueError(f"eta0 must be positive and finite, got {eta0!r}")
    shrink = _check_unit("shrink", shrink)
    c = _check_unit("c", c)
    integer = isinstance(max_trials, int | np.integer) and not isinstance(max_trials, bool)
    if not integer or max_trials < 1:
        raise ValueError(f"max_trials must be an integer >= 1, got {max_trials!r}")
    sq = float(grad.ravel() @ grad.ravel())
    if sq == 0.0:
        return float(eta0), 0
    f0 = float(f(theta))
    if not math.isfinite(f0):
        raise ValueError("f(theta) must be finite")
    eta = float(eta0)
    for k in range(1, int(max_trials) + 1):
        value = float(f(theta - eta * grad))
        if math.isfinite(value) and value <= f0 - c * eta * sq:
            return eta, k
        eta *= shrink
    raise ValueError(
        f"no step in eta0 * shrink**k, k < {max_trials}, satisfies Armijo's condition; "
        "is grad the gradient of f at theta?"
    )


@dataclass
class ArmijoResult:
    r"""The record of :func:`gradient_descent_armijo`.

    Attributes
    ----------
    path:
        ``(T + 1, d)`` iterates :math:`\theta_0, \dots, \theta_T`.
    losses:
        ``(T + 1,)`` values :math:`f(\theta_t)`.
    grad_norms:
        ``(T + 1,)`` :math:`\lVert\nabla f(\theta_t)\rVert`.
    steps:
        ``(T,)`` accepted step sizes :math:`\eta_t`.
    evaluations:
        the total number of function evaluations of the line searches.
    """

    path: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    steps: np.ndarray
    evaluations: int


def gradient_descent_armijo(
    f: Callable[[np.ndarray], float],
    grad: Callable[[np.ndarray], np.ndarray],
    theta0: np.ndarray,
    steps: int,
    *,
    eta0: float = 1.0,
    shrink: float = 0.5,
    c: float = 1e-4,
    max_trials: int = 60,
) -> ArmijoResult:
    r"""Gradient descent with a backtracking step: :math:`\theta_t = \theta_{t-1} - \eta_t g_t`.

    Every step starts its search at ``eta0`` (no memory of the previous step),
    as in Nocedal & Wright's Algorithm 3.1. The arguments are those of
    :func:`armijo_backtracking`; ``steps`` is the budget :math:`T \ge 0`. The
    run stops early, without error, at a point whose gradient is exactly zero.
    """
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    theta = np.array(theta0, dtype=np.float64)
    g = np.asarray(grad(theta), dtype=np.float64)
    path, losses, norms, etas = [theta.copy()], [float(f(theta))], [float(np.linalg.norm(g))], []
    evaluations = 0
    for _ in range(int(steps)):
        if norms[-1] == 0.0:
            break
        eta, k = armijo_backtracking(
            f, theta, g, eta0=eta0, shrink=shrink, c=c, max_trials=max_trials
        )
        evaluations += k
        theta = theta - eta * g
        g = np.asarray(grad(theta), dtype=np.float64)
        path.append(theta.copy())
        losses.append(float(f(theta)))
        norms.append(float(np.linalg.norm(g)))
        etas.append(eta)
    return ArmijoResult(
        path=np.array(path),
        losses=np.array(losses),
        grad_norms=np.array(norms),
        steps=np.array(etas),
        evaluations=evaluations,
    )
