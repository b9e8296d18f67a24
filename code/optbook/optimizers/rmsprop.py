"""RMSprop (Tieleman & Hinton, 2012)."""

from __future__ import annotations

import numpy as np

from ._base import (
    Optimizer,
    check_bool,
    check_decay,
    check_nonnegative,
    check_positive,
    divide,
    ema_sq_,
)


class RMSprop(Optimizer):
    r"""RMSprop: divide the gradient by a running root mean square of gradients.

    .. math::

        v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2 \tag{1}\\
        \theta_t &= \theta_{t-1} - \frac{\eta}{\sqrt{v_t + \epsilon}}\, g_t \tag{2}

    with :math:`v_0 = 0` (Tieleman & Hinton, 2012, lecture 6.5; Ruder, 2016,
    eq. 15, who writes :math:`E[g^2]_t` for :math:`v_t` and whose right-hand
    side should read :math:`E[g^2]_{t-1}`). Hinton suggests ρ = 0.9 and
    η = 0.001.

    PyTorch (``torch.optim.RMSprop``) calls ρ ``alpha`` (default 0.99), uses
    lr = 0.01 by default and puts ε outside the root:
    :math:`\theta_t = \theta_{t-1} - \eta\, g_t/(\sqrt{v_t} + \epsilon)`.
    ``eps_inside_sqrt=False`` selects that rule.

    Parameters
    ----------
    lr:
        learning rate :math:`\eta > 0` (default 0.001).
    rho:
        decay rate :math:`\rho \in [0, 1)` (default 0.9).
    eps:
        :math:`\epsilon \ge 0` (default 1e-8).
    eps_inside_sqrt:
        ``True`` (default) for :math:`\sqrt{v_t + \epsilon}`, ``False``
        for :math:`\sqrt{v_t} + \epsilon` (PyTorch).
    """

    state_names = ("v",)
    hyperparameter_names = ("lr", "rho", "eps", "eps_inside_sqrt")

    def __init__(
        self,
        lr: float = 0.001,
        rho: float = 0.9,
        eps: float = 1e-8,
        eps_inside_sqrt: bool = True,
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.rho = check_decay("rho", rho)
        self.eps = check_nonnegative("eps", eps)
        self.eps_inside_sqrt = check_bool("eps_inside_sqrt", eps_inside_sqrt)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        v, rho, eps = state["v"], self.rho, self.eps
        ema_sq_(v, g, rho, scratch)                    # (1) v = ρ v + (1 − ρ) g²
        if self.eps_inside_sqrt:
            np.add(v, eps, out=scratch)
            np.sqrt(scratch, out=scratch)              # √(v + ε)
        else:
            np.sqrt(v, out=scratch)
            scratch += eps                             # √v + ε
        divide(g, scratch, out=scratch, eps=eps)
        scratch *= self.lr
        theta -= scratch                               # (2) θ = θ − η g / √(v + ε)
