"""Nesterov accelerated gradient (Nesterov, 1983; Sutskever et al., 2013)."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_bool, check_decay, check_positive


class Nesterov(Optimizer):
    r"""Nesterov accelerated gradient (NAG), in the look-ahead form.

    Ruder (2016, §4.2) writes NAG with the gradient taken at the look-ahead
    point :math:`\theta_{t-1} - \gamma v_{t-1}`:

    .. math::

        v_t &= \gamma\, v_{t-1} + \eta\, \nabla f(\theta_{t-1} - \gamma v_{t-1})\\
        \theta_t &= \theta_{t-1} - v_t .

    ``step(params, grads)`` receives the gradient at ``params``, so this class
    stores the look-ahead point :math:`\phi_t = \theta_t - \gamma v_t` as the
    parameters (Bengio, Boulanger-Lewandowski & Pascanu, 2013). Substituting
    gives the same sequence of velocities and, with :math:`g_t = \nabla f(\phi_{t-1})`,

    .. math::

        v_t &= \gamma\, v_{t-1} + \eta\, g_t \tag{1}\\
        \phi_t &= \phi_{t-1} - (\eta\, g_t + \gamma\, v_t) \tag{2}

    with :math:`v_0 = 0` and :math:`\phi_0 = \theta_0`. Proof of (2):
    :math:`\phi_t = \theta_{t-1} - v_t - \gamma v_t = \phi_{t-1} + \gamma v_{t-1}
    - (1+\gamma) v_t = \phi_{t-1} - \eta g_t - \gamma v_t` by (1).

    PyTorch (``torch.optim.SGD(lr, momentum, nesterov=True)``) uses the same
    look-ahead iterate with the velocity kept without η:
    :math:`b_t = \gamma b_{t-1} + g_t`, :math:`\phi_t = \phi_{t-1} - \eta(g_t +
    \gamma b_t)`. With a constant η this is (1)-(2) with :math:`v_t = \eta b_t`.
    ``lr_in_velocity=False`` selects PyTorch's form.

    Parameters
    ----------
    lr:
        learning rate :math:`\eta > 0` (default 0.01).
    momentum:
        momentum coefficient :math:`\gamma \in [0, 1)` (default 0.9).
    lr_in_velocity:
        ``True`` (default) for Ruder's velocity, ``False`` for PyTorch's buffer.
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
            np.multiply(g, eta, out=scratch)  # η g
            v += scratch                      # (1) v = γ v + η g
            theta -= scratch                  # (2) φ = φ − η g ...
            np.multiply(v, gamma, out=scratch)
            theta -= scratch                  #     ... − γ v
        else:
            v += g                            # b = γ b + g
            np.multiply(v, gamma, out=scratch)
            scratch += g                      # g + γ b
            scratch *= eta
            theta -= scratch                  # φ = φ − η (g + γ b)
