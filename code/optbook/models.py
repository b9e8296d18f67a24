r"""Models with hand-written losses and gradients, as objectives the optimizers can drive.

A model here is an objective over one flat float64 parameter vector θ, with the
same interface as the surfaces in :mod:`optbook.functions` (``value(theta)``,
``grad(theta)``, ``dim``, ``start``), so it can be passed to
:func:`optbook.run.run` and, when it has a ``hessian``, to
:func:`optbook.newton.minimize_newton`.

Every model is bound to its *training* data ``(X, y)``. Its loss is the mean of
a per-example loss :math:`\ell_i` over the rows plus an L2 penalty on the
weights (never on the biases):

.. math::

    L(\theta) = \frac1n \sum_{i=1}^n \ell_i(\theta) + \frac{\lambda}{2}\lVert w\rVert^2 .

``value``, ``grad``, ``value_and_grad`` and ``metric`` take optional ``X`` and
``y``; given, the mean runs over those rows instead (a mini-batch), and the
penalty is added once, not divided by the batch size. So the gradient on a
uniformly sampled mini-batch is an unbiased estimate of the full gradient, and
the mean of the mini-batch gradients over a partition of the rows into equal
batches is exactly the full gradient.

Models: :class:`LinearRegression`, :class:`LogisticRegression`,
:class:`SoftmaxRegression` and :class:`MLP`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .optimizers._base import check_nonnegative

__all__ = ["MLP", "LinearRegression", "LogisticRegression", "SoftmaxRegression"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only: no overflow for any z
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _real_array(value: object, name: str, what: str) -> np.ndarray:
    """``value`` as a float64 array; only bool, integer and float data are accepted.

    Complex numbers (whose imaginary part a cast would drop with a warning),
    strings and objects raise ``ValueError`` naming ``name``.
    """
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be {what} of real numbers: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be {what} of real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def _features(X: object, name: str = "X", n_features: int | None = None) -> np.ndarray:
    """``X`` as a finite float64 matrix with at least one row (and ``n_features`` columns)."""
    arr = _real_array(X, name, "a 2-D array")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n, d), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row, got shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(
            f"{name} must have {n_features} columns (the model's features), got shape {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must contain only finite numbers")
    return arr


def _real_targets(y: object, n: int) -> np.ndarray:
    arr = _real_array(y, "y", "a 1-D array")
    if arr.shape != (n,):
        raise ValueError(f"y must have shape ({n},) (one target per row of X), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError("y must contain only finite numbers")
    return arr


def _binary_labels(y: object, n: int) -> np.ndarray:
    arr = np.asarray(y)
    if arr.shape != (n,):
        raise ValueError(f"y must have shape ({n},) (one label per row of X), got {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"y must contain only 0 and 1, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if not ((arr == 0) | (arr == 1)).all():
        raise ValueError("y must contain only 0 and 1")
    return arr


def _class_labels(y: object, n: int, n_classes: int | None) -> np.ndarray:
    """``y`` as integer labels in 0..n_classes-1 (integral floats are accepted)."""
    arr = np.asarray(y)
    if arr.shape != (n,):
        raise ValueError(f"y must have shape ({n},) (one label per row of X), got {arr.shape}")
    if arr.dtype.kind in "iu":
        labels = arr.astype(np.intp, copy=False)
    elif arr.dtype.kind in "bf":
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise ValueError("y must contain integer class labels, got non-finite values")
        with np.errstate(invalid="ignore"):  # labels beyond the integer range
            labels = arr.astype(np.intp)
        if not np.array_equal(labels, arr):
            raise ValueError(
                "y must contain integer class labels 0, 1, ..., got non-integers or values "
                "beyond the integer range"
            )
    else:
        raise ValueError(f"y must contain integer class labels, got dtype {arr.dtype}")
    if labels.min() < 0:
        raise ValueError(f"y must contain class labels >= 0, got {labels.min()}")
    if n_classes is not None and labels.max() >= n_classes:
        raise ValueError(
            f"y must contain class labels 0..{n_classes - 1} (n_classes = {n_classes}), "
            f"got {labels.max()}"
        )
    return labels


def _check_l2(l2: object) -> float:
    """λ as a float: a finite real number >= 0 (not a bool or a string), as the optimizers'
    hyperparameters are checked."""
    return check_nonnegative("l2", l2)


def _n_classes(n_classes: object, labels: np.ndarray) -> int:
    if n_classes is None:
        k = int(labels.max()) + 1
        if k < 2:
            raise ValueError(
                "n_classes must be >= 2; y holds a single class, so pass n_classes explicitly"
            )
        return k
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
        raise ValueError(f"n_classes must be an integer >= 2 or None, got {n_classes!r}")
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2, got {n_classes}")
    return int(n_classes)


def _softmax_cross_entropy(
    Z: np.ndarray, y: np.ndarray, want_grad: bool
) -> tuple[float, np.ndarray | None]:
    r"""Mean cross-entropy of logits ``Z`` (m, K) against labels ``y``, and its gradient.

    :math:`\frac1m\sum_i \big[\log\sum_k e^{z_{ik}} - z_{i y_i}\big]`, computed
    after subtracting each row's maximum (the log-sum-exp trick: no overflow).
    The gradient with respect to ``Z`` is :math:`(P - Y)/m`, with :math:`P` the
    softmax probabilities and :math:`Y` the one-hot labels. ``Z`` is overwritten.
    """
    m = Z.shape[0]
    rows = np.arange(m)
    Z -= Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    s = E.sum(axis=1)
    loss = float(np.log(s).sum() - Z[rows, y].sum()) / m
    if not want_grad:
        return loss, None
    E *= (1.0 / (m * s))[:, None]  # P / m
    E[rows, y] -= 1.0 / m  # (P - Y) / m
    return loss, E


class _Model:
    """Shared plumbing: validation, the L2 penalty and the value/grad entry points.

    A subclass sets ``X``, ``y``, ``l2``, ``_mask`` (1.0 on the weights, 0.0 on
    the biases) and implements ``_data_loss(theta, X, y, want_grad)``: the mean
    loss over the rows of ``(X, y)`` and, if asked, its gradient (without the
    penalty), from one forward pass.
    """

    X: np.ndarray
    y: np.ndarray
    l2: float
    _mask: np.ndarray
    min_value = None
    metric_name: ClassVar[str] = ""

    # subclasses
    def _data_loss(
        self, theta: np.ndarray, X: np.ndarray, y: np.ndarray, want_grad: bool
    ) -> tuple[float, np.ndarray | None]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _labels(self, y: object, n: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _metric(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError  # pragma: no cover - abstract

    # shared
    @property
    def n_features(self) -> int:
        """Number of input features d (columns of X)."""
        return self.X.shape[1]

    @property
    def dim(self) -> int:
        """Number of parameters: the length of θ."""
        return self._mask.size

    def _check(self, theta: object) -> np.ndarray:
        arr = np.asarray(theta)
        if arr.dtype != np.float64:
            if arr.dtype.kind not in "biuf":
                raise ValueError(f"theta must be an array of real numbers, got dtype {arr.dtype}")
            arr = arr.astype(np.float64)
        if arr.shape != (self.dim,):
            raise ValueError(f"theta must have shape ({self.dim},), got {arr.shape}")
        return arr

    def _data(self, X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
        if X is None and y is None:
            return self.X, self.y
        if X is None or y is None:
            raise ValueError("X and y must be given together (or both None for the training data)")
        Xc = _features(X, "X", self.n_features)
        return Xc, self._labels(y, Xc.shape[0])

    def _loss(
        self, theta: object, X: object, y: object, want_grad: bool, trusted: bool = False
    ) -> tuple[float, np.ndarray | None]:
        if trusted:  # rows of the model's own data, which were checked at construction
            th, Xc, yc = theta, X, y
        else:
            th = self._check(theta)
            Xc, yc = self._data(X, y)
        value, g = self._data_loss(th, Xc, yc, want_grad)
        if self.l2:
            w = th * self._mask
            value += 0.5 * self.l2 * float(w @ w)
            if g is not None:
                g += self.l2 * w
        return value, g

    def value(self, theta: np.ndarray, X: np.ndarray | None = None,
              y: np.ndarray | None = None) -> float:
        """The loss: mean over the rows of (X, y) (default: training data) + (λ/2)‖w‖²."""
        return self._loss(theta, X, y, False)[0]

    def __call__(self, theta: np.ndarray, X: np.ndarray | None = None,
                 y: np.ndarray | None = None) -> float:
        """Same as :meth:`value`."""
        return self.value(theta, X, y)

    def grad(self, theta: np.ndarray, X: np.ndarray | None = None,
             y: np.ndarray | None = None) -> np.ndarray:
        """The gradient of :meth:`value`, shape ``(dim,)``."""
        g = self._loss(theta, X, y, True)[1]
        assert g is not None
        return g

    def _rows_value_and_grad(
        self, theta: np.ndarray, X: np.ndarray, y: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """:meth:`value_and_grad` on rows ``X, y`` taken from ``self.X, self.y``.

        For :func:`optbook.train.train`'s inner loop: the rows were checked when
        the model was built and ``theta`` is a float64 vector of length
        :attr:`dim`, so the checks of :meth:`value_and_grad` (a third of a small
        model's step) are skipped. Same numbers as :meth:`value_and_grad`.
        """
        v, g = self._loss(theta, X, y, True, trusted=True)
        assert g is not None
        return v, g

    def value_and_grad(self, theta: np.ndarray, X: np.ndarray | None = None,
                       y: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """``(value, grad)`` from a single forward pass."""
        v, g = self._loss(theta, X, y, True)
        assert g is not None
        return v, g

    def metric(self, theta: np.ndarray, X: np.ndarray | None = None,
               y: np.ndarray | None = None) -> float:
        """The model's metric (``metric_name``) on (X, y), default the training data."""
        th = self._check(theta)
        Xc, yc = self._data(X, y)
        return self._metric(th, Xc, yc)

    def _penalty_hessian(self) -> np.ndarray:
        return self.l2 * np.diag(self._mask)


def _weights_then_biases_mask(n_weights: int, n_biases: int) -> np.ndarray:
    return np.concatenate([np.ones(n_weights), np.zeros(n_biases)])


class _BinaryOrMulticlass(_Model):
    """Accuracy as the metric, with ``accuracy`` as an alias of ``metric``."""

    metric_name: ClassVar[str] = "accuracy"

    def _metric(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self._predict(theta, X) == y))

    def _predict(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def predict(self, theta: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        """Predicted class labels (int64) for the rows of X (default: training data)."""
        th = self._check(theta)
        Xc = self.X if X is None else _features(X, "X", self.n_features)
        return self._predict(th, Xc).astype(np.int64)

    def accuracy(self, theta: np.ndarray, X: np.ndarray | None = None,
                 y: np.ndarray | None = None) -> float:
        """Fraction of the rows of (X, y) classified correctly (alias of :meth:`metric`)."""
        return self.metric(theta, X, y)


# --------------------------------------------------------------------------- linear regression


@dataclass(frozen=True, eq=False)
class LinearRegression(_Model):
    r"""Least-squares linear regression with an optional L2 penalty.

    With θ = (w, b), :math:`\tilde X = [X\ \mathbf 1]` and real targets :math:`y`:

    .. math::

        L(\theta) = \frac1{2n} \sum_{i=1}^n (x_i^\top w + b - y_i)^2
                    + \frac{\lambda}{2}\lVert w\rVert^2
                  = \frac1{2n}\lVert \tilde X\theta - y\rVert^2 + \frac\lambda2\lVert w\rVert^2

    .. math::

        \nabla L(\theta) = \frac1n \tilde X^\top(\tilde X\theta - y) + \lambda (w, 0), \qquad
        \nabla^2 L = \frac1n \tilde X^\top \tilde X + \lambda\,\mathrm{diag}(1, \dots, 1, 0).

    The Hessian does not depend on θ, so :meth:`smoothness` (its largest
    eigenvalue) is the exact Lipschitz constant of the gradient, and
    :meth:`solve` returns the exact minimiser. ``theta = concatenate([w, [b]])``.
    The metric is the root mean squared error.
    """

    X: np.ndarray
    y: np.ndarray
    l2: float = 0.0
    name: str = "linear regression"
    _Xb: np.ndarray = field(init=False, repr=False)
    _mask: np.ndarray = field(init=False, repr=False)
    metric_name: ClassVar[str] = "RMSE"

    def __post_init__(self) -> None:
        X = _features(self.X)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", _real_targets(self.y, X.shape[0]))
        object.__setattr__(self, "l2", _check_l2(self.l2))
        object.__setattr__(self, "_Xb", np.hstack([X, np.ones((X.shape[0], 1))]))
        object.__setattr__(self, "_mask", _weights_then_biases_mask(X.shape[1], 1))

    def _labels(self, y: object, n: int) -> np.ndarray:
        return _real_targets(y, n)

    @property
    def start(self) -> np.ndarray:
        """All weights and the bias zero."""
        return np.zeros(self.dim)

    def _data_loss(self, theta, X, y, want_grad):
        r = X @ theta[:-1] + theta[-1] - y
        value = 0.5 * float(r @ r) / r.size
        if not want_grad:
            return value, None
        g = np.empty(self.dim)
        g[:-1] = X.T @ r / r.size
        g[-1] = r.mean()
        return value, g

    def predict(self, theta: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        """Predictions :math:`Xw + b` for the rows of X (default: training data)."""
        th = self._check(theta)
        Xc = self.X if X is None else _features(X, "X", self.n_features)
        return Xc @ th[:-1] + th[-1]

    def _metric(self, theta, X, y):
        r = X @ theta[:-1] + theta[-1] - y
        return float(np.sqrt(np.mean(r * r)))

    def hessian(self, theta: np.ndarray | None = None) -> np.ndarray:
        """The constant Hessian X̃ᵀX̃/n + λ diag(1, …, 1, 0) (``theta`` is only validated)."""
        if theta is not None:
            self._check(theta)
        return self._Xb.T @ self._Xb / self.X.shape[0] + self._penalty_hessian()

    def smoothness(self) -> float:
        """λ_max of the Hessian: the exact Lipschitz constant of the gradient."""
        return float(np.linalg.eigvalsh(self.hessian())[-1])

    def solve(self) -> np.ndarray:
        r"""The exact minimiser θ* (the minimum-norm one if the minimiser is not unique).

        Solves the normal equations
        :math:`(\tilde X^\top\tilde X/n + \lambda D)\theta = \tilde X^\top y/n` as the
        least-squares problem :math:`\min \lVert A\theta - c\rVert` with
        :math:`A = [\tilde X/\sqrt n;\ \sqrt\lambda D]`, :math:`c = [y/\sqrt n;\ 0]`,
        by ``numpy.linalg.lstsq`` (an SVD), which avoids squaring the condition
        number. Use ``model.value(model.solve())`` as :math:`f^*`.
        """
        n, d = self.X.shape
        A = self._Xb / np.sqrt(n)
        c = self.y / np.sqrt(n)
        if self.l2:
            A = np.vstack([A, np.sqrt(self.l2) * np.eye(d, d + 1)])
            c = np.concatenate([c, np.zeros(d)])
        return np.linalg.lstsq(A, c, rcond=None)[0]


# ------------------------------------------------------------------------- logistic regression


@dataclass(frozen=True, eq=False)
class LogisticRegression(_BinaryOrMulticlass):
    r"""L2-regularised logistic regression.

    With θ = (w, b), :math:`p_i = \sigma(x_i^\top w + b)` and labels
    :math:`y_i \in \{0, 1\}` (int or float):

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
    The metric is the accuracy with threshold :math:`p = 1/2`.
    """

    X: np.ndarray
    y: np.ndarray
    l2: float = 0.0
    name: str = "logistic regression"
    _Xb: np.ndarray = field(init=False, repr=False)
    _mask: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        X = _features(self.X)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", _binary_labels(self.y, X.shape[0]))
        object.__setattr__(self, "l2", _check_l2(self.l2))
        object.__setattr__(self, "_Xb", np.hstack([X, np.ones((X.shape[0], 1))]))
        object.__setattr__(self, "_mask", _weights_then_biases_mask(X.shape[1], 1))

    def _labels(self, y: object, n: int) -> np.ndarray:
        return _binary_labels(y, n)

    @property
    def start(self) -> np.ndarray:
        """The usual start: all weights and the bias zero."""
        return np.zeros(self.dim)

    def _data_loss(self, theta, X, y, want_grad):
        z = X @ theta[:-1] + theta[-1]
        value = float(np.mean(np.logaddexp(0.0, z) - y * z))
        if not want_grad:
            return value, None
        r = (_sigmoid(z) - y) / z.size
        g = np.empty(self.dim)
        g[:-1] = X.T @ r
        g[-1] = r.sum()
        return value, g

    def _predict(self, theta, X):
        return X @ theta[:-1] + theta[-1] >= 0

    def predict_proba(self, theta: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        """The probabilities :math:`p_i = \\sigma(x_i^\\top w + b)` of label 1."""
        th = self._check(theta)
        Xc = self.X if X is None else _features(X, "X", self.n_features)
        return _sigmoid(Xc @ th[:-1] + th[-1])

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """The Hessian X̃ᵀ diag(p(1 − p)) X̃ / n + λ diag(1, …, 1, 0)."""
        theta = self._check(theta)
        p = _sigmoid(self._Xb @ theta)
        H = (self._Xb * (p * (1 - p))[:, None]).T @ self._Xb / self.X.shape[0]
        return H + self._penalty_hessian()

    def smoothness(self) -> float:
        """An upper bound on λ_max of the Hessian anywhere: λ_max(X̃ᵀX̃)/(4n) + λ."""
        n = self.X.shape[0]
        return float(np.linalg.eigvalsh(self._Xb.T @ self._Xb)[-1] / (4 * n) + self.l2)


# -------------------------------------------------------------------------- softmax regression


@dataclass(frozen=True, eq=False)
class SoftmaxRegression(_BinaryOrMulticlass):
    r"""Multinomial logistic (softmax) regression with K classes.

    With weights :math:`W \in \mathbb R^{d\times K}`, biases :math:`b \in \mathbb R^K`,
    logits :math:`z_i = W^\top x_i + b`, probabilities
    :math:`p_{ik} = e^{z_{ik}} / \sum_j e^{z_{ij}}` and labels
    :math:`y_i \in \{0, \dots, K-1\}`:

    .. math::

        L(\theta) = \frac1n \sum_{i=1}^n \Big[\log \sum_{k=1}^K e^{z_{ik}} - z_{i y_i}\Big]
                    + \frac{\lambda}{2}\lVert W\rVert_F^2

    .. math::

        \nabla_W L = \frac1n X^\top (P - Y) + \lambda W, \qquad
        \nabla_b L = \frac1n (P - Y)^\top \mathbf 1,

    with :math:`P` the (n, K) matrix of probabilities and :math:`Y` the one-hot
    labels. The log-sum-exp is computed after subtracting each row's largest
    logit, so no logit overflows.

    ``theta = concatenate([W.ravel(), b])`` with ``W`` row-major (d, K): then
    ``theta.reshape(d + 1, K)`` is the stacked matrix :math:`\Theta = [W; b^\top]`,
    and :meth:`unpack` returns views ``(W, b)``.

    **Smoothness.** With :math:`\tilde x_i = (x_i, 1)` and
    :math:`A_i = \mathrm{diag}(p_i) - p_i p_i^\top`, the Hessian of the data term
    in the row-major layout is
    :math:`H = \frac1n \sum_i (\tilde x_i \tilde x_i^\top) \otimes A_i`.
    For a unit vector :math:`v \in \mathbb R^K`,
    :math:`v^\top A_i v = \sum_k p_{ik} v_k^2 - (\sum_k p_{ik} v_k)^2` is the
    variance of a random variable that takes the value :math:`v_k` with
    probability :math:`p_{ik}`; a variable with values in
    :math:`[\min_k v_k, \max_k v_k]` has variance at most
    :math:`(\max_k v_k - \min_k v_k)^2/4 \le 2(v_{max}^2 + v_{min}^2)/4 \le 1/2`.
    So :math:`A_i \preceq \tfrac12 I`, and since
    :math:`S \otimes (\tfrac12 I - A_i) \succeq 0` for :math:`S \succeq 0`,
    :math:`H \preceq \tfrac1{2n} (\tilde X^\top\tilde X) \otimes I_K`, whose
    largest eigenvalue is :math:`\lambda_{max}(\tilde X^\top \tilde X)/(2n)`.
    Adding the penalty gives :meth:`smoothness`. (For K = 2 the bound is
    attained at θ = 0, where :math:`p_i = (\tfrac12, \tfrac12)`.)

    **A flat direction.** Adding the same number to every bias shifts every
    logit equally and leaves the probabilities, and the loss, unchanged (the
    penalty does not see biases). So the Hessian is singular along that
    direction even with λ > 0, the minimiser's biases are fixed only up to a
    common shift, and the gradient is always orthogonal to the direction
    (each row of :math:`P - Y` sums to 0).
    """

    X: np.ndarray
    y: np.ndarray
    n_classes: int | None = None
    l2: float = 0.0
    name: str = "softmax regression"
    _mask: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        X = _features(self.X)
        labels = _class_labels(self.y, X.shape[0], None)
        k = _n_classes(self.n_classes, labels)
        object.__setattr__(self, "n_classes", k)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", _class_labels(labels, X.shape[0], k))
        object.__setattr__(self, "l2", _check_l2(self.l2))
        object.__setattr__(self, "_mask", _weights_then_biases_mask(X.shape[1] * k, k))

    def _labels(self, y: object, n: int) -> np.ndarray:
        return _class_labels(y, n, self.n_classes)

    @property
    def start(self) -> np.ndarray:
        """All weights and biases zero (every class has probability 1/K)."""
        return np.zeros(self.dim)

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Views ``(W, b)`` into θ: W of shape (d, K), b of shape (K,).

        They are views (writing to them changes θ) when θ is a float64 array of
        shape ``(dim,)``; otherwise they view a converted copy.
        """
        Th = self._check(theta).reshape(self.n_features + 1, self.n_classes)
        return Th[:-1], Th[-1]

    def _logits(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        Th = theta.reshape(self.n_features + 1, self.n_classes)
        return X @ Th[:-1] + Th[-1]

    def _data_loss(self, theta, X, y, want_grad):
        value, dZ = _softmax_cross_entropy(self._logits(theta, X), y, want_grad)
        if dZ is None:
            return value, None
        g = np.empty(self.dim)
        G = g.reshape(self.n_features + 1, self.n_classes)
        np.matmul(X.T, dZ, out=G[:-1])
        dZ.sum(axis=0, out=G[-1])
        return value, g

    def _predict(self, theta, X):
        return np.argmax(self._logits(theta, X), axis=1)

    def predict_proba(self, theta: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        """The (n, K) matrix of class probabilities."""
        th = self._check(theta)
        Xc = self.X if X is None else _features(X, "X", self.n_features)
        Z = self._logits(th, Xc)
        Z -= Z.max(axis=1, keepdims=True)
        E = np.exp(Z)
        return E / E.sum(axis=1, keepdims=True)

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        r"""The (dim, dim) Hessian :math:`\frac1n\sum_i (\tilde x_i\tilde x_i^\top)\otimes
        (\mathrm{diag}(p_i) - p_i p_i^\top) + \lambda\,\mathrm{diag}(\text{mask})`.

        Costs :math:`O(n d^2 K^2)` time and :math:`O(d^2K^2)` memory: for small models.
        """
        th = self._check(theta)
        P = self.predict_proba(th)
        n, d = self.X.shape
        K = self.n_classes
        Xb = np.hstack([self.X, np.ones((n, 1))])
        # sum_i kron(x x^T, diag(p)): block (j, k), (l, k) = sum_i x_ij x_il p_ik
        H1 = np.einsum("ij,il,ik->jkl", Xb, Xb, P, optimize=True) / n
        H = np.zeros((d + 1, K, d + 1, K))
        idx = np.arange(K)
        H[:, idx, :, idx] = H1.transpose(1, 0, 2)
        U = (Xb[:, :, None] * P[:, None, :]).reshape(n, (d + 1) * K)  # kron(x_i, p_i)
        H = H.reshape(self.dim, self.dim) - U.T @ U / n
        return H + self._penalty_hessian()

    def smoothness(self) -> float:
        """An upper bound on λ_max of the Hessian anywhere: λ_max(X̃ᵀX̃)/(2n) + λ."""
        n = self.X.shape[0]
        Xb = np.hstack([self.X, np.ones((n, 1))])
        return float(np.linalg.eigvalsh(Xb.T @ Xb)[-1] / (2 * n) + self.l2)


# ------------------------------------------------------------------------------------- the MLP


_ACTIVATIONS = ("tanh", "relu")


@dataclass(frozen=True, eq=False)
class MLP(_BinaryOrMulticlass):
    r"""A multilayer perceptron classifier with hand-written backpropagation.

    Layer sizes :math:`n_0 = d, n_1, \dots, n_H` (``hidden``), :math:`n_{H+1} = K`.
    For :math:`l = 1, \dots, H+1`, with :math:`A_0 = X` (one row per example):

    .. math::

        Z_l = A_{l-1} W_l + \mathbf 1 b_l^\top, \qquad
        A_l = \phi(Z_l)\ (l \le H), \qquad \text{logits } Z_{H+1},

    where :math:`\phi` is ``tanh`` or ``relu`` (:math:`\max(z, 0)`). The loss is
    the softmax cross-entropy of :class:`SoftmaxRegression` on the logits plus
    :math:`\frac\lambda2 \sum_l \lVert W_l\rVert_F^2` (biases not penalised).

    **Backpropagation** (Rumelhart, Hinton & Williams, 1986). With
    :math:`\Delta_{H+1} = (P - Y)/n` the gradient of the mean loss with respect
    to the logits:

    .. math::

        \nabla_{W_l} L = A_{l-1}^\top \Delta_l + \lambda W_l, \qquad
        \nabla_{b_l} L = \Delta_l^\top \mathbf 1, \qquad
        \Delta_{l-1} = (\Delta_l W_l^\top) \odot \phi'(Z_{l-1}),

    with :math:`\phi'(z) = 1 - \tanh^2 z` for tanh and :math:`\mathbf 1[z > 0]`
    for relu (the derivative at the kink z = 0 is taken as 0).

    θ is ``concatenate([W_1.ravel(), b_1, W_2.ravel(), b_2, ...])`` with each
    :math:`W_l` row-major of shape :math:`(n_{l-1}, n_l)`; :meth:`unpack`
    returns views ``(W1, b1, W2, b2, ...)``. :attr:`start` is a seeded random
    initialisation (``seed``): biases zero, weights
    :math:`U(-\sqrt{6/(n_{l-1}+n_l)}, \sqrt{6/(n_{l-1}+n_l)})` for tanh
    (Glorot & Bengio, 2010) and :math:`N(0, 2/n_{l-1})` for relu (He et al., 2015).
    The loss is not convex: there is no ``hessian`` and no ``smoothness``.
    """

    X: np.ndarray
    y: np.ndarray
    hidden: Sequence[int] = (32,)
    activation: str = "tanh"
    l2: float = 0.0
    seed: int = 0
    n_classes: int | None = None
    name: str | None = None
    _mask: np.ndarray = field(init=False, repr=False)
    _shapes: tuple[tuple[int, int], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        X = _features(self.X)
        labels = _class_labels(self.y, X.shape[0], None)
        k = _n_classes(self.n_classes, labels)
        hidden = (self.hidden,) if isinstance(self.hidden, (int, np.integer)) else self.hidden
        try:
            hidden = tuple(hidden)
        except TypeError:
            raise ValueError(
                f"hidden must be a sequence of positive layer sizes, got {self.hidden!r}"
            ) from None
        if not hidden or any(
            isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h <= 0 for h in hidden
        ):
            raise ValueError(
                f"hidden must be a non-empty sequence of positive integers, got {self.hidden!r}"
            )
        hidden = tuple(int(h) for h in hidden)
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be 'tanh' or 'relu', got {self.activation!r}")
        if (isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer))
                or self.seed < 0):
            raise ValueError(f"seed must be an integer >= 0, got {self.seed!r}")
        sizes = (X.shape[1], *hidden, k)
        shapes = tuple(zip(sizes[:-1], sizes[1:], strict=True))
        mask = np.concatenate(
            [np.r_[np.ones(a * b), np.zeros(b)] for a, b in shapes]
        )
        object.__setattr__(self, "n_classes", k)
        object.__setattr__(self, "hidden", hidden)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", _class_labels(labels, X.shape[0], k))
        object.__setattr__(self, "l2", _check_l2(self.l2))
        object.__setattr__(self, "_shapes", shapes)
        object.__setattr__(self, "_mask", mask)
        if self.name is None:
            object.__setattr__(
                self, "name", f"MLP ({'-'.join(map(str, sizes))}, {self.activation})"
            )

    def _labels(self, y: object, n: int) -> np.ndarray:
        return _class_labels(y, n, self.n_classes)

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """(d, hidden..., K)."""
        return (self._shapes[0][0], *(b for _, b in self._shapes))

    @property
    def start(self) -> np.ndarray:
        """Seeded initialisation: Glorot uniform (tanh) or He normal (relu), zero biases."""
        rng = np.random.default_rng(self.seed)
        theta = np.zeros(self.dim)
        views = self._views(theta)
        for j, (fan_in, fan_out) in enumerate(self._shapes):
            W = views[2 * j]
            if self.activation == "tanh":
                limit = np.sqrt(6.0 / (fan_in + fan_out))
                W[...] = rng.uniform(-limit, limit, size=W.shape)
            else:
                W[...] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=W.shape)
        return theta

    def _views(self, theta: np.ndarray) -> tuple[np.ndarray, ...]:
        out = []
        i = 0
        for a, b in self._shapes:
            out.append(theta[i : i + a * b].reshape(a, b))
            i += a * b
            out.append(theta[i : i + b])
            i += b
        return tuple(out)

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, ...]:
        """Views ``(W1, b1, W2, b2, ...)`` into θ, W_l of shape (n_{l-1}, n_l).

        They are views (writing to them changes θ) when θ is a float64 array of
        shape ``(dim,)``; otherwise they view a converted copy.
        """
        return self._views(self._check(theta))

    def _forward(self, theta: np.ndarray, X: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Hidden activations [A_0 = X, A_1, ..., A_H] and the logits Z_{H+1}."""
        views = self._views(theta)
        acts = [X]
        n_layers = len(self._shapes)
        for k in range(n_layers - 1):
            Z = acts[-1] @ views[2 * k] + views[2 * k + 1]
            acts.append(np.tanh(Z, out=Z) if self.activation == "tanh" else np.maximum(Z, 0, out=Z))
        logits = acts[-1] @ views[-2] + views[-1]
        return acts, logits

    def _data_loss(self, theta, X, y, want_grad):
        acts, logits = self._forward(theta, X)
        value, delta = _softmax_cross_entropy(logits, y, want_grad)
        if delta is None:
            return value, None
        views = self._views(theta)
        g = np.empty(self.dim)
        gviews = self._views(g)
        for k in range(len(self._shapes) - 1, -1, -1):
            np.matmul(acts[k].T, delta, out=gviews[2 * k])
            delta.sum(axis=0, out=gviews[2 * k + 1])
            if k > 0:
                delta = delta @ views[2 * k].T
                A = acts[k]
                if self.activation == "tanh":
                    delta *= 1.0 - A * A
                else:
                    delta *= A > 0
        return value, g

    def _predict(self, theta, X):
        return np.argmax(self._forward(theta, X)[1], axis=1)

    def predict_proba(self, theta: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
        """The (n, K) matrix of class probabilities."""
        th = self._check(theta)
        Xc = self.X if X is None else _features(X, "X", self.n_features)
        Z = self._forward(th, Xc)[1]
        Z -= Z.max(axis=1, keepdims=True)
        E = np.exp(Z)
        return E / E.sum(axis=1, keepdims=True)


def rows_value_and_grad(model: object) -> Callable[..., tuple[float, np.ndarray]] | None:
    """The check-free ``value_and_grad`` of a plain optbook model, else ``None``.

    :func:`optbook.train.train` uses it for the rows of ``model.X, model.y``.
    A wrapper (such as ``optbook.spikes.SpikedModel``) or a subclass that
    overrides ``value_and_grad`` or ``_loss`` gets ``None``, so its own
    ``value_and_grad`` is called.
    """
    cls = type(model)
    if (
        isinstance(model, _Model)
        and cls.value_and_grad is _Model.value_and_grad
        and cls._loss is _Model._loss
    ):
        return model._rows_value_and_grad
    return None
