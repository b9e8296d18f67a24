r"""Nesterov's accelerated gradient: the pieces the Nesterov chapter analyses.

- :func:`nag_iteration_matrix`, :func:`heavy_ball_iteration_matrix` and their
  vectorised spectral radii :func:`nag_spectral_radius`,
  :func:`heavy_ball_spectral_radius`: one eigen-direction of a quadratic;
- :func:`nag_stability_bound`, :func:`heavy_ball_stability_bound`: the
  convergence regions in the :math:`(\eta\lambda, \gamma)` plane;
- :func:`lookahead_nag`: Ruder's look-ahead form, iterate :math:`\theta_t` and
  velocity :math:`v_t` (the package's :class:`~optbook.optimizers.Nesterov`
  stores the look-ahead point instead);
- :func:`nesterov_worst_case`: Nesterov's tridiagonal quadratic (2004, §2.1.2);
- :func:`convex_momentum` and :func:`nag_convex`: NAG for smooth convex
  problems with the momentum schedule :math:`(k-1)/(k+2)`, with the adaptive
  restarts of O'Donoghue & Candès (2015);
- :func:`lessard_counterexample`: the strongly convex function on which heavy
  ball with the quadratic-optimal parameters cycles (Lessard, Recht &
  Packard, 2016).

Notation: a quadratic's eigenvalue is :math:`\lambda` and :math:`h = \eta\lambda`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .functions import Objective
from .optimizers._base import _as_real, check_decay, check_positive
from .run import BLOWUP, RunResult

__all__ = [
    "RESTART_SCHEMES",
    "convex_momentum",
    "heavy_ball_iteration_matrix",
    "heavy_ball_spectral_radius",
    "heavy_ball_stability_bound",
    "lessard_counterexample",
    "lookahead_nag",
    "nag_convex",
    "nag_iteration_matrix",
    "nag_spectral_radius",
    "nag_stability_bound",
    "nesterov_worst_case",
]

#: the restart tests of O'Donoghue & Candès (2015), and ``None`` for no restart
RESTART_SCHEMES = (None, "function", "gradient")


# ---------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------
# the package's own checks (optimizers/_base.py), under this module's names
_real = _as_real
_positive = check_positive


def _momentum(value: Any) -> float:
    return check_decay("momentum", value)


def _int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _array(name: str, value: Any) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _momentum_array(value: Any) -> np.ndarray:
    arr = _array("momentum", value)
    if np.any((arr < 0) | (arr >= 1)):
        raise ValueError("momentum must be in [0, 1)")
    return arr


# ---------------------------------------------------------------------------
# one eigen-direction of a quadratic
# ---------------------------------------------------------------------------
def heavy_ball_iteration_matrix(eta_lambda: float, momentum: float) -> np.ndarray:
    r"""Heavy ball's 2×2 iteration matrix on one eigen-direction (Polyak, 1964).

    On :math:`f(\theta) = \tfrac{\lambda}{2}\theta^2` the heavy-ball iteration
    :math:`\theta_t = \theta_{t-1} - \eta\lambda\theta_{t-1} + \gamma(\theta_{t-1} - \theta_{t-2})`
    is :math:`(\theta_t, \theta_{t-1})^\top = T\,(\theta_{t-1}, \theta_{t-2})^\top` with

    .. math::

        T = \begin{pmatrix} 1 + \gamma - h & -\gamma \\ 1 & 0 \end{pmatrix},
        \qquad h = \eta\lambda .

    (The momentum chapter derives it; it is repeated here for the comparison.)
    """
    h = _real("eta_lambda", eta_lambda)
    g = _momentum(momentum)
    return np.array([[1 + g - h, -g], [1.0, 0.0]])


def nag_iteration_matrix(eta_lambda: float, momentum: float) -> np.ndarray:
    r"""NAG's 2×2 iteration matrix on one eigen-direction.

    With the look-ahead gradient, :math:`\theta_t = (1 - h)\,(\theta_{t-1} +
    \gamma(\theta_{t-1} - \theta_{t-2}))` on :math:`f = \tfrac{\lambda}{2}\theta^2`, so

    .. math::

        T = \begin{pmatrix} (1 + \gamma)(1 - h) & -\gamma (1 - h) \\ 1 & 0 \end{pmatrix},
        \qquad h = \eta\lambda .

    Its characteristic polynomial is :math:`z^2 - (1+\gamma)(1-h)z + \gamma(1-h)`.
    """
    h = _real("eta_lambda", eta_lambda)
    g = _momentum(momentum)
    c = 1 - h
    return np.array([[(1 + g) * c, -g * c], [1.0, 0.0]])


def _radius_of_monic(a1: np.ndarray, a0: np.ndarray) -> np.ndarray:
    """Largest |root| of z² + a1 z + a0 (elementwise, real coefficients)."""
    disc = a1 * a1 - 4 * a0
    sq = np.sqrt(np.abs(disc))
    real_roots = np.maximum(np.abs(-a1 + sq), np.abs(-a1 - sq)) / 2
    complex_radius = np.sqrt(np.abs(a0))  # |z|² = a0 for a complex pair
    return np.where(disc >= 0, real_roots, complex_radius)


def heavy_ball_spectral_radius(eta_lambda: Any, momentum: Any) -> np.ndarray:
    r"""Spectral radius of :func:`heavy_ball_iteration_matrix`, elementwise.

    The roots of :math:`z^2 - (1 + \gamma - h)z + \gamma`; arrays broadcast.
    """
    h = _array("eta_lambda", eta_lambda)
    g = _momentum_array(momentum)
    return _radius_of_monic(-(1 + g - h), g + 0 * h)


def nag_spectral_radius(eta_lambda: Any, momentum: Any) -> np.ndarray:
    r"""Spectral radius of :func:`nag_iteration_matrix`, elementwise.

    The roots of :math:`z^2 - (1+\gamma)(1-h)z + \gamma(1-h)`; arrays broadcast.
    For a complex pair the radius is :math:`\sqrt{\gamma(1-h)}`, smaller for
    larger curvature, where heavy ball's is :math:`\sqrt{\gamma}` for every :math:`h`.
    """
    h = _array("eta_lambda", eta_lambda)
    g = _momentum_array(momentum)
    c = 1 - h
    return _radius_of_monic(-(1 + g) * c, g * c)


def heavy_ball_stability_bound(momentum: Any) -> np.ndarray:
    r"""Heavy ball converges on the direction iff :math:`0 < h < 2(1 + \gamma)`."""
    g = _momentum_array(momentum)
    return 2 * (1 + g)


def nag_stability_bound(momentum: Any) -> np.ndarray:
    r"""NAG converges on the direction iff :math:`0 < h < 2(1 + \gamma)/(1 + 2\gamma)`.

    From the Schur–Cohn conditions :math:`|a_0| < 1`, :math:`|a_1| < 1 + a_0`
    for :math:`z^2 + a_1 z + a_0` with :math:`a_1 = -(1+\gamma)(1-h)`,
    :math:`a_0 = \gamma(1-h)`.
    """
    g = _momentum_array(momentum)
    return 2 * (1 + g) / (1 + 2 * g)


# ---------------------------------------------------------------------------
# Ruder's look-ahead form
# ---------------------------------------------------------------------------
def lookahead_nag(
    objective: Any,
    steps: int,
    lr: float,
    momentum: float,
    start: Sequence[float] | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""NAG in Ruder's (2016, eq. 6) look-ahead form; returns ``(thetas, velocities)``.

    .. math::

        v_t = \gamma v_{t-1} + \eta\,\nabla f(\theta_{t-1} - \gamma v_{t-1}), \qquad
        \theta_t = \theta_{t-1} - v_t ,

    with :math:`v_0 = 0`. Both arrays have shape ``(steps + 1, d)``; row ``t``
    holds :math:`\theta_t` and :math:`v_t`. The gradient is evaluated at the
    look-ahead point, not at :math:`\theta_{t-1}`: this is what
    :class:`~optbook.optimizers.Nesterov` cannot do from ``step(params, grads)``,
    so it stores the look-ahead point :math:`\theta_t - \gamma v_t` instead.
    """
    steps = _int("steps", steps, 0)
    eta = _positive("lr", lr)
    gamma = _momentum(momentum)
    theta = np.array(objective.start if start is None else start, dtype=np.float64).reshape(-1)
    v = np.zeros_like(theta)
    thetas, vs = [theta.copy()], [v.copy()]
    for _ in range(steps):
        v = gamma * v + eta * np.asarray(objective.grad(theta - gamma * v), dtype=np.float64)
        theta = theta - v
        thetas.append(theta.copy())
        vs.append(v.copy())
    return np.array(thetas), np.array(vs)


