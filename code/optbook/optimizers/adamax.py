"""AdaMax (Kingma & Ba, 2015, Algorithm 2)."""

from __future__ import annotations

import numpy as np

from ._base import (
    Optimizer,
    check_bool,
    check_decay,
    check_nonnegative,
    check_positive,
    divide,
    ema_,
)


class AdaMax(Optimizer):
    r"""AdaMax: Adam with the :math:`\ell_2` norm of past gradients replaced by :math:`\ell_\infty`.

    Kingma & Ba (2015), Algorithm 2:

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \tag{1}\\
        u_t &= \max(\beta_2\, u_{t-1},\ |g_t|) \tag{2}\\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, \frac{m_t}{u_t} \tag{3}

    with :math:`m_0 = u_0 = 0`. :math:`u_t` is the limit
    :math:`p \to \infty` of :math:`(\beta_2^p v_{t-1} + (1-\beta_2^p)|g_t|^p)^{1/p}`
    and needs no bias correction. (Ruder, 2016, writes :math:`v_{t-1}` in the
    first form of (2); it is :math:`u_{t-1}`.) The paper has no ε: where
    :math:`u_t = 0` every past gradient of that coordinate was 0, so
    :math:`m_t = 0` too and the step there is taken as 0, not 0/0.

    ``torch.optim.Adamax`` puts ε inside the max,
    :math:`u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon)` with ε = 1e-8;
    ``eps_inside_max=True`` selects that rule. With ``eps_inside_max=False``
    and ε > 0 the step is :math:`m_t/(u_t + \epsilon)`.

    Parameters
    ----------
    lr:
        step size :math:`\eta > 0` (default 0.002, the paper's).
    beta1, beta2:
        decay rates in [0, 1) (defaults 0.9 and 0.999).
    eps:
        :math:`\epsilon \ge 0` (default 0: the paper's rule).
    eps_inside_max:
        ``False`` (default): ε, if any, is added to :math:`u_t`; ``True``:
        PyTorch's :math:`\max(\beta_2 u_{t-1}, |g_t| + \epsilon)`.
    """

    state_names = ("m", "u")
    hyperparameter_names = ("lr", "beta1", "beta2", "eps", "eps_inside_max")

    def __init__(
        self,
        lr: float = 0.002,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 0.0,
        eps_inside_max: bool = False,
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.beta1 = check_decay("beta1", beta1)
        self.beta2 = check_decay("beta2", beta2)
        self.eps = check_nonnegative("eps", eps)
        self.eps_inside_max = check_bool("eps_inside_max", eps_inside_max)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        m, u, eps = state["m"], state["u"], self.eps
        ema_(m, g, self.beta1, scratch)              # (1) m = β₁ m + (1 − β₁) g
        u *= self.beta2
        np.abs(g, out=scratch)
        if self.eps_inside_max:
            scratch += eps
        np.maximum(u, scratch, out=u)                # (2) u = max(β₂ u, |g|)
        if self.eps_inside_max:
            divide(m, u, out=scratch, eps=eps)
        else:
            np.add(u, eps, out=scratch)
            divide(m, scratch, out=scratch, eps=eps)
        scratch *= self.lr / (1 - self.beta1**self.t)
        theta -= scratch                             # (3) θ = θ − η/(1 − β₁ᵗ) · m/u
