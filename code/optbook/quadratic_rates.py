r"""Exact linear rates of gradient descent and momentum methods on a quadratic.

On :math:`f(\theta) = \tfrac12\theta^\top A\theta` with :math:`A = Q\Lambda Q^\top`
symmetric positive definite, every method of this module is linear in the
error :math:`e_t = \theta_t - \theta^*`, and every state vector it keeps is a
linear combination of past gradients :math:`A e_s`. In the eigenbasis of
:math:`A` the iteration therefore splits into independent small systems, one
per eigenvalue :math:`\lambda`, each a fixed matrix :math:`M(\lambda)` acting
on a short state vector. The method converges from every start iff every
:math:`M(\lambda_i)` has spectral radius below 1, and the worst spectral radius
is the linear rate.

========================  =============================================  ==================
method                    state per eigen-direction                      matrix
========================  =============================================  ==================
gradient descent          :math:`e_t`                                    :math:`1 - \eta\lambda`
heavy ball (Polyak 1964)  :math:`(e_t, e_{t-1})`                         :func:`heavy_ball_matrix`
QHM (Ma & Yarats 2019)    :math:`(e_t, m_t)`                             :func:`qhm_matrix`
AggMo (Lucas et al. 2019) :math:`(e_t, v^{(1)}_t, \dots, v^{(K)}_t)`     :func:`aggmo_matrix`
========================  =============================================  ==================

Heavy ball, :math:`v_t = \gamma v_{t-1} + \eta g_t`, :math:`\theta_t = \theta_{t-1} - v_t`,
is the second-order recurrence
:math:`e_t = (1 + \gamma - \eta\lambda)\, e_{t-1} - \gamma\, e_{t-2}`, with the
characteristic polynomial :math:`z^2 - (1 + \gamma - \eta\lambda) z + \gamma`.
For :math:`\gamma \ge 0` it converges iff :math:`\gamma < 1` and
:math:`0 < \eta\lambda < 2(1 + \gamma)`; the best pair for eigenvalues in
:math:`[\lambda_{\min}, \lambda_{\max}]` is
:math:`\eta^* = 4/(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2`,
:math:`\gamma^* = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2`, with rate
:math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)` against gradient descent's
:math:`(\kappa - 1)/(\kappa + 1)` (Polyak, 1964; Polyak, *Introduction to
Optimization*, 1987, §3.2; Goh, 2017).

The eigenvalues of a 2 × 2 or 3 × 3 problem are cheap; every function takes
scalars or arrays of :math:`\eta\lambda` and broadcasts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .optimizers._base import _as_real, check_decay, check_positive, check_unit_closed

__all__ = [
    "aggmo_matrix",
    "aggmo_rate",
    "damping_regime",
    "gd_optimal",
    "gd_rate",
    "heavy_ball_eigenvalues",
    "heavy_ball_matrix",
    "heavy_ball_optimal",
    "heavy_ball_rate",
    "heavy_ball_stable",
    "qhm_matrix",
    "qhm_rate",
    "spectral_radius",
]


# --------------------------------------------------------------------------
# input checks: ValueError naming the argument
# --------------------------------------------------------------------------
# the package's own checks (optimizers/_base.py), under this module's names
_real = _as_real
_positive = check_positive
_momentum = check_decay
_unit_closed = check_unit_closed


def _eigenvalues(name: str, value: Any) -> np.ndarray:
    """A float array of finite eigenvalues > 0 (a scalar stays 0-d)."""
    if isinstance(value, bool | str | bytes) or value is None:
        raise ValueError(f"{name} must be a positive number or an array of them, got {value!r}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number or an array of them") from None
    if arr.dtype.kind not in "iuf" or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty real number or array, got {value!r}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return arr


def _condition(lambda_min: Any, lambda_max: Any) -> tuple[float, float]:
    lo = _positive("lambda_min", lambda_min)
    hi = _positive("lambda_max", lambda_max)
    if lo > hi:
        raise ValueError(f"lambda_min must be <= lambda_max, got {lo!r} > {hi!r}")
    return lo, hi


# --------------------------------------------------------------------------
# generic
# --------------------------------------------------------------------------
def spectral_radius(matrix: Any) -> np.ndarray:
    r"""The largest eigenvalue modulus :math:`\rho(M) = \max_j |z_j(M)|`.

    ``matrix`` is one square matrix or a stack ``(..., n, n)``; the result has
    the stack's shape. (Gelfand: :math:`\lVert M^t\rVert^{1/t} \to \rho(M)`, so
    :math:`\rho` is the asymptotic rate of :math:`x_t = M^t x_0`.)
    """
    arr = np.asarray(matrix, dtype=np.float64) if not isinstance(matrix, str) else None
    if arr is None or arr.ndim < 2 or arr.shape[-1] != arr.shape[-2] or arr.shape[-1] == 0:
        raise ValueError(f"matrix must be a square matrix or a stack of them, got {matrix!r}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("matrix must be finite")
    return np.max(np.abs(np.linalg.eigvals(arr)), axis=-1)


# --------------------------------------------------------------------------
# gradient descent
# --------------------------------------------------------------------------
def gd_rate(lr: float, eigenvalues: Any) -> float:
    r"""Gradient descent's rate :math:`\rho(\eta) = \max_i |1 - \eta\lambda_i|`.

    Chapter 1's theorem: :math:`e_t = (I - \eta A)^t e_0`, so each
    eigen-direction shrinks by :math:`|1 - \eta\lambda_i|` per step.
    """
    eta = _positive("lr", lr)
    lam = _eigenvalues("eigenvalues", eigenvalues)
    return float(np.max(np.abs(1 - eta * lam)))


def gd_optimal(lambda_min: float, lambda_max: float) -> tuple[float, float]:
    r"""The best constant rate of gradient descent, ``(eta_star, rate)``.

    :math:`\eta^* = 2/(\lambda_{\min} + \lambda_{\max})`, rate
    :math:`(\kappa - 1)/(\kappa + 1)` with :math:`\kappa = \lambda_{\max}/\lambda_{\min}`.
    """
    lo, hi = _condition(lambda_min, lambda_max)
    kappa = hi / lo
    return 2 / (lo + hi), (kappa - 1) / (kappa + 1)


# --------------------------------------------------------------------------
# heavy ball
# --------------------------------------------------------------------------
def heavy_ball_matrix(lr: float, momentum: float, eigenvalue: Any) -> np.ndarray:
    r"""The 2 × 2 iteration matrix of heavy ball in one eigen-direction.

    With :math:`e_t` the error's coordinate along the eigenvector of
    eigenvalue :math:`\lambda`, :math:`v_t = \gamma v_{t-1} + \eta\lambda e_{t-1}`
    and :math:`e_t = e_{t-1} - v_t`; eliminating :math:`v_{t-1} = e_{t-2} - e_{t-1}`
    gives

    .. math::

        \begin{pmatrix} e_t \\ e_{t-1}\end{pmatrix} =
        \underbrace{\begin{pmatrix} 1 + \gamma - \eta\lambda & -\gamma \\
        1 & 0\end{pmatrix}}_{M(\lambda)}
        \begin{pmatrix} e_{t-1} \\ e_{t-2}\end{pmatrix},

    started from :math:`e_{-1} = e_0` (:math:`v_0 = 0`). ``eigenvalue`` may be
    an array; the result then has shape ``eigenvalue.shape + (2, 2)``. γ may be
    any finite real here (to show what happens outside [0, 1)).
    """
    eta = _positive("lr", lr)
    gamma = _real("momentum", momentum)
    lam = _eigenvalues("eigenvalue", eigenvalue)
    out = np.zeros(lam.shape + (2, 2))
    out[..., 0, 0] = 1 + gamma - eta * lam
    out[..., 0, 1] = -gamma
    out[..., 1, 0] = 1.0
    return out


def heavy_ball_eigenvalues(lr: float, momentum: float, eigenvalue: Any) -> np.ndarray:
    r"""The two eigenvalues :math:`z_\pm` of :func:`heavy_ball_matrix`, in closed form.

    They are the roots of :math:`z^2 - (1 + \gamma - \eta\lambda) z + \gamma`:

    .. math::

        z_\pm = \tfrac12\Big(1 + \gamma - \eta\lambda \pm
        \sqrt{(1 + \gamma - \eta\lambda)^2 - 4\gamma}\Big),

    complex conjugates with :math:`|z_\pm| = \sqrt\gamma` when the discriminant
    is negative. Returns a complex array of shape ``eigenvalue.shape + (2,)``
    (``[z_+, z_-]``).
    """
    eta = _positive("lr", lr)
    gamma = _real("momentum", momentum)
    lam = _eigenvalues("eigenvalue", eigenvalue)
    a = 1 + gamma - eta * lam
    root = np.sqrt((a * a - 4 * gamma).astype(complex))
    return np.stack([(a + root) / 2, (a - root) / 2], axis=-1)


def heavy_ball_rate(lr: float, momentum: float, eigenvalues: Any) -> float:
    r"""Heavy ball's linear rate: the largest :math:`|z_\pm(\lambda_i)|` over all eigenvalues."""
    z = heavy_ball_eigenvalues(lr, momentum, eigenvalues)
    return float(np.max(np.abs(z)))


