"""AggMo: aggregated momentum (Lucas, Sun, Zemel & Grosse, 2019)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._base import Optimizer, check_decay, check_positive


class AggMo(Optimizer):
    r"""AggMo: several heavy-ball velocities with different dampings, averaged.

    Lucas et al. (2019), eq. (2), with K velocities and damping factors
    :math:`\beta^{(1)}, \dots, \beta^{(K)}`:

    .. math::

        v_t^{(i)} &= \beta^{(i)} v_{t-1}^{(i)} - g_t, \quad i = 1, \dots, K \tag{1}\\
        \theta_t &= \theta_{t-1} + \frac{\eta}{K} \sum_{i=1}^K v_t^{(i)} \tag{2}

    with :math:`v_0^{(i)} = 0`. K = 1 is heavy-ball momentum with PyTorch's
    buffer (velocity without η). PyTorch has no AggMo.

    Parameters
    ----------
    lr:
        learning rate :math:`\eta > 0` (default 0.01; the paper's code requires
        it to be given).
    betas:
        the damping factors, each in [0, 1) (default (0, 0.9, 0.99), the
        paper's).
    """

    hyperparameter_names = ("lr", "betas")

    def __init__(self, lr: float = 0.01, betas: Sequence[float] = (0.0, 0.9, 0.99)):
        super().__init__()
        self.lr = check_positive("lr", lr)
        if isinstance(betas, np.ndarray):
            betas = betas.tolist()
        if isinstance(betas, str | bytes) or not isinstance(betas, Sequence) or len(betas) == 0:
            raise ValueError(
                f"betas must be a non-empty sequence of numbers in [0, 1), got {betas!r}"
            )
        self.betas = tuple(check_decay(f"betas[{i}]", b) for i, b in enumerate(betas))
        self.state_names = tuple(f"v{i}" for i in range(len(self.betas)))

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        step = self.lr / len(self.betas)
        for name, beta in zip(self.state_names, self.betas, strict=True):
            v = state[name]
            v *= beta
            v -= g                                    # (1) v⁽ⁱ⁾ = β⁽ⁱ⁾ v⁽ⁱ⁾ − g
            np.multiply(v, step, out=scratch)
            theta += scratch                          # (2) θ = θ + (η/K) Σ v⁽ⁱ⁾
