r"""The learning-rate range test: one short run with an exponentially growing η.

Smith (2017) proposed to find the usable learning rates of a network by
training it for a short while with a learning rate that *grows* from a tiny
value to a large one, and to watch the curve: where the loss starts to fall,
the rate is large enough to make progress; where it turns up, the rate is too
large. Smith grew the rate linearly over a few epochs and watched the
accuracy. The variant implemented here is the one popularised by fastai's
``lr_find`` (Howard & Gugger, 2020): the rate grows **exponentially**, one
factor per mini-batch,

.. math::

    \eta_k = \eta_{\min} \Big(\frac{\eta_{\max}}{\eta_{\min}}\Big)^{(k-1)/(K-1)},
    \qquad k = 1, \dots, K,
    \tag{1}

so that every decade of η gets the same number of updates; the loss of each
mini-batch (before its update, as in :func:`optbook.train.train`) is smoothed
by a bias-corrected exponential moving average

.. math::

    s_k = \beta s_{k-1} + (1 - \beta)\,\ell_k, \quad s_0 = 0, \qquad
    \hat s_k = \frac{s_k}{1 - \beta^k},
    \tag{2}

and the test stops as soon as the smoothed loss exceeds ``stop_factor`` times
the best smoothed loss so far,

.. math::

    \hat s_k > c \min_{j \le k} \hat s_j ,
    \tag{3}

or when the run diverges (a non-finite loss, or :math:`|\theta|` beyond the
blow-up threshold).

**What it suggests, and the caveats.** The first ``ceil(β/(1 − β))`` points,
where the moving average has seen too few losses, are ignored for the lowest
point of the curve, for rule (3) and for the suggestions.
:attr:`LRRangeResult.suggested_lr` is chosen by one of two rules:

- ``"min/10"`` (default): one tenth of the η at the lowest point of the curve
  (fastai's ``lr_min``). The lowest point lies a little below the rate at which
  the loss turns up, so this keeps a margin of about ten from instability;
- ``"steepest"``: the η where the smoothed loss falls fastest per unit of
  :math:`\log\eta`, at or before the lowest point (fastai's ``lr_steep``).

Both are heuristics, not theorems. The curve mixes the effect of the rate
with the progress already made (every update also trains the model): on a
quadratic the steepest point sits near :math:`\eta \approx \ln r/(2\lambda)`,
where :math:`r` is the growth factor per update, so it moves when
``n_updates`` changes, and with mini-batches the slope is dominated by noise.
The EMA lags by about :math:`\beta/(1-\beta)` updates, which shifts features
of the curve to larger η, and a test of a few hundred updates says nothing
about the rate that is best late in training, in a region of different
curvature. What the test does measure well is the upper end: on a quadratic
with exact gradients the loss cannot rise while :math:`\eta_k < 2/\lambda_{\max}`
(chapter 1's stability threshold), and the test stops a few times above it;
with mini-batches, whose noise keeps exciting the unstable direction, it
stops closer to it (``tests/test_lr_range.py`` checks both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .run import BLOWUP, make_optimizer
from .style import optimizer_name
from .train import _check_blowup, _check_int, _check_start, _value_and_grad

__all__ = ["RULES", "LRRangeResult", "lr_range_test"]

#: The rules :func:`lr_range_test` knows for its suggestion.
RULES = ("min/10", "steepest")


@dataclass
class LRRangeResult:
    r"""The record of a learning-rate range test.

    Attributes
    ----------
    lrs:
        the rate :math:`\eta_k` of update :math:`k`, eq. (1), for every recorded
        loss (``K`` of them if the test ran to the end). When rule (3) stops the
        test at :math:`\ell_k`, update :math:`k` itself is not taken: the record
        then has one point more than the updates taken (``stopped_at``).
    losses:
        the loss :math:`\ell_k` of update :math:`k`'s mini-batch at
        :math:`\theta_{k-1}` (before the update).
    smoothed:
        the bias-corrected moving average :math:`\hat s_k`, eq. (2).
    best_lr, best_loss:
        the rate and the smoothed loss at the lowest point of the curve
        (after the warm-up of the average).
    steepest_lr:
        the rate where :math:`\hat s` falls fastest against :math:`\log\eta`,
        at or before the lowest point.
    suggested_lr, rule:
        the suggestion and the rule that chose it (``"min/10"`` or ``"steepest"``).
    stop_lr, stopped_at:
        when the test stopped early, because of (3) or divergence: the last
        update :math:`k` it took and its rate :math:`\eta_k` (the update
        after which the loss was too large); ``None`` if it ran all ``n_updates``.
    diverged:
        whether it stopped on divergence rather than on (3).
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    best_lr: float
    best_loss: float
    steepest_lr: float
    suggested_lr: float
    rule: str
    stop_lr: float | None
    stopped_at: int | None
    diverged: bool
    optimizer: str
    batch_size: int
    n_updates: int
    smoothing: float
    stop_factor: float

    @property
    def stopped(self) -> bool:
        """Whether the test stopped before ``n_updates`` (blow-up or divergence)."""
        return self.stopped_at is not None

    @property
    def updates_taken(self) -> int:
        """The number of updates the test took (``stopped_at`` if it stopped early)."""
        return self.stopped_at if self.stopped_at is not None else len(self.lrs)

    def __repr__(self) -> str:
        end = (f"stopped at η = {self.stop_lr:.3g} (update {self.stopped_at})"
               if self.stopped else "ran to the end")
        return (f"LRRangeResult({self.optimizer}, B = {self.batch_size}, {self.updates_taken} "
                f"updates, {end}; suggested η = {self.suggested_lr:.3g} by {self.rule!r})")