def heavy_ball_stable(lr: float, momentum: float, eigenvalue: Any) -> np.ndarray:
    r"""The theorem's test: :math:`0 \le \gamma < 1` and :math:`0 < \eta\lambda < 2(1 + \gamma)`.

    For :math:`\gamma \ge 0` this holds iff both eigenvalues of
    :func:`heavy_ball_matrix` lie strictly inside the unit circle (the
    Schur–Cohn test for :math:`z^2 - az + b`: :math:`|b| < 1` and
    :math:`|a| < 1 + b`). Returns a bool array of ``eigenvalue``'s shape.
    """
    eta = _positive("lr", lr)
    gamma = _real("momentum", momentum)
    lam = _eigenvalues("eigenvalue", eigenvalue)
    if gamma < 0:
        raise ValueError(f"momentum must be >= 0 for the theorem's test, got {gamma!r}")
    x = eta * lam
    return (gamma < 1) & (x > 0) & (x < 2 * (1 + gamma))


def heavy_ball_optimal(lambda_min: float, lambda_max: float) -> tuple[float, float, float]:
    r"""Polyak's optimal heavy-ball parameters ``(eta_star, gamma_star, rate)``.

    .. math::

        \eta^* = \frac{4}{(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2},\qquad
        \gamma^* = \Big(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Big)^2,\qquad
        \rho^* = \sqrt{\gamma^*} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}.

    At this pair :math:`\eta^*\lambda_{\min} = (1 - \sqrt{\gamma^*})^2` and
    :math:`\eta^*\lambda_{\max} = (1 + \sqrt{\gamma^*})^2`: both extreme
    eigen-directions are critically damped and every one in between is
    underdamped with modulus :math:`\sqrt{\gamma^*}` (Polyak, 1964).
    """
    lo, hi = _condition(lambda_min, lambda_max)
    s = math.sqrt(hi / lo)
    rate = (s - 1) / (s + 1)
    return 4 / (math.sqrt(hi) + math.sqrt(lo)) ** 2, rate**2, rate


