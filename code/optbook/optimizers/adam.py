"""Adam (Kingma & Ba, 2015)."""

from __future__ import annotations

import math

import numpy as np

from ._base import (
    Optimizer,
    check_choice,
    check_decay,
    check_nonnegative,
    check_positive,
    divide,
    ema_,
    ema_sq_,
)

BIAS_CORRECTIONS = ("moments", "step_size", "none")


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMSprop-style scaling, bias correction.

    Kingma & Ba (2015), Algorithm 1:

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \tag{1}\\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \tag{2}\\
        \hat m_t &= m_t / (1-\beta_1^t) \tag{3}\\
        \hat v_t &= v_t / (1-\beta_2^t) \tag{4}\\
        \theta_t &= \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon) \tag{5}

    with :math:`m_0 = v_0 = 0`. :math:`v_t` estimates the uncentered second
    moment :math:`E[g^2]`, not the variance. ``torch.optim.Adam`` implements
    exactly (1)-(5).

    ``bias_correction`` chooses where the factors :math:`1-\beta^t` go:

    - ``"moments"`` (default): (3)-(5), Algorithm 1 and PyTorch.
    - ``"step_size"``: the "more efficient" order at the end of Kingma & Ba's
      §2, :math:`\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)`,
      :math:`\theta_t = \theta_{t-1} - \eta_t\, m_t/(\sqrt{v_t} + \hat\epsilon)`.
      It equals (5) only when :math:`\hat\epsilon = \epsilon\sqrt{1-\beta_2^t}`;
      with the same ε it takes a different step: the effective ε is
      :math:`\epsilon/\sqrt{1-\beta_2^t}`, about 31.6ε at t = 1 for β₂ = 0.999.
      Keras/TensorFlow's Adam (``epsilon=1e-7``, "epsilon hat") and the NumPy
      ``Adam.update(params, grads)`` class of Saito's *Deep Learning from
      Scratch*, copied in many tutorials (ε̂ = 1e-7 added to the raw
      :math:`\sqrt{v_t}`; :class:`optbook.adam_analysis.NumpyDictAdam`), use
      this form. *Dive into Deep Learning*'s ``adam()`` does not: it divides
      the bias-corrected moments, :math:`\hat m_t/(\sqrt{\hat v_t} + \epsilon)`
      with ε = 1e-6, the ``"moments"`` form.
    - ``"none"``: :math:`\theta_t = \theta_{t-1} - \eta\, m_t/(\sqrt{v_t}+\epsilon)`,
      the Adam of Reddi et al.'s (2018) counterexample.

    Parameters
    ----------
    lr:
        step size :math:`\eta > 0` (default 0.001).
    beta1, beta2:
        decay rates in [0, 1) (defaults 0.9 and 0.999).
    eps:
        :math:`\epsilon \ge 0` (default 1e-8). With ε = 0 a coordinate whose
        gradients were all zero has :math:`m_t = v_t = 0`; its step is 0, not 0/0.
    bias_correction:
        ``"moments"``, ``"step_size"`` or ``"none"``.
    """

    state_names = ("m", "v")
    hyperparameter_names = ("lr", "beta1", "beta2", "eps", "bias_correction")

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        bias_correction: str = "moments",
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.beta1 = check_decay("beta1", beta1)
        self.beta2 = check_decay("beta2", beta2)
        self.eps = check_nonnegative("eps", eps)
        self.bias_correction = check_choice("bias_correction", bias_correction, BIAS_CORRECTIONS)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        m, v, t = state["m"], state["v"], self.t
        b1, b2, eta, eps = self.beta1, self.beta2, self.lr, self.eps
        ema_(m, g, b1, scratch)                     # (1) m = β₁ m + (1 − β₁) g
        ema_sq_(v, g, b2, scratch)                  # (2) v = β₂ v + (1 − β₂) g²
        if self.bias_correction == "moments":
            np.divide(v, 1 - b2**t, out=scratch)    # (4) v̂ = v / (1 − β₂ᵗ)
            step = eta / (1 - b1**t)                # (3) m̂ = m / (1 − β₁ᵗ), folded into η
        elif self.bias_correction == "step_size":
            np.copyto(scratch, v)
            step = eta * math.sqrt(1 - b2**t) / (1 - b1**t)
        else:
            np.copyto(scratch, v)
            step = eta
        np.sqrt(scratch, out=scratch)
        scratch += eps                              # √v̂ + ε
        divide(m, scratch, out=scratch, eps=eps)
        scratch *= step
        theta -= scratch                            # (5) θ = θ − η m̂ / (√v̂ + ε)
