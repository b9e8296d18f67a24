r"""Exact computations behind the Adam chapter: bias correction, first steps, step bounds.

Everything here is the arithmetic of Kingma & Ba (2015), Algorithm 1, in the
book's indexing: :math:`g_t = \nabla f_t(\theta_{t-1})`, :math:`m_0 = v_0 = 0`,

.. math::

    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \qquad
    \hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t},

    \theta_t = \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.

- :func:`ema_weights`: the weights :math:`(1-\beta)\beta^{t-i}` of :math:`g_i`
  in :math:`m_t`; they sum to :math:`1-\beta^t` (:func:`bias_correction_factor`).
- :func:`first_step`: the exact first step of each bias-correction mode of
  :class:`~optbook.optimizers.Adam`.
- :func:`uncorrected_step_factor`: how much larger than η an uncorrected
  Adam's step is under a constant gradient, :math:`(1-\beta_1^t)/\sqrt{1-\beta_2^t}`.
- :func:`moment_ratio`: :math:`\hat m_t/\sqrt{\hat v_t}` along a gradient
  sequence (the step in units of η at ε = 0).
- :func:`paper_step_bound` (the bound of the paper's §2.1),
  :func:`sharp_step_bound` (the true, attained bound :math:`S_t`),
  :func:`worst_case_gradients` (the sequence that attains it) and
  :func:`plateau_then_jump` (a simpler sequence that already breaks §2.1).
- :func:`pure_noise_ratio_rms`: the size of :math:`\hat m_t/\sqrt{\hat v_t}`
  when the gradient is pure zero-mean noise, the floor of Adam's "annealing".
- :class:`NumpyDictAdam`: the NumPy ``Adam.update(params, grads)`` class copied
  in many tutorials (from Saito's *Deep Learning from Scratch*), kept verbatim
  in its arithmetic; it is the "efficient" form with :math:`\hat\epsilon = 10^{-7}`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .optimizers._base import check_choice, check_decay, check_nonnegative, check_positive

__all__ = [
    "BIAS_CORRECTIONS",
    "NumpyDictAdam",
    "bias_correction_factor",
    "ema_weights",
    "equivalent_eps_hat",
    "first_step",
    "moment_ratio",
    "paper_step_bound",
    "plateau_then_jump",
    "plot_tuned",
    "plateau_then_jump_limit",
    "pure_noise_ratio_rms",
    "sharp_step_bound",
    "sharp_step_bound_limit",
    "steps_along",
    "tune_and_run",
    "uncorrected_step_factor",
    "worst_case_gradients",
]

BIAS_CORRECTIONS = ("moments", "step_size", "none")


def _check_t(t: object, name: str = "t") -> int:
    if isinstance(t, bool) or not isinstance(t, int | np.integer) or t < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {t!r}")
    return int(t)


def _check_steps(t: object) -> np.ndarray:
    """An integer or an array of integers >= 1, as an int64 array."""
    arr = np.asarray(t)
    if arr.dtype.kind not in "iu" or arr.size == 0 or np.any(arr < 1):
        raise ValueError(f"t must be an integer >= 1 or an array of them, got {t!r}")
    return arr.astype(np.int64)


def ema_weights(t: int, beta: float) -> np.ndarray:
    r"""The weights of :math:`g_1, \dots, g_t` in the moving average at step t.

    Unrolling :math:`m_t = \beta m_{t-1} + (1-\beta) g_t` from :math:`m_0 = 0`
    gives :math:`m_t = \sum_{i=1}^t (1-\beta)\beta^{t-i} g_i`; the returned
    array holds :math:`w_i = (1-\beta)\beta^{t-i}` for :math:`i = 1, \dots, t`.
    Their sum is :math:`1-\beta^t` (a geometric series).
    """
    t = _check_t(t)
    beta = check_decay("beta", beta)
    return (1 - beta) * beta ** np.arange(t - 1, -1, -1, dtype=np.float64)


def bias_correction_factor(t: int | np.ndarray, beta: float) -> np.ndarray:
    r""":math:`1 - \beta^t`, the sum of the weights of :func:`ema_weights` (vectorised over t)."""
    steps = _check_steps(t)
    beta = check_decay("beta", beta)
    return 1.0 - beta ** steps.astype(np.float64)


def first_step(
    g: float | np.ndarray,
    lr: float = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    bias_correction: str = "moments",
) -> np.ndarray:
    r"""The exact first update :math:`\theta_1 - \theta_0` of Adam for the gradient ``g``.

    With :math:`m_1 = (1-\beta_1) g` and :math:`v_1 = (1-\beta_2) g^2`:

    - ``"moments"`` (Algorithm 1): :math:`\hat m_1 = g`, :math:`\hat v_1 = g^2`,
      :math:`\Delta_1 = -\eta\, g / (|g| + \epsilon)`;
    - ``"step_size"`` (the efficient form with :math:`\hat\epsilon = \epsilon`):
      :math:`\Delta_1 = -\eta\,\frac{\sqrt{1-\beta_2}}{1-\beta_1}\,
      \frac{(1-\beta_1) g}{\sqrt{1-\beta_2}|g| + \epsilon}
      = -\eta\, g / (|g| + \epsilon/\sqrt{1-\beta_2})`;
    - ``"none"``: :math:`\Delta_1 = -\eta (1-\beta_1) g / (\sqrt{1-\beta_2}|g| + \epsilon)`,
      about :math:`(1-\beta_1)/\sqrt{1-\beta_2}` times η per coordinate when ε ≪ |g|.
    """
    lr = check_positive("lr", lr)
    beta1 = check_decay("beta1", beta1)
    beta2 = check_decay("beta2", beta2)
    eps = check_nonnegative("eps", eps)
    check_choice("bias_correction", bias_correction, BIAS_CORRECTIONS)
    g = np.asarray(g, dtype=np.float64)
    a = np.abs(g)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 where g = 0 = eps: step 0
        if bias_correction == "moments":
            step = -lr * g / (a + eps)
        elif bias_correction == "step_size":
            step = -lr * g / (a + eps / math.sqrt(1 - beta2))
        else:
            step = -lr * (1 - beta1) * g / (math.sqrt(1 - beta2) * a + eps)
    return np.where(g == 0, 0.0, step)


def uncorrected_step_factor(t: int | np.ndarray, beta1: float = 0.9,
                            beta2: float = 0.999) -> np.ndarray:
    r"""Step of an Adam without bias correction under a constant gradient, in units of η.

    For :math:`g_i = g` for all i and ε = 0, :math:`m_t = (1-\beta_1^t) g` and
    :math:`v_t = (1-\beta_2^t) g^2`, so the uncorrected step is
    :math:`\eta\,(1-\beta_1^t)/\sqrt{1-\beta_2^t}` per coordinate, while
    Algorithm 1's is exactly η. At t = 1 the factor is
    :math:`(1-\beta_1)/\sqrt{1-\beta_2}`; it tends to 1 as t → ∞.
    """
    steps = _check_steps(t).astype(np.float64)
    beta1 = check_decay("beta1", beta1)
    beta2 = check_decay("beta2", beta2)
    return (1 - beta1**steps) / np.sqrt(1 - beta2**steps)


def moment_ratio(
    grads: np.ndarray,
    beta1: float = 0.9,
    beta2: float = 0.999,
    bias_correction: str = "moments",
) -> np.ndarray:
    r""":math:`\hat m_t / \sqrt{\hat v_t}` for :math:`t = 1, \dots, T` along ``grads``.

    ``grads`` has shape ``(T,)`` or ``(T, d)`` (time first). At ε = 0 the
    Adam step is :math:`\Delta_t = -\eta\, \hat m_t/\sqrt{\hat v_t}`, so this
    is the step in units of η, with its sign. ``bias_correction`` is
    ``"moments"`` (Algorithm 1; ``"step_size"`` gives the same ratio at ε = 0)
    or ``"none"`` (:math:`m_t/\sqrt{v_t}`). Where :math:`v_t = 0` (every
    gradient so far was 0) the ratio is 0. Computed in float64.
    """
    beta1 = check_decay("beta1", beta1)
    beta2 = check_decay("beta2", beta2)
    check_choice("bias_correction", bias_correction, BIAS_CORRECTIONS)
    g = np.asarray(grads, dtype=np.float64)
    if g.ndim not in (1, 2) or g.shape[0] == 0:
        raise ValueError(f"grads must have shape (T,) or (T, d) with T >= 1, got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("grads must be finite")
    m = np.zeros(g.shape[1:])
    v = np.zeros(g.shape[1:])
    out = np.empty_like(g)
    for t in range(1, g.shape[0] + 1):
        m = beta1 * m + (1 - beta1) * g[t - 1]
        v = beta2 * v + (1 - beta2) * g[t - 1] ** 2
        if bias_correction == "none":
            mh, vh = m, v
        else:
            mh, vh = m / (1 - beta1**t), v / (1 - beta2**t)
        root = np.sqrt(vh)
        out[t - 1] = np.divide(mh, root, out=np.zeros_like(root), where=root > 0)
    return out


def paper_step_bound(beta1: float = 0.9, beta2: float = 0.999) -> float:
    r"""The bound on :math:`|\Delta_t|/\eta` stated in Kingma & Ba (2015), §2.1 (at ε = 0).

    :math:`(1-\beta_1)/\sqrt{1-\beta_2}` if :math:`1-\beta_1 > \sqrt{1-\beta_2}`,
    otherwise 1. It is **not** a bound in general: see :func:`sharp_step_bound`.
    """
    beta1 = check_decay("beta1", beta1)
    beta2 = check_decay("beta2", beta2)
    a, c = 1 - beta1, math.sqrt(1 - beta2)
    return a / c if a > c else 1.0


def sharp_step_bound(t: int | np.ndarray, beta1: float = 0.9, beta2: float = 0.999
                     ) -> np.ndarray:
    r"""The largest possible :math:`|\hat m_t|/\sqrt{\hat v_t}` over all gradient sequences.

    With the weights :math:`a_i = (1-\beta_1)\beta_1^{t-i}/(1-\beta_1^t)` of
    :math:`\hat m_t` and :math:`b_i = (1-\beta_2)\beta_2^{t-i}/(1-\beta_2^t)` of
    :math:`\hat v_t`, Cauchy–Schwarz gives
    :math:`|\sum_i a_i g_i| \le \sqrt{\sum_i a_i^2/b_i}\,\sqrt{\sum_i b_i g_i^2}`,
    with equality for :math:`g_i \propto a_i/b_i \propto (\beta_1/\beta_2)^{t-i}`
    (:func:`worst_case_gradients`). So, with :math:`r = \beta_1^2/\beta_2`,

    .. math::

        S_t = \frac{1-\beta_1}{1-\beta_1^t}\sqrt{\frac{1-\beta_2^t}{1-\beta_2}}
              \sqrt{\sum_{k=0}^{t-1} r^k}

    is attained, and :math:`|\Delta_t| \le \eta S_t` at ε = 0 (each coordinate).
    Requires :math:`\beta_2 > 0` (with :math:`\beta_2 = 0`, :math:`\hat v_t = g_t^2`).
    """
    steps = _check_steps(t).astype(np.float64)
    beta1 = check_decay("beta1", beta1)
    beta2 = check_decay("beta2", beta2)
    if beta2 == 0:
        raise ValueError("beta2 must be > 0 for sharp_step_bound (with beta2 = 0 the bound is "
                         "|m̂_t|/|g_t|, unbounded unless beta1 = 0)")
    r = beta1**2 / beta2
    geometric = steps if abs(r - 1) < 1e-12 else (1 - r**steps) / (1 - r)
    return ((1 - beta1) / (1 - beta1**steps) * np.sqrt((1 - beta2**steps) / (1 - beta2))
            * np.sqrt(geometric))


def sharp_step_bound_limit(beta1: float = 0.9, beta2: float = 0.999) -> float:
    r""":math:`\lim_{t\to\infty} S_t = (1-\beta_1)/\sqrt{(1-\beta_2)(1-\beta_1^2/\beta_2)}`
    when :math:`\beta_1^2 < \beta_2`; infinite otherwise."""
    beta1 = check_decay("beta1", beta1)
    beta2 = check_decay("beta2", beta2)
    if beta2 == 0 or beta1**2 >= beta2:
        return math.inf
    return (1 - beta1) / math.sqrt((1 - beta2) * (1 - beta1**2 / beta2))


def worst_case_gradients(t: int, beta1: float = 0.9, beta2: float = 0.999) -> np.ndarray:
    r"""The gradients :math:`g_i = (\beta_1/\beta_2)^{t-i}`, i = 1..t, that attain :math:`S_t`.

    The last gradient is 1; going back in time each is :math:`\beta_1/\beta_2`
    times the next: a gradient that grows by the factor :math:`\beta_2/\beta_1`
    per step. At step t, :func:`moment_ratio` equals :func:`sharp_step_bound`.
    """
    t = _check_t(t)
    beta1 = check_decay("beta1", beta1)
    beta2 = check_decay("beta2", beta2)
    if beta2 == 0:
        raise ValueError("beta2 must be > 0")
    return (beta1 / beta2) ** np.arange(t - 1, -1, -1, dtype=np.float64)


def plateau_then_jump(t: int, beta1: float = 0.9, beta2: float = 0.999,
                      jump: float | None = None, level: float = 1.0) -> np.ndarray:
    r"""``t - 1`` gradients equal to ``level``, then one equal to ``jump * level``.

    For a long plateau (:math:`\hat m \approx \delta`, :math:`\hat v \approx \delta^2`)
    a jump to :math:`x\delta` gives
    :math:`\hat m_t/\sqrt{\hat v_t} \approx
    ((1-\beta_1)x + \beta_1)/\sqrt{(1-\beta_2)x^2 + \beta_2}`,
    largest at :math:`x^* = (1-\beta_1)\beta_2/(\beta_1(1-\beta_2))` (the default
    ``jump``), where it equals :func:`plateau_then_jump_limit`.
    """
    t = _check_t(t)
    if t < 2:
        raise ValueError(f"t must be >= 2 (a plateau and a jump), got {t}")
    beta1 = check_decay("beta1", beta1)
    beta2 = check_decay("beta2", beta2)
    level = check_positive("level", level)
    if jump is None:
        if beta1 == 0 or beta2 == 1:
            raise ValueError("the default jump needs beta1 > 0")
        jump = (1 - beta1) * beta2 / (beta1 * (1 - beta2))
    jump = check_positive("jump", jump)
    g = np.full(t, level, dtype=np.float64)
    g[-1] = jump * level
    return g


def plateau_then_jump_limit(beta1: float = 0.9, beta2: float = 0.999) -> float:
    r""":math:`\sqrt{(1-\beta_1)^2/(1-\beta_2) + \beta_1^2/\beta_2}`: the ratio of
    :func:`plateau_then_jump` with the best jump, as the plateau grows."""
    beta1 = check_decay("beta1", beta1)
    beta2 = check_decay("beta2", beta2)
    if beta2 == 0:
        raise ValueError("beta2 must be > 0")
    return math.sqrt((1 - beta1) ** 2 / (1 - beta2) + beta1**2 / beta2)


def equivalent_eps_hat(t: int | np.ndarray, eps: float, beta2: float = 0.999) -> np.ndarray:
    r""":math:`\hat\epsilon_t = \epsilon\sqrt{1-\beta_2^t}`: the ε̂ for which the efficient
    form takes exactly Algorithm 1's step at step t."""
    eps = check_nonnegative("eps", eps)
    return eps * np.sqrt(bias_correction_factor(t, beta2))


