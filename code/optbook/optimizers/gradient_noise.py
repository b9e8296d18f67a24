"""Annealed Gaussian gradient noise (Neelakantan et al., 2015)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._base import Optimizer, Params, _pair_params, check_nonnegative


class GradientNoise:
    r"""Wrap any optimizer and add annealed Gaussian noise to its gradients.

    Neelakantan et al. (2015), eq. (1):

    .. math::

        \tilde g_t &= g_t + n_t, \qquad n_t \sim \mathcal N(0, \sigma_t^2 I) \tag{1}\\
        \sigma_t^2 &= \frac{\eta}{(1+t)^\gamma} \tag{2}

    and the wrapped optimizer steps with :math:`\tilde g_t` instead of
    :math:`g_t`. Here η is the noise *variance* scale (the paper tries
    η ∈ {0.01, 0.3, 1.0}), not a learning rate, and γ = 0.55. t is this
    wrapper's step counter, starting at 1.

    The noise comes from ``numpy.random.default_rng(seed)``, drawn in the
    gradients' dtype (so float32 and float64 runs with one seed draw different
    streams); the generator's state is part of :meth:`state_dict`, so a resumed
    run draws the same noise.

    Parameters
    ----------
    optimizer:
        the optimizer to wrap (any of the book's optimizers).
    eta:
        variance scale η ≥ 0 (default 0.01; η = 0 adds no noise).
    gamma:
        annealing exponent γ ≥ 0 (default 0.55).
    seed:
        seed of the noise generator (default 0).
    """

    hyperparameter_names = ("eta", "gamma", "seed")

    def __init__(self, optimizer: Any, eta: float = 0.01, gamma: float = 0.55, seed: int = 0):
        if (
            isinstance(optimizer, type)
            or not hasattr(optimizer, "step")
            or not hasattr(optimizer, "state_dict")
        ):
            raise ValueError(
                f"optimizer must be one of the book's optimizers, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.eta = check_nonnegative("eta", eta)
        self.gamma = check_nonnegative("gamma", gamma)
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self.rng = np.random.default_rng(self.seed)
        self.t = 0

    # The wrapped optimizer's learning rate, so that schedules can set it.
    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = value

    @property
    def hyperparameters(self) -> dict[str, Any]:
        return {"eta": self.eta, "gamma": self.gamma, "seed": self.seed,
                "optimizer": self.optimizer.hyperparameters}

    def __repr__(self) -> str:
        return f"GradientNoise({self.optimizer!r}, eta={self.eta!r}, gamma={self.gamma!r}, " \
               f"seed={self.seed!r})"

    def sigma2(self, t: int) -> float:
        """The noise variance σ_t² = η / (1 + t)^γ of step t (2)."""
        return self.eta / (1 + t) ** self.gamma

    def step(self, params: Params, grads: Params, *, check_finite: bool = True) -> None:
        """Add noise (1) to a copy of ``grads`` and step the wrapped optimizer.

        If the wrapped optimizer refuses the step (a ``ValueError``: a
        non-finite gradient, unless ``check_finite=False``, or a mismatch), the
        step counter and the generator are restored, so a corrected retry draws
        the noise this step would have drawn.
        """
        pairs = _pair_params(params, grads)
        saved = (self.t, copy.deepcopy(self.rng.bit_generator.state))
        try:
            self._noisy_step(params, pairs, check_finite)
        except ValueError:
            self.t = saved[0]
            self.rng.bit_generator.state = saved[1]
            raise

    def _noisy_step(self, params: Params, pairs: list, check_finite: bool = True) -> None:
        self.t += 1
        sigma = np.sqrt(self.sigma2(self.t))
        noisy = {}
        for key, _, g in pairs:
            n = self.rng.standard_normal(g.shape, dtype=g.dtype)
            n *= sigma
            n += g                                       # (1) g̃ = g + n
            noisy[key] = n
        if isinstance(params, np.ndarray):
            noisy_grads: Params = noisy["0"]
        elif isinstance(params, Mapping):
            noisy_grads = {k: noisy[str(k)] for k in params}
        else:
            noisy_grads = [noisy[str(i)] for i in range(len(params))]
        self.optimizer.step(params, noisy_grads, check_finite=check_finite)

    def state_dict(self) -> dict[str, Any]:
        """The wrapped optimizer's state, the step counter and the generator's state."""
        return {
            "type": "GradientNoise",
            "t": self.t,
            "hyperparameters": {"eta": self.eta, "gamma": self.gamma, "seed": self.seed},
            "rng": copy.deepcopy(self.rng.bit_generator.state),
            "optimizer": self.optimizer.state_dict(),
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict`."""
        if state_dict.get("type") != "GradientNoise":
            raise ValueError(f"state_dict is for {state_dict.get('type')!r}, not 'GradientNoise'")
        hp = state_dict["hyperparameters"]
        self.eta = check_nonnegative("eta", hp["eta"])
        self.gamma = check_nonnegative("gamma", hp["gamma"])
        self.seed = int(hp["seed"])
        self.t = int(state_dict["t"])
        self.rng = np.random.default_rng()
        self.rng.bit_generator.state = copy.deepcopy(state_dict["rng"])
        self.optimizer.load_state_dict(state_dict["optimizer"])


__all__ = ["GradientNoise", "Optimizer"]