# ---------------------------------------------------------------------------
# Nesterov's worst-case quadratic
# ---------------------------------------------------------------------------
def nesterov_worst_case(k: int, dim: int | None = None, smoothness: float = 1.0) -> Objective:
    r"""Nesterov's "worst function in the world" (Nesterov, 2004, §2.1.2).

    .. math::

        f_k(x) = \frac{L}{4}\Big[\tfrac12\Big((x^{(1)})^2
                 + \sum_{i=1}^{k-1}(x^{(i)} - x^{(i+1)})^2 + (x^{(k)})^2\Big) - x^{(1)}\Big]
               = \frac{L}{4}\Big[\tfrac12 x^\top A_k x - e_1^\top x\Big],

    on :math:`\mathbb R^n` (``dim`` = :math:`n \ge k`, default :math:`k`), where
    :math:`A_k` has the tridiagonal block (2 on the diagonal, −1 beside it) in its
    first :math:`k` rows and columns and zeros elsewhere. Its Hessian
    :math:`\tfrac{L}{4}A_k` has eigenvalues in :math:`[0, L)`, so :math:`f_k` is
    convex and :math:`L`-smooth. Minimiser
    :math:`\bar x^{(i)} = 1 - i/(k+1)` for :math:`i \le k` (0 beyond),
    :math:`f_k^* = \tfrac{L}{8}\big(-1 + \tfrac{1}{k+1}\big)`. Start :math:`x_0 = 0`.

    From :math:`x_0 = 0`, any method whose iterates lie in the span of the
    previous gradients has :math:`x_t \in \mathrm{span}(e_1, \dots, e_t)`, hence
    :math:`f_k(x_t) \ge f_t^*`. With :math:`k = 2t + 1` this gives Nesterov's
    lower bound :math:`f(x_t) - f^* \ge 3L\lVert x_0 - x^*\rVert^2 / (32(t+1)^2)`
    (Theorem 2.1.7).

    ``smoothness`` is :math:`L > 0`. The gradient costs :math:`O(n)` (no matrix
    is formed); ``hessian`` returns the dense matrix.
    """
    k = _int("k", k, 1)
    n = k if dim is None else _int("dim", dim, 1)
    if n < k:
        raise ValueError(f"dim must be >= k = {k}, got {n}")
    L = _positive("smoothness", smoothness)
    c = L / 4
    xbar = np.zeros(n)
    xbar[:k] = 1 - np.arange(1, k + 1) / (k + 1)
    fstar = L / 8 * (-1 + 1 / (k + 1))
    hess = np.zeros((n, n))
    idx = np.arange(k)
    hess[idx, idx] = 2 * c
    hess[idx[:-1], idx[:-1] + 1] = -c
    hess[idx[:-1] + 1, idx[:-1]] = -c

    def fn(th: np.ndarray) -> np.ndarray:
        x = th[..., :k]
        sq = x[..., 0] ** 2 + np.sum(np.diff(x, axis=-1) ** 2, axis=-1) + x[..., -1] ** 2
        return c * (0.5 * sq - x[..., 0])

    def grad_fn(th: np.ndarray) -> np.ndarray:
        x = th[..., :k]
        g = np.zeros_like(th)
        g[..., :k] = 2 * x
        g[..., : k - 1] -= x[..., 1:]
        g[..., 1:k] -= x[..., :-1]
        g *= c
        g[..., 0] -= c
        return g

    def hessian_fn(th: np.ndarray) -> np.ndarray:
        return np.broadcast_to(hess.astype(th.dtype), th.shape[:-1] + (n, n)).copy()

    return Objective(
        name=f"Nesterov's worst-case quadratic (k = {k})",
        dim=n,
        minima=(xbar,),
        min_value=fstar,
        start=np.zeros(n),
        bounds=tuple((-0.5, 1.5) for _ in range(n)),
        fn=fn,
        grad_fn=grad_fn,
        hessian_fn=hessian_fn,
    )


