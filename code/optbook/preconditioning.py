r"""Adagrad as preconditioning: the full-matrix rule, and per-coordinate step sizes.

Duchi, Hazan & Singer (2011) define Adagrad with the outer-product matrix

.. math::

    G_t = G_{t-1} + g_t g_t^\top \in \mathbb{R}^{d \times d}, \qquad G_0 = 0,

and the preconditioned step :math:`\theta_t = \theta_{t-1} - \eta\, H_t^{-1} g_t`
with :math:`H_t = \delta I + G_t^{1/2}` (their Algorithm 2; δ outside the
root, as PyTorch's diagonal rule) or, in Ruder's (2016) placement of ε,
:math:`H_t = (G_t + \epsilon I)^{1/2}`. Keeping only the diagonal of
:math:`G_t` gives :class:`optbook.optimizers.Adagrad`. The full matrix costs
:math:`d^2` numbers of memory and a matrix square root, :math:`O(d^3)`
operations, per step: :func:`full_matrix_cost` counts them.

:func:`effective_step_sizes` measures, for any optimizer and any run on a
deterministic objective, the step size each coordinate actually took,
:math:`|\theta_{t,i} - \theta_{t-1,i}| / |g_{t,i}|`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizers._base import Optimizer, check_bool, check_nonnegative, check_positive
from .style import OPTIMIZER_STYLES, register_style

__all__ = [
    "FullMatrixAdagrad",
    "effective_step_sizes",
    "full_matrix_cost",
    "inverse_root",
    "switching_run",
]


#: full-matrix Adagrad is drawn in Adagrad's colour, dotted, with star markers
register_style("FullMatrixAdagrad", OPTIMIZER_STYLES["Adagrad"][0], ":", "*")


def inverse_root(G: np.ndarray, eps: float, eps_inside_sqrt: bool = False) -> np.ndarray:
    r"""The preconditioner :math:`H^{-1}` for a symmetric positive semi-definite ``G``.

    ``eps_inside_sqrt=False``: :math:`H = \epsilon I + G^{1/2}` (Duchi et al.'s δ);
    ``True``: :math:`H = (G + \epsilon I)^{1/2}` (Ruder's ε). Computed from the
    eigendecomposition :math:`G = Q\Lambda Q^\top` as
    :math:`Q\, \mathrm{diag}(1/h(\lambda_i))\, Q^\top`; eigenvalues that round
    below 0 are taken as 0. An eigenvalue whose :math:`h` is 0 (only with
    ε = 0) gets the factor 0: there the gradients so far had no component.
    """
    G = np.asarray(G, dtype=np.float64)
    if G.ndim != 2 or G.shape[0] != G.shape[1]:
        raise ValueError(f"G must be a square matrix, got shape {G.shape}")
    if not np.all(np.isfinite(G)):
        raise ValueError("G must be finite")
    eps = check_nonnegative("eps", eps)
    eps_inside_sqrt = check_bool("eps_inside_sqrt", eps_inside_sqrt)
    lam, Q = np.linalg.eigh((G + G.T) / 2)
    lam = np.clip(lam, 0.0, None)
    h = np.sqrt(lam + eps) if eps_inside_sqrt else np.sqrt(lam) + eps
    inv = np.divide(1.0, h, out=np.zeros_like(h), where=h > 0)
    return (Q * inv) @ Q.T


def _preconditioned(G: np.ndarray, g: np.ndarray, eps: float, inside: bool) -> np.ndarray:
    r""":math:`H^{-1} g` for :math:`G = \sum_s g_s g_s^\top` that contains ``g`` in its range.

    Every :math:`g_t` lies in the range of :math:`G_t`, so its component along
    an eigenvector with eigenvalue 0 is 0. In floating point such an eigenvalue
    comes out near 0 and the component near :math:`10^{-16}\lVert g\rVert`,
    which :math:`1/\epsilon` would blow up; eigenvalues at most
    :math:`d\cdot 2^{-52}\lambda_{\max}` are therefore treated as exactly 0,
    with no step along them.
    """
    lam, Q = np.linalg.eigh((G + G.T) / 2)
    lam = np.clip(lam, 0.0, None)
    keep = lam > G.shape[0] * np.finfo(np.float64).eps * lam.max()
    h = np.sqrt(lam + eps) if inside else np.sqrt(lam) + eps
    coef = np.zeros_like(lam)
    np.divide(Q.T @ g, h, out=coef, where=keep)
    return Q @ coef


class FullMatrixAdagrad(Optimizer):
    r"""Full-matrix Adagrad (Duchi, Hazan & Singer, 2011, Algorithm 2, unconstrained).

    .. math::

        G_t &= G_{t-1} + g_t g_t^\top \tag{1}\\
        \theta_t &= \theta_{t-1} - \eta\, H_t^{-1} g_t, \quad
            H_t = \epsilon I + G_t^{1/2} \tag{2}

    with :math:`G_0 = 0`; ``eps_inside_sqrt=True`` uses
    :math:`H_t = (G_t + \epsilon I)^{1/2}` instead. The parameters are treated
    as one vector: all arrays are concatenated (in the order of
    ``params``) and :math:`G_t` couples all their coordinates. For a diagonal
    :math:`G_t` (gradients that only ever touch one coordinate at a time) the
    rule is :class:`optbook.optimizers.Adagrad` with the same ε placement.
    Directions in which :math:`G_t` is zero to rounding get no step (the
    gradients have had no component there; see ``_preconditioned``).

    Parameters
    ----------
    lr:
        :math:`\eta > 0` (default 0.01).
    eps:
        :math:`\epsilon \ge 0` (default 1e-10, PyTorch's diagonal default).
    eps_inside_sqrt:
        ``False`` (default): ε outside the root, Duchi et al.'s δ; ``True``: inside.
    """

    hyperparameter_names = ("lr", "eps", "eps_inside_sqrt")

    def __init__(self, lr: float = 0.01, eps: float = 1e-10, eps_inside_sqrt: bool = False):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.eps = check_nonnegative("eps", eps)
        self.eps_inside_sqrt = check_bool("eps_inside_sqrt", eps_inside_sqrt)

    def step(self, params: Any, grads: Any, *, check_finite: bool = True) -> None:
        """One step on all of ``params`` at once (see the class docstring).

        As :meth:`Optimizer.step`: a non-finite gradient raises ``ValueError``
        before anything changes, unless ``check_finite=False``.
        """
        from .optimizers._base import _check_finite, _label, _pair_params

        pairs = _pair_params(params, grads)
        single = isinstance(params, np.ndarray)
        sizes = [p.size for _, p, _ in pairs]
        specs = {key: (p.shape, p.dtype) for key, p, _ in pairs}
        if self._specs is not None and specs != self._specs:
            raise ValueError(
                "params changed between steps: full-matrix Adagrad keeps one matrix for "
                f"the arrays {sorted(self._specs)} with their first shapes and dtypes"
            )
        check_bool("check_finite", check_finite)
        if check_finite:
            for key, _, gr in pairs:
                _check_finite(gr, _label("grads", key, single), self.t + 1)
        if self._specs is None:
            self._specs = specs
        g = np.concatenate([np.asarray(gr, dtype=np.float64).ravel() for _, _, gr in pairs])
        if "full" not in self.state:
            self.state["full"] = {"G": np.zeros((g.size, g.size))}
        G = self.state["full"]["G"]
        self.t += 1
        G += np.outer(g, g)                                        # (1) G = G + g gᵀ
        step = self.lr * _preconditioned(G, g, self.eps, self.eps_inside_sqrt)
        offset = 0
        for (_, p, _), n in zip(pairs, sizes, strict=True):      # (2) θ = θ − η H⁻¹ g
            p -= step[offset:offset + n].reshape(p.shape).astype(p.dtype)
            offset += n

    def preconditioner(self) -> np.ndarray:
        r"""The current :math:`H_t^{-1}` (``ValueError`` before the first step)."""
        if "full" not in self.state:
            raise ValueError("no step taken yet: the preconditioner is undefined")
        return inverse_root(self.state["full"]["G"], self.eps, self.eps_inside_sqrt)


def full_matrix_cost(d: int, bytes_per_number: int = 4) -> dict[str, float]:
    r"""Memory and arithmetic of one step of diagonal and of full-matrix Adagrad.

    Diagonal: :math:`d` accumulator entries and about :math:`5d` operations.
    Full matrix: :math:`d(d+1)/2` distinct entries of the symmetric :math:`G_t`
    (:math:`d^2` stored), the outer product (:math:`d^2`), and a symmetric
    eigendecomposition for the root, about :math:`9d^3` operations (Golub &
    Van Loan's count for the QR algorithm with eigenvectors), plus
    :math:`2d^2` for the product. Returns a dict with ``diagonal_bytes``,
    ``full_bytes``, ``diagonal_flops``, ``full_flops``.
    """
    if isinstance(d, bool) or not isinstance(d, int | np.integer) or d < 1:
        raise ValueError(f"d must be a positive integer, got {d!r}")
    if isinstance(bytes_per_number, bool) or not isinstance(bytes_per_number, int | np.integer) \
            or bytes_per_number < 1:
        raise ValueError(f"bytes_per_number must be a positive integer, got {bytes_per_number!r}")
    d = float(d)
    return {
        "diagonal_bytes": d * bytes_per_number,
        "full_bytes": d * d * bytes_per_number,
        "diagonal_flops": 5 * d,
        "full_flops": 9 * d**3 + 3 * d**2,
    }


def effective_step_sizes(objective: Any, path: np.ndarray) -> np.ndarray:
    r"""Per-coordinate step sizes :math:`|\theta_{t,i} - \theta_{t-1,i}| / |g_{t,i}|`.

    ``path`` is a run's ``(T + 1, d)`` array of iterates on a deterministic
    ``objective`` (so that :math:`g_t = \nabla f(\theta_{t-1})`). Returns a
    ``(T, d)`` array; row :math:`t - 1` is step :math:`t`. Where
    :math:`g_{t,i} = 0` the step size is undefined and is NaN. For Adagrad it
    is :math:`\eta/\sqrt{G_{t,ii} + \epsilon}`, for SGD the constant η.
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or path.shape[0] < 2:
        raise ValueError(f"path must be a (T + 1, d) array with T >= 1, got shape {path.shape}")
    grads = np.array([np.asarray(objective.grad(th), dtype=np.float64) for th in path[:-1]])
    moved = np.abs(np.diff(path, axis=0))
    out = np.full(moved.shape, np.nan)
    np.divide(moved, np.abs(grads), out=out, where=grads != 0)
    return out


def switching_run(
    models: Any,
    optimizer: Optimizer,
    updates_per_phase: int,
    batch_size: int,
    *,
    seed: int = 0,
    eval_every: int = 10,
    start: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    r"""Mini-batch training on a sequence of tasks that share the parameters.

    Phase :math:`k` takes ``updates_per_phase`` updates on ``models[k]`` (a
    model of :mod:`optbook.models`: ``X``, ``y``, ``value``,
    ``value_and_grad``), each on :math:`B` = ``batch_size`` rows drawn
    uniformly with replacement from ``np.random.default_rng(seed)``. The same
    ``optimizer`` (and its state, an accumulator that remembers the earlier
    phases) runs through all phases: the task changes, the optimizer does not
    notice. Every ``eval_every`` updates the full training loss of the
    current phase's model is recorded.

    Returns a dict with ``updates`` (the update counter at each record, 0 is
    the start), ``phase`` (the phase of each record) and ``losses``.
    """
    models = list(models)
    if not models:
        raise ValueError("models must contain at least one model")
    for name, value, minimum in (("updates_per_phase", updates_per_phase, 1),
                                 ("batch_size", batch_size, 1), ("eval_every", eval_every, 1),
                                 ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
            raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer must be an optbook optimizer, got {type(optimizer).__name__}")
    dim = models[0].dim
    if any(m.dim != dim for m in models):
        raise ValueError("every model must have the same number of parameters")
    theta = np.zeros(dim) if start is None else np.array(start, dtype=np.float64)
    if theta.shape != (dim,) or not np.all(np.isfinite(theta)):
        raise ValueError(f"start must be a finite vector of length {dim}")
    rng = np.random.default_rng(seed)
    updates, phases, losses = [0], [0], [float(models[0].value(theta))]
    t = 0
    for k, model in enumerate(models):
        n = model.X.shape[0]
        for _ in range(updates_per_phase):
            rows = rng.integers(0, n, size=batch_size)
            _, g = model.value_and_grad(theta, model.X[rows], model.y[rows])
            optimizer.step(theta, np.ascontiguousarray(g, dtype=np.float64))
            t += 1
            if t % eval_every == 0:
                updates.append(t)
                phases.append(k)
                losses.append(float(model.value(theta)))
    return {"updates": np.array(updates), "phase": np.array(phases), "losses": np.array(losses)}
