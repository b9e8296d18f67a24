r"""Stochastic gradient Langevin dynamics (Welling & Teh, 2011).

SGLD turns stochastic gradient descent on a potential :math:`U` into a
sampler of the density :math:`p(\theta) \propto e^{-U(\theta)}`. With a
Bayesian posterior, :math:`U(\theta) = -\log p(\theta) - \sum_{i=1}^N \log p(x_i
\mid \theta)`, and :math:`\nabla U` is estimated from a mini-batch of :math:`n`
of the :math:`N` data points, the sum scaled by :math:`N/n`. Welling & Teh's
update (their eq. 4, with :math:`\epsilon_t` written :math:`\eta_t` here):

.. math::

    \theta_t = \theta_{t-1} - \frac{\eta_t}{2}\, \nabla U(\theta_{t-1})
        + \xi_t, \qquad \xi_t \sim \mathcal N(0, \eta_t I). \tag{1}

It is SGD with learning rate :math:`\eta_t/2` on :math:`U` plus Gaussian noise
of variance :math:`\eta_t`: the Euler-Maruyama discretisation of the Langevin
diffusion :math:`d\theta = -\tfrac12\nabla U\,dt + dW`, whose stationary
density is :math:`e^{-U}`. With step sizes that satisfy
:math:`\sum_t \eta_t = \infty` and :math:`\sum_t \eta_t^2 < \infty` (they use
:math:`\eta_t = a(b + t)^{-\gamma}`, :math:`\gamma \in (0.5, 1]`), Welling & Teh
argue that the iterates sample the posterior as :math:`t \to \infty`, without
a Metropolis-Hastings correction. With a constant step the samples are biased:
:func:`ou_stationary_variance` gives the bias exactly for a Gaussian target.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .optimizers._base import Optimizer, check_positive


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


class SGLD(Optimizer):
    r"""SGLD, update (1): :math:`\theta \leftarrow \theta - \tfrac{\eta}{2} g + \sqrt{\eta}\,\xi`.

    ``g`` is (an unbiased estimate of) :math:`\nabla U`; ``lr`` is the step
    size :math:`\eta_t` (a schedule may set ``opt.lr`` before each step, as
    :func:`optbook.run.run`'s ``lr_schedule`` does). The noise :math:`\xi` is
    drawn from ``numpy.random.default_rng(seed)`` in the parameters' dtype, one
    standard normal per element, in the order of the arrays and elements; the
    generator's state is part of :meth:`state_dict`, so a resumed run draws
    the same noise.

    Parameters
    ----------
    lr:
        step size :math:`\eta > 0` (default 0.01).
    seed:
        seed of the noise generator (default 0).
    """

    hyperparameter_names = ("lr", "seed")

    def __init__(self, lr: float = 0.01, seed: int = 0):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.seed = _check_seed(seed)
        self.rng = np.random.default_rng(self.seed)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        eta = check_positive("lr", self.lr)
        xi = self.rng.standard_normal(theta.shape, dtype=theta.dtype)
        xi *= np.sqrt(eta)                       # ξ ~ N(0, η I)
        np.multiply(g, eta / 2, out=scratch)
        theta -= scratch                         # θ − (η/2) ∇U
        theta += xi                              # (1) + ξ

    def state_dict(self) -> dict[str, Any]:
        """The base state plus the generator's state."""
        out = super().state_dict()
        out["rng"] = copy.deepcopy(self.rng.bit_generator.state)
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict`, the generator included."""
        super().load_state_dict(state_dict)
        self.rng = np.random.default_rng()
        self.rng.bit_generator.state = copy.deepcopy(state_dict["rng"])


def sgld_chains(
    grad_U: Callable[[np.ndarray, int], np.ndarray],
    theta0: np.ndarray,
    n_steps: int,
    lr: float | Callable[[int], float],
    seed: int = 0,
) -> np.ndarray:
    r"""Run SGLD on many chains at once and return every iterate.

    ``theta0`` is ``(chains, d)`` (or ``(chains,)`` for a 1-D target); each row
    is one chain, all updated together by one :class:`SGLD` (the noise is
    independent across rows). ``grad_U(theta, t)`` returns :math:`\nabla U`
    (or an unbiased estimate) for every row at step ``t``; ``lr`` is a
    constant :math:`\eta` or a schedule ``t -> η_t``. Returns an array of shape
    ``(n_steps + 1, *theta0.shape)`` starting with ``theta0``.
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, int | np.integer) or n_steps < 0:
        raise ValueError(f"n_steps must be an integer >= 0, got {n_steps!r}")
    theta = np.array(theta0, dtype=np.float64)
    if theta.ndim not in (1, 2) or not np.all(np.isfinite(theta)):
        raise ValueError("theta0 must be a finite array of shape (chains,) or (chains, d)")
    schedule = lr if callable(lr) else None
    opt = SGLD(lr=1.0 if schedule else check_positive("lr", lr), seed=seed)
    out = np.empty((int(n_steps) + 1, *theta.shape))
    out[0] = theta
    for t in range(1, int(n_steps) + 1):
        if schedule is not None:
            opt.lr = check_positive("lr", schedule(t))
        g = np.asarray(grad_U(theta, t), dtype=np.float64).reshape(theta.shape)
        opt.step(theta, g)
        out[t] = theta
    return out


def ou_stationary_variance(eta: float, s2: float) -> float:
    r"""The stationary variance of SGLD with constant step η on :math:`N(\mu, s^2)`.

    For :math:`U(\theta) = (\theta - \mu)^2/(2s^2)` the update (1) is the
    autoregression :math:`\theta_t - \mu = a(\theta_{t-1} - \mu) + \xi_t` with
    :math:`a = 1 - \eta/(2s^2)`, stable iff :math:`0 < \eta < 4s^2`, with
    stationary mean :math:`\mu` and variance

    .. math::

        \frac{\eta}{1 - a^2} = \frac{s^2}{1 - \eta/(4s^2)} ,

    larger than :math:`s^2` and equal to it only in the limit :math:`\eta \to 0`.
    """
    eta = check_positive("eta", eta)
    s2 = check_positive("s2", s2)
    if eta >= 4 * s2:
        raise ValueError(f"eta must be < 4 s2 = {4 * s2!r} for a stationary chain, got {eta!r}")
    return s2 / (1 - eta / (4 * s2))


__all__ = ["SGLD", "ou_stationary_variance", "sgld_chains"]
