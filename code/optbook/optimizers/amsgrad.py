"""AMSGrad (Reddi, Kale & Kumar, 2018)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

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
        :math:`\epsilon \ge 0` (default 1e-8). With ε = 0 a coordinate whose
        gradients were all zero has :math:`m_t = v^{\max}_t = 0`; its step is 0, not 0/0.
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


# --------------------------------------------------------------------------
# Adam-family rules on one-dimensional online problems (chapter "AMSGrad")
# --------------------------------------------------------------------------
#: the rules of :func:`online_adam_family`
ONLINE_RULES = ("adam", "adam_bias_corrected", "amsgrad", "amsgrad_torch")


def _online_scalar_run(
    c: Sequence[float], lower: float, upper: float, x1: float, lr: float, beta1: float,
    beta2: float, eps: float, rule: str, decay_lr: bool,
) -> list[float]:
    # One run, in Python floats (a 1-D problem: NumPy per-step overhead would
    # dominate). The operations are in the order of the optimizer classes.
    x, m, v, v_max = x1, 0.0, 0.0, 0.0
    b1p = b2p = 1.0
    xs = [x]
    bias = rule in ("adam_bias_corrected", "amsgrad_torch")
    keep_max = rule in ("amsgrad", "amsgrad_torch")
    for t, g in enumerate(c, start=1):
        m = m * beta1 + g * (1 - beta1)
        v = v * beta2 + g * g * (1 - beta2)
        if keep_max:
            v_max = max(v_max, v)
            den = v_max
        else:
            den = v
        a = lr / math.sqrt(t) if decay_lr else lr
        if bias:
            b1p, b2p = beta1**t, beta2**t
            step = (math.sqrt(den / (1 - b2p)) if rule == "adam_bias_corrected"
                    else math.sqrt(den) / math.sqrt(1 - b2p)) + eps
            num = a / (1 - b1p)
        else:
            step = math.sqrt(den) + eps
            num = a
        d = m / step if step > 0 else 0.0
        x = min(max(x - num * d, lower), upper)
        xs.append(x)
    return xs


def online_adam_family(
    problem: Any,
    steps: int,
    *,
    lr: float | Sequence[float],
    beta1: float | Sequence[float],
    beta2: float | Sequence[float],
    eps: float = 0.0,
    rule: str = "amsgrad",
    decay_lr: bool = True,
    x1: float | None = None,
) -> list[Any]:
    r"""Adam, AMSGrad and PyTorch's AMSGrad on a 1-D online problem, fast.

    The same runs as :func:`optbook.run.run_online` with the package's
    optimizer classes (the tests check that they agree to rounding), in a
    plain Python loop that is about 20 times faster on one coordinate. For
    :math:`t = 1, \dots, T` with :math:`g_t = c_t` the slope of
    :math:`f_t(x) = c_t x` and :math:`\alpha_t = \alpha/\sqrt t`
    (``decay_lr=True``, Reddi et al.'s step) or :math:`\alpha`:

    - ``"adam"``: :math:`x_{t+1} = \Pi(x_t - \alpha_t m_t/(\sqrt{v_t}+\epsilon))`,
      Reddi et al.'s Adam, no bias correction
      (``Adam(bias_correction="none")``);
    - ``"adam_bias_corrected"``: Kingma & Ba's Algorithm 1,
      :math:`\alpha_t \hat m_t/(\sqrt{\hat v_t}+\epsilon)` (``Adam()``);
    - ``"amsgrad"``: Reddi et al.'s Algorithm 2,
      :math:`\alpha_t m_t/(\sqrt{\hat v_t}+\epsilon)` with
      :math:`\hat v_t = \max(\hat v_{t-1}, v_t)` (``AMSGrad()``);
    - ``"amsgrad_torch"``: ``torch.optim.Adam(amsgrad=True)``,
      :math:`\alpha_t \hat m_t/(\sqrt{\max_{\tau\le t} v_\tau/(1-\beta_2^t)}+\epsilon)`
      (``AMSGrad(bias_correction=True)``);

    and :math:`\Pi` the projection onto ``[problem.lower, problem.upper]``.

    ``lr``, ``beta1`` and ``beta2`` may be sequences (broadcast against each
    other): one run per configuration, all on the same slopes. Returns a list
    of :class:`~optbook.run.OnlineResult`, one per configuration.
    """
    from ..run import OnlineResult  # run imports the optimizers package

    check_choice("rule", rule, ONLINE_RULES)
    check_bool("decay_lr", decay_lr)
    check_nonnegative("eps", eps)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    lrs, b1s, b2s = np.broadcast_arrays(
        np.atleast_1d(np.asarray(lr, dtype=float)),
        np.atleast_1d(np.asarray(beta1, dtype=float)),
        np.atleast_1d(np.asarray(beta2, dtype=float)),
    )
    for a, b1, b2 in zip(lrs.ravel(), b1s.ravel(), b2s.ravel(), strict=True):
        check_positive("lr", float(a))
        check_decay("beta1", float(b1))
        check_decay("beta2", float(b2))
    start = problem.start if x1 is None else x1
    start = float(problem.project(start))
    t = np.arange(1, int(steps) + 1)
    c = problem.coefficient(t).astype(float)
    c_list = c.tolist()
    names = {"adam": "Adam", "adam_bias_corrected": "Adam", "amsgrad": "AMSGrad",
             "amsgrad_torch": "AMSGrad"}
    results = []
    for a, b1, b2 in zip(lrs.ravel(), b1s.ravel(), b2s.ravel(), strict=True):
        xs = np.array(_online_scalar_run(c_list, problem.lower, problem.upper, start, float(a),
                                         float(b1), float(b2), float(eps), rule, decay_lr))
        regret = problem.regret(xs[:-1])
        results.append(OnlineResult(
            path=xs,
            losses=c * xs[:-1],
            regret=regret,
            average_regret=regret / t,
            optimizer=names[rule],
            hyperparameters={"lr": float(a), "beta1": float(b1), "beta2": float(b2),
                             "eps": float(eps), "rule": rule, "decay_lr": decay_lr},
            steps=int(steps),
            label=f"{names[rule]} ({rule})",
            problem=getattr(problem, "name", ""),
            t=t,
        ))
    return results


def effective_steps(
    grads: Sequence[float] | np.ndarray,
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float = 0.0,
    rule: str = "amsgrad",
    decay_lr: bool = False,
) -> np.ndarray:
    r"""The per-coordinate step sizes of AMSGrad's two forms along a gradient sequence.

    For one coordinate with gradients :math:`g_1, \dots, g_T` and
    :math:`v^{\max}_t = \max_{\tau \le t} v_\tau`, returns the array of
    :math:`s_t` for :math:`t = 1..T`:

    - ``"amsgrad"`` (Reddi et al.): :math:`s_t = \alpha_t/(\sqrt{v^{\max}_t}+\epsilon)`,
      the factor in front of :math:`m_t`;
    - ``"amsgrad_torch"`` (``torch.optim.Adam(amsgrad=True)``):
      :math:`s_t = \alpha_t/(\sqrt{v^{\max}_t/(1-\beta_2^t)}+\epsilon)`, the factor in
      front of :math:`\hat m_t = m_t/(1-\beta_1^t)`;
    - ``"amsgrad_torch_per_m"``: the same rule per unit of the raw :math:`m_t`,
      :math:`s_t/(1-\beta_1^t)`.

    :math:`\alpha_t = \alpha/\sqrt t` if ``decay_lr`` else :math:`\alpha`.
    Reddi et al.'s condition :math:`\Gamma_{t+1} \succeq 0` says exactly that
    :math:`s_t` never increases (for ``"amsgrad"`` it holds by construction).
    """
    check_choice("rule", rule, ("amsgrad", "amsgrad_torch", "amsgrad_torch_per_m"))
    check_positive("lr", lr)
    check_decay("beta1", beta1)
    check_decay("beta2", beta2)
    check_nonnegative("eps", eps)
    check_bool("decay_lr", decay_lr)
    g = np.asarray(grads, dtype=float).reshape(-1)
    if g.size == 0 or not np.all(np.isfinite(g)):
        raise ValueError("grads must be a non-empty sequence of finite numbers")
    t = np.arange(1, g.size + 1)
    # v_t = (1 − β₂) Σ_τ β₂^{t−τ} g_τ², computed by the recursion
    v = np.empty(g.size)
    acc = 0.0
    for i, gi in enumerate(g):
        acc = beta2 * acc + (1 - beta2) * gi * gi
        v[i] = acc
    v_max = np.maximum.accumulate(v)
    alpha = lr / np.sqrt(t) if decay_lr else np.full(g.size, float(lr))
    if rule == "amsgrad":
        den = np.sqrt(v_max) + eps
    else:
        den = np.sqrt(v_max / (1 - beta2**t)) + eps
    with np.errstate(divide="ignore"):  # a zero denominator (g = 0 so far) is an infinite step
        s = alpha / den
    if rule == "amsgrad_torch_per_m":
        s = s / (1 - beta1**t)
    return s


def asymptotic_drift(problem: Any, beta1: float, beta2: float) -> float:
    r"""The sign-deciding drift of Adam on a periodic online problem, late in the run.

    For :math:`f_t(x) = c_t x` with slopes of period :math:`P` and :math:`m_0 = v_0 = 0`,
    :math:`m_t` and :math:`v_t` converge to periodic sequences
    :math:`\bar m_j = \frac{1-\beta_1}{1-\beta_1^P}\sum_{k=0}^{P-1}\beta_1^k c_{j-k}`,
    :math:`\bar v_j = \frac{1-\beta_2}{1-\beta_2^P}\sum_{k=0}^{P-1}\beta_2^k c_{j-k}^2`
    (indices mod :math:`P`), and the bias corrections tend to 1. With
    :math:`\alpha_t = \alpha/\sqrt t` the steps become small, so over one late
    period Adam moves by about :math:`-\frac{\alpha}{\sqrt t}\,D` with

    .. math:: D = \sum_{j=1}^{P} \bar m_j / \sqrt{\bar v_j}.

    ``D > 0``: the iterate drifts down (towards −1, the optimum of Reddi et
    al.'s problems); ``D < 0``: up, towards +1. Returns :math:`D` (ε = 0).
    """
    check_decay("beta1", beta1)
    check_decay("beta2", beta2)
    P = int(problem.period)
    c = problem.coefficient(np.arange(1, P + 1)).astype(float)  # phases 1..P
    k = np.arange(P)
    idx = (np.arange(P)[:, None] - k[None, :]) % P                # c_{j-k}
    m = (1 - beta1) / (1 - beta1**P) * (beta1**k * c[idx]).sum(axis=1)
    v = (1 - beta2) / (1 - beta2**P) * (beta2**k * c[idx] ** 2).sum(axis=1)
    return float(np.sum(m / np.sqrt(v)))


def drift_threshold(
    problem: Any, beta1: float, lo: float, hi: float, iters: int = 60
) -> float:
    r"""The :math:`\beta_2` at which :func:`asymptotic_drift` changes sign, by bisection.

    Requires :math:`D(\text{lo}) < 0 < D(\text{hi})` (``ValueError`` otherwise):
    below the returned value Adam drifts to +1 late in the run, above it to −1.
    After ``iters`` halvings the bracket is ``(hi − lo)/2**iters`` wide.
    """
    check_decay("beta1", beta1)
    check_decay("lo", lo)
    check_decay("hi", hi)
    if isinstance(iters, bool) or not isinstance(iters, int) or iters < 1:
        raise ValueError(f"iters must be an integer >= 1, got {iters!r}")
    d_lo, d_hi = asymptotic_drift(problem, beta1, lo), asymptotic_drift(problem, beta1, hi)
    if not d_lo < 0 < d_hi:
        raise ValueError(
            f"need D(lo) < 0 < D(hi) to bracket the threshold; got D({lo}) = {d_lo:.4g}, "
            f"D({hi}) = {d_hi:.4g}"
        )
    for _ in range(iters):
        mid = (lo + hi) / 2
        if asymptotic_drift(problem, beta1, mid) < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2
