"""QHAdam: quasi-hyperbolic Adam (Ma & Yarats, 2019)."""

from __future__ import annotations

import numpy as np

from ._base import (
    Optimizer,
    check_decay,
    check_nonnegative,
    check_positive,
    check_unit_closed,
    divide,
    ema_,
    ema_sq_,
)


class QHAdam(Optimizer):
    r"""QHAdam: average the plain gradient with Adam's moments, in both places.

    Ma & Yarats (2019), Algorithm (QHAdam):

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t,\quad
            \hat m_t = m_t/(1-\beta_1^t) \tag{1}\\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2,\quad
            \hat v_t = v_t/(1-\beta_2^t) \tag{2}\\
        \theta_t &= \theta_{t-1} - \eta\,
            \frac{(1-\nu_1)\, g_t + \nu_1 \hat m_t}
                 {\sqrt{(1-\nu_2)\, g_t^2 + \nu_2 \hat v_t} + \epsilon} \tag{3}

    ν₁ = ν₂ = 1 is Adam; ν₁ = 0, ν₂ = 1 is RMSprop with bias correction.
    PyTorch has no QHAdam.

    Parameters
    ----------
    lr:
        step size :math:`\eta > 0` (default 0.001).
    beta1, beta2:
        decay rates in [0, 1) (defaults 0.995 and 0.999, the paper's
        recommendation with ν₁ = 0.7, ν₂ = 1).
    nu1, nu2:
        immediate discount factors ν₁, ν₂ in [0, 1] (defaults 0.7 and 1.0).
    eps:
        :math:`\epsilon \ge 0` (default 1e-8). With ε = 0 a coordinate whose
        gradients were all zero has a zero denominator and a zero numerator; its
        step is 0, not 0/0.
    """

    state_names = ("m", "v")
    hyperparameter_names = ("lr", "beta1", "beta2", "nu1", "nu2", "eps")
    scratch_count = 2

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.995,
        beta2: float = 0.999,
        nu1: float = 0.7,
        nu2: float = 1.0,
        eps: float = 1e-8,
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.beta1 = check_decay("beta1", beta1)
        self.beta2 = check_decay("beta2", beta2)
        self.nu1 = check_unit_closed("nu1", nu1)
        self.nu2 = check_unit_closed("nu2", nu2)
        self.eps = check_nonnegative("eps", eps)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: tuple) -> None:
        m, v, t = state["m"], state["v"], self.t
        nu1, nu2 = self.nu1, self.nu2
        num, den = scratch
        ema_(m, g, self.beta1, num)                   # (1) m
        ema_sq_(v, g, self.beta2, num)                # (2) v
        np.multiply(v, nu2 / (1 - self.beta2**t), out=den)  # ν₂ v̂
        np.multiply(g, g, out=num)
        num *= 1 - nu2
        den += num                                    # (1 − ν₂) g² + ν₂ v̂
        np.sqrt(den, out=den)
        den += self.eps
        np.multiply(m, nu1 / (1 - self.beta1**t), out=num)  # ν₁ m̂
        if nu1 != 1:
            # (1 − ν₁) g, added without a temporary: num = (1 − ν₁)(g + num/(1 − ν₁))
            num /= 1 - nu1
            num += g
            num *= 1 - nu1
        divide(num, den, out=num, eps=self.eps)
        num *= self.lr
        theta -= num                                  # (3)
