r"""Run an optimizer on a surface and record what happens.

:func:`run` starts at :math:`\theta_0`, takes ``steps`` steps
:math:`\theta_t = \text{step}(\theta_{t-1}, \nabla f(\theta_{t-1}))` and
records every iterate with its loss and gradient norm. It stops *cleanly* at the
first step that diverges -- no exception, no NumPy warning -- and says when in
:attr:`RunResult.diverged_at`.

:func:`compare` runs several optimizers from the same start with the same
budget; :func:`run_online` runs one on Reddi et al.'s online problems
(:mod:`optbook.functions`) and records the regret.

``run`` *mutates* the optimizer it is given (its step counter and state), so
it takes a **fresh** optimizer -- one whose ``t`` is 0 -- or a factory: an
optimizer class (called with no arguments) or any zero-argument callable
that returns a fresh optimizer. Passing an optimizer that has already
stepped raises ``ValueError`` (running it again would silently continue the
old run).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .style import optimizer_name, symbol

__all__ = ["OnlineResult", "RunResult", "compare", "make_optimizer", "run", "run_online"]

#: Default blow-up threshold: a run whose |θ| or |f(θ)| exceeds it has diverged.
BLOWUP = 1e12


@dataclass
class RunResult:
    r"""The record of one run.

    Attributes
    ----------
    path:
        ``(k + 1, d)`` float64 iterates :math:`\theta_0, \dots, \theta_k`;
        ``path[0]`` is the start. Only iterates whose coordinates, loss and
        gradient are all finite and within the blow-up threshold are kept.
    losses:
        ``(k + 1,)`` :math:`f(\theta_t)`.
    grad_norms:
        ``(k + 1,)`` :math:`\lVert\nabla f(\theta_t)\rVert_2`.
    optimizer:
        the optimizer's name, e.g. ``"Adam"`` (``"GradientNoise(SGD)"`` for a wrapper).
    hyperparameters:
        the optimizer's hyperparameters at the start.
    steps:
        the number of steps requested.
    diverged_at:
        the step :math:`t` (1-based) whose iterate :math:`\theta_t` was the
        first to be non-finite or beyond the threshold, or ``None`` if the run
        finished. Then ``path`` ends at :math:`\theta_{t-1}`.
    label:
        the legend label (defaults to ``optimizer``).
    objective:
        the objective's name, if it has one.
    min_value:
        the objective's :math:`f^*`, if known (for suboptimality plots).
    """

    path: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    optimizer: str
    hyperparameters: dict[str, Any]
    steps: int
    diverged_at: int | None = None
    label: str = ""
    objective: str = ""
    min_value: float | None = None

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.optimizer

    @property
    def diverged(self) -> bool:
        """Whether the run stopped early because it diverged."""
        return self.diverged_at is not None

    @property
    def final(self) -> np.ndarray:
        """The last recorded iterate."""
        return self.path[-1]

    @property
    def steps_taken(self) -> int:
        """The number of recorded steps, ``len(path) - 1``."""
        return len(self.path) - 1

    @property
    def gaps(self) -> np.ndarray:
        r"""Suboptimality :math:`f(\theta_t) - f^*` (``ValueError`` if :math:`f^*` is unknown)."""
        if self.min_value is None:
            raise ValueError(f"the minimum of {self.objective or 'this objective'} is unknown")
        return self.losses - self.min_value

    def __repr__(self) -> str:
        end = (
            f"diverged at t={self.diverged_at}"
            if self.diverged
            else f"final loss {self.losses[-1]:.4g}"
        )
        return (
            f"RunResult({self.label!r}, {self.steps_taken}/{self.steps} steps, {end}, "
            f"final θ={np.array2string(self.final, precision=4)})"
        )


@dataclass
class OnlineResult:
    r"""The record of one run on an online problem (:func:`run_online`).

    ``path[t-1]`` is :math:`x_t` for :math:`t = 1..T+1`; ``losses[t-1]`` is
    :math:`f_t(x_t)`; ``regret[t-1]`` is :math:`R_t` and ``average_regret[t-1]``
    is :math:`R_t/t`, for :math:`t = 1..T`.
    """

    path: np.ndarray
    losses: np.ndarray
    regret: np.ndarray
    average_regret: np.ndarray
    optimizer: str
    hyperparameters: dict[str, Any]
    steps: int
    label: str = ""
    problem: str = ""
    t: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.optimizer

    @property
    def final(self) -> float:
        """The last iterate :math:`x_{T+1}`."""
        return float(self.path[-1])


def skip_finite_check(optimizer: Any) -> dict[str, bool]:
    """``{"check_finite": False}`` if ``optimizer.step`` takes that argument, else ``{}``.

    The book's optimizers check that every gradient is finite before a step
    (:meth:`optbook.optimizers.Optimizer.step`). A loop that has checked the
    gradient itself, as :func:`run` and :func:`optbook.train.train` do to stop
    a diverging run cleanly, passes these keyword arguments to skip the second
    check. Optimizers with a ``step(params, grads)`` of their own get none.
    """
    try:
        parameters = inspect.signature(optimizer.step).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return {}
    return {"check_finite": False} if "check_finite" in parameters else {}


def make_optimizer(optimizer: Any) -> Any:
    """A fresh optimizer from an optimizer, an optimizer class or a zero-argument factory."""
    if isinstance(optimizer, type):
        return optimizer()
    if hasattr(optimizer, "step"):
        t = getattr(optimizer, "t", 0)
        if t:
            raise ValueError(
                f"the optimizer has already taken {t} steps (t = {t}); run() mutates the "
                "optimizer, so pass a fresh one or a factory (e.g. lambda: Adam(lr=0.1))"
            )
        return optimizer
    if callable(optimizer):
        return make_optimizer(optimizer())
    raise ValueError(
        f"optimizer must be an optimizer, an optimizer class or a factory, got {optimizer!r}"
    )


def _value_fn(objective: Any) -> Callable[[np.ndarray], Any]:
    fn = getattr(objective, "value", None)
    if fn is None and callable(objective):
        fn = objective
    if fn is None:
        raise ValueError("objective needs a value(theta) method (or must be callable)")
    if not hasattr(objective, "grad"):
        raise ValueError("objective needs a grad(theta) method")
    return fn


def run(
    objective: Any,
    optimizer: Any,
    steps: int,
    start: Sequence[float] | np.ndarray | None = None,
    *,
    dtype: Any = np.float64,
    label: str | None = None,
    blowup: float = BLOWUP,
    project: Callable[[np.ndarray], np.ndarray] | None = None,
    lr_schedule: Callable[[int], float] | None = None,
) -> RunResult:
    r"""Run ``optimizer`` on ``objective`` for ``steps`` steps from ``start``.

    Step :math:`t = 1, \dots,` ``steps`` computes :math:`g_t = \nabla f(\theta_{t-1})`
    (cast to ``dtype``) and calls ``optimizer.step(theta, g_t)``, which updates
    ``theta`` in place to :math:`\theta_t`.

    Parameters
    ----------
    objective:
        anything with ``grad(theta)`` and ``value(theta)`` (or callable), such
        as an :class:`~optbook.functions.Objective`.
    optimizer:
        a fresh optimizer, an optimizer class, or a zero-argument factory; see
        the module docstring. It is mutated.
    steps:
        the step budget (≥ 0).
    start:
        :math:`\theta_0`; default ``objective.start``. It is copied.
    dtype:
        the dtype of ``theta`` and the gradients (``np.float32`` to see float32
        round-off). Recorded arrays are float64 either way.
    label:
        legend label; default the optimizer's name.
    blowup:
        the run has diverged at step :math:`t` when :math:`\theta_t`,
        :math:`f(\theta_t)` or :math:`\nabla f(\theta_t)` is not finite, or
        :math:`\max_i|\theta_{t,i}|` or :math:`|f(\theta_t)|` exceeds
        ``blowup``. Then the run stops, :math:`\theta_t` is *not* recorded
        and ``diverged_at = t``. A start that already fails the test gives
        ``ValueError``.
    project:
        optional projection applied to :math:`\theta_t` after each step
        (projected gradient descent), e.g. ``lambda th: np.clip(th, -1, 1)``.
    lr_schedule:
        optional :math:`t \mapsto \eta_t`; before step :math:`t` it sets
        ``optimizer.lr = lr_schedule(t)`` (e.g. ``lambda t: 0.1 / t**0.5``).
    """
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    value_fn = _value_fn(objective)
    opt = make_optimizer(optimizer)
    name = optimizer_name(opt)
    hyper = dict(getattr(opt, "hyperparameters", {}) or {})
    if lr_schedule is not None and not hasattr(opt, "lr"):
        raise ValueError(f"lr_schedule needs an optimizer with an lr attribute; {name} has none")
    if start is None:
        start = getattr(objective, "start", None)
        if start is None:
            raise ValueError("start is required: the objective has no default start")
    theta = np.array(start, dtype=dtype)
    if theta.ndim == 0:
        theta = theta.reshape(1)

    path, losses, gnorms = [], [], []
    diverged_at: int | None = None
    with np.errstate(all="ignore"):

        def evaluate(th: np.ndarray) -> tuple[float, np.ndarray, float] | None:
            """(f, g, ||g||) at th, or None if th, f or g is non-finite or beyond blowup."""
            g = np.asarray(objective.grad(th)).astype(dtype, copy=False)
            v = value_fn(th)
            f = float(v) if np.ndim(v) == 0 else float(np.asarray(v).reshape(()))
            flat = g.ravel().astype(np.float64, copy=False)
            gn = math.sqrt(float(np.dot(flat, flat)))
            big = float(np.max(np.abs(th))) if th.size else 0.0
            ok = (
                math.isfinite(big) and big <= blowup
                and math.isfinite(f) and abs(f) <= blowup
                and math.isfinite(gn)
            )
            return (f, g, gn) if ok else None

        state = evaluate(theta)
        if state is None:
            raise ValueError(
                f"the start {np.asarray(start).tolist()} has a non-finite or huge loss or gradient"
            )
        # evaluate() has just checked g_t, so the optimizer need not check it again
        skip_check = skip_finite_check(opt)
        for t in range(1, steps + 2):
            f, g, gn = state
            path.append(theta.astype(np.float64))
            losses.append(f)
            gnorms.append(gn)
            if t > steps:
                break
            if lr_schedule is not None:
                opt.lr = lr_schedule(t)
            opt.step(theta, np.ascontiguousarray(g).reshape(theta.shape), **skip_check)
            if project is not None:
                theta[...] = project(theta)
            state = evaluate(theta)
            if state is None:
                diverged_at = t
                break

    return RunResult(
        path=np.array(path, dtype=np.float64).reshape(len(path), -1),
        losses=np.array(losses, dtype=np.float64),
        grad_norms=np.array(gnorms, dtype=np.float64),
        optimizer=name,
        hyperparameters=hyper,
        steps=steps,
        diverged_at=diverged_at,
        label=label or name,
        objective=getattr(objective, "name", ""),
        min_value=getattr(objective, "min_value", None),
    )


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _labels(opts: Sequence[Any]) -> tuple[list[str], list[Any]]:
    """Fresh optimizers and their names, made unique by the hyperparameters that differ."""
    fresh = [make_optimizer(o) for o in opts]
    names = [optimizer_name(o) for o in fresh]
    hps = [dict(getattr(o, "hyperparameters", {}) or {}) for o in fresh]
    labels = []
    for i, (name, hp) in enumerate(zip(names, hps, strict=True)):
        same = [hps[j] for j, n in enumerate(names) if n == name]
        if len(same) == 1:
            labels.append(name)
            continue
        diff = [k for k in hp if any(other.get(k) != hp[k] for other in same)]
        if diff:
            labels.append(f"{name} (" + ", ".join(f"{symbol(k)}={_fmt(hp[k])}" for k in diff) + ")")
        else:
            labels.append(f"{name} #{i + 1}")
    return labels, fresh


def compare(
    objective: Any,
    optimizers: Mapping[str, Any] | Sequence[Any],
    steps: int,
    start: Sequence[float] | np.ndarray | None = None,
    **run_kwargs: Any,
) -> list[RunResult]:
    """Run several optimizers from the same start with the same budget.

    ``optimizers`` is a dict ``label -> optimizer`` (or class, or factory), or
    a list of them; in a list, the labels are the optimizer names, with the
    differing hyperparameters appended when a name repeats
    (``"SGD (η=0.1)"``, ``"SGD (η=0.5)"``). ``run_kwargs`` go to :func:`run`.
    """
    if isinstance(optimizers, Mapping):
        labels = [str(k) for k in optimizers]
        opts = [make_optimizer(o) for o in optimizers.values()]
    else:
        labels, opts = _labels(list(optimizers))
    return [
        run(objective, opt, steps, start, label=lab, **run_kwargs)
        for lab, opt in zip(labels, opts, strict=True)
    ]


def run_online(
    problem: Any,
    optimizer: Any,
    steps: int,
    x0: float | None = None,
    *,
    dtype: Any = np.float64,
    label: str | None = None,
    lr_schedule: Callable[[int], float] | None = None,
) -> OnlineResult:
    r"""Run ``optimizer`` on an online problem (:func:`~optbook.functions.reddi_problem`).

    For :math:`t = 1, \dots, T` (``T = steps``): incur :math:`f_t(x_t)`, step with
    :math:`g_t = f_t'(x_t)`, and project onto the feasible interval:
    :math:`x_{t+1} = \Pi(\text{step}(x_t, g_t))`. :math:`x_1` is ``x0`` (default
    ``problem.start``). ``lr_schedule`` as in :func:`run`; Reddi et al.'s
    analysis uses :math:`\alpha_t = \alpha/\sqrt t`:
    ``lr_schedule=lambda t: alpha / t**0.5``.
    """
    steps = int(steps)
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    opt = make_optimizer(optimizer)
    name = optimizer_name(opt)
    hyper = dict(getattr(opt, "hyperparameters", {}) or {})
    if lr_schedule is not None and not hasattr(opt, "lr"):
        raise ValueError(f"lr_schedule needs an optimizer with an lr attribute; {name} has none")
    x = np.array([problem.start if x0 is None else x0], dtype=dtype).reshape(1)
    x[...] = problem.project(x)
    xs = np.empty(steps + 1)
    losses = np.empty(steps)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            xs[t - 1] = x[0]
            losses[t - 1] = float(problem.value(x[0], t))
            if lr_schedule is not None:
                opt.lr = lr_schedule(t)
            opt.step(x, np.asarray(problem.grad(x, t), dtype=dtype).reshape(1).copy())
            x[...] = problem.project(x)
        xs[steps] = x[0]
    regret = problem.regret(xs[:steps])
    return OnlineResult(
        path=xs,
        losses=losses,
        regret=regret,
        average_regret=regret / np.arange(1, steps + 1),
        optimizer=name,
        hyperparameters=hyper,
        steps=steps,
        label=label or name,
        problem=getattr(problem, "name", ""),
        t=np.arange(1, steps + 1),
    )
