r"""A fair protocol for comparing optimizers on small real tasks (chapter 17).

Two benchmark studies shape the protocol. :cite:`schmidt2021descending`
(Schmidt, Schneider & Hennig, 2021) gave fifteen optimizers the *same* tuning
budget on eight deep-learning problems and found no method that dominates.
:cite:`choi2019empirical` (Choi et al., 2019) showed that rankings follow the
*search space*: with every hyperparameter tuned, a more general method
(Adam, which contains momentum as ε → ∞) is never worse than the methods it
contains. The rules here follow both:

1. **The same budget for every optimizer.** Each optimizer gets the same
   learning-rate grid :data:`LR_GRID` (a log grid, :func:`log_grid`), the same
   epochs, batch size, seeds and data; every other hyperparameter is at its
   default.
2. **Select on validation, report on test.** The training part of the data set
   is split once (:func:`validation_split`) into a fitting set and a
   validation set. A configuration :math:`c` is chosen by the median over
   seeds of the final validation loss,

   .. math:: c^\star = \arg\min_c\ \operatorname{median}_s L_{\text{val}}(\theta_T(c, s)),

   (a diverged run counts as :math:`+\infty`), and only then is the test set
   looked at.
3. **Report medians and spreads over seeds**: :func:`summarize` gives the
   median, the minimum and maximum, and the quartiles.
4. **Say which protocol produced a ranking.** :data:`PROTOCOLS` names four:
   defaults only, a coarse learning-rate grid, the full grid, and the full grid
   plus a search over the other hyperparameters of a subset
   (:data:`EXTENDED_SEARCH`). :func:`rank_optimizers` ranks under each.

Every run is :func:`run_cell`: deterministic for a given task, optimizer,
hyperparameters and seed. ``benchmarks/compare_optimizers.py`` runs the whole
grid once and writes :mod:`optbook.recorded_comparison`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .data import breast_cancer, digits
from .models import MLP, LogisticRegression, SoftmaxRegression
from .optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    AdaMax,
    AdamW,
    AMSGrad,
    Momentum,
    Nadam,
    Nesterov,
    RMSprop,
)
from .train import train

__all__ = [
    "COMPARED",
    "EXTENDED_SEARCH",
    "LR_GRID",
    "PROTOCOLS",
    "SEEDS",
    "TASKS",
    "Task",
    "TaskSpec",
    "candidates",
    "kendall_tau",
    "log_grid",
    "make_task",
    "rank_optimizers",
    "run_cell",
    "select",
    "summarize",
    "surface",
    "tune_on_surface",
    "validation_split",
]


def log_grid(low: float, high: float, per_decade: int = 2) -> list[float]:
    r"""Learning rates :math:`10^{a}, 10^{a + 1/k}, \dots, 10^{b}` with ``k = per_decade``.

    ``low`` and ``high`` must be powers of :math:`10^{1/k}` apart; values are
    rounded to three significant digits (``3.16e-3``).
    """
    for name, v in (("low", low), ("high", high)):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
    if isinstance(per_decade, bool) or not isinstance(per_decade, int) or per_decade < 1:
        raise ValueError(f"per_decade must be an integer >= 1, got {per_decade!r}")
    if not low < high:
        raise ValueError(f"low must be < high, got low={low}, high={high}")
    steps = (math.log10(high) - math.log10(low)) * per_decade
    if abs(steps - round(steps)) > 1e-9:
        raise ValueError(
            f"high/low = {high / low:g} is not a whole number of 10**(1/{per_decade}) steps"
        )
    exps = math.log10(low) + np.arange(round(steps) + 1) / per_decade
    return [float(f"{10.0**e:.3g}") for e in exps]


#: the learning-rate grid every optimizer gets: 1e-4 to 10**0.5, two points per decade
LR_GRID: tuple[float, ...] = tuple(log_grid(1e-4, 10**0.5, 2))

#: the seeds of every configuration (initial weights of the MLP and batch order)
SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)

#: the optimizers compared, in the order of the chapters
COMPARED: dict[str, type] = {
    "SGD": SGD,
    "Momentum": Momentum,
    "Nesterov": Nesterov,
    "Adagrad": Adagrad,
    "Adadelta": Adadelta,
    "RMSprop": RMSprop,
    "Adam": Adam,
    "AdaMax": AdaMax,
    "Nadam": Nadam,
    "AMSGrad": AMSGrad,
    "AdamW": AdamW,
}

#: the larger search of the "extended" protocol: other hyperparameters besides η
EXTENDED_SEARCH: dict[str, dict[str, tuple[float, ...]]] = {
    "Momentum": {"momentum": (0.5, 0.9, 0.99)},
    "Adam": {"beta1": (0.5, 0.9, 0.99), "eps": (1e-8, 1e-3, 1e-1)},
}

#: protocol name -> what it searches (see :func:`candidates`)
PROTOCOLS: dict[str, str] = {
    "defaults": "each optimizer's default hyperparameters, no tuning",
    "coarse": "learning rate tuned on a grid of one point per decade (1e-4 ... 1)",
    "tuned": "learning rate tuned on the full grid (two points per decade, 1e-4 ... 3.16)",
    "extended": "full grid, and for Momentum and Adam also γ / β₁ and ε",
}


@dataclass(frozen=True)
class TaskSpec:
    """How to build one task: data set, model, epochs and batch size."""

    name: str
    dataset: str
    model: str
    epochs: int
    batch_size: int


#: the three real tasks of the chapter
TASKS: dict[str, TaskSpec] = {
    "logistic": TaskSpec("logistic", "breast cancer", "logistic regression", 20, 32),
    "softmax": TaskSpec("softmax", "digits", "softmax regression", 10, 32),
    "mlp": TaskSpec("mlp", "digits", "MLP 64-32-10, tanh", 10, 32),
}

#: fraction of the training part held out for validation, and the split's seed
VALIDATION_FRACTION = 0.2
SPLIT_SEED = 0


def validation_split(
    X: np.ndarray, y: np.ndarray, fraction: float = VALIDATION_FRACTION, seed: int = SPLIT_SEED
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(X_fit, y_fit, X_val, y_val)``: a seeded random ``fraction`` of the rows is held out."""
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(
            f"X must be 2-D with one target in y per row, got X {X.shape} and y {y.shape}"
        )
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 < fraction < 1:
        raise ValueError(f"fraction must be in (0, 1), got {fraction!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    n_val = int(round(fraction * len(X)))
    if not 1 <= n_val < len(X):
        raise ValueError(f"fraction={fraction} leaves no rows for validation or for fitting")
    order = np.random.default_rng(seed).permutation(len(X))
    val, fit = np.sort(order[:n_val]), np.sort(order[n_val:])
    return X[fit], y[fit], X[val], y[val]


@dataclass(frozen=True)
class Task:
    """A task ready to run: its spec and the fitting, validation and test arrays."""

    spec: TaskSpec
    X_fit: np.ndarray
    y_fit: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    def model(self, seed: int) -> Any:
        """The model bound to the fitting set (the MLP's initial weights depend on ``seed``)."""
        if self.spec.model.startswith("logistic"):
            return LogisticRegression(self.X_fit, self.y_fit)
        if self.spec.model.startswith("softmax"):
            return SoftmaxRegression(self.X_fit, self.y_fit)
        return MLP(self.X_fit, self.y_fit, hidden=(32,), activation="tanh", seed=seed)


_TASK_CACHE: dict[str, Task] = {}


def make_task(name: str) -> Task:
    """The task ``name`` (a key of :data:`TASKS`): data split 75/25 (seed 0), then 80/20."""
    if name not in TASKS:
        raise ValueError(f"name must be one of {sorted(TASKS)}, got {name!r}")
    if name not in _TASK_CACHE:
        spec = TASKS[name]
        data = breast_cancer(seed=0) if spec.dataset == "breast cancer" else digits(seed=0)
        split = validation_split(data.X_train, data.y_train)
        _TASK_CACHE[name] = Task(spec, *split, data.X_test, data.y_test)
    return _TASK_CACHE[name]


def _optimizer(name: str, hyper: Mapping[str, float]) -> Any:
    if name not in COMPARED:
        raise ValueError(f"optimizer must be one of {list(COMPARED)}, got {name!r}")
    return COMPARED[name](**dict(hyper))


def run_cell(task: str | Task, optimizer: str, hyper: Mapping[str, float], seed: int
             ) -> dict[str, float | bool]:
    r"""Train once and return the final losses and errors.

    ``task`` is a name of :data:`TASKS` (or a :class:`Task`), ``optimizer`` a
    name of :data:`COMPARED`, ``hyper`` its keyword arguments (``{}`` for the
    defaults) and ``seed`` the seed of the batch order and of the MLP's
    initial weights. Mini-batches of the spec's size, reshuffled each epoch.
    Returns ``train_loss`` (on the fitting set), ``val_loss``, ``val_error``,
    ``test_loss``, ``test_error`` (error = 1 − accuracy) at the last iterate,
    and ``diverged``. Values are rounded to 6 significant digits, as recorded.
    """
    t = make_task(task) if isinstance(task, str) else task
    if not isinstance(hyper, Mapping):
        raise ValueError(f"hyper must be a mapping of hyperparameters, got {hyper!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    model = t.model(int(seed))
    res = train(model, _optimizer(optimizer, hyper), epochs=t.spec.epochs,
                batch_size=t.spec.batch_size, seed=int(seed), progress=False)
    th = res.theta

    def r6(v: float) -> float:
        return float(f"{float(v):.6g}")

    return {
        "train_loss": r6(model.value(th)),
        "val_loss": r6(model.value(th, t.X_val, t.y_val)),
        "val_error": r6(1.0 - model.metric(th, t.X_val, t.y_val)),
        "test_loss": r6(model.value(th, t.X_test, t.y_test)),
        "test_error": r6(1.0 - model.metric(th, t.X_test, t.y_test)),
        "diverged": bool(res.diverged),
    }


def candidates(runs: Mapping[str, Sequence[Mapping[str, Any]]], protocol: str
               ) -> list[Mapping[str, Any]]:
    """The configurations a protocol may choose from.

    ``runs`` holds one optimizer's records by family: ``"defaults"`` (one
    record), ``"lr_grid"`` (one per rate of :data:`LR_GRID`) and, for the
    optimizers of :data:`EXTENDED_SEARCH`, ``"extended"``. Each record has
    ``hyper`` and per-seed lists of the metrics of :func:`run_cell`.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {list(PROTOCOLS)}, got {protocol!r}")
    if protocol == "defaults":
        return list(runs["defaults"])
    grid = list(runs["lr_grid"])
    if protocol == "coarse":
        decades = [r for r in grid if abs(math.log10(r["hyper"]["lr"]) % 1) < 1e-9
                   or abs(math.log10(r["hyper"]["lr"]) % 1 - 1) < 1e-9]
        return [r for r in decades if r["hyper"]["lr"] <= 1.0]
    if protocol == "tuned":
        return grid
    return grid + list(runs.get("extended", []))


def _val_score(record: Mapping[str, Any]) -> float:
    losses = [math.inf if d else v for v, d in zip(record["val_loss"], record["diverged"],
                                                      strict=True)]
    score = float(np.median(losses))
    return score if math.isfinite(score) else math.inf


def select(records: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The record with the lowest median validation loss (diverged runs count as +∞).

    Ties go to the first record (the lower learning rate in grid order).
    """
    if not records:
        raise ValueError("records must not be empty")
    scores = [_val_score(r) for r in records]
    return records[int(np.argmin(scores))]


def summarize(values: Sequence[float]) -> dict[str, float]:
    """Median, min, max and the quartiles of per-seed values."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(
            f"values must be a non-empty 1-D sequence of finite numbers, got {values!r}"
        )
    q1, med, q3 = np.percentile(arr, [25, 50, 75])
    return {"median": float(med), "min": float(arr.min()), "max": float(arr.max()),
            "q1": float(q1), "q3": float(q3)}


def rank_optimizers(
    task_runs: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]],
    protocol: str,
    key: Callable[[Mapping[str, Any]], tuple[float, ...]] | None = None,
) -> list[tuple[str, Mapping[str, Any]]]:
    """``[(optimizer, chosen record), ...]`` best first under ``protocol``.

    Each optimizer's record is :func:`select` ed from :func:`candidates`;
    the order is by median test error, then median test loss (``key``
    overrides it).
    """
    if not task_runs:
        raise ValueError("task_runs must not be empty")
    chosen = [(name, select(candidates(runs, protocol))) for name, runs in task_runs.items()]

    def default_key(rec: Mapping[str, Any]) -> tuple[float, ...]:
        return (float(np.median(rec["test_error"])), float(np.median(rec["test_loss"])))

    k = key or default_key
    return sorted(chosen, key=lambda item: k(item[1]))


def kendall_tau(ranking_a: Sequence[str], ranking_b: Sequence[str]) -> float:
    r"""Kendall's rank correlation of two orderings of the same names (no ties).

    .. math::

        \tau = \frac{1}{\binom{n}{2}} \sum_{i < j}
        \operatorname{sign}(a_i - a_j)\,\operatorname{sign}(b_i - b_j),

    where :math:`a_i` and :math:`b_i` are the positions of name :math:`i` in the
    two rankings: 1 for the same order, −1 for the reverse, about 0 for
    unrelated orders (M. G. Kendall, "A new measure of rank correlation",
    *Biometrika* 30(1/2), 81–93, 1938). Chapter 17 uses it to say how much a
    tuning protocol reorders the optimizers.
    """
    a, b = list(ranking_a), list(ranking_b)
    if len(set(a)) != len(a) or len(set(b)) != len(b):
        raise ValueError("ranking_a and ranking_b must not repeat a name")
    if set(a) != set(b):
        raise ValueError(
            f"ranking_a and ranking_b must order the same names, got {sorted(set(a) ^ set(b))} "
            "in only one of them"
        )
    if len(a) < 2:
        raise ValueError(f"the rankings need at least 2 names, got {len(a)}")
    pa = {n: i for i, n in enumerate(a)}
    pb = {n: i for i, n in enumerate(b)}
    s = sum(np.sign(pa[x] - pa[y]) * np.sign(pb[x] - pb[y])
            for i, x in enumerate(a) for y in a[i + 1:])
    return float(s / (len(a) * (len(a) - 1) / 2))


def _inside(path: np.ndarray, bounds: Sequence[tuple[float, float]]) -> bool:
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    return bool(np.all((path >= lo) & (path <= hi)))


def tune_on_surface(
    objective: Any,
    optimizer: str | type,
    steps: int,
    lrs: Sequence[float] = LR_GRID,
    start: Sequence[float] | None = None,
) -> tuple[Any, list[Any]]:
    r"""The best learning rate of a grid for one optimizer on a 2-D surface.

    Every rate of ``lrs`` runs ``steps`` steps from ``start`` (default the
    surface's); the rule picks the lowest final value :math:`f(\theta_T)`
    among the runs that neither diverge nor leave the plotted window
    ``objective.bounds`` (ties: the smaller rate). Returns ``(best run, all
    runs)``; ``ValueError`` if no rate qualifies.
    """
    from .run import run

    if isinstance(optimizer, str) and optimizer not in COMPARED:
        raise ValueError(f"optimizer must be one of {list(COMPARED)}, got {optimizer!r}")
    cls = COMPARED[optimizer] if isinstance(optimizer, str) else optimizer
    if not lrs:
        raise ValueError("lrs must not be empty")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    results = [run(objective, cls(lr=float(lr)), steps, start=start,
                   label=f"{cls.__name__}, η = {lr:g}") for lr in lrs]
    scores = [r.losses[-1] if not r.diverged and _inside(r.path, objective.bounds) else math.inf
              for r in results]
    i = int(np.argmin(scores))
    if not math.isfinite(scores[i]):
        raise ValueError(f"no learning rate in lrs keeps {cls.__name__} inside the window")
    return results[i], results


#: the learning-rate grid of the surfaces: 1e-5 to 10, two points per decade
SURFACE_GRID: tuple[float, ...] = tuple(log_grid(1e-5, 10.0, 2))

#: the standard surfaces with their budgets (the starts are the surfaces' own)
SURFACE_STEPS: dict[str, int] = {"quadratic": 30, "Rosenbrock": 500, "Beale": 500, "saddle": 30}


def surface(name: str) -> Any:
    """The standard surface ``name`` (a key of :data:`SURFACE_STEPS`)."""
    from .functions import beale, ill_conditioned_quadratic, rosenbrock, saddle

    factories = {"quadratic": ill_conditioned_quadratic, "Rosenbrock": rosenbrock,
                 "Beale": beale, "saddle": saddle}
    if name not in factories:
        raise ValueError(f"name must be one of {list(factories)}, got {name!r}")
    return factories[name]()
