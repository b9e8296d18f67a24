"""AMSGrad (Reddi, Kale & Kumar, 2018)."""

from __future__ import annotations

import math

import numpy as np

from ._base import (
    Optimizer,
    check_bool,
    check_decay,
    check_nonnegative,
    check_positive,
    divide,
    ema_,
    ema_sq_,
)


class AMSGrad(Optimizer):
    r"""AMSGrad: Adam whose denominator may never shrink.

    Reddi, Kale & Kumar (2018), Algorithm 2, as in Ruder (2016, eqs. 36-37),
    with a constant step size:

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \tag{1}\\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \tag{2}\\
        v^{\max}_t &= \max(v^{\max}_{t-1},\ v_t) \tag{3}\\
        \theta_t &= \theta_{t-1} - \eta\, m_t / (\sqrt{v^{\max}_t} + \epsilon) \tag{4}

    with :math:`m_0 = v_0 = v^{\max}_0 = 0`. (Reddi et al. and Ruder write
    :math:`\hat v_t` for the running maximum; the book keeps the hat for bias
    correction.) There is no bias correction; the maximum (3) makes
    :math:`v^{\max}_t` non-decreasing, so the per-coordinate step
    :math:`\eta/(\sqrt{v^{\max}_t}+\epsilon)` never grows. (The paper has no
    ε and a step size :math:`\alpha_t = \alpha/\sqrt t` in its analysis.)

    ``torch.optim.Adam(amsgrad=True)`` bias-corrects: it keeps the running
    maximum of the *raw* :math:`v_t`, divides it by the current
    :math:`1-\beta_2^t`, and divides :math:`m_t` by :math:`1-\beta_1^t`:
    :math:`\theta_t = \theta_{t-1} - \eta\, \frac{m_t}{1-\beta_1^t} /
    (\sqrt{\max_{\tau\le t} v_\tau / (1-\beta_2^t)} + \epsilon)`.
    ``bias_correction=True`` selects that rule.

    Parameters
    ----------
    lr:
        step size :math:`\eta > 0` (default 0.001).
    beta1, beta2:
        decay rates in [0, 1) (defaults 0.9 and 0.999).
    eps:
        :math:`\epsilon \ge 0` (default 1e-8).
    bias_correction:
        ``False`` (default): Reddi et al.; ``True``: PyTorch's ``amsgrad=True``.
    """

    state_names = ("m", "v", "v_max")
    hyperparameter_names = ("lr", "beta1", "beta2", "eps", "bias_correction")

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        bias_correction: bool = False,
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.beta1 = check_decay("beta1", beta1)
        self.beta2 = check_decay("beta2", beta2)
        self.eps = check_nonnegative("eps", eps)
        self.bias_correction = check_bool("bias_correction", bias_correction)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        m, v, v_max, t = state["m"], state["v"], state["v_max"], self.t
        ema_(m, g, self.beta1, scratch)             # (1) m = β₁ m + (1 − β₁) g
        ema_sq_(v, g, self.beta2, scratch)          # (2) v = β₂ v + (1 − β₂) g²
        np.maximum(v_max, v, out=v_max)             # (3) v_max = max(v_max, v)
        np.sqrt(v_max, out=scratch)
        step = self.lr
        if self.bias_correction:
            scratch /= math.sqrt(1 - self.beta2**t)
            step = self.lr / (1 - self.beta1**t)
        scratch += self.eps                         # √v_max + ε
        divide(m, scratch, out=scratch, eps=self.eps)
        scratch *= step
        theta -= scratch                            # (4) θ = θ − η m / (√v_max + ε)
