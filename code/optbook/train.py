r"""One training loop for batch, stochastic and mini-batch gradient descent.

:func:`train` is Ruder's three listings in one function. With :math:`n`
training examples and batch size :math:`B`, each epoch visits the rows once,
in batches of :math:`B` consecutive rows of a fresh permutation (or of the
stored order when ``shuffle=False``), and takes one update per batch:

.. math::

    g_t = \nabla L_{\mathcal B_t}(\theta_{t-1})
        = \frac{1}{|\mathcal B_t|}\sum_{i \in \mathcal B_t} \nabla \ell_i(\theta_{t-1})
          + \nabla R(\theta_{t-1}),
    \qquad \theta_t = \text{step}(\theta_{t-1}, g_t),

where :math:`\ell_i` is example :math:`i`'s loss and :math:`R` the regulariser.

``batch_size=None`` (or :math:`n`) is batch gradient descent (one update per
epoch, Ruder's listing 2.1), ``batch_size=1`` is stochastic gradient descent
(listing 2.2) and anything in between is mini-batch gradient descent
(listing 2.3). An epoch has :func:`updates_per_epoch` updates:
:math:`\lceil n/B \rceil`, or :math:`\lfloor n/B \rfloor` with ``drop_last``.

``replacement=True`` instead draws every batch as :math:`B` independent,
uniformly chosen rows (sampling with replacement, the setting of most SGD
theorems); an "epoch" is then just :func:`updates_per_epoch` such updates.

The model is any object bound to its training data with
``value_and_grad(theta, X, y)`` (or ``value`` and ``grad``) such as the models
of :mod:`optbook.models`. The loop records the loss of every mini-batch
(before its update), evaluates the full training loss -- and the held-out loss
when ``eval_data`` is given -- at checkpoints, and stops cleanly when the run
diverges.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .models import rows_value_and_grad as rows_value_and_grad_of
from .run import BLOWUP, make_optimizer, skip_finite_check
from .style import optimizer_name

__all__ = ["TrainResult", "train", "updates_per_epoch"]

#: A run long enough to want a progress bar: estimated total time in seconds.
PROGRESS_AFTER = 10.0


def _check_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _check_blowup(blowup: Any) -> float:
    if isinstance(blowup, bool) or not isinstance(blowup, int | float | np.integer | np.floating):
        raise ValueError(f"blowup must be a number > 0, got {blowup!r}")
    if not float(blowup) > 0:  # also rejects NaN
        raise ValueError(f"blowup must be a number > 0, got {blowup!r}")
    return float(blowup)


def _check_dtype(dtype: Any) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = np.dtype(object)
    if dtype is None or dt.type not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    return dt


def _check_start(theta0: Any, dim: int | None, dtype: Any = np.float64) -> np.ndarray:
    """A copy of ``theta0`` as a ``dtype`` vector of length ``dim`` (real numbers only)."""
    arr = np.asarray(theta0)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"start must be an array of real numbers, got dtype {arr.dtype}")
    with np.errstate(over="ignore"):  # 1e39 in float32 is inf: reported below
        theta = np.array(arr, dtype=dtype)
    if not np.all(np.isfinite(theta)):
        raise ValueError(f"start must be finite in {np.dtype(dtype).name}, got {arr!r}")
    if dim is None:
        dim = theta.size
    if theta.shape != (dim,):
        raise ValueError(f"start must have shape ({dim},), got {theta.shape}")
    return theta


def updates_per_epoch(n: int, batch_size: int | None = None, drop_last: bool = False) -> int:
    r"""Updates per epoch: :math:`\lceil n/B \rceil`, :math:`\lfloor n/B \rfloor` if ``drop_last``.

    ``batch_size=None`` means the whole set (:math:`B = n`, one update).
    Ruder's example: ``updates_per_epoch(1000, 50) == 20``.
    """
    n = _check_int("n", n)
    drop_last = _check_bool("drop_last", drop_last)
    if batch_size is None:
        return 1
    batch_size = _check_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size must be between 1 and n = {n}, got {batch_size}")
    return n // batch_size if drop_last else -(-n // batch_size)


@dataclass
class TrainResult:
    r"""The record of one :func:`train` run.

    Attributes
    ----------
    theta:
        the final parameters (the last finite iterate if the run diverged).
    batch_losses:
        ``(n_updates,)`` the loss of the mini-batch of update :math:`t`, at
        :math:`\theta_{t-1}` (before the update): free to record, noisy.
    lrs:
        ``(n_updates,)`` the learning rate of each update (NaN for an optimizer
        without ``lr``).
    checkpoints:
        update indices of the evaluations (0 is the start); the end of every
        epoch is one, and so is every ``eval_every``-th update.
    checkpoint_epochs:
        the same positions in epochs (``checkpoints / updates_per_epoch``).
    train_losses, train_metrics:
        the loss and metric on the whole training set at each checkpoint.
    test_losses, test_metrics:
        the same on ``eval_data``, or ``None``.
    path:
        ``(n_updates + 1, dim)`` every iterate :math:`\theta_0, \dots`, when
        ``record_path=True``; after a divergence at update :math:`t`
        (``n_updates`` = :math:`t`) it ends at :math:`\theta_{t-1}` and has
        ``n_updates`` rows.
    diverged_at:
        the first update :math:`t` whose iterate :math:`\theta_t` (or its
        loss) was non-finite or beyond the blow-up threshold, else ``None``.
    wall_time:
        seconds spent in the loop (updates and evaluations).
    examples_seen:
        the number of example-gradients computed by the updates.
    """

    theta: np.ndarray
    label: str
    optimizer: str
    hyperparameters: dict[str, Any]
    batch_size: int
    n_train: int
    updates_per_epoch: int
    epochs: int
    batch_losses: np.ndarray
    lrs: np.ndarray
    checkpoints: np.ndarray
    checkpoint_epochs: np.ndarray
    train_losses: np.ndarray
    train_metrics: np.ndarray | None
    test_losses: np.ndarray | None
    test_metrics: np.ndarray | None
    path: np.ndarray | None
    diverged_at: int | None
    wall_time: float
    examples_seen: int
    metric_name: str = ""

    @property
    def n_updates(self) -> int:
        """The number of updates taken."""
        return len(self.batch_losses)

    @property
    def diverged(self) -> bool:
        """Whether the run stopped because it diverged."""
        return self.diverged_at is not None

    @property
    def update_epochs(self) -> np.ndarray:
        """The position of each update in epochs: :math:`t / n_{epoch}` for :math:`t = 1..`."""
        return np.arange(1, self.n_updates + 1) / self.updates_per_epoch

    @property
    def epoch_train_losses(self) -> np.ndarray:
        """Training loss at the start and at the end of each completed epoch."""
        return self.train_losses[self._epoch_rows()]

    @property
    def epoch_test_losses(self) -> np.ndarray | None:
        """Held-out loss at the start and at the end of each completed epoch."""
        return None if self.test_losses is None else self.test_losses[self._epoch_rows()]

    def _epoch_rows(self) -> np.ndarray:
        return np.flatnonzero(self.checkpoints % self.updates_per_epoch == 0)

    def __repr__(self) -> str:
        end = (
            f"diverged at update {self.diverged_at}"
            if self.diverged
            else f"final train loss {self.train_losses[-1]:.4g}"
        )
        return (
            f"TrainResult({self.label!r}, batch size {self.batch_size}, "
            f"{self.n_updates} updates = {self.n_updates / self.updates_per_epoch:g} epochs, {end})"
        )


def _value_and_grad(model: Any) -> Callable[..., tuple[float, np.ndarray]]:
    vg = getattr(model, "value_and_grad", None)
    if vg is not None:
        return vg
    if hasattr(model, "value") and hasattr(model, "grad"):
        return lambda th, X, y: (model.value(th, X, y), model.grad(th, X, y))
    raise ValueError("model needs value_and_grad(theta, X, y), or value and grad methods")


class _Progress:
    """A one-line text bar on stdout (never stderr: the book treats stderr as a warning)."""

    def __init__(self, label: str, epochs: int, mode: bool | None):
        # epochs: the number the run can take (max_updates may stop it sooner)
        self.label, self.epochs, self.mode = label, epochs, mode
        self.shown = False
        self.start = time.perf_counter()

    def update(self, epoch: int, loss: float) -> None:
        if self.mode is False:
            return
        if self.mode is None and not self.shown:
            elapsed = time.perf_counter() - self.start
            if elapsed / epoch * self.epochs < PROGRESS_AFTER:
                return
        self.shown = True
        width = 24
        filled = int(width * epoch / self.epochs)
        bar = "#" * filled + "." * (width - filled)
        sys.stdout.write(f"\r{self.label}: epoch {epoch}/{self.epochs} [{bar}] loss {loss:.4g}")
        sys.stdout.flush()

    def close(self) -> None:
        if self.shown:
            sys.stdout.write("\n")
            sys.stdout.flush()


def train(
    model: Any,
    optimizer: Any,
    *,
    epochs: int = 1,
    batch_size: int | None = None,
    shuffle: bool = True,
    replacement: bool = False,
    seed: int = 0,
    lr_schedule: Callable[[int], float] | None = None,
    start: np.ndarray | None = None,
    eval_data: tuple[np.ndarray, np.ndarray] | None = None,
    eval_every: int | None = None,
    max_updates: int | None = None,
    drop_last: bool = False,
    record_path: bool = False,
    progress: bool | None = None,
    blowup: float = BLOWUP,
    dtype: Any = np.float64,
    label: str | None = None,
) -> TrainResult:
    r"""Train ``model`` with ``optimizer`` by batch, stochastic or mini-batch descent.

    Parameters
    ----------
    model:
        a model bound to its training data ``model.X``, ``model.y`` with
        ``value_and_grad(theta, X, y)``; see :mod:`optbook.models`.
    optimizer:
        a fresh optimizer, an optimizer class or a zero-argument factory (as in
        :func:`optbook.run.run`). It is mutated.
    epochs:
        passes over the training set (>= 1).
    batch_size:
        :math:`B`: ``None`` for the whole set (batch descent), 1 for SGD.
    shuffle:
        draw a fresh permutation of the rows every epoch (from
        ``np.random.default_rng(seed)``); ``False`` keeps the stored order.
    replacement:
        draw each batch as :math:`B` rows chosen independently and uniformly
        (with replacement) from ``np.random.default_rng(seed)``; ``shuffle``
        and ``drop_last`` then play no part, every batch has :math:`B` rows
        and an epoch has :math:`\lceil n/B \rceil` updates.
    seed:
        an integer >= 0, the seed of all the sampling.
    lr_schedule:
        :math:`t \mapsto \eta_t`, e.g. from :mod:`optbook.schedules`; before
        update :math:`t` (counted from 1 across epochs) it sets ``optimizer.lr``.
        Each rate must be a finite number >= 0 (else ``ValueError``).
    start:
        :math:`\theta_0` (copied); default ``model.start``.
    eval_data:
        ``(X_test, y_test)`` evaluated at every checkpoint.
    eval_every:
        also evaluate every ``eval_every`` updates (default: only at epoch ends).
    max_updates:
        stop after this many updates, even within an epoch. The last iterate is
        then a checkpoint too (and the run has diverged if its loss is bad).
    drop_last:
        skip the last, smaller batch of an epoch when :math:`B` does not divide :math:`n`.
    record_path:
        keep every iterate in ``path``.
    progress:
        ``True`` shows a text progress bar per epoch, ``False`` never; ``None``
        (default) shows one only when the run is estimated to take more than
        :data:`PROGRESS_AFTER` seconds.
    blowup:
        the run has diverged at update :math:`t` when :math:`\theta_t`, a loss or
        a gradient is non-finite or :math:`\max_i |\theta_{t,i}|` or a loss
        exceeds ``blowup``. The loop then stops, no warning is emitted, and
        ``theta`` is the last good iterate :math:`\theta_{t-1}`.
    dtype:
        dtype of :math:`\theta` and the gradients handed to the optimizer:
        ``np.float32`` or ``np.float64``.
    label:
        a name for legends; default ``"SGD, B = 50"`` or ``"SGD, full batch"``
        (a batch of all :math:`n` rows drawn with replacement is ``"SGD, B = n"``).
    """
    X, y = getattr(model, "X", None), getattr(model, "y", None)
    if X is None or y is None:
        raise ValueError("model must carry its training data as model.X and model.y")
    n = int(np.shape(X)[0])
    value_and_grad = _value_and_grad(model)
    # the batches below are rows of model.X, model.y: an optbook model need not
    # check them again at every update
    rows_value_and_grad = rows_value_and_grad_of(model) or value_and_grad
    epochs = _check_int("epochs", epochs)
    if batch_size is not None:
        _check_int("batch_size", batch_size)
    shuffle = _check_bool("shuffle", shuffle)
    replacement = _check_bool("replacement", replacement)
    drop_last = _check_bool("drop_last", drop_last)
    record_path = _check_bool("record_path", record_path)
    seed = _check_int("seed", seed, 0)
    blowup = _check_blowup(blowup)
    dtype = _check_dtype(dtype)
    # with replacement every batch has B rows: there is no short batch to drop
    per_epoch = updates_per_epoch(n, batch_size, drop_last and not replacement)
    B = n if batch_size is None else int(batch_size)
    if per_epoch == 0:  # pragma: no cover - drop_last with B <= n always gives >= 1
        raise ValueError("an epoch has no updates")
    if eval_every is not None:
        eval_every = _check_int("eval_every", eval_every)
    if max_updates is not None:
        max_updates = _check_int("max_updates", max_updates)
    if progress not in (None, True, False):
        raise ValueError(f"progress must be True, False or None, got {progress!r}")
    if eval_data is not None:
        if not (isinstance(eval_data, tuple | list) and len(eval_data) == 2):
            raise ValueError("eval_data must be a pair (X_test, y_test)")
        X_test, y_test = eval_data
        if np.ndim(X_test) < 1 or np.ndim(y_test) < 1 or len(X_test) != len(y_test):
            raise ValueError(
                f"eval_data must be a pair (X_test, y_test) with one target per row: got "
                f"X_test of shape {np.shape(X_test)} and y_test of shape {np.shape(y_test)}"
            )
    opt = make_optimizer(optimizer)
    # the loop checks every g itself (a non-finite one is a divergence), so the
    # optimizer need not check it again
    skip_check = skip_finite_check(opt)
    name = optimizer_name(opt)
    if lr_schedule is not None and not hasattr(opt, "lr"):
        raise ValueError(f"lr_schedule needs an optimizer with an lr attribute; {name} has none")
    hyper = dict(getattr(opt, "hyperparameters", {}) or {})
    if label is None:
        label = f"{name}, full batch" if B == n and not replacement else f"{name}, B = {B}"

    theta0 = getattr(model, "start", None) if start is None else start
    if theta0 is None:
        raise ValueError("start is required: the model has no default start")
    theta = _check_start(theta0, getattr(model, "dim", None), dtype)
    has_metric = hasattr(model, "metric")
    metric_name = getattr(model, "metric_name", "") if has_metric else ""

    batch_losses: list[float] = []
    lrs: list[float] = []
    cps: list[int] = []
    tr_l: list[float] = []
    tr_m: list[float] = []
    te_l: list[float] = []
    te_m: list[float] = []
    path: list[np.ndarray] = []
    diverged_at: int | None = None

    def bad(value: float) -> bool:
        return not (math.isfinite(value) and abs(value) <= blowup)

    def checkpoint(t: int) -> bool:
        """Evaluate at update t; False if the evaluation shows divergence."""
        th = theta.astype(np.float64, copy=False)
        loss = float(model.value(th))
        if bad(loss):
            return False
        cps.append(t)
        tr_l.append(loss)
        if has_metric:
            tr_m.append(float(model.metric(th)))
        if eval_data is not None:
            te_l.append(float(model.value(th, X_test, y_test)))
            if has_metric:
                te_m.append(float(model.metric(th, X_test, y_test)))
        return True

    planned = epochs if max_updates is None else min(epochs, -(-max_updates // per_epoch))
    bar = _Progress(label, planned, progress)
    rng = np.random.default_rng(seed)
    t = 0
    began = time.perf_counter()
    with np.errstate(all="ignore"):
        if not checkpoint(0):
            raise ValueError("the start has a non-finite or huge training loss")
        if record_path:
            path.append(theta.astype(np.float64))
        prev = theta.copy()
        for epoch in range(1, epochs + 1):
            if replacement:
                draws = rng.integers(n, size=(per_epoch, B))
            elif B < n and shuffle:
                order = rng.permutation(n)
                Xe, ye = X[order], y[order]
            else:
                Xe, ye = X, y
            for k in range(per_epoch):
                if replacement:
                    Xb, yb = X[draws[k]], y[draws[k]]
                else:
                    lo = k * B
                    Xb, yb = Xe[lo: lo + B], ye[lo: lo + B]
                loss, g = rows_value_and_grad(theta.astype(np.float64, copy=False), Xb, yb)
                loss = float(loss)
                g = np.asarray(g)
                if bad(loss) or not np.all(np.isfinite(g)):
                    if t == 0:
                        raise ValueError("the start has a non-finite loss on the first batch")
                    # theta_t gave a bad loss or gradient: update t diverged
                    diverged_at = t
                    break
                t += 1
                if lr_schedule is not None:
                    rate = lr_schedule(t)
                    if isinstance(rate, bool) or not isinstance(
                        rate, int | float | np.integer | np.floating
                    ) or not 0 <= rate < math.inf:
                        raise ValueError(
                            f"lr_schedule must return a finite number >= 0, got {rate!r} "
                            f"at t = {t}"
                        )
                    opt.lr = rate
                lrs.append(float(getattr(opt, "lr", math.nan)))
                batch_losses.append(loss)
                prev[...] = theta
                opt.step(theta, g.astype(dtype, copy=False).reshape(theta.shape), **skip_check)
                big = float(np.max(np.abs(theta))) if theta.size else 0.0
                if not (math.isfinite(big) and big <= blowup):
                    diverged_at = t
                    break
                if record_path:
                    path.append(theta.astype(np.float64))
                at_end = k == per_epoch - 1
                if at_end or (eval_every is not None and t % eval_every == 0):
                    if not checkpoint(t):
                        diverged_at = t
                        break
                if max_updates is not None and t >= max_updates:
                    break
            if diverged_at is not None or (max_updates is not None and t >= max_updates):
                break
            bar.update(epoch, tr_l[-1])
        if diverged_at is None and cps[-1] != t and not checkpoint(t):
            diverged_at = t  # stopped by max_updates within an epoch at a bad iterate
        if diverged_at is not None:
            # roll back to the last good iterate theta_{t-1}
            theta[...] = prev
            if record_path and len(path) > diverged_at:
                path.pop()
            while cps and cps[-1] >= diverged_at:
                for values in (tr_l, tr_m, te_l, te_m):
                    if len(values) == len(cps):
                        values.pop()
                cps.pop()
    bar.close()
    wall = time.perf_counter() - began

    def arr(values: list[float], present: bool) -> np.ndarray | None:
        return np.array(values, dtype=np.float64) if present else None

    checkpoints = np.array(cps, dtype=np.int64)
    return TrainResult(
        theta=theta,
        label=label,
        optimizer=name,
        hyperparameters=hyper,
        batch_size=B,
        n_train=n,
        updates_per_epoch=per_epoch,
        epochs=epochs,
        batch_losses=np.array(batch_losses, dtype=np.float64),
        lrs=np.array(lrs, dtype=np.float64),
        checkpoints=checkpoints,
        checkpoint_epochs=checkpoints / per_epoch,
        train_losses=np.array(tr_l, dtype=np.float64),
        train_metrics=arr(tr_m, has_metric),
        test_losses=arr(te_l, eval_data is not None),
        test_metrics=arr(te_m, eval_data is not None and has_metric),
        path=np.array(path, dtype=np.float64) if record_path else None,
        diverged_at=diverged_at,
        wall_time=wall,
        examples_seen=B * len(batch_losses) if replacement else sum(
            min(B, n - (i % per_epoch) * B) for i in range(len(batch_losses))
        ),
        metric_name=metric_name,
    )
