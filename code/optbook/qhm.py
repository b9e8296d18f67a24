"""QHM: quasi-hyperbolic momentum (Ma & Yarats, 2019), a non-adaptive optimizer.

Not registered in :mod:`optbook.optimizers` (chapter 16 uses it for the
non-adaptive half of its story); it follows the same
:class:`~optbook.optimizers._base.Optimizer` contract.
"""

from __future__ import annotations

import numpy as np

from .optimizers._base import Optimizer, check_decay, check_positive, check_unit_closed, ema_

__all__ = ["QHM"]


class QHM(Optimizer):
    r"""Quasi-hyperbolic momentum: a weighted average of the SGD step and the momentum step.

    Ma & Yarats (2019), Algorithm 1:

    .. math::

        m_t &= \beta\, m_{t-1} + (1 - \beta)\, g_t \tag{1}\\
        \theta_t &= \theta_{t-1} - \eta\,\big[(1 - \nu)\, g_t + \nu\, m_t\big] \tag{2}

    with :math:`m_0 = 0`. ν = 0 is plain gradient descent, ν = 1 is heavy-ball
    momentum with an exponential-moving-average buffer (PyTorch's SGD with
    ``dampening = momentum``), and ν = β is Nesterov's accelerated gradient
    in that normalisation. The paper recommends ν = 0.7, β = 0.999 as a
    starting point. PyTorch has no QHM.

    Parameters
    ----------
    lr:
        learning rate :math:`\eta > 0` (default 0.01; the paper's α).
    beta:
        :math:`\beta \in [0, 1)` (default 0.999).
    nu:
        immediate discount factor :math:`\nu \in [0, 1]` (default 0.7).
    """

    state_names = ("m",)
    hyperparameter_names = ("lr", "beta", "nu")

    def __init__(self, lr: float = 0.01, beta: float = 0.999, nu: float = 0.7) -> None:
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.beta = check_decay("beta", beta)
        self.nu = check_unit_closed("nu", nu)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        m, nu, eta = state["m"], self.nu, self.lr
        ema_(m, g, self.beta, scratch)                # (1) m = β m + (1 − β) g
        np.multiply(g, eta * (1 - nu), out=scratch)   # η (1 − ν) g
        theta -= scratch
        np.multiply(m, eta * nu, out=scratch)         # η ν m
        theta -= scratch                              # (2)
