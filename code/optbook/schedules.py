r"""Learning-rate schedules: :math:`t \mapsto \eta_t` for every optimizer of the book.

A schedule is a callable object: ``schedule(t)`` is the learning rate
:math:`\eta_t` of update :math:`t = 1, 2, \dots` (the book's step counter,
which starts at 1). Pass it as ``lr_schedule=`` to :func:`optbook.train.train`
or :func:`optbook.run.run`; before update :math:`t` they set
``optimizer.lr = schedule(t)``. Every optimizer of the book has an ``lr``, so
every schedule works with every optimizer (Adadelta's ``lr`` multiplies its
update, as in PyTorch).

=================  =====================================================================
schedule           :math:`\eta_t`
=================  =====================================================================
``constant``       :math:`\eta`
``step_decay``     :math:`\eta\, q^{\lfloor (t-1)/k \rfloor}`
``exponential``    :math:`\eta\, q^{t-1}`
``inverse_time``   :math:`\eta / (1 + c\,(t-1))`
``inverse_sqrt``   :math:`\eta / \sqrt t` (Kingma & Ba's :math:`\alpha_t = \alpha/\sqrt t`)
``cosine``         :math:`\eta_{min} + \tfrac12(\eta - \eta_{min})(1 + \cos(\pi (t-1)/T))`,
                   then :math:`\eta_{min}` for :math:`t > T`
``linear_warmup``  :math:`\eta_1^{base}\, t/w` for :math:`t \le w`, then the base schedule
                   shifted: :math:`\eta^{base}_{t-w}`
``by_epoch``       the base schedule evaluated at the epoch number
                   :math:`\lceil t / n_{epoch} \rceil`: constant within an epoch
=================  =====================================================================

Every schedule starts at its nominal rate, :math:`\eta_1 = \eta` (except during
warm-up). PyTorch's ``torch.optim.lr_scheduler`` counts from 0 (its
``last_epoch`` starts at 0 and the first step uses the initial rate), so
PyTorch's rate at its counter :math:`k` is ours at :math:`t = k + 1`, when
``scheduler.step()`` is called once per update.

References: Robbins & Monro (1951) for the conditions
:math:`\sum_t \eta_t = \infty`, :math:`\sum_t \eta_t^2 < \infty`; Kingma & Ba
(2015), §6.1, for :math:`\alpha/\sqrt t`; Loshchilov & Hutter (2017), SGDR, for
the cosine schedule; Goyal et al. (2017) for linear warm-up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .optimizers._base import check_nonnegative, check_positive

__all__ = [
    "Schedule",
    "by_epoch",
    "constant",
    "cosine",
    "exponential",
    "inverse_sqrt",
    "inverse_time",
    "linear_warmup",
    "step_decay",
    "values",
]


def _check_count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _check_factor(name: str, value: object) -> float:
    v = check_positive(name, value)
    if v > 1:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return v


class Schedule:
    """Base class: ``schedule(t)`` checks that ``t`` is an integer >= 1 and returns the rate."""

    def __call__(self, t: int) -> float:
        if isinstance(t, bool) or not isinstance(t, int | np.integer) or t < 1:
            raise ValueError(f"t must be an integer >= 1 (the first update is t = 1), got {t!r}")
        return float(self._value(int(t)))

    def _value(self, t: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def initial(self) -> float:
        """The nominal rate :math:`\\eta` the schedule is built around."""
        raise NotImplementedError  # pragma: no cover


def _as_schedule(name: str, value: Schedule | float) -> Schedule:
    if isinstance(value, Schedule):
        return value
    if callable(value):
        raise ValueError(
            f"{name} must be an optbook.schedules schedule or a number > 0, got {value!r} "
            "(wrap another callable in a Schedule subclass)"
        )
    return Constant(check_positive(name, value))


@dataclass(frozen=True, repr=False)
class Constant(Schedule):
    r""":math:`\eta_t = \eta`."""

    lr: float

    def _value(self, t: int) -> float:
        return self.lr

    @property
    def initial(self) -> float:
        return self.lr

    def __repr__(self) -> str:
        return f"constant(lr={self.lr:g})"


@dataclass(frozen=True, repr=False)
class StepDecay(Schedule):
    r""":math:`\eta_t = \eta\, q^{\lfloor (t-1)/k \rfloor}`: step decay."""

    lr: float
    factor: float
    every: int

    def _value(self, t: int) -> float:
        return self.lr * self.factor ** ((t - 1) // self.every)

    @property
    def initial(self) -> float:
        return self.lr

    def __repr__(self) -> str:
        return f"step_decay(lr={self.lr:g}, factor={self.factor:g}, every={self.every})"


@dataclass(frozen=True, repr=False)
class Exponential(Schedule):
    r""":math:`\eta_t = \eta\, q^{t-1}`."""

    lr: float
    gamma: float

    def _value(self, t: int) -> float:
        return self.lr * self.gamma ** (t - 1)

    @property
    def initial(self) -> float:
        return self.lr

    def __repr__(self) -> str:
        return f"exponential(lr={self.lr:g}, gamma={self.gamma:g})"


@dataclass(frozen=True, repr=False)
class InverseTime(Schedule):
    r""":math:`\eta_t = \eta / (1 + c\,(t-1))`."""

    lr: float
    decay: float

    def _value(self, t: int) -> float:
        return self.lr / (1.0 + self.decay * (t - 1))

    @property
    def initial(self) -> float:
        return self.lr

    def __repr__(self) -> str:
        return f"inverse_time(lr={self.lr:g}, decay={self.decay:g})"


@dataclass(frozen=True, repr=False)
class InverseSqrt(Schedule):
    r""":math:`\eta_t = \eta/\sqrt t`."""

    lr: float

    def _value(self, t: int) -> float:
        return self.lr / math.sqrt(t)

    @property
    def initial(self) -> float:
        return self.lr

    def __repr__(self) -> str:
        return f"inverse_sqrt(lr={self.lr:g})"


@dataclass(frozen=True, repr=False)
class Cosine(Schedule):
    r"""Cosine annealing.

    :math:`\eta_t = \eta_{min} + \tfrac12(\eta - \eta_{min})(1 + \cos(\pi\,(t-1)/T))`
    for :math:`t \le T`, then :math:`\eta_{min}`.
    """

    lr: float
    total: int
    min_lr: float

    def _value(self, t: int) -> float:
        if t > self.total:
            return self.min_lr
        return self.min_lr + 0.5 * (self.lr - self.min_lr) * (
            1.0 + math.cos(math.pi * (t - 1) / self.total)
        )

    @property
    def initial(self) -> float:
        return self.lr

    def __repr__(self) -> str:
        return f"cosine(lr={self.lr:g}, total={self.total}, min_lr={self.min_lr:g})"


@dataclass(frozen=True, repr=False)
class LinearWarmup(Schedule):
    r""":math:`\eta_t = \eta^{base}_1\, t / w` for :math:`t \le w`, then :math:`\eta^{base}_{t-w}`.
    """

    base: Schedule
    warmup: int

    def _value(self, t: int) -> float:
        if t <= self.warmup:
            return self.base(1) * (t / self.warmup)  # t/w <= 1: never above base(1)
        return self.base(t - self.warmup)

    @property
    def initial(self) -> float:
        return self.base.initial

    def __repr__(self) -> str:
        return f"linear_warmup({self.base!r}, warmup={self.warmup})"


@dataclass(frozen=True, repr=False)
class ByEpoch(Schedule):
    r""":math:`\eta_t = \eta^{base}_{\lceil t / n_{epoch} \rceil}`: the base counts epochs."""

    base: Schedule
    updates_per_epoch: int

    def _value(self, t: int) -> float:
        return self.base(-(-t // self.updates_per_epoch))

    @property
    def initial(self) -> float:
        return self.base.initial

    def __repr__(self) -> str:
        return f"by_epoch({self.base!r}, updates_per_epoch={self.updates_per_epoch})"


# ---------------------------------------------------------------------------
# constructors (validated): the public names
# ---------------------------------------------------------------------------
def constant(lr: float) -> Schedule:
    r"""The constant rate :math:`\eta_t = \eta` (``lr`` > 0)."""
    return Constant(check_positive("lr", lr))


def step_decay(lr: float, factor: float, every: int) -> Schedule:
    r"""Step decay :math:`\eta_t = \eta\, q^{\lfloor (t-1)/k \rfloor}`.

    ``factor`` :math:`q \in (0, 1]`; ``every`` :math:`k \ge 1` updates. With
    :func:`by_epoch`, ``every`` counts epochs instead (PyTorch's ``StepLR``).
    """
    return StepDecay(check_positive("lr", lr), _check_factor("factor", factor),
                     _check_count("every", every))


def exponential(lr: float, gamma: float) -> Schedule:
    r"""Exponential decay :math:`\eta_t = \eta\, q^{t-1}` with ``gamma`` :math:`= q \in (0, 1]`.

    The decay factor is called ``gamma`` after PyTorch's ``ExponentialLR``; the
    book writes it :math:`q`, because :math:`\gamma` is the momentum coefficient.
    """
    return Exponential(check_positive("lr", lr), _check_factor("gamma", gamma))


def inverse_time(lr: float, decay: float) -> Schedule:
    r"""The 1/t schedule :math:`\eta_t = \eta / (1 + c\,(t-1))`, :math:`c \ge 0`.

    For :math:`c > 0`, :math:`\sum_t \eta_t = \infty` and :math:`\sum_t \eta_t^2 < \infty`:
    Robbins & Monro's (1951) conditions for stochastic approximation.
    """
    return InverseTime(check_positive("lr", lr), check_nonnegative("decay", decay))


def inverse_sqrt(lr: float) -> Schedule:
    r"""The :math:`\eta_t = \eta/\sqrt t` schedule of Kingma & Ba (2015), §4 and §6.1.

    :math:`\sum_t \eta_t = \infty` but :math:`\sum_t \eta_t^2 = \infty` as well:
    it does not meet Robbins & Monro's second condition; it is the rate of the
    online-convex-optimisation regret bounds (Adam's, AMSGrad's).
    """
    return InverseSqrt(check_positive("lr", lr))


def cosine(lr: float, total: int, min_lr: float = 0.0) -> Schedule:
    r"""Cosine annealing from ``lr`` to ``min_lr`` in ``total`` updates (Loshchilov, Hutter 2017).

    :math:`\eta_t = \eta_{min} + \tfrac12(\eta - \eta_{min})(1 + \cos(\pi\,(t-1)/T))`
    for :math:`t \le T`, and :math:`\eta_{min}` afterwards. For :math:`t \le T + 1`
    this is PyTorch's ``CosineAnnealingLR`` with ``T_max = T`` at its counter
    :math:`t-1`. Stepped past ``T_max``, PyTorch's rate climbs back up the
    cosine (period :math:`2T`); ours stays at :math:`\eta_{min}`.
    """
    lr = check_positive("lr", lr)
    min_lr = check_nonnegative("min_lr", min_lr)
    if min_lr > lr:
        raise ValueError(f"min_lr must be <= lr = {lr:g}, got {min_lr!r}")
    return Cosine(lr, _check_count("total", total), min_lr)


def linear_warmup(schedule: Schedule | float, warmup: int) -> Schedule:
    r"""Linear warm-up over ``warmup`` updates, then ``schedule`` (Goyal et al., 2017).

    :math:`\eta_t = \eta^{base}_1\, t/w` for :math:`t = 1..w` (so :math:`\eta_w = \eta^{base}_1`),
    then :math:`\eta_t = \eta^{base}_{t-w}`. ``schedule`` may be a number, meaning a
    constant rate.
    """
    return LinearWarmup(_as_schedule("schedule", schedule), _check_count("warmup", warmup))


def by_epoch(schedule: Schedule, updates_per_epoch: int) -> Schedule:
    r"""Make ``schedule`` count epochs: :math:`\eta_t = \eta^{base}_{\lceil t/n \rceil}`.

    ``updates_per_epoch`` is :math:`n`, e.g. from :func:`optbook.train.updates_per_epoch`.
    ``by_epoch(step_decay(0.1, 0.5, every=10), n)`` halves the rate every 10 epochs.
    """
    if not isinstance(schedule, Schedule):
        raise ValueError(f"schedule must be an optbook.schedules schedule, got {schedule!r}")
    return ByEpoch(schedule, _check_count("updates_per_epoch", updates_per_epoch))


def values(schedule: Schedule, n: int) -> np.ndarray:
    """The first ``n`` rates :math:`\\eta_1, \\dots, \\eta_n` as an array (for plots)."""
    n = _check_count("n", n)
    if not callable(schedule):
        raise ValueError(f"schedule must be callable t -> lr, got {schedule!r}")
    return np.array([schedule(t) for t in range(1, n + 1)], dtype=np.float64)
