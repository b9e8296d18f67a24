"""Plain gradient descent (Cauchy, 1847)."""

from __future__ import annotations

import numpy as np

from ._base import Optimizer, check_positive


class SGD(Optimizer):
    r"""Gradient descent: one step against the gradient.

    .. math::

        \theta_t = \theta_{t-1} - \eta\, g_t \tag{1}

    where :math:`g_t` is the gradient evaluated at :math:`\theta_{t-1}`. Whether
    :math:`g_t` is the full-batch gradient, one example's or a mini-batch's is
    the caller's choice; the rule is the same (Ruder, 2016, §2).

    Identical to ``torch.optim.SGD(lr=lr)`` with no momentum.

    Parameters
    ----------
    lr:
        learning rate :math:`\eta > 0` (default 0.01).
    """

    hyperparameter_names = ("lr",)

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__()
        self.lr = check_positive("lr", lr)

    def _update(
        self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray
    ) -> None:
        np.multiply(g, self.lr, out=scratch)  # η g_t
        theta -= scratch                      # (1) θ_t = θ_{t−1} − η g_t
