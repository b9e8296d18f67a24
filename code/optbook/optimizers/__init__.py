r"""The book's optimizers, one small class each.

Every class follows the contract of :class:`~optbook.optimizers._base.Optimizer`:
``opt = Adam(lr=1e-3)``; ``opt.step(params, grads)`` updates ``params`` in
place; ``opt.state_dict()`` / ``opt.load_state_dict(...)`` save and resume
bit-identically. Each docstring states the update rule, cites its paper, and
says where PyTorch's rule differs and which option reproduces it.

Two rules hold for every class:

- **A non-finite gradient raises.** ``step`` checks every gradient first; a NaN
  or an infinity raises ``ValueError`` naming the array and the step, and
  nothing changes. ``step(params, grads, check_finite=False)`` skips the check.
- **ε = 0 is allowed.** Where a rule divides by :math:`\sqrt{v} + \epsilon` (or
  :math:`\sqrt{G + \epsilon}`, or a max), a zero denominator can only occur
  where every past gradient of that coordinate was zero, so the numerator is
  zero too; the step there is 0, not 0/0 = NaN (:func:`._base.divide`).
"""

from ._base import CHUNK, Optimizer
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import AdaMax
from .adamw import AdamW
from .aggmo import AggMo
from .amsgrad import AMSGrad
from .gradient_noise import GradientNoise
from .momentum import Momentum
from .nadam import Nadam
from .nesterov import Nesterov
from .qhadam import QHAdam
from .rmsprop import RMSprop
from .sgd import SGD

#: every optimizer class of the book, in the order of the chapters
ALL_OPTIMIZERS = (
    SGD,
    Momentum,
    Nesterov,
    Adagrad,
    Adadelta,
    RMSprop,
    Adam,
    AdaMax,
    Nadam,
    AMSGrad,
    AdamW,
    QHAdam,
    AggMo,
)

__all__ = [
    "ALL_OPTIMIZERS",
    "CHUNK",
    "SGD",
    "AMSGrad",
    "AdaMax",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "AggMo",
    "GradientNoise",
    "Momentum",
    "Nadam",
    "Nesterov",
    "Optimizer",
    "QHAdam",
    "RMSprop",
]
