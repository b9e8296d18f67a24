r"""A naive NumPy Adam in the style of source 000's ``Adam.update(params, grads)``, made correct.

:class:`NaiveAdam` keeps a dict of moment arrays per parameter name and
updates ``params`` (a dict of name -> ndarray) in place, writing each formula
as one NumPy expression. Every expression allocates a temporary array the size
of the parameter, which is what makes it *naive*: chapter 10 compares it with
the package's :class:`optbook.optimizers.Adam`, which processes cache-sized
chunks in place through one scratch buffer (``benchmarks/bench_adam_naive.py``).

The rule is Kingma & Ba (2015), Algorithm 1, with :math:`m_0 = v_0 = 0`:

.. math::

    m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,

.. math::

    \theta_t = \theta_{t-1} - \eta\, \frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}.

``efficient=True`` selects the order of computation at the end of the paper's
§2, the one of source 000's class (the NumPy class of Saito's *Deep Learning
from Scratch*, which source 000 reproduces) and of Keras:
:math:`\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)`,
:math:`\theta_t = \theta_{t-1} - \eta_t\, m_t/(\sqrt{v_t} + \hat\epsilon)` with
:math:`\hat\epsilon` = ``eps``. It equals Algorithm 1 with
:math:`\epsilon = \hat\epsilon/\sqrt{1-\beta_2^t}`, a different ε at every step.

What source 000's class gets wrong or leaves implicit, and this class fixes:
ε is a hyperparameter (000 hard-codes 1e-7 inside the update); the default is
Algorithm 1 (000 uses the efficient form only); hyperparameters are checked
(``ValueError`` naming the parameter); and a later step with different names
or shapes raises instead of silently misbehaving.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .optimizers._base import check_bool, check_decay, check_nonnegative, check_positive

__all__ = ["NaiveAdam"]


class NaiveAdam:
    """Adam on a dict of arrays, one NumPy expression per formula (see the module docstring).

    Parameters
    ----------
    lr:
        step size η > 0 (default 0.001).
    beta1, beta2:
        decay rates in [0, 1) (defaults 0.9 and 0.999).
    eps:
        ε ≥ 0 (default 1e-8); with ``efficient=True`` it is ε̂, added to the raw √vₜ.
    efficient:
        ``False`` (default): Algorithm 1; ``True``: the paper's efficient order.
    """

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        efficient: bool = False,
    ):
        self.lr = check_positive("lr", lr)
        self.beta1 = check_decay("beta1", beta1)
        self.beta2 = check_decay("beta2", beta2)
        self.eps = check_nonnegative("eps", eps)
        self.efficient = check_bool("efficient", efficient)
        self.iter = 0
        self.m: dict[str, np.ndarray] | None = None
        self.v: dict[str, np.ndarray] | None = None

    def update(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """One Adam step: ``params[key]`` is updated in place from ``grads[key]``."""
        if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
            raise ValueError("params and grads must be dicts of name -> ndarray")
        if set(params) != set(grads):
            raise ValueError(
                f"grads keys {sorted(grads)} do not match params keys {sorted(params)}"
            )
        for key, p in params.items():
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                raise ValueError(f"params[{key!r}] must be a floating-point ndarray")
            if np.shape(grads[key]) != p.shape:
                raise ValueError(
                    f"grads[{key!r}] has shape {np.shape(grads[key])}, params[{key!r}] {p.shape}"
                )
        if self.m is None or self.v is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        elif set(self.m) != set(params) or any(
            self.m[k].shape != params[k].shape for k in params
        ):
            raise ValueError("params changed names or shapes since the first step")

        self.iter += 1
        t, b1, b2 = self.iter, self.beta1, self.beta2
        for key in params:
            g = grads[key]
            self.m[key] = b1 * self.m[key] + (1 - b1) * g          # m_t
            self.v[key] = b2 * self.v[key] + (1 - b2) * g**2       # v_t
            if self.efficient:
                lr_t = self.lr * np.sqrt(1 - b2**t) / (1 - b1**t)
                denom = np.sqrt(self.v[key]) + self.eps            # √v_t + ε̂
                params[key] -= lr_t * self.m[key] / denom
            else:
                m_hat = self.m[key] / (1 - b1**t)                  # m̂_t
                v_hat = self.v[key] / (1 - b2**t)                  # v̂_t
                params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
