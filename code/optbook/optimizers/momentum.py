"""Gradient descent with momentum (Polyak, 1964; Qian, 1999)."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_bool, check_decay, check_positive


class Momentum(Optimizer):
    r"""Heavy-ball momentum, in Ruder's form.

    .. math::

        v_t &= \gamma\, v_{t-1} + \eta\, g_t \tag{1}\\
        \theta_t &= \theta_{t-1} - v_t \tag{2}

    with :math:`v_0 = 0` (Polyak, 1964; Ruder, 2016, eq. 5).

    PyTorch (``torch.optim.SGD(lr, momentum)``) keeps the velocity without the
    learning rate, :math:`b_t = \gamma b_{t-1} + g_t`, and steps
    :math:`\theta_t = \theta_{t-1} - \eta\, b_t`. With a constant η the two are
    the same iteration (:math:`v_t = \eta b_t`); they differ when η changes
    between steps. ``lr_in_velocity=False`` selects PyTorch's form.

    Parameters
    ----------
    lr:
        learning rate :math:`\eta > 0` (default 0.01).
    momentum:
        momentum coefficient :math:`\gamma \in [0, 1)` (default 0.9).
    lr_in_velocity:
        ``True`` (default): Ruder's :math:`v_t = \gamma v_{t-1} + \eta g_t`;
        ``False``: PyTorch's :math:`b_t = \gamma b_{t-1} + g_t`, step η b_t.
    """

    state_names = ("v",)
    hyperparameter_names = ("lr", "momentum", "lr_in_velocity")

    def __init__(self, lr: float = 0.01, momentum: float = 0.9, lr_in_velocity: bool = True):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.momentum = check_decay("momentum", momentum)
        self.lr_in_velocity = check_bool("lr_in_velocity", lr_in_velocity)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        v, gamma, eta = state["v"], self.momentum, self.lr
        v *= gamma
        if self.lr_in_velocity:
            np.multiply(g, eta, out=scratch)
            v += scratch                      # (1) v = γ v + η g
            theta -= v                        # (2) θ = θ − v
        else:
            v += g                            # b = γ b + g
            np.multiply(v, eta, out=scratch)
            theta -= scratch                  # θ = θ − η b
