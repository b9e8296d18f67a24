"""Nadam: Nesterov momentum in Adam (Dozat, 2016)."""

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
    ema_sq_,
)


class Nadam(Optimizer):
    r"""Nadam: Adam whose momentum term looks ahead like Nesterov's.

    Default rule, Ruder (2016, eq. 32, with :math:`\hat v_t` in the
    denominator):

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \tag{1}\\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \tag{2}\\
        \hat m_t = \frac{m_t}{1-\beta_1^t},\quad
        \hat v_t &= \frac{v_t}{1-\beta_2^t} \tag{3}\\
        \theta_t &= \theta_{t-1} - \frac{\eta}{\sqrt{\hat v_t} + \epsilon}
            \Big(\beta_1 \hat m_t + \frac{(1-\beta_1)\, g_t}{1-\beta_1^t}\Big) \tag{4}

    The Nesterov idea: Adam's step uses :math:`\hat m_t = \beta_1 \hat m_{t-1}
    + \dots`; Nadam replaces the old momentum :math:`\hat m_{t-1}` by the
    current one, :math:`\hat m_t`, applying this step's momentum one step early.

    ``momentum_schedule=True`` gives Dozat's rule with the momentum schedule
    :math:`\mu_t = \beta_1(1 - \tfrac12\, 0.96^{t\psi})` as implemented by
    ``torch.optim.NAdam`` (ψ = ``momentum_decay``, 0.004):

    .. math::

        \theta_t = \theta_{t-1} - \frac{\eta}{\sqrt{\hat v_t} + \epsilon}
            \Big(\frac{(1-\mu_t)\, g_t}{1-\prod_{i\le t}\mu_i}
            + \frac{\mu_{t+1}\, m_t}{1-\prod_{i\le t+1}\mu_i}\Big)

    with :math:`m_t` from (1) (PyTorch averages with the constant β₁, where
    Dozat's Algorithm 2 uses :math:`\mu_t`). It matches neither (4) nor optax.

    Parameters
    ----------
    lr:
        step size :math:`\eta > 0` (default 0.002, as Dozat and PyTorch).
    beta1, beta2:
        decay rates in [0, 1) (defaults 0.9 and 0.999).
    eps:
        :math:`\epsilon \ge 0` (default 1e-8).
    momentum_schedule:
        ``False`` (default): rule (4); ``True``: Dozat's schedule, as PyTorch.
    momentum_decay:
        ψ ≥ 0 of the schedule (default 0.004); unused without the schedule.
    """

    state_names = ("m", "v")
    scalar_state_names = ("mu_product",)
    hyperparameter_names = ("lr", "beta1", "beta2", "eps", "momentum_schedule", "momentum_decay")
    scratch_count = 2

    def __init__(
        self,
        lr: float = 0.002,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        momentum_schedule: bool = False,
        momentum_decay: float = 0.004,
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.beta1 = check_decay("beta1", beta1)
        self.beta2 = check_decay("beta2", beta2)
        self.eps = check_nonnegative("eps", eps)
        self.momentum_schedule = check_bool("momentum_schedule", momentum_schedule)
        self.momentum_decay = check_nonnegative("momentum_decay", momentum_decay)
        self.mu_product = 1.0  # ∏_{i ≤ t} μ_i (used with the schedule only)

    def mu(self, t: int) -> float:
        """Dozat's momentum coefficient μ_t = β₁ (1 − ½ · 0.96^(t ψ))."""
        return self.beta1 * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def _begin_step(self) -> None:
        t, b1 = self.t, self.beta1
        if self.momentum_schedule:
            mu_t, mu_next = self.mu(t), self.mu(t + 1)
            self.mu_product *= mu_t
            self._coef_g = (1 - mu_t) / (1 - self.mu_product)
            self._coef_m = mu_next / (1 - self.mu_product * mu_next)
        else:
            self._coef_g = (1 - b1) / (1 - b1**t)   # (1 − β₁) / (1 − β₁ᵗ)
            self._coef_m = b1 / (1 - b1**t)         # β₁ · m̂ = β₁ m / (1 − β₁ᵗ)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: tuple) -> None:
        m, v, t = state["m"], state["v"], self.t
        num, den = scratch
        ema_(m, g, self.beta1, num)                 # (1) m = β₁ m + (1 − β₁) g
        ema_sq_(v, g, self.beta2, num)              # (2) v = β₂ v + (1 − β₂) g²
        np.divide(v, 1 - self.beta2**t, out=den)    # (3) v̂
        np.sqrt(den, out=den)
        den += self.eps                             # √v̂ + ε
        # numerator β₁ m̂ + (1 − β₁) g/(1 − β₁ᵗ) = c_g (g + (c_m/c_g) m), without a temporary
        np.multiply(m, self._coef_m / self._coef_g, out=num)
        num += g
        num *= self._coef_g
        divide(num, den, out=num, eps=self.eps)
        num *= self.lr
        theta -= num                                # (4)
