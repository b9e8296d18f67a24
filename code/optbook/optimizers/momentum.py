"""Gradient descent with momentum (Polyak, 1964; Qian, 1999)."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_bool, check_decay, check_positive, check_unit_closed


class Momentum(Optimizer):
    r"""Heavy-ball momentum, in Ruder's form.

    .. math::

        v_t &= \gamma\, v_{t-1} + \eta\, g_t \tag{1}\\
        \theta_t &= \theta_{t-1} - v_t \tag{2}

    with :math:`v_0 = 0` (Polyak, 1964; Qian, 1999; Ruder, 2016, eq. 5).

    PyTorch (``torch.optim.SGD(lr, momentum, dampening)``) keeps the velocity
    without the learning rate and sets it to the first gradient,

    .. math::

        b_1 = g_1, \qquad b_t = \gamma\, b_{t-1} + (1 - \tau)\, g_t \ (t \ge 2),
        \qquad \theta_t = \theta_{t-1} - \eta_t\, b_t ,

    with the dampening :math:`\tau` (default 0). With a constant η and
    :math:`\tau = 0` the two forms are the same iteration
    (:math:`v_t = \eta b_t`); they differ when η changes between steps, because
    Ruder's velocity keeps the old rates inside it and PyTorch's multiplies the
    whole buffer by the current one. ``lr_in_velocity=False`` selects
    PyTorch's form.

    ``dampening`` :math:`\tau` scales the gradient entering the velocity from
    the second step on, as PyTorch does: in Ruder's form
    :math:`v_1 = \eta_1 g_1` and :math:`v_t = \gamma v_{t-1} + (1-\tau)\eta_t g_t`
    for :math:`t \ge 2`. As in PyTorch it has no effect when
    :math:`\gamma = 0` (PyTorch then keeps no buffer and steps
    :math:`\eta_t g_t`). With :math:`\tau = \gamma` the velocity is an
    exponential moving average of the gradients after the first step.

    Parameters
    ----------
    lr:
        learning rate :math:`\eta > 0` (default 0.01).
    momentum:
        momentum coefficient :math:`\gamma \in [0, 1)` (default 0.9).
    lr_in_velocity:
        ``True`` (default): Ruder's :math:`v_t = \gamma v_{t-1} + \eta g_t`;
        ``False``: PyTorch's :math:`b_t = \gamma b_{t-1} + g_t`, step η b_t.
    dampening:
        :math:`\tau \in [0, 1]` (default 0, no dampening), PyTorch's
        ``dampening``.
    """

    state_names = ("v",)
    hyperparameter_names = ("lr", "momentum", "lr_in_velocity", "dampening")

    def __init__(
        self,
        lr: float = 0.01,
        momentum: float = 0.9,
        lr_in_velocity: bool = True,
        dampening: float = 0.0,
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.momentum = check_decay("momentum", momentum)
        self.lr_in_velocity = check_bool("lr_in_velocity", lr_in_velocity)
        self.dampening = check_unit_closed("dampening", dampening)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        v, gamma, eta = state["v"], self.momentum, self.lr
        # PyTorch's dampening: the first step sets the buffer to g; none without momentum
        keep = 1.0 if (self.t == 1 or gamma == 0) else 1.0 - self.dampening
        v *= gamma
        if self.lr_in_velocity:
            np.multiply(g, eta * keep, out=scratch)
            v += scratch                      # (1) v = γ v + η g   [(1 − τ) η g]
            theta -= v                        # (2) θ = θ − v
        else:
            if keep == 1.0:
                v += g                        # b = γ b + g
            else:
                np.multiply(g, keep, out=scratch)
                v += scratch                  # b = γ b + (1 − τ) g
            np.multiply(v, eta, out=scratch)
            theta -= scratch                  # θ = θ − η b
