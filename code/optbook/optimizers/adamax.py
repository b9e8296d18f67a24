"""AdaMax (Kingma & Ba, 2015, Algorithm 2), and the L^p family it is the limit of."""

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
        :math:`\epsilon \ge 0` (default 0: the paper's rule). With ε = 0 a
        coordinate whose gradients were all zero has :math:`m_t = u_t = 0`; its
        step is 0, not 0/0.
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


def lp_moment(
    grads: np.ndarray,
    beta2: float = 0.999,
    p: float = 2.0,
    bias_correction: bool = False,
) -> np.ndarray:
    r"""The :math:`L^p` second-moment estimate of Kingma & Ba (2015, §7.1), for t = 1..T.

    For a gradient sequence :math:`g_1, \dots, g_T` (one coordinate, or
    coordinate-wise for ``grads`` of shape ``(T, d)``) and :math:`p \ge 1`:

    .. math::

        v_t^{(p)} = \beta_2^p\, v_{t-1}^{(p)} + (1-\beta_2^p)\,|g_t|^p, \quad v_0^{(p)} = 0,
        \qquad u_t^{(p)} = \big(v_t^{(p)}\big)^{1/p}
          = (1-\beta_2^p)^{1/p}\Big(\sum_{i=1}^t \big(\beta_2^{t-i}|g_i|\big)^p\Big)^{1/p}.

    ``p = np.inf`` gives the limit :math:`u_t = \max_{i \le t} \beta_2^{t-i}|g_i|
    = \max(\beta_2 u_{t-1}, |g_t|)`, AdaMax's :math:`u_t`. With
    ``bias_correction`` the result is divided by :math:`(1-\beta_2^{pt})^{1/p}`
    (the p-th root of Adam-style bias correction; the factor is 1 for p = ∞).
    The sum is evaluated with its largest term factored out, so large p neither
    overflows nor underflows. Adam's :math:`\sqrt{v_t}` with decay rate β is the
    case p = 2 with :math:`\beta_2 = \sqrt\beta`.
    """
    g = np.abs(np.asarray(grads, dtype=np.float64))
    if g.ndim not in (1, 2) or g.shape[0] == 0:
        raise ValueError(f"grads must have shape (T,) or (T, d) with T >= 1, got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("grads must be finite")
    beta2 = check_decay("beta2", beta2)
    real = isinstance(p, int | float | np.integer | np.floating) and not isinstance(p, bool)
    if not real or not p >= 1:
        raise ValueError(f"p must be a real number >= 1 (or np.inf), got {p!r}")
    p = float(p)
    bias_correction = check_bool("bias_correction", bias_correction)
    squeeze = g.ndim == 1
    if squeeze:
        g = g[:, None]
    T = g.shape[0]
    t = np.arange(1, T + 1)
    lag = t[:, None] - t[None, :]                      # t − i
    with np.errstate(divide="ignore"):                 # β₂ = 0: 0⁰ = 1, 0^k = 0
        w = np.where(lag >= 0, beta2 ** np.maximum(lag, 0), 0.0)
    a = w[:, :, None] * g[None, :, :]                  # a[t, i] = β₂^{t−i} |g_i|
    peak = a.max(axis=1)                               # max_i a[t, i]
    if np.isinf(p):
        out = peak
    else:
        safe = np.where(peak > 0, peak, 1.0)
        ratio = a / safe[:, None, :]
        total = np.sum(ratio**p, axis=1)
        out = peak * ((1 - beta2**p) * total) ** (1 / p)
        if bias_correction:
            out = out / (1 - beta2 ** (p * t))[:, None] ** (1 / p)
    return out[:, 0] if squeeze else out


def step_bound(beta1: float = 0.9, beta2: float = 0.999, t: int | None = None) -> float:
    r"""The largest possible AdaMax step :math:`|\theta_t - \theta_{t-1}| / \eta` (ε = 0).

    .. math::

        \frac{|\hat m_t|}{u_t} \le \frac{1-\beta_1}{1-\beta_1^t}
            \sum_{k=0}^{t-1}\Big(\frac{\beta_1}{\beta_2}\Big)^k ,

    attained by :math:`g_i = \beta_2^{\,i}` (all past gradients tie in the
    max). ``t=None`` gives the limit :math:`t \to \infty`,
    :math:`(1-\beta_1)/(1-\beta_1/\beta_2)` for β₁ < β₂ (∞ otherwise).
    Kingma & Ba (2015, §7.1) state :math:`|\Delta_t| \le \alpha`, the
    :math:`\beta_2 \to 1` value of this bound. With β₂ = 0 the step is unbounded
    from t = 2 on.
    """
    beta1 = check_decay("beta1", beta1)
    beta2 = check_decay("beta2", beta2)
    if t is not None and (isinstance(t, bool) or not isinstance(t, int | np.integer) or t < 1):
        raise ValueError(f"t must be an integer >= 1 or None, got {t!r}")
    if t == 1:
        return 1.0
    if beta2 == 0:
        return float("inf")
    r = beta1 / beta2
    if t is None:
        return (1 - beta1) / (1 - r) if r < 1 else float("inf")
    total = float(t) if r == 1 else (1 - r**t) / (1 - r)
    return (1 - beta1) / (1 - beta1**t) * total