# ---------------------------------------------------------------------------
# NAG for smooth convex problems, with adaptive restart
# ---------------------------------------------------------------------------
def convex_momentum(k: int) -> float:
    r"""The momentum coefficient :math:`(k - 1)/(k + 2)` of convex NAG, for :math:`k \ge 1`.

    In :func:`nag_convex`, :math:`y_k = x_k + \frac{k-1}{k+2}(x_k - x_{k-1})`:
    the coefficient is 0 for :math:`k = 1` and rises towards 1 (Su, Boyd &
    Candès, 2016, §1; Nesterov, 1983). Writing :math:`t = k - 1` it is
    :math:`t/(t+3)`.
    """
    k = _int("k", k, 1)
    return (k - 1) / (k + 2)


def nag_convex(
    objective: Any,
    steps: int,
    lr: float,
    start: Sequence[float] | np.ndarray | None = None,
    *,
    restart: str | None = None,
    label: str | None = None,
    blowup: float = BLOWUP,
) -> RunResult:
    r"""Nesterov's method for smooth convex :math:`f`, optionally with adaptive restart.

    In the form of Su, Boyd & Candès (2016, §1), after Nesterov (1983):
    :math:`y_0 = x_0` and, for :math:`k = 0, 1, 2, \dots`,

    .. math::

        x_{k+1} &= y_k - \eta\,\nabla f(y_k),\\
        y_{k+1} &= x_{k+1} + \frac{k}{k+3}\,(x_{k+1} - x_k),

    that is, :math:`y_k = x_k + \frac{k-1}{k+2}(x_k - x_{k-1})` for
    :math:`k \ge 1` (:func:`convex_momentum`). The first two steps are plain
    gradient steps. For convex, :math:`L`-smooth :math:`f` and
    :math:`\eta \le 1/L`,
    :math:`f(x_k) - f^* \le 2\lVert x_0 - x^*\rVert^2 / (\eta (k+1)^2)`.

    ``restart`` (O'Donoghue & Candès, 2015) resets the momentum after the step
    that produced :math:`x_{k+1}` -- the run continues as if :math:`x_{k+1}`
    were a new start, so :math:`y_{k+1} = x_{k+1}` and the counter in the
    coefficient starts again from 0 -- when

    - ``"function"``: :math:`f(x_{k+1}) > f(x_k)`;
    - ``"gradient"``: :math:`\nabla f(y_k)^\top (x_{k+1} - x_k) > 0`.

    Returns a :class:`~optbook.run.RunResult` of the iterates :math:`x_k`, with
    the steps after which a restart happened (the :math:`k + 1` of the
    restarted :math:`x_{k+1}`) in ``hyperparameters["restarts"]``. A run whose
    iterate or loss is non-finite or beyond ``blowup`` stops there.
    """
    steps = _int("steps", steps, 0)
    eta = _positive("lr", lr)
    if restart not in RESTART_SCHEMES:
        raise ValueError(f"restart must be one of {list(RESTART_SCHEMES)!r}, got {restart!r}")
    x = np.array(objective.start if start is None else start, dtype=np.float64).reshape(-1)
    x_prev = x.copy()
    value = objective.value
    f_x = float(value(x))
    path, losses = [x.copy()], [f_x]
    gnorms = [float(np.linalg.norm(objective.grad(x)))]
    restarts: list[int] = []
    diverged_at = None
    j = 0  # the index of y_j since the (re)start: y_j = x_j + (j-1)/(j+2) (x_j - x_{j-1})
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            y = x + convex_momentum(j) * (x - x_prev) if j else x
            g = np.asarray(objective.grad(y), dtype=np.float64)
            x_new = y - eta * g
            f_new = float(value(x_new))
            if not (np.all(np.isfinite(x_new)) and math.isfinite(f_new)
                    and np.max(np.abs(x_new)) <= blowup and abs(f_new) <= blowup):
                diverged_at = k
                break
            if restart == "function":
                reset = f_new > f_x
            elif restart == "gradient":
                reset = float(g @ (x_new - x)) > 0
            else:
                reset = False
            if reset:
                restarts.append(k)
                x_prev, x, j = x_new.copy(), x_new, 0
            else:
                x_prev, x, j = x, x_new, j + 1
            f_x = f_new
            path.append(x.copy())
            losses.append(f_x)
            gnorms.append(float(np.linalg.norm(objective.grad(x))))
    name = "NAG (convex)" if restart is None else f"NAG ({restart} restart)"
    return RunResult(
        path=np.array(path),
        losses=np.array(losses),
        grad_norms=np.array(gnorms),
        optimizer="Nesterov",
        hyperparameters={"lr": eta, "momentum": "(k-1)/(k+2)", "restart": restart,
                         "restarts": restarts},
        steps=steps,
        diverged_at=diverged_at,
        label=label or name,
        objective=getattr(objective, "name", ""),
        min_value=getattr(objective, "min_value", None),
    )


