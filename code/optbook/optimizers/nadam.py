"""Nadam: Nesterov momentum in Adam (Dozat, 2016), in the five forms found in the wild."""

from __future__ import annotations

import numpy as np

from ._base import (
    Optimizer,
    check_bool,
    check_choice,
    check_decay,
    check_nonnegative,
    check_positive,
    divide,
    ema_,
    ema_sq_,
)

#: the Nadam rules the package implements (``variant``)
VARIANTS = ("ruder", "dozat", "pytorch", "keras", "optax")
#: the variants with Dozat's momentum schedule μ_t
SCHEDULED = ("dozat", "pytorch", "keras")


class Nadam(Optimizer):
    r"""Nadam: Adam whose momentum term looks ahead like Nesterov's.

    Every variant keeps Adam's second moment and divides by
    :math:`\sqrt{\hat v_t} + \epsilon`,

    .. math::

        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2, \qquad
        \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
        \theta_t = \theta_{t-1}
            - \eta\, \frac{c^g_t\, g_t + c^m_t\, m_t}{\sqrt{\hat v_t} + \epsilon},

    and they differ in the first moment :math:`m_t` and the two coefficients:

    - ``"ruder"`` (default; Ruder, 2016, eq. 32, with :math:`\hat v_t` where
      the overview prints :math:`\hat p_t`): :math:`m_t = \beta_1 m_{t-1} +
      (1-\beta_1) g_t`, :math:`c^m_t = \beta_1/(1-\beta_1^t)`,
      :math:`c^g_t = (1-\beta_1)/(1-\beta_1^t)`, i.e. the numerator
      :math:`\beta_1 \hat m_t + (1-\beta_1) g_t/(1-\beta_1^t)`.
    - ``"optax"`` (``optax.nadam``, ``scale_by_adam(nesterov=True)``): as
      ``"ruder"`` but :math:`c^m_t = \beta_1/(1-\beta_1^{t+1})`, the bias
      correction of the *next* step, as in Dozat's Algorithm 2 with a constant
      :math:`\mu`.
    - ``"dozat"`` (Dozat, 2016, Algorithm 2): a momentum schedule
      :math:`\mu_t = \beta_1 (1 - \tfrac12\, 0.96^{t\psi})` with ψ =
      ``momentum_decay`` (Dozat's 1/250 = 0.004), used in the average too:
      :math:`m_t = \mu_t m_{t-1} + (1-\mu_t) g_t`,
      :math:`c^g_t = (1-\mu_t)/(1-\prod_{i\le t}\mu_i)`,
      :math:`c^m_t = \mu_{t+1}/(1-\prod_{i\le t+1}\mu_i)`. (Algorithm 2 as
      printed also multiplies :math:`\hat v_t` by β₂; optax's source notes it,
      and no library implements it; neither does this class.)
    - ``"pytorch"`` (``torch.optim.NAdam``): the coefficients of ``"dozat"``,
      but :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t` with the constant
      β₁. ``momentum_schedule=True`` is another name for this variant.
    - ``"keras"`` (``keras.optimizers.Nadam``, Keras 3): ``"pytorch"`` with
      :math:`\mu_t = \beta_1 (1 - \tfrac12\, 0.96^{t})`, i.e. ψ = 1 hard-coded
      (``momentum_decay`` is ignored).

    Weight decay λ = ``weight_decay`` (default 0), for every variant: with
    ``decoupled_weight_decay=False`` (PyTorch's default) λθ is added to the
    gradient, :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}` (an L2
    penalty); with ``True``, :math:`\theta \leftarrow \theta(1 - \eta\lambda)`
    before the step (PyTorch's ``decoupled_weight_decay=True``, NAdamW).

    Parameters
    ----------
    lr:
        step size :math:`\eta > 0` (default 0.002, as Dozat and PyTorch).
    beta1, beta2:
        decay rates in [0, 1) (defaults 0.9 and 0.999).
    eps:
        :math:`\epsilon \ge 0` (default 1e-8). With ε = 0 a coordinate whose
        gradients were all zero has :math:`m_t = v_t = 0`; its step is 0, not 0/0.
    momentum_schedule:
        ``True`` selects ``variant="pytorch"`` (kept for compatibility);
        it cannot be combined with another ``variant``.
    momentum_decay:
        ψ ≥ 0 of the schedule (default 0.004); used by ``"dozat"`` and ``"pytorch"``.
    variant:
        one of ``"ruder"``, ``"dozat"``, ``"pytorch"``, ``"keras"``,
        ``"optax"``; ``None`` (default) means ``"ruder"``, or ``"pytorch"``
        with ``momentum_schedule=True``.
    weight_decay:
        λ ≥ 0 (default 0).
    decoupled_weight_decay:
        how λ acts (default ``False``: added to the gradient).
    """

    state_names = ("m", "v")
    scalar_state_names = ("mu_product",)
    hyperparameter_names = (
        "lr", "beta1", "beta2", "eps", "momentum_schedule", "momentum_decay",
        "variant", "weight_decay", "decoupled_weight_decay",
    )
    scratch_count = 3

    def __init__(
        self,
        lr: float = 0.002,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        momentum_schedule: bool = False,
        momentum_decay: float = 0.004,
        variant: str | None = None,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.beta1 = check_decay("beta1", beta1)
        self.beta2 = check_decay("beta2", beta2)
        self.eps = check_nonnegative("eps", eps)
        self.momentum_schedule = check_bool("momentum_schedule", momentum_schedule)
        self.momentum_decay = check_nonnegative("momentum_decay", momentum_decay)
        if variant is None:
            variant = "pytorch" if self.momentum_schedule else "ruder"
        self.variant = check_choice("variant", variant, VARIANTS)
        if self.momentum_schedule and self.variant != "pytorch":
            raise ValueError(
                f"momentum_schedule=True means variant='pytorch', got variant={variant!r}"
            )
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        self.decoupled_weight_decay = check_bool("decoupled_weight_decay", decoupled_weight_decay)
        self.mu_product = 1.0  # ∏_{i ≤ t} μ_i (used by the scheduled variants only)

    def mu(self, t: int) -> float:
        r"""The momentum coefficient :math:`\mu_t` of step t (β₁ for the unscheduled variants).

        :math:`\beta_1(1 - \tfrac12\, 0.96^{t\psi})` for ``"dozat"`` and
        ``"pytorch"``, :math:`\beta_1(1 - \tfrac12\, 0.96^{t})` for ``"keras"``.
        """
        if self.variant not in SCHEDULED:
            return self.beta1
        psi = 1.0 if self.variant == "keras" else self.momentum_decay
        return self.beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))

    def coefficients(self, t: int, mu_product: float | None = None) -> tuple[float, float]:
        r"""The coefficients :math:`(c^g_t, c^m_t)` of step t.

        For the scheduled variants ``mu_product`` is :math:`\prod_{i\le t}\mu_i`
        (default: computed from scratch).
        """
        b1 = self.beta1
        if self.variant == "ruder":
            return (1 - b1) / (1 - b1**t), b1 / (1 - b1**t)
        if self.variant == "optax":
            return (1 - b1) / (1 - b1**t), b1 / (1 - b1 ** (t + 1))
        if mu_product is None:
            mu_product = float(np.prod([self.mu(i) for i in range(1, t + 1)]))
        mu_t, mu_next = self.mu(t), self.mu(t + 1)
        return (1 - mu_t) / (1 - mu_product), mu_next / (1 - mu_product * mu_next)

    def _begin_step(self) -> None:
        t = self.t
        if self.variant in SCHEDULED:
            self.mu_product *= self.mu(t)
        self._avg = self.mu(t) if self.variant == "dozat" else self.beta1
        self._coef_g, self._coef_m = self.coefficients(t, self.mu_product)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: tuple) -> None:
        m, v, t = state["m"], state["v"], self.t
        num, den, grad = scratch
        lam = self.weight_decay
        if lam and self.decoupled_weight_decay:
            theta *= 1 - self.lr * lam              # θ ← θ(1 − ηλ)
        if lam and not self.decoupled_weight_decay:
            np.multiply(theta, lam, out=grad)
            grad += g                               # g ← g + λθ
            g = grad
        ema_(m, g, self._avg, num)                  # m = β₁ m + (1 − β₁) g  (μ_t for "dozat")
        ema_sq_(v, g, self.beta2, num)              # v = β₂ v + (1 − β₂) g²
        np.divide(v, 1 - self.beta2**t, out=den)    # v̂ = v / (1 − β₂ᵗ)
        np.sqrt(den, out=den)
        den += self.eps                             # √v̂ + ε
        # numerator c_g g + c_m m = c_g (g + (c_m/c_g) m), without a temporary
        np.multiply(m, self._coef_m / self._coef_g, out=num)
        num += g
        num *= self._coef_g
        divide(num, den, out=num, eps=self.eps)
        num *= self.lr
        theta -= num                                # θ = θ − η (c_g g + c_m m)/(√v̂ + ε)
