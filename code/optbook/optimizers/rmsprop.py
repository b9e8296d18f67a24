"""RMSprop (Hinton, Srivastava & Swersky, 2012; Tieleman & Hinton, 2012)."""

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


class RMSprop(Optimizer):
    r"""RMSprop: divide the gradient by a running root mean square of gradients.

    .. math::

        v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2 \tag{1}\\
        \theta_t &= \theta_{t-1} - \frac{\eta}{\sqrt{v_t + \epsilon}}\, g_t \tag{2}

    with :math:`v_0 = 0`. This is the rule of Hinton's lecture 6e of the
    Coursera course "Neural networks for machine learning" (Hinton,
    Srivastava & Swersky, 2012; the slides are also cited as Tieleman &
    Hinton, 2012), where :math:`v_t` is called ``MeanSquare(w, t)``, and of
    Ruder (2016), §4.5, who writes :math:`E[g^2]_t` for :math:`v_t`; Ruder's
    published equation has :math:`E[g^2]_{t-1}` on the right-hand side as it
    should (only a translation of it drops the index). Hinton suggests
    ρ = 0.9; Ruder adds η = 0.001 as a good default.

    PyTorch (``torch.optim.RMSprop``) calls ρ ``alpha`` (default 0.99), uses
    lr = 0.01 by default and puts ε outside the root:
    :math:`\theta_t = \theta_{t-1} - \eta\, g_t/(\sqrt{v_t} + \epsilon)`.
    ``eps_inside_sqrt=False`` selects that rule.

    Two options reproduce PyTorch's ``centered`` and ``momentum``:

    * ``centered=True`` (Graves, 2013, eqs. 38-41, without his momentum
      form) also keeps the running mean of the gradient and divides by an
      estimate of its standard deviation:

      .. math::

          m_t &= \rho\, m_{t-1} + (1-\rho)\, g_t \tag{3}\\
          \theta_t &= \theta_{t-1} - \frac{\eta}{\sqrt{v_t - m_t^2 + \epsilon}}\, g_t \tag{4}

      (with ``eps_inside_sqrt=False``: :math:`\sqrt{v_t - m_t^2} + \epsilon`, PyTorch's
      form). :math:`v_t - m_t^2 \ge 0` in exact arithmetic; a negative value
      from rounding is taken as 0 (where PyTorch would return NaN).

    * ``momentum`` :math:`= \gamma > 0` keeps a buffer of the scaled gradients,
      PyTorch's rule (``b_0 = 0``):

      .. math::

          b_t &= \gamma\, b_{t-1} + \frac{g_t}{\sqrt{v_t + \epsilon}} \tag{5}\\
          \theta_t &= \theta_{t-1} - \eta\, b_t \tag{6}

      (the denominator is the one selected by ``centered`` and
      ``eps_inside_sqrt``). With γ = 0 the rule is (2) and no buffer is kept.

    Parameters
    ----------
    lr:
        learning rate :math:`\eta > 0` (default 0.001).
    rho:
        decay rate :math:`\rho \in [0, 1)` (default 0.9).
    eps:
        :math:`\epsilon \ge 0` (default 1e-8). With ε = 0 a coordinate whose
        gradients were all zero has :math:`v_t = 0`; its step is 0, not 0/0.
    eps_inside_sqrt:
        ``True`` (default) for :math:`\sqrt{v_t + \epsilon}`, ``False``
        for :math:`\sqrt{v_t} + \epsilon` (PyTorch).
    centered:
        ``False`` (default): divide by the root of the second moment
        :math:`v_t`; ``True``: by the root of the variance estimate
        :math:`v_t - m_t^2` (Graves; PyTorch's ``centered=True``).
    momentum:
        momentum coefficient :math:`\gamma \in [0, 1)` of the buffer (5)
        (default 0: no buffer; PyTorch's ``momentum``).
    """

    hyperparameter_names = ("lr", "rho", "eps", "eps_inside_sqrt", "centered", "momentum")

    def __init__(
        self,
        lr: float = 0.001,
        rho: float = 0.9,
        eps: float = 1e-8,
        eps_inside_sqrt: bool = True,
        centered: bool = False,
        momentum: float = 0.0,
    ):
        super().__init__()
        self.lr = check_positive("lr", lr)
        self.rho = check_decay("rho", rho)
        self.eps = check_nonnegative("eps", eps)
        self.eps_inside_sqrt = check_bool("eps_inside_sqrt", eps_inside_sqrt)
        self.centered = check_bool("centered", centered)
        self.momentum = check_decay("momentum", momentum)
        # the state arrays the options need: v always, m if centered, b if momentum
        self.state_names = ("v",) + (("m",) if self.centered else ()) + (
            ("b",) if self.momentum > 0 else ()
        )

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict, scratch: np.ndarray) -> None:
        v, rho, eps = state["v"], self.rho, self.eps
        ema_sq_(v, g, rho, scratch)                    # (1) v = ρ v + (1 − ρ) g²
        if self.centered:
            m = state["m"]
            ema_(m, g, rho, scratch)                   # (3) m = ρ m + (1 − ρ) g
            np.multiply(m, m, out=scratch)
            np.subtract(v, scratch, out=scratch)       # v − m²
            np.maximum(scratch, 0, out=scratch)        # rounding never makes it negative
        else:
            np.copyto(scratch, v)
        if self.eps_inside_sqrt:
            scratch += eps
            np.sqrt(scratch, out=scratch)              # √(v + ε)
        else:
            np.sqrt(scratch, out=scratch)
            scratch += eps                             # √v + ε
        divide(g, scratch, out=scratch, eps=eps)       # g / √(v + ε)
        if self.momentum > 0:
            b = state["b"]
            b *= self.momentum
            b += scratch                               # (5) b = γ b + g / √(v + ε)
            np.multiply(b, self.lr, out=scratch)
        else:
            scratch *= self.lr
        theta -= scratch                               # (2) θ = θ − η g / √(v + ε); (6) θ − η b
