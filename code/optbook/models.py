"""Models with hand-written losses and gradients, as objectives the runner can drive.

A model here is an objective over one flat parameter vector θ, with the same
interface as the surfaces in :mod:`optbook.functions`: ``value(theta)``,
``grad(theta)``, ``hessian(theta)``, ``dim`` and a ``start`` point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only: no overflow for any z
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


@dataclass(frozen=True)
class LogisticRegression:
    r"""L2-regularised logistic regression, full batch.

    With θ = (w, b), :math:`p_i = \sigma(x_i^\top w + b)` and labels
    :math:`y_i \in \{0, 1\}`:

    .. math::

        L(\theta) = \frac1n \sum_{i=1}^n \Big[\log(1 + e^{z_i}) - y_i z_i\Big]
                    + \frac{\lambda}{2}\lVert w\rVert^2, \quad z_i = x_i^\top w + b

    .. math::

        \nabla_w L = \frac1n X^\top (p - y) + \lambda w, \qquad
        \frac{\partial L}{\partial b} = \frac1n \sum_i (p_i - y_i)

    The parameter vector is ``theta = concatenate([w, [b]])``: the last entry
    is the bias. The loss is convex and its gradient is Lipschitz with constant
    at most :meth:`smoothness`, :math:`\lambda_{max}(\tilde X^\top \tilde X)/(4n) + \lambda`,
    where :math:`\tilde X = [X\ \mathbf 1]`, because :math:`\sigma' \le 1/4`.
    """

    X: np.ndarray
    y: np.ndarray
    l2: float = 0.0
    name: str = "logistic regression"
    _Xb: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        X = np.asarray(self.X, dtype=np.float64)
        y = np.asarray(self.y, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array (n, d), got shape {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("y must contain only 0 and 1")
        if self.l2 < 0:
            raise ValueError(f"l2 must be >= 0, got {self.l2!r}")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "_Xb", np.hstack([X, np.ones((X.shape[0], 1))]))

    @property
    def dim(self) -> int:
        """Number of parameters: d weights and one bias."""
        return self.X.shape[1] + 1

    @property
    def start(self) -> np.ndarray:
        """The usual start: all weights and the bias zero."""
        return np.zeros(self.dim)

    min_value = None

    def _check(self, theta: np.ndarray) -> np.ndarray:
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.dim,):
            raise ValueError(f"theta must have shape ({self.dim},), got {theta.shape}")
        return theta

    def value(self, theta: np.ndarray) -> float:
        """The loss L(θ)."""
        theta = self._check(theta)
        z = self._Xb @ theta
        w = theta[:-1]
        return float(np.mean(np.logaddexp(0.0, z) - self.y * z) + 0.5 * self.l2 * (w @ w))

    __call__ = value

    def grad(self, theta: np.ndarray) -> np.ndarray:
        """The gradient ∇L(θ) = X̃ᵀ(p − y)/n + λ(w, 0)."""
        theta = self._check(theta)
        p = _sigmoid(self._Xb @ theta)
        g = self._Xb.T @ (p - self.y) / self.X.shape[0]
        g[:-1] += self.l2 * theta[:-1]
        return g

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """The Hessian X̃ᵀ diag(p(1 − p)) X̃ / n + λ diag(1, …, 1, 0)."""
        theta = self._check(theta)
        p = _sigmoid(self._Xb @ theta)
        H = (self._Xb * (p * (1 - p))[:, None]).T @ self._Xb / self.X.shape[0]
        H[np.arange(self.dim - 1), np.arange(self.dim - 1)] += self.l2
        return H

    def smoothness(self) -> float:
        """An upper bound on λ_max of the Hessian anywhere: λ_max(X̃ᵀX̃)/(4n) + λ."""
        n = self.X.shape[0]
        return float(np.linalg.eigvalsh(self._Xb.T @ self._Xb)[-1] / (4 * n) + self.l2)

    def accuracy(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction of examples of (X, y) classified correctly (threshold 1/2)."""
        theta = self._check(theta)
        z = np.asarray(X, dtype=np.float64) @ theta[:-1] + theta[-1]
        return float(np.mean((z >= 0) == (np.asarray(y) == 1)))
