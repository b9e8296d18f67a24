"""Adadelta (Zeiler, 2012)."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_decay, check_nonnegative, check_positive, divide, ema_sq_


class Adadelta(Optimizer):
    r"""Adadelta: Adagrad's accumulator made a decaying average, with units fixed.

    Zeiler (2012), Algorithm 1 (Ruder, 2016, §4.4), writing
    :math:`v_t` for the running average of squared gradients
    (:math:`E[g^2]_t`) and :math:`s_t` for that of squared updates
    (:math:`E[\Delta\theta^2]_t`):

    .. math::

        v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2 \tag{1}\\
        \Delta\theta_t &= -\frac{\sqrt{s_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}
            \, g_t \tag{2}\\
        s_t &= \rho\, s_{t-1} + (1-\rho)\, \Delta\theta_t^2 \tag{3}\\
        \theta_t &= \theta_{t-1} + \eta\, \Delta\theta_t \tag{4}

    The ratio in (2) is :math:`\mathrm{RMS}[\Delta\theta]_{t-1}/\mathrm{RMS}[g]_t`
    with :math:`\mathrm{RMS}[x] = \sqrt{E[x^2] + \epsilon}`: it gives the update
    the units of θ, which Zeiler's "correct units" argument asks for. Both
    averages start at 0 (:math:`v_0 = s_0 = 0`), so the first update has size
    about :math:`\sqrt{\epsilon/(1-\rho)}` per coordinate whatever the
    gradient. Zeiler's rule has no learning rate; η = 1 (the default) is his
    rule. PyTorch's ``torch.optim.Adadelta`` is exactly
    (1)-(4), with the accumulated update (3) taken before η is applied, and
    defaults ρ = 0.9, ε = 1e-6, lr = 1.0.

    Parameters
    ----------
    lr:
        multiplier :math:`\eta > 0` of the update (default 1.0: Zeiler's rule).
    rho:
        decay rate :math:`\rho \in [0, 1)` (default 0.95, Zeiler's experiments;
        Ruder suggests about 0.9).
    eps:
        :math:`\epsilon \ge 0` inside both roots (default 1e-6, Zeiler). With
        ε = 0 the first update is zero and stays zero: ε is what starts it.
    """

    state_names = ("v", "s")
    hyperparameter_names = ("lr", "rho", "eps")
    scratch_count = 2

    def __init__(self, lr: float = 1.0, rho: float = 0.95, eps: float = 1e-6):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.rho = check_decay("rho", rho)
        self.eps = check_nonnegative("eps", eps)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: tuple) -> None:
        v, s, rho, eps = state["v"], state["s"], self.rho, self.eps
        rms_g, dx = scratch
        ema_sq_(v, g, rho, dx)                     # (1) v = ρ v + (1 − ρ) g²
        np.add(v, eps, out=rms_g)
        np.sqrt(rms_g, out=rms_g)                  # RMS[g]ₜ = √(vₜ + ε)
        np.add(s, eps, out=dx)
        np.sqrt(dx, out=dx)                        # RMS[Δθ]ₜ₋₁ = √(sₜ₋₁ + ε)
        divide(dx, rms_g, out=dx, eps=eps)         # RMS[Δθ]ₜ₋₁ / RMS[g]ₜ
        dx *= g
        np.negative(dx, out=dx)                    # (2) Δθ = −RMS[Δθ]/RMS[g] · g
        ema_sq_(s, dx, rho, rms_g)                 # (3) s = ρ s + (1 − ρ) Δθ²
        dx *= self.lr
        theta += dx                                # (4) θ = θ + η Δθ