def pure_noise_ratio_rms(beta1: float = 0.9) -> float:
    r""":math:`\sqrt{(1-\beta_1)/(1+\beta_1)}`: the root mean square of
    :math:`\hat m_t/\sqrt{\hat v_t}` for i.i.d. zero-mean gradients, as t → ∞.

    :math:`\hat m_t \to \sum_i a_i g_i` with :math:`\sum_i a_i^2 \to (1-\beta_1)^2/(1-\beta_1^2)`,
    so :math:`E[\hat m_t^2] \to \sigma^2 (1-\beta_1)/(1+\beta_1)`, while
    :math:`\hat v_t \to \sigma^2` (it averages about :math:`2/(1-\beta_2)` squares,
    so its own fluctuation is small when β₂ is close to 1).
    """
    beta1 = check_decay("beta1", beta1)
    return math.sqrt((1 - beta1) / (1 + beta1))


class NumpyDictAdam:
    r"""The NumPy Adam class found in many tutorials, arithmetic unchanged.

    It comes from Saito's *Deep Learning from Scratch* and is reproduced in the
    Chinese notes on Adam this book started from. ``update(params, grads)``
    takes dicts of arrays and computes, with ``iter`` = t,

    .. math::

        \eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t), \quad
        m \mathrel{+}= (1-\beta_1)(g - m), \quad v \mathrel{+}= (1-\beta_2)(g^2 - v), \quad
        \theta \mathrel{-}= \eta_t\, m/(\sqrt v + 10^{-7}).

    :math:`m + (1-\beta_1)(g - m) = \beta_1 m + (1-\beta_1) g`, so this is the
    "efficient" form at the end of Kingma & Ba's §2 with :math:`\hat\epsilon = 10^{-7}`:
    :class:`~optbook.optimizers.Adam` with ``bias_correction="step_size"`` and
    ``eps=1e-7``, up to rounding. It equals Algorithm 1 only when ε̂ is
    :math:`\epsilon\sqrt{1-\beta_2^t}`, which changes with t.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999):
        self.lr = check_positive("lr", lr)
        self.beta1 = check_decay("beta1", beta1)
        self.beta2 = check_decay("beta2", beta2)
        self.iter = 0
        self.m: dict[str, np.ndarray] | None = None
        self.v: dict[str, np.ndarray] | None = None

    def update(self, params: Mapping[str, np.ndarray],
               grads: Mapping[str, np.ndarray]) -> None:
        """One step, in place on the arrays of ``params``."""
        if self.m is None:
            self.m, self.v = {}, {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)
                self.v[key] = np.zeros_like(val)
        self.iter += 1
        b1, b2, t = self.beta1, self.beta2, self.iter
        lr_t = self.lr * np.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        for key in params.keys():
            self.m[key] += (1 - b1) * (grads[key] - self.m[key])
            self.v[key] += (1 - b2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


def steps_along(optimizer: object, grads: np.ndarray, dtype: object = np.float64) -> np.ndarray:
    r"""Feed ``grads`` to ``optimizer``; return every update :math:`\theta_t - \theta_{t-1}`.

    This is the online setting of Kingma & Ba's §4 with linear losses
    :math:`f_t(\theta) = g_t^\top\theta`, whose gradient at any θ is the given
    :math:`g_t`. ``grads`` has shape ``(T,)`` or ``(T, d)``; the result has the
    same shape. ``optimizer`` must be fresh (``t == 0``); it is mutated.
    """
    if getattr(optimizer, "t", None) != 0:
        raise ValueError("optimizer must be a fresh optimizer (t == 0)")
    g = np.asarray(grads, dtype=dtype)
    if g.ndim not in (1, 2) or g.shape[0] == 0:
        raise ValueError(f"grads must have shape (T,) or (T, d) with T >= 1, got {g.shape}")
    theta = np.zeros(g.shape[1:] if g.ndim == 2 else (1,), dtype=dtype)
    out = np.empty((g.shape[0], theta.size), dtype=np.float64)
    for t in range(g.shape[0]):
        before = theta.copy()
        optimizer.step(theta, np.ascontiguousarray(g[t]).reshape(theta.shape))
        out[t] = theta - before
    return out.reshape(g.shape)


def tune_and_run(
    model: object,
    factories: Mapping[str, object],
    grid: object,
    seeds: object = (1, 2, 3),
    search_seed: int = 0,
    **train_kwargs: object,
) -> dict[str, dict[str, object]]:
    r"""A small, fair learning-rate search, then fresh seeds at the chosen rate.

    For each name -> ``factory(lr)`` (a function returning a fresh optimizer),
    every rate of its grid is trained once with ``seed=search_seed``
    by :func:`optbook.train.train` (``train_kwargs`` are passed on; a
    ``lr_schedule`` given as a function ``lr -> schedule`` is built per rate).
    The rate with the lowest final training loss (a diverged run counts as
    infinite) is chosen and trained again with each of ``seeds``, which the
    search never saw. ``grid`` is one sequence of rates for every optimizer,
    or a mapping name -> sequence; the sequences must then all have the same
    length (the same search budget for each). Returns, per name, ``{"grid": losses of the search,
    "lr": chosen rate, "runs": the TrainResults of the fresh seeds,
    "interior": whether the chosen rate is not at the end of the grid}``.
    """
    from .train import train

    if isinstance(grid, Mapping):
        missing = sorted(set(factories) - set(grid))
        if missing:
            raise ValueError(f"grid has no learning rates for {missing}")
        grids = {name: [check_positive("grid", float(x)) for x in np.atleast_1d(grid[name])]
                 for name in factories}
    else:
        common = [check_positive("grid", float(x)) for x in np.atleast_1d(grid)]
        grids = {name: common for name in factories}
    sizes = {len(g) for g in grids.values()}
    if 0 in sizes or len(sizes) > 1:
        raise ValueError(f"grid must give every optimizer the same number (>= 1) of rates, "
                         f"got {sorted(sizes)}")
    seeds = [int(s) for s in np.atleast_1d(seeds)]
    schedule_of = train_kwargs.pop("lr_schedule", None)
    out: dict[str, dict[str, object]] = {}
    for name, factory in factories.items():
        if not callable(factory):
            raise ValueError(f"factories[{name!r}] must be a function lr -> optimizer")

        def one(lr: float, seed: int, factory: object = factory) -> object:
            kw = dict(train_kwargs)
            if schedule_of is not None:
                kw["lr_schedule"] = schedule_of(lr)
            return train(model, factory(lr), seed=seed, **kw)

        lrs = grids[name]
        losses = []
        for lr in lrs:
            r = one(lr, search_seed)
            losses.append(math.inf if r.diverged else float(r.train_losses[-1]))
        best = int(np.argmin(losses))
        out[name] = {
            "grid": dict(zip(lrs, losses, strict=True)),
            "lr": lrs[best],
            "interior": 0 < best < len(lrs) - 1,
            "runs": [one(lrs[best], s) for s in seeds],
        }
    return out


def plot_tuned(tuned: Mapping[str, Mapping[str, object]], ax: object,
               what: str = "train", log: bool = True) -> object:
    r"""Draw the result of :func:`tune_and_run`: the mean over seeds and the min–max band.

    ``what`` is ``"train"`` (full training loss at each epoch end) or ``"test"``
    (held-out loss; the runs need ``eval_data``). Each optimizer is drawn in
    its book style (:func:`optbook.style.style_for`), labelled with its chosen η.
    """
    from .style import style_for

    check_choice("what", what, ("train", "test"))
    for name, res in tuned.items():
        runs = res["runs"]
        curves = [r.epoch_train_losses if what == "train" else r.epoch_test_losses
                  for r in runs]
        if any(c is None for c in curves):
            raise ValueError("what='test' needs runs trained with eval_data")
        n = min(len(c) for c in curves)
        stack = np.array([c[:n] for c in curves])
        epochs = np.arange(n)
        style = style_for(name)
        line = ax.plot(epochs, stack.mean(axis=0), label=f"{name}, η = {res['lr']:g}",
                       markevery=max(1, n // 5), **style)[0]
        ax.fill_between(epochs, stack.min(axis=0), stack.max(axis=0),
                        color=line.get_color(), alpha=0.15, linewidth=0)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss" if what == "train" else "held-out loss")
    return ax
