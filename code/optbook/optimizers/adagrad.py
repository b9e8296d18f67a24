"""Adagrad (Duchi, Hazan & Singer, 2011)."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_bool, check_nonnegative, check_positive, divide


class Adagrad(Optimizer):
    r"""Adagrad: a per-coordinate step size from the sum of past squared gradients.

    .. math::

        G_t &= G_{t-1} + g_t \odot g_t \tag{1}\\
        \theta_t &= \theta_{t-1} - \frac{\eta}{\sqrt{G_t + \epsilon}} \odot g_t \tag{2}

    with :math:`G_0 = 0`; :math:`G_t` is the diagonal of Duchi et al.'s
    :math:`\sum_\tau g_\tau g_\tau^\top`, kept as a vector (Ruder, 2016, eq. 8,
    which omits the factor :math:`g_t` in its per-coordinate form). Because
    :math:`G_t` never decreases, the effective step size
    :math:`\eta/\sqrt{G_t+\epsilon}` never increases.

    PyTorch (``torch.optim.Adagrad``) puts ε outside the root,
    :math:`\theta_t = \theta_{t-1} - \eta\, g_t / (\sqrt{G_t} + \epsilon)`, with
    ε = 1e-10; ``eps_inside_sqrt=False`` selects that rule.

    Parameters
    ----------
    lr:
        learning rate :math:`\eta > 0` (default 0.01, Ruder's "most
        implementations use a default value of 0.01").
    eps:
        :math:`\epsilon \ge 0` (default 1e-8).
    eps_inside_sqrt:
        ``True`` (default): :math:`\sqrt{G_t + \epsilon}`; ``False``:
        :math:`\sqrt{G_t} + \epsilon` (PyTorch).
    """

    state_names = ("G",)
    hyperparameter_names = ("lr", "eps", "eps_inside_sqrt")

    def __init__(self, lr: float = 0.01, eps: float = 1e-8, eps_inside_sqrt: bool = True):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.eps = check_nonnegative("eps", eps)
        self.eps_inside_sqrt = check_bool("eps_inside_sqrt", eps_inside_sqrt)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        G, eta, eps = state["G"], self.lr, self.eps
        np.multiply(g, g, out=scratch)
        G += scratch                                   # (1) G = G + g ⊙ g
        if self.eps_inside_sqrt:
            np.add(G, eps, out=scratch)
            np.sqrt(scratch, out=scratch)              # √(G + ε)
        else:
            np.sqrt(G, out=scratch)
            scratch += eps                             # √G + ε
        divide(g, scratch, out=scratch, eps=eps)
        scratch *= eta
        theta -= scratch                               # (2) θ = θ − η g / √(G + ε)