def damping_regime(lr: float, momentum: float, eigenvalue: float, rtol: float = 1e-9) -> str:
    r"""``"underdamped"``, ``"critically damped"`` or ``"overdamped"`` for one eigen-direction.

    The discriminant :math:`(1 + \gamma - \eta\lambda)^2 - 4\gamma` of
    :func:`heavy_ball_eigenvalues` decides:

    - negative, i.e. :math:`(1 - \sqrt\gamma)^2 < \eta\lambda < (1 + \sqrt\gamma)^2`:
      complex eigenvalues, the error spirals (oscillates) with envelope
      :math:`\sqrt\gamma^{\,t}`: **underdamped**;
    - zero (within ``rtol`` of :math:`4\gamma`): one double eigenvalue: **critically damped**;
    - positive: two real eigenvalues, no rotation: **overdamped** (for
      :math:`\eta\lambda > (1 + \sqrt\gamma)^2` both are negative and the sign
      flips every step, as in gradient descent with :math:`\eta\lambda > 1`).

    γ must be in [0, 1), ``eigenvalue`` a positive number.
    """
    eta = _positive("lr", lr)
    gamma = _momentum("momentum", momentum)
    lam = _positive("eigenvalue", eigenvalue)
    rtol = _positive("rtol", rtol)
    a = 1 + gamma - eta * lam
    disc = a * a - 4 * gamma
    if abs(disc) <= rtol * max(4 * gamma, a * a, 1e-300):
        return "critically damped"
    return "underdamped" if disc < 0 else "overdamped"


