"""Adagrad (Duchi, Hazan & Singer, 2011)."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_bool, check_nonnegative, check_positive, divide


class Adagrad(Optimizer):
    r"""Adagrad: a per-coordinate step size from the sum of past squared gradients.

    .. math::

        G_t &= G_{t-1} + g_t \odot g_t \tag{1}\\
        \eta_t &= \frac{\eta}{1 + c\,(t - 1)} \tag{2}\\
        \theta_t &= \theta_{t-1} - \frac{\eta_t}{\sqrt{G_t + \epsilon}} \odot g_t \tag{3}

    with :math:`G_0 = G_{\text{init}}` (``initial_accumulator_value``, 0 by
    default) and :math:`c` = ``lr_decay`` (0 by default, so that
    :math:`\eta_t = \eta`). :math:`G_t` is the diagonal of Duchi et al.'s
    :math:`\sum_\tau g_\tau g_\tau^\top`, kept as a vector. With the defaults
    this is Ruder (2016), §4.3, per coordinate:
    :math:`\theta_{t,i} = \theta_{t-1,i} - \eta\, g_{t,i}/\sqrt{G_{t,ii} + \epsilon}`
    (Ruder's published equation has the factor :math:`g_{t,i}`; a translation
    of it that drops it is wrong). Because :math:`G_t` never decreases and
    :math:`\eta_t` never increases, the effective step size
    :math:`\eta_t/\sqrt{G_t+\epsilon}` never increases.

    Where ε goes differs between sources. Ruder puts it inside the root,
    :math:`\sqrt{G_t + \epsilon}`. Duchi et al. (2011) add δ outside it, with
    the matrix :math:`H_t = \delta I + \mathrm{diag}(G_t)^{1/2}`, and so does
    PyTorch (``torch.optim.Adagrad``):
    :math:`\theta_t = \theta_{t-1} - \eta_t\, g_t / (\sqrt{G_t} + \epsilon)`,
    with ε = 1e-10; ``eps_inside_sqrt=False`` selects that rule. PyTorch's
    ``initial_accumulator_value`` and ``lr_decay`` are (1)'s :math:`G_0` and
    (2)'s :math:`c`, with the same defaults (0 and 0); (2) is the 1/t schedule
    :func:`optbook.schedules.inverse_time` applied on top of Adagrad's own decay. Keras and
    optax start the accumulator at 0.1.

    Parameters
    ----------
    lr:
        learning rate :math:`\eta > 0` (default 0.01, Ruder's "most
        implementations use a default value of 0.01").
    eps:
        :math:`\epsilon \ge 0` (default 1e-8). With ε = 0 a coordinate whose
        gradients were all zero has :math:`G_t = 0`; its step is 0, not 0/0.
    eps_inside_sqrt:
        ``True`` (default): :math:`\sqrt{G_t + \epsilon}` (Ruder); ``False``:
        :math:`\sqrt{G_t} + \epsilon` (Duchi et al.'s δ, PyTorch).
    initial_accumulator_value:
        :math:`G_0 \ge 0`, the same for every coordinate (default 0; PyTorch
        0, Keras and optax 0.1).
    lr_decay:
        :math:`c \ge 0` of (2) (default 0; PyTorch's ``lr_decay``).
    """

    state_names = ("G",)
    hyperparameter_names = (
        "lr", "eps", "eps_inside_sqrt", "initial_accumulator_value", "lr_decay",
    )

    def __init__(
        self,
        lr: float = 0.01,
        eps: float = 1e-8,
        eps_inside_sqrt: bool = True,
        initial_accumulator_value: float = 0.0,
        lr_decay: float = 0.0,
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.eps = check_nonnegative("eps", eps)
        self.eps_inside_sqrt = check_bool("eps_inside_sqrt", eps_inside_sqrt)
        self.initial_accumulator_value = check_nonnegative(
            "initial_accumulator_value", initial_accumulator_value
        )
        self.lr_decay = check_nonnegative("lr_decay", lr_decay)

    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {"G": np.full_like(p, self.initial_accumulator_value, order="C")}

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        G, eps = state["G"], self.eps
        eta = self.lr / (1 + (self.t - 1) * self.lr_decay)   # (2) η_t = η / (1 + c (t − 1))
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
        theta -= scratch                               # (3) θ = θ − η_t g / √(G + ε)
