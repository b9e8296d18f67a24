"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019)."""

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


class AdamW(Optimizer):
    r"""AdamW: shrink the weights directly instead of adding λθ to the gradient.

    Loshchilov & Hutter (2019), Algorithm 2, with schedule multiplier
    :math:`\eta_t` (``schedule_multiplier``, 1 by default) and step size α
    (``lr``):

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \tag{1}\\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \tag{2}\\
        \hat m_t = \frac{m_t}{1-\beta_1^t},\quad
        \hat v_t &= \frac{v_t}{1-\beta_2^t} \tag{3}\\
        \theta_t &= \theta_{t-1} - \eta_t\Big(\alpha\,\frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}
            + \lambda\, \theta_{t-1}\Big) \tag{4}

    The decay λθ does not pass through :math:`\hat v_t`, unlike L2
    regularisation (adding λθ to :math:`g_t`, which is what
    ``torch.optim.Adam(weight_decay=...)`` does). In the paper λ is scaled by
    the schedule multiplier only, not by α.

    ``torch.optim.AdamW`` multiplies λ by its learning rate:
    :math:`\theta \leftarrow \theta(1-\text{lr}\,\lambda)` and then the Adam step
    with lr, default λ = 0.01. ``decay_scaled_by_lr=True`` selects that rule
    (then the decay per step is :math:`\eta_t\,\alpha\,\lambda`).

    Parameters
    ----------
    lr:
        step size :math:`\alpha > 0` (default 0.001).
    beta1, beta2:
        decay rates in [0, 1) (defaults 0.9 and 0.999).
    eps:
        :math:`\epsilon \ge 0` (default 1e-8). With ε = 0 a coordinate whose
        gradients were all zero has :math:`m_t = v_t = 0`; its adaptive step is 0,
        not 0/0 (the decay still applies).
    weight_decay:
        λ ≥ 0. The paper gives no fixed value; it normalises
        :math:`\lambda = \lambda_{norm}\sqrt{b/(BT)}` and reports
        :math:`\lambda_{norm} \approx 0.05` for Adam on CIFAR-10, which with batch
        b = 128, B = 50 000 examples and T = 100 epochs is about 2.5e-4, our
        default.
    schedule_multiplier:
        :math:`\eta_t > 0`, set it each step to follow a schedule (default 1).
    decay_scaled_by_lr:
        ``False`` (default): decay :math:`\eta_t\lambda` (paper); ``True``:
        :math:`\eta_t\alpha\lambda` (PyTorch).
    """

    state_names = ("m", "v")
    hyperparameter_names = (
        "lr",
        "beta1",
        "beta2",
        "eps",
        "weight_decay",
        "schedule_multiplier",
        "decay_scaled_by_lr",
    )

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 2.5e-4,
        schedule_multiplier: float = 1.0,
        decay_scaled_by_lr: bool = False,
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.beta1 = check_decay("beta1", beta1)
        self.beta2 = check_decay("beta2", beta2)
        self.eps = check_nonnegative("eps", eps)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        self.schedule_multiplier = check_positive("schedule_multiplier", schedule_multiplier)
        self.decay_scaled_by_lr = check_bool("decay_scaled_by_lr", decay_scaled_by_lr)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        m, v, t = state["m"], state["v"], self.t
        eta_t, alpha, lam = self.schedule_multiplier, self.lr, self.weight_decay
        decay = eta_t * lam * (alpha if self.decay_scaled_by_lr else 1.0)
        if decay:
            theta *= 1 - decay                      # (4), the term −η_t λ θ_{t−1}
        ema_(m, g, self.beta1, scratch)             # (1) m = β₁ m + (1 − β₁) g
        ema_sq_(v, g, self.beta2, scratch)          # (2) v = β₂ v + (1 − β₂) g²
        np.divide(v, 1 - self.beta2**t, out=scratch)  # (3) v̂
        np.sqrt(scratch, out=scratch)
        scratch += self.eps
        divide(m, scratch, out=scratch, eps=self.eps)
        scratch *= eta_t * alpha / (1 - self.beta1**t)  # (3) m̂, with η_t α
        theta -= scratch                            # (4), the term −η_t α m̂/(√v̂ + ε)


# --------------------------------------------------------------------------
# the chapter's small-scale version of Loshchilov & Hutter's Figure 2
# --------------------------------------------------------------------------
#: the set-up of :func:`grid_cell_error` (recorded with the results)
GRID_SETUP = {
    "data": "digits, split seed 0, first 400 training images, full 450-image test set",
    "model": "MLP 64-256-10, ReLU, He initialisation (seed = run seed)",
    "training": "30 epochs, batch 32, reshuffled each epoch (seed = run seed)",
    "schedule": "constant (schedule multiplier 1)",
}


#: the methods of :func:`grid_cell_error`
GRID_METHODS = ("adam_l2", "adamw", "adamw_torch")


def grid_cell_error(method: str, lr: float, weight_decay: float, seed: int) -> float:
    r"""Test error of one cell of the learning-rate × weight-decay grid.

    ``method`` is ``"adam_l2"`` (Adam on the loss plus
    :math:`\frac\lambda2\lVert W\rVert^2`, the penalty of
    :class:`optbook.models.MLP`, which leaves the biases alone), ``"adamw"``
    (:class:`AdamW` with the paper's decay
    :math:`\theta \leftarrow \theta - \eta_t\lambda\theta`, :math:`\eta_t = 1`, on
    all parameters) or ``"adamw_torch"`` (PyTorch's parametrisation,
    ``decay_scaled_by_lr=True``: decay :math:`\alpha\lambda` per step). Set-up in
    :data:`GRID_SETUP`; deterministic for a given ``seed``. Returns the fraction
    of misclassified test images.
    """
    from ..data import digits
    from ..models import MLP
    from ..train import train
    from .adam import Adam

    check_positive("lr", lr)
    check_nonnegative("weight_decay", weight_decay)
    if method not in GRID_METHODS:
        raise ValueError(f"method must be one of {list(GRID_METHODS)}, got {method!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    data = digits(seed=0)
    X, y = data.X_train[:400], data.y_train[:400]
    l2 = weight_decay if method == "adam_l2" else 0.0
    model = MLP(X, y, hidden=(256,), activation="relu", l2=l2, seed=seed, n_classes=10)
    if method == "adam_l2":
        opt: Optimizer = Adam(lr=lr)
    else:
        opt = AdamW(lr=lr, weight_decay=weight_decay,
                    decay_scaled_by_lr=method == "adamw_torch")
    res = train(model, opt, epochs=30, batch_size=32, seed=seed, progress=False)
    if res.diverged:
        return 1.0
    return float(1.0 - model.accuracy(res.theta, data.X_test, data.y_test))