def _check_positive_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
    v = float(value)
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return v


def lr_range_test(
    model: Any,
    optimizer: Any,
    *,
    lr_min: float = 1e-6,
    lr_max: float = 10.0,
    n_updates: int = 100,
    batch_size: int | None = 32,
    seed: int = 0,
    smoothing: float = 0.9,
    stop_factor: float = 4.0,
    rule: str = "min/10",
    start: np.ndarray | None = None,
    blowup: float = BLOWUP,
) -> LRRangeResult:
    r"""Run the learning-rate range test on ``model`` with ``optimizer``.

    Takes up to ``n_updates`` mini-batch updates with the rate (1) growing from
    ``lr_min`` to ``lr_max``, records each mini-batch loss, smooths it with
    (2), and stops at (3) or at divergence. See the module docstring for the
    suggestion rules and their caveats.

    Parameters
    ----------
    model:
        a model bound to its training data ``model.X``, ``model.y`` with
        ``value_and_grad(theta, X, y)`` (or ``value`` and ``grad``), as in
        :mod:`optbook.models`. Its loss should be positive (rule (3) compares ratios).
    optimizer:
        a fresh optimizer with an ``lr`` attribute, its class, or a
        zero-argument factory (as in :func:`optbook.run.run`).
    lr_min, lr_max:
        the first and the last rate, :math:`0 < \eta_{\min} < \eta_{\max}`.
    n_updates:
        :math:`K \ge 2`, the number of updates if the test does not stop early.
    batch_size:
        :math:`B`, or ``None`` for the whole training set (then the curve is
        the exact loss, and the stability threshold of a quadratic is exact).
    seed:
        seed of the shuffling: a fresh permutation of the rows every epoch from
        ``numpy.random.default_rng(seed)``, as in :func:`optbook.train.train`.
    smoothing:
        :math:`\beta \in [0, 1)` of the moving average (2); 0 means no smoothing.
    stop_factor:
        :math:`c > 1` in (3).
    rule:
        ``"min/10"`` (default) or ``"steepest"``: how
        :attr:`LRRangeResult.suggested_lr` is chosen.
    start:
        :math:`\theta_0`; default ``model.start``.
    blowup:
        the test has diverged when :math:`\max_i|\theta_i|` or a loss exceeds it (> 0).
    """
    lr_min = _check_positive_float("lr_min", lr_min)
    lr_max = _check_positive_float("lr_max", lr_max)
    if not lr_min < lr_max:
        raise ValueError(f"lr_min must be < lr_max, got lr_min={lr_min:g}, lr_max={lr_max:g}")
    K = _check_int("n_updates", n_updates, 2)
    seed = _check_int("seed", seed, 0)
    if isinstance(smoothing, bool) or not isinstance(smoothing, int | float | np.floating):
        raise ValueError(f"smoothing must be a number in [0, 1), got {smoothing!r}")
    beta = float(smoothing)
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
    c = _check_positive_float("stop_factor", stop_factor)
    if c <= 1:
        raise ValueError(f"stop_factor must be > 1, got {stop_factor!r}")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    blowup = _check_blowup(blowup)

    X, y = getattr(model, "X", None), getattr(model, "y", None)
    if X is None or y is None:
        raise ValueError("model must carry its training data as model.X and model.y")
    value_and_grad = _value_and_grad(model)
    n = int(np.shape(X)[0])
    if batch_size is None:
        B = n
    else:
        B = _check_int("batch_size", batch_size, 1)
        if B > n:
            raise ValueError(f"batch_size must be between 1 and n = {n}, got {B}")
    opt = make_optimizer(optimizer)
    if not hasattr(opt, "lr"):
        raise ValueError(f"the optimizer needs an lr attribute; {optimizer_name(opt)} has none")
    theta0 = getattr(model, "start", None) if start is None else start
    if theta0 is None:
        raise ValueError("start is required: the model has no default start")
    theta = _check_start(theta0, getattr(model, "dim", None))

    schedule = lr_min * (lr_max / lr_min) ** (np.arange(K) / (K - 1))  # (1)
    rng = np.random.default_rng(seed)
    lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    s, best = 0.0, math.inf
    stopped_at: int | None = None
    diverged = False
    warm = math.ceil(beta / (1 - beta) - 1e-9)  # the EMA's lag: too few losses averaged yet
    order = np.arange(n)
    pos = n  # the first update starts an epoch
    with np.errstate(all="ignore"):
        for k in range(1, K + 1):
            if pos >= n:  # a new epoch: batches of a fresh permutation, as train() takes them
                order = rng.permutation(n) if B < n else np.arange(n)
                pos = 0
            rows = order[pos: pos + B]
            pos += B
            loss, g = value_and_grad(theta, X[rows], y[rows])
            loss = float(loss)
            g = np.asarray(g, dtype=np.float64)
            if not (math.isfinite(loss) and abs(loss) <= blowup and np.all(np.isfinite(g))):
                if k == 1:
                    raise ValueError("the start has a non-finite loss or gradient")
                stopped_at, diverged = k - 1, True
                break
            s = beta * s + (1 - beta) * loss                        # (2)
            s_hat = s / (1 - beta**k)
            lrs.append(float(schedule[k - 1]))
            losses.append(loss)
            smoothed.append(s_hat)
            if k > warm:
                best = min(best, s_hat)
            if best > 0 and s_hat > c * best:                         # (3)
                stopped_at = k - 1
                break
            opt.lr = float(schedule[k - 1])
            opt.step(theta, g.reshape(theta.shape))
            big = float(np.max(np.abs(theta))) if theta.size else 0.0
            if not (math.isfinite(big) and big <= blowup):
                stopped_at, diverged = k, True
                break

    lr_arr = np.array(lrs)
    sm = np.array(smoothed)
    first = warm if len(sm) > warm + 1 else 0  # skip the warm-up of the average if we can
    i_best = first + int(np.argmin(sm[first:]))
    if i_best - first >= 1:
        slope = np.gradient(sm[first: i_best + 1], np.log(lr_arr[first: i_best + 1]))
        i_steep = first + int(np.argmin(slope))
    else:
        i_steep = i_best
    best_lr, steepest_lr = float(lr_arr[i_best]), float(lr_arr[i_steep])
    suggested = steepest_lr if rule == "steepest" else best_lr / 10
    return LRRangeResult(
        lrs=lr_arr,
        losses=np.array(losses),
        smoothed=sm,
        best_lr=best_lr,
        best_loss=float(sm[i_best]),
        steepest_lr=steepest_lr,
        suggested_lr=suggested,
        rule=rule,
        stop_lr=None if stopped_at is None else float(schedule[stopped_at - 1]),
        stopped_at=stopped_at,
        diverged=diverged,
        optimizer=optimizer_name(opt),
        batch_size=B,
        n_updates=K,
        smoothing=beta,
        stop_factor=c,
    )
