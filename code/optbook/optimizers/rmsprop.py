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

        E[g^2]_t &= \rho\, E[g^2]_{t-1} + (1-\rho)\, g_t^2 \tag{1}\\
        \theta_t &= \theta_{t-1} - \frac{\eta}{\sqrt{E[g^2]_t + \epsilon}}\, g_t \tag{2}

    with :math:`E[g^2]_0 = 0` (Tieleman & Hinton, 2012, lecture 6.5; Ruder, 2016,
    eq. 15, whose right-hand side should read :math:`E[g^2]_{t-1}`). Hinton
    suggests ρ = 0.9 and η = 0.001.

    PyTorch (``torch.optim.RMSprop``) calls ρ ``alpha`` (default 0.99), uses
    lr = 0.01 by default and puts ε outside the root:
    :math:`\theta_t = \theta_{t-1} - \eta\, g_t/(\sqrt{E[g^2]_t} + \epsilon)`.
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
        ``True`` (default) for :math:`\sqrt{E[g^2]_t + \epsilon}`, ``False``
        for :math:`\sqrt{E[g^2]_t} + \epsilon` (PyTorch).
    """

    state_names = ("Eg2",)
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
        Eg2, rho, eps = state["Eg2"], self.rho, self.eps
        ema_sq_(Eg2, g, rho, scratch)                  # (1) E[g²] = ρ E[g²] + (1 − ρ) g²
        if self.eps_inside_sqrt:
            np.add(Eg2, eps, out=scratch)
            np.sqrt(scratch, out=scratch)              # √(E[g²] + ε)
        else:
            np.sqrt(Eg2, out=scratch)
            scratch += eps                             # √E[g²] + ε
        divide(g, scratch, out=scratch, eps=eps)
        scratch *= self.lr
        theta -= scratch                               # (2) θ = θ − η g / √(E[g²] + ε)