# --------------------------------------------------------------------------
# QHM and AggMo
# --------------------------------------------------------------------------
def qhm_matrix(lr: float, beta: float, nu: float, eigenvalue: Any) -> np.ndarray:
    r"""The 2 × 2 iteration matrix of QHM (Ma & Yarats, 2019) in one eigen-direction.

    QHM: :math:`m_t = \beta m_{t-1} + (1 - \beta) g_t`,
    :math:`\theta_t = \theta_{t-1} - \eta\,[(1 - \nu) g_t + \nu m_t]`. With
    :math:`g_t = \lambda e_{t-1}`, on the state :math:`(e_t, m_t)`:

    .. math::

        m_t &= \beta m_{t-1} + (1-\beta)\lambda e_{t-1},\\
        e_t &= \big(1 - \eta\lambda(1 - \nu\beta)\big) e_{t-1} - \eta\nu\beta\, m_{t-1},

    so :math:`M = \begin{pmatrix} 1 - \eta\lambda(1 - \nu\beta) & -\eta\nu\beta\\
    (1 - \beta)\lambda & \beta\end{pmatrix}`. Shape ``eigenvalue.shape + (2, 2)``.
    """
    eta = _positive("lr", lr)
    b = _momentum("beta", beta)
    v = _unit_closed("nu", nu)
    lam = _eigenvalues("eigenvalue", eigenvalue)
    out = np.empty(lam.shape + (2, 2))
    out[..., 0, 0] = 1 - eta * lam * (1 - v * b)
    out[..., 0, 1] = -eta * v * b
    out[..., 1, 0] = (1 - b) * lam
    out[..., 1, 1] = b
    return out


def qhm_rate(lr: float, beta: float, nu: float, eigenvalues: Any) -> float:
    r"""QHM's linear rate: the largest spectral radius of :func:`qhm_matrix`."""
    return float(np.max(spectral_radius(qhm_matrix(lr, beta, nu, eigenvalues))))


def _betas(betas: Any) -> tuple[float, ...]:
    if isinstance(betas, np.ndarray):
        betas = betas.tolist()
    if isinstance(betas, str | bytes) or not isinstance(betas, Sequence) or len(betas) == 0:
        raise ValueError(f"betas must be a non-empty sequence of numbers in [0, 1), got {betas!r}")
    return tuple(_momentum(f"betas[{i}]", b) for i, b in enumerate(betas))


def aggmo_matrix(lr: float, betas: Sequence[float], eigenvalue: Any) -> np.ndarray:
    r"""The (K + 1) × (K + 1) iteration matrix of AggMo (Lucas et al., 2019) per eigen-direction.

    AggMo: :math:`v^{(i)}_t = \beta^{(i)} v^{(i)}_{t-1} - g_t`,
    :math:`\theta_t = \theta_{t-1} + \frac{\eta}{K}\sum_i v^{(i)}_t`. With
    :math:`g_t = \lambda e_{t-1}`, on the state :math:`(e_t, v^{(1)}_t, \dots, v^{(K)}_t)`:

    .. math::

        v^{(i)}_t &= \beta^{(i)} v^{(i)}_{t-1} - \lambda e_{t-1},\\
        e_t &= (1 - \eta\lambda)\, e_{t-1} + \frac{\eta}{K}\sum_i \beta^{(i)} v^{(i)}_{t-1},

    so the first row is :math:`(1 - \eta\lambda, \eta\beta^{(1)}/K, \dots, \eta\beta^{(K)}/K)`
    and row :math:`i` is :math:`(-\lambda, 0, \dots, \beta^{(i)}, \dots, 0)`.
    K = 1 is heavy ball with PyTorch's buffer. Shape ``eigenvalue.shape + (K+1, K+1)``.
    """
    eta = _positive("lr", lr)
    bs = np.array(_betas(betas))
    lam = _eigenvalues("eigenvalue", eigenvalue)
    k = bs.size
    out = np.zeros(lam.shape + (k + 1, k + 1))
    out[..., 0, 0] = 1 - eta * lam
    out[..., 0, 1:] = eta * bs / k
    out[..., 1:, 0] = -lam[..., None]
    idx = np.arange(1, k + 1)
    out[..., idx, idx] = bs
    return out


def aggmo_rate(lr: float, betas: Sequence[float], eigenvalues: Any) -> float:
    r"""AggMo's linear rate: the largest spectral radius of :func:`aggmo_matrix`."""
    return float(np.max(spectral_radius(aggmo_matrix(lr, betas, eigenvalues))))
