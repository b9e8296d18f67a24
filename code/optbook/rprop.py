"""Rprop (Riedmiller & Braun, 1993) and sign descent, for the RMSprop chapter.

Neither is one of the book's registered optimizers (they are not in
``optbook.optimizers`` or in ``optbook.style``); the RMSprop chapter uses them
to show why RMSprop was built: Rprop works with full-batch gradients and fails
with mini-batches, and RMSprop with ρ → 0 becomes sign descent. Both classes
follow the :class:`~optbook.optimizers._base.Optimizer` contract.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizers._base import Optimizer, check_positive


def _check_open_interval(name: str, value: Any, lo: float, hi: float) -> float:
    value = check_positive(name, value)
    if not lo < value < hi:
        raise ValueError(f"{name} must be in ({lo}, {hi}), got {value!r}")
    return value


class SignDescent(Optimizer):
    r"""Sign descent: :math:`\theta_t = \theta_{t-1} - \eta\,\operatorname{sign}(g_t)`.

    Every coordinate moves by exactly η against the sign of its gradient (0
    where the gradient is 0). It is Rprop with constant step sizes, and the
    ρ → 0 limit of RMSprop with ε = 0 (see the RMSprop chapter).

    Parameters
    ----------
    lr:
        the step length :math:`\eta > 0` of every coordinate (default 0.01).
    """

    hyperparameter_names = ("lr",)

    def __init__(self, lr: float = 0.01):
        super().__init__()
        self.lr = check_positive("lr", lr)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        np.sign(g, out=scratch)
        scratch *= self.lr
        theta -= scratch                               # θ = θ − η sign(g)


class Rprop(Optimizer):
    r"""Rprop: per-coordinate step sizes adapted from the signs of successive gradients.

    Riedmiller & Braun (1993), in the variant without weight-backtracking that
    ``torch.optim.Rprop`` implements (Igel & Hüsken, 2000, call it Rprop⁻).
    Each coordinate keeps its own step size :math:`\Delta_{t,i}` (starting at
    :math:`\Delta_0` = ``lr``) and the previous gradient :math:`p_{t-1,i}`
    (starting at 0):

    .. math::

        \Delta_{t,i} &= \operatorname{clip}\big(c_{t,i}\,\Delta_{t-1,i},\
            \Delta_{\min}, \Delta_{\max}\big),\quad
            c_{t,i} = \begin{cases} \eta^+ & g_{t,i}\,p_{t-1,i} > 0\\
            \eta^- & g_{t,i}\,p_{t-1,i} < 0\\ 1 & \text{otherwise}\end{cases} \tag{1}\\
        p_{t,i} &= \begin{cases} 0 & g_{t,i}\,p_{t-1,i} < 0\\
            g_{t,i} & \text{otherwise}\end{cases} \tag{2}\\
        \theta_{t,i} &= \theta_{t-1,i} - \Delta_{t,i}\,\operatorname{sign}(p_{t,i}) \tag{3}

    A sign change means the last step jumped over a minimum: the step size
    shrinks and the coordinate waits one step. Only the *signs* of the
    gradients enter; their sizes do not.

    Parameters
    ----------
    lr:
        initial step size :math:`\Delta_0 > 0` (default 0.01, PyTorch's).
    eta_minus, eta_plus:
        the factors :math:`0 < \eta^- < 1 < \eta^+` (defaults 0.5 and 1.2,
        the paper's and PyTorch's).
    step_min, step_max:
        the bounds :math:`0 < \Delta_{\min} < \Delta_{\max}` (defaults 1e-6
        and 50, PyTorch's; the paper uses :math:`\Delta_{\max} = 50` and a
        small :math:`\Delta_{\min}`).
    """

    state_names = ("prev", "step_size")
    hyperparameter_names = ("lr", "eta_minus", "eta_plus", "step_min", "step_max")

    def __init__(
        self,
        lr: float = 0.01,
        eta_minus: float = 0.5,
        eta_plus: float = 1.2,
        step_min: float = 1e-6,
        step_max: float = 50.0,
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.eta_minus = _check_open_interval("eta_minus", eta_minus, 0.0, 1.0)
        self.eta_plus = check_positive("eta_plus", eta_plus)
        if self.eta_plus <= 1:
            raise ValueError(f"eta_plus must be > 1, got {eta_plus!r}")
        self.step_min = check_positive("step_min", step_min)
        self.step_max = check_positive("step_max", step_max)
        if self.step_min >= self.step_max:
            raise ValueError(
                f"step_min must be < step_max, got step_min={step_min!r}, step_max={step_max!r}"
            )

    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "prev": np.zeros_like(p, order="C"),
            "step_size": np.full_like(p, self.lr, order="C"),
        }

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        prev, step = state["prev"], state["step_size"]
        np.multiply(g, prev, out=scratch)
        flip = scratch < 0
        factor = np.where(scratch > 0, self.eta_plus, np.where(flip, self.eta_minus, 1.0))
        step *= factor
        np.clip(step, self.step_min, self.step_max, out=step)   # (1)
        np.copyto(prev, g)
        prev[flip] = 0                                          # (2)
        np.sign(prev, out=scratch)
        scratch *= step
        theta -= scratch                                        # (3) θ = θ − Δ sign(p)


__all__ = ["Rprop", "SignDescent"]