# ---------------------------------------------------------------------------
# Lessard, Recht & Packard's counterexample
# ---------------------------------------------------------------------------
def lessard_counterexample() -> Objective:
    r"""The one-dimensional function on which heavy ball cycles (Lessard et al., 2016).

    Lessard, Recht & Packard (2016) define :math:`f` by its gradient

    .. math::

        f'(x) = \begin{cases} 25x & x < 1\\ x + 24 & 1 \le x < 2\\ 25x - 24 & x \ge 2,\end{cases}
        \qquad
        f(x) = \begin{cases} \tfrac{25}{2}x^2 & x < 1\\ \tfrac12 x^2 + 24x - 12 & 1 \le x < 2\\
        \tfrac{25}{2}x^2 - 24x + 36 & x \ge 2,\end{cases}

    (the constants make :math:`f` and :math:`f'` continuous, with :math:`f(0) = 0`).
    :math:`f'' \in \{1, 25\}`, so :math:`f` is 1-strongly convex and 25-smooth
    (:math:`\mu = 1`, :math:`L = 25`, :math:`\kappa = 25`), with minimum 0 at 0.
    Heavy ball with the parameters that are optimal on quadratics with this
    :math:`\kappa`, :math:`\eta = 4/(\sqrt L + \sqrt\mu)^2 = 1/9` and
    :math:`\gamma = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2 = 4/9`, started at
    :math:`x_0 \in [3.07, 3.46]`, converges to a 3-cycle instead of 0.
    """

    def fn(th: np.ndarray) -> np.ndarray:
        x = th[..., 0]
        return np.where(x < 1, 12.5 * x * x,
                        np.where(x < 2, 0.5 * x * x + 24 * x - 12, 12.5 * x * x - 24 * x + 36))

    def grad_fn(th: np.ndarray) -> np.ndarray:
        return np.where(th < 1, 25 * th, np.where(th < 2, th + 24, 25 * th - 24))

    def hessian_fn(th: np.ndarray) -> np.ndarray:
        x = th[..., 0:1]
        return np.where((x >= 1) & (x < 2), 1.0, 25.0)[..., None].astype(th.dtype)

    return Objective(
        name="Lessard et al.'s function",
        dim=1,
        minima=(np.zeros(1),),
        min_value=0.0,
        start=np.array([3.3]),
        bounds=((-3.0, 4.0),),
        fn=fn,
        grad_fn=grad_fn,
        hessian_fn=hessian_fn,
    )
