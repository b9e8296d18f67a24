"""optbook's optimizers against ``torch.optim`` (PyTorch 2.13, CPU).

Three groups of tests:

1. **Parity.** Every optimizer PyTorch ships (SGD, SGD with momentum, Nesterov,
   Adagrad, Adadelta, RMSprop, Adam, Adam(amsgrad=True), AdamW, Adamax, NAdam)
   runs for 200 steps next to ours, with the option that reproduces PyTorch's
   rule, for several hyperparameter settings (torch's defaults and non-default
   values) and for each of torch's CPU implementations: the for-loop
   (``foreach=False``), ``foreach=True`` and ``fused=True`` where torch has a
   fused CPU kernel (SGD, Adagrad, Adam, AdamW; RMSprop, Adadelta, Adamax and
   NAdam have no ``fused`` argument, so that combination is not generated).
   Parameters and their displacement from the start are compared after every
   step, the state buffers (``exp_avg`` vs ``m``, ...) and step counters at the
   end. Float64, with torch's default dtype set to float64 (NAdam keeps its
   running product of momentum coefficients in the default dtype).
2. **Documented differences.** For each rule where the book's default differs
   from PyTorch (see ``SOURCES.md``, "What PyTorch 2.13 does", and each class's
   docstring), the book's default rule is shown to leave torch's trajectory by
   a clear margin, on the same problem where the PyTorch option agrees.
3. **Float32.** The same comparison in float32, with a tolerance; our state
   stays float32.

Relative difference
-------------------
For arrays ``a`` (ours) and ``b`` (torch's),
``rel(a, b) = max_i |a_i - b_i| / max(max_i |b_i|, tiny)``: infinity norms,
normwise, ``tiny`` the smallest normal float64. For the parameters the norms
run over all the arrays together (a per-array, or elementwise, ratio is
ill-conditioned where a parameter crosses zero: the 0-d one does). The sharper
check is the **displacement**, ``rel(theta_t - theta_0, theta'_t - theta_0)``
for each array, maximised over the arrays: the difference relative to how far
that array moved, which catches a wrong step even when the steps are small
compared with the parameters. State buffers are compared array by array.

The problem
-----------
Five parameter arrays of different shapes, a 0-d one and one larger than
``optbook.optimizers.CHUNK`` (2**10 in the tests, see conftest.py), so that our
chunked update runs over several chunks.
The gradient, computed once per step in NumPy from *our* parameters and fed to
both sides (``p.grad = torch.from_numpy(g.copy())``), is that of a random
convex quadratic plus bounded nonlinear terms, plus seeded noise; a random 30 %
of one array's coordinates get a zero gradient at each step (as with dropout),
which exercises coordinates whose accumulators stay at zero.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import torch

from optbook.optimizers import (
    CHUNK,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    AdaMax,
    AdamW,
    AMSGrad,
    Momentum,
    Nadam,
    Nesterov,
    Optimizer,
    RMSprop,
)

STEPS = 200  # parity runs
DIFF_STEPS = 50  # documented-difference runs
F32_STEPS = 100  # float32 runs
TOL64 = 1e-6  # parity tolerance in float64 (observed: at most 5e-13)
TOL32 = 1e-4  # parity tolerance in float32 (observed: at most 1.2e-6)
MARGIN = 1e-2  # the documented differences must exceed this (displacement, after 50 steps)
SEED = 20240917


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(autouse=True)
def _torch_determinism() -> Iterator[None]:
    """One thread and a fixed seed; both restored afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@pytest.fixture
def float64_default() -> Iterator[None]:
    """torch's default dtype float64 (NAdam's ``mu_product`` follows it), then restored."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


@pytest.fixture
def float32_default() -> Iterator[None]:
    """torch's default dtype float32, then restored."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


# --------------------------------------------------------------------------- the problem
SHAPES: dict[str, tuple[int, ...]] = {
    "W": (6, 5),
    "b": (5,),
    "T": (2, 3, 4),
    "s": (),
    "big": (129, 130),  # 16 770 elements > CHUNK (2**10 in the tests): several chunks
}
SMALL = ("W", "b", "T", "s")  # coupled by a dense quadratic
MASKED = "T"  # 30 % of its coordinates get a zero gradient each step


class Problem:
    """A random problem whose gradient depends on the current parameters.

    f(x) = 1/2 (x_S - c_S)^T Q (x_S - c_S) + 1/2 sum_big d (x - c)^2
           + sum 1/4 log cosh(2x) - sum 0.1 cos(3x)
    over the small arrays S (dense Q, eigenvalues in about [0.2, 4.2]) and the
    big array (diagonal d, log-uniform in [0.1, 4]); plus N(0, 0.2^2) noise and
    a dropout-style mask on one array. The gradient is computed in float64 and
    cast to the dtype of the parameters.
    """

    def __init__(self, seed: int = SEED, dtype: type = np.float64) -> None:
        rng = np.random.default_rng(seed)
        self.dtype = dtype
        self.x0 = {
            k: np.array(1.5 * rng.standard_normal(s), dtype=dtype) for k, s in SHAPES.items()
        }
        self.c = {k: np.array(rng.standard_normal(s)) for k, s in SHAPES.items()}
        n = sum(math.prod(SHAPES[k]) for k in SMALL)
        A = rng.standard_normal((n, n))
        self.Q = A @ A.T / n + 0.2 * np.eye(n)
        self.d = np.exp(rng.uniform(np.log(0.1), np.log(4.0), SHAPES["big"]))
        self.noise = np.random.default_rng(seed + 1)

    def initial(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self.x0.items()}

    def grad(self, x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        xs = {k: np.asarray(v, dtype=np.float64) for k, v in x.items()}
        r = np.concatenate([(xs[k] - self.c[k]).reshape(-1) for k in SMALL])
        gs = self.Q @ r
        g: dict[str, np.ndarray] = {}
        start = 0
        for k in SMALL:
            size = math.prod(SHAPES[k])
            g[k] = gs[start : start + size].reshape(SHAPES[k])
            start += size
        g["big"] = self.d * (xs["big"] - self.c["big"])
        for k in SHAPES:
            g[k] = (
                g[k]
                + 0.5 * np.tanh(2 * xs[k])
                + 0.3 * np.sin(3 * xs[k])
                + 0.2 * self.noise.standard_normal(SHAPES[k])
            )
        g[MASKED] = g[MASKED] * (self.noise.random(SHAPES[MASKED]) >= 0.3)
        return {k: np.asarray(v, dtype=self.dtype) for k, v in g.items()}


# --------------------------------------------------------------------------- comparison
def rel(a: np.ndarray, b: np.ndarray) -> float:
    """``max |a - b| / max(max |b|, tiny)`` (normwise relative difference of ``a`` to ``b``)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise AssertionError(f"shapes differ: {a.shape} vs {b.shape}")
    tiny = np.finfo(np.float64).tiny
    return float(np.max(np.abs(a - b), initial=0.0) / max(np.max(np.abs(b), initial=0.0), tiny))


@dataclass
class Trace:
    """Everything a side-by-side run leaves behind."""

    ours: Optimizer
    topt: torch.optim.Optimizer
    x0: dict[str, np.ndarray]
    params: dict[str, np.ndarray]
    tparams: dict[str, torch.Tensor]
    #: per step (index t - 1): rel(params), all arrays together
    rel_params: list[float] = field(default_factory=list)
    #: per step: max over the arrays of rel(displacement) of each array
    rel_disp: list[float] = field(default_factory=list)
    #: per step: the array with the largest rel(displacement), for messages
    worst: list[str] = field(default_factory=list)

    def first_above(self, tol: float) -> str:
        """A message naming the first step where params or displacement exceed ``tol``."""
        for t, (rp, rd) in enumerate(zip(self.rel_params, self.rel_disp, strict=True), 1):
            if rp > tol or rd > tol:
                return (
                    f"first step above {tol:g}: t = {t}, rel(params) = {rp:.3e}, worst array "
                    f"{self.worst[t - 1]!r}, "
                    f"rel(displacement) = {rd:.3e}; at the end rel(params) = "
                    f"{self.rel_params[-1]:.3e}, rel(displacement) = {self.rel_disp[-1]:.3e}"
                )
        return f"all steps within {tol:g}"

    def torch_state(self, key: str, name: str) -> np.ndarray:
        value = self.topt.state[self.tparams[key]][name]
        return value.detach().numpy() if torch.is_tensor(value) else np.asarray(value)


Hook = Callable[[int, Optimizer, torch.optim.Optimizer], None]


def run_side_by_side(
    ours: Optimizer,
    make_torch: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    steps: int,
    dtype: type = np.float64,
    seed: int = SEED,
    before_step: Hook | None = None,
) -> Trace:
    """Run ``ours`` and torch's optimizer for ``steps`` steps on the same gradients.

    ``before_step(t, ours, topt)`` is called before step ``t`` (1-based) on both,
    e.g. to change the learning rate.
    """
    problem = Problem(seed, dtype)
    params = problem.initial()
    tparams = {k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in params.items()}
    topt = make_torch(list(tparams.values()))
    trace = Trace(ours, topt, problem.initial(), params, tparams)
    for t in range(1, steps + 1):
        if before_step is not None:
            before_step(t, ours, topt)
        grads = problem.grad(params)
        for k, p in tparams.items():
            p.grad = torch.from_numpy(grads[k].copy())
        topt.step()
        ours.step(params, grads)
        num = den = 0.0
        worst_name, worst_d = "", -1.0
        for k, p in params.items():
            tp = tparams[k].detach().numpy()
            assert p.dtype == tp.dtype == dtype, (k, p.dtype, tp.dtype)
            a, b = p.astype(np.float64), tp.astype(np.float64)
            num = max(num, float(np.max(np.abs(a - b), initial=0.0)))
            den = max(den, float(np.max(np.abs(b), initial=0.0)))
            rd = rel(a - trace.x0[k], b - trace.x0[k])
            if rd > worst_d:
                worst_name, worst_d = k, rd
        trace.rel_params.append(num / max(den, np.finfo(np.float64).tiny))
        trace.rel_disp.append(worst_d)
        trace.worst.append(worst_name)
    return trace


# --------------------------------------------------------------------------- the cases
@dataclass(frozen=True)
class Case:
    """One optimizer with one hyperparameter setting, on both sides."""

    id: str
    ours: Callable[[], Optimizer]
    torch_cls: type[torch.optim.Optimizer]
    torch_kw: dict[str, Any]
    #: (our state name, torch's state name) pairs compared at the end
    state: tuple[tuple[str, str], ...] = ()

    def make_torch(self, impl: str) -> Callable[[list[torch.Tensor]], torch.optim.Optimizer]:
        kw = dict(self.torch_kw)
        if impl == "forloop":
            kw["foreach"] = False
        elif impl == "foreach":
            kw["foreach"] = True
        elif impl == "fused":
            kw["fused"] = True
        else:
            raise ValueError(impl)
        return lambda params: self.torch_cls(params, **kw)


P = functools.partial
optim = torch.optim
MOMENTUM_STATE = (("v", "momentum_buffer"),)
ADAM_STATE = (("m", "exp_avg"), ("v", "exp_avg_sq"))

CASES: list[Case] = [
    # SGD: torch 2.13's default lr is 1e-3
    Case("SGD-torch-default", P(SGD, lr=1e-3), optim.SGD, {}),
    Case("SGD-lr0.1", P(SGD, lr=0.1), optim.SGD, {"lr": 0.1}),
    # SGD with momentum: Momentum(lr_in_velocity=False)
    *(
        Case(
            f"Momentum-lr{lr}-mu{mu}",
            P(Momentum, lr=lr, momentum=mu, lr_in_velocity=False),
            optim.SGD,
            {"lr": lr, "momentum": mu},
            MOMENTUM_STATE,
        )
        for lr, mu in ((0.01, 0.9), (0.1, 0.5), (1e-3, 0.99))
    ),
    # Nesterov: Nesterov(lr_in_velocity=False)
    *(
        Case(
            f"Nesterov-lr{lr}-mu{mu}",
            P(Nesterov, lr=lr, momentum=mu, lr_in_velocity=False),
            optim.SGD,
            {"lr": lr, "momentum": mu, "nesterov": True},
            MOMENTUM_STATE,
        )
        for lr, mu in ((0.01, 0.9), (0.1, 0.5), (1e-3, 0.99))
    ),
    # Adagrad: eps outside the root
    *(
        Case(
            f"Adagrad-{name}",
            P(Adagrad, lr=lr, eps=eps, eps_inside_sqrt=False),
            optim.Adagrad,
            {"lr": lr, "eps": eps},
            (("G", "sum"),),
        )
        for name, lr, eps in (
            ("torch-default", 0.01, 1e-10),
            ("lr0.1-eps1e-3", 0.1, 1e-3),
            ("lr0.5-eps0.1", 0.5, 0.1),
        )
    ),
    # Adadelta: identical rule (our default rho is 0.95, torch's 0.9); lr != 1
    # checks that the accumulated update is the one before lr is applied
    *(
        Case(
            f"Adadelta-{name}",
            P(Adadelta, lr=lr, rho=rho, eps=eps),
            optim.Adadelta,
            {"lr": lr, "rho": rho, "eps": eps},
            (("v", "square_avg"), ("s", "acc_delta")),
        )
        for name, lr, rho, eps in (
            ("torch-default", 1.0, 0.9, 1e-6),
            ("lr0.5-rho0.95-eps1e-3", 0.5, 0.95, 1e-3),
            ("lr2-rho0.5-eps1e-4", 2.0, 0.5, 1e-4),
        )
    ),
    # RMSprop: eps outside the root; our rho is torch's alpha
    *(
        Case(
            f"RMSprop-{name}",
            P(RMSprop, lr=lr, rho=alpha, eps=eps, eps_inside_sqrt=False),
            optim.RMSprop,
            {"lr": lr, "alpha": alpha, "eps": eps},
            (("v", "square_avg"),),
        )
        for name, lr, alpha, eps in (
            ("torch-default", 0.01, 0.99, 1e-8),
            ("lr1e-3-alpha0.9-eps1e-3", 1e-3, 0.9, 1e-3),
            ("lr0.05-alpha0.5-eps0.1", 0.05, 0.5, 0.1),
        )
    ),
    # Adam: identical rule
    *(
        Case(
            f"Adam-{name}",
            P(Adam, lr=lr, beta1=b1, beta2=b2, eps=eps),
            optim.Adam,
            {"lr": lr, "betas": (b1, b2), "eps": eps},
            ADAM_STATE,
        )
        for name, lr, b1, b2, eps in (
            ("torch-default", 1e-3, 0.9, 0.999, 1e-8),
            ("lr0.05-betas0.5,0.9-eps1e-3", 0.05, 0.5, 0.9, 1e-3),
            ("lr0.01-betas0,0.99-eps0.1", 0.01, 0.0, 0.99, 0.1),
        )
    ),
    # AMSGrad(bias_correction=True) = Adam(amsgrad=True)
    *(
        Case(
            f"AMSGrad-{name}",
            P(AMSGrad, lr=lr, beta1=b1, beta2=b2, eps=eps, bias_correction=True),
            optim.Adam,
            {"lr": lr, "betas": (b1, b2), "eps": eps, "amsgrad": True},
            (*ADAM_STATE, ("v_max", "max_exp_avg_sq")),
        )
        for name, lr, b1, b2, eps in (
            ("torch-default", 1e-3, 0.9, 0.999, 1e-8),
            ("lr0.05-betas0.5,0.9-eps1e-3", 0.05, 0.5, 0.9, 1e-3),
            ("lr0.01-betas0,0.99-eps0.1", 0.01, 0.0, 0.99, 0.1),
        )
    ),
    # AdamW(decay_scaled_by_lr=True) = torch AdamW
    *(
        Case(
            f"AdamW-{name}",
            P(AdamW, lr=lr, beta1=b1, beta2=b2, eps=eps, weight_decay=wd, decay_scaled_by_lr=True),
            optim.AdamW,
            {"lr": lr, "betas": (b1, b2), "eps": eps, "weight_decay": wd},
            ADAM_STATE,
        )
        for name, lr, b1, b2, eps, wd in (
            ("torch-default", 1e-3, 0.9, 0.999, 1e-8, 0.01),
            ("lr0.05-betas0.8,0.95-eps1e-3-wd0.1", 0.05, 0.8, 0.95, 1e-3, 0.1),
            ("lr0.01-betas0.9,0.99-eps1e-6-wd2", 0.01, 0.9, 0.99, 1e-6, 2.0),
            ("lr0.01-wd0", 0.01, 0.9, 0.999, 1e-8, 0.0),
        )
    ),
    # AdaMax(eps_inside_max=True) = torch Adamax
    *(
        Case(
            f"AdaMax-{name}",
            P(AdaMax, lr=lr, beta1=b1, beta2=b2, eps=eps, eps_inside_max=True),
            optim.Adamax,
            {"lr": lr, "betas": (b1, b2), "eps": eps},
            (("m", "exp_avg"), ("u", "exp_inf")),
        )
        for name, lr, b1, b2, eps in (
            ("torch-default", 2e-3, 0.9, 0.999, 1e-8),
            ("lr0.05-betas0.5,0.9-eps1e-3", 0.05, 0.5, 0.9, 1e-3),
            ("lr0.01-betas0,0.99-eps0.1", 0.01, 0.0, 0.99, 0.1),
        )
    ),
    # Nadam(momentum_schedule=True, momentum_decay=psi) = torch NAdam
    *(
        Case(
            f"Nadam-{name}",
            P(
                Nadam,
                lr=lr,
                beta1=b1,
                beta2=b2,
                eps=eps,
                momentum_schedule=True,
                momentum_decay=psi,
            ),
            optim.NAdam,
            {"lr": lr, "betas": (b1, b2), "eps": eps, "momentum_decay": psi},
            ADAM_STATE,
        )
        for name, lr, b1, b2, eps, psi in (
            ("torch-default", 2e-3, 0.9, 0.999, 1e-8, 4e-3),
            ("lr0.02-betas0.8,0.99-eps1e-3-psi0.01", 0.02, 0.8, 0.99, 1e-3, 0.01),
            ("lr5e-3-betas0.95,0.9999-eps1e-6-psi0.1", 5e-3, 0.95, 0.9999, 1e-6, 0.1),
        )
    ),
]

#: torch optimizers with a ``fused`` implementation on CPU (checked by
#: test_fused_table_matches_torch); the others get no "fused" parametrization.
FUSED_ON_CPU = (optim.SGD, optim.Adagrad, optim.Adam, optim.AdamW)
NOT_FUSED = (optim.Adadelta, optim.RMSprop, optim.Adamax, optim.NAdam)


def impls(case: Case) -> tuple[str, ...]:
    """torch's CPU implementations to compare with: "fused" only where it exists."""
    if case.torch_cls in FUSED_ON_CPU:
        return ("forloop", "foreach", "fused")
    return ("forloop", "foreach")


PARITY_PARAMS = [
    pytest.param(case, impl, id=f"{case.id}-{impl}") for case in CASES for impl in impls(case)
]


# --------------------------------------------------------------------------- 1. parity
def test_problem_exercises_the_chunked_path() -> None:
    assert math.prod(SHAPES["big"]) > CHUNK
    assert SHAPES["s"] == ()


def test_every_torch_optimizer_is_covered() -> None:
    """Every optimizer and flavour in the brief has at least two settings."""
    flavours = {case.id.split("-")[0] for case in CASES}
    assert flavours == {
        "SGD",
        "Momentum",
        "Nesterov",
        "Adagrad",
        "Adadelta",
        "RMSprop",
        "Adam",
        "AMSGrad",
        "AdamW",
        "AdaMax",
        "Nadam",
    }
    for flavour in flavours:
        assert sum(case.id.split("-")[0] == flavour for case in CASES) >= 2, flavour


@pytest.mark.parametrize("cls", FUSED_ON_CPU + NOT_FUSED, ids=lambda c: c.__name__)
def test_fused_table_matches_torch(cls: type[torch.optim.Optimizer]) -> None:
    """The fused combinations generated are exactly those torch offers.

    If torch adds ``fused`` to one of NOT_FUSED, move it to FUSED_ON_CPU.
    """
    has_fused = "fused" in inspect.signature(cls.__init__).parameters
    assert has_fused == (cls in FUSED_ON_CPU)


@pytest.mark.parametrize(("case", "impl"), PARITY_PARAMS)
def test_parity_float64(case: Case, impl: str, float64_default: None) -> None:
    trace = run_side_by_side(case.ours(), case.make_torch(impl), STEPS)

    # params at every step
    assert max(trace.rel_params) <= TOL64 and max(trace.rel_disp) <= TOL64, trace.first_above(TOL64)

    # state buffers and step counter at the end
    ours = trace.ours
    assert ours.t == STEPS
    for key in SHAPES:
        st = trace.topt.state[trace.tparams[key]]
        if "step" in st:
            assert float(st["step"]) == STEPS
        for ours_name, torch_name in case.state:
            r = rel(ours.state[key][ours_name], trace.torch_state(key, torch_name))
            assert r <= TOL64, f"state {ours_name} vs {torch_name} of {key!r}: rel = {r:.3e}"
        if isinstance(ours, Nadam):
            r = rel(np.float64(ours.mu_product), trace.torch_state(key, "mu_product"))
            assert r <= TOL64, f"mu_product of {key!r}: rel = {r:.3e}"


# --------------------------------------------------------------------------- 2. differences
@dataclass(frozen=True)
class Difference:
    """A documented rule difference: our default rule, our PyTorch option, torch."""

    id: str
    book: Callable[[], Optimizer]
    as_torch: Callable[[], Optimizer]
    torch_cls: type[torch.optim.Optimizer]
    torch_kw: dict[str, Any]


DIFFERENCES = [
    # Adagrad: sqrt(G + eps) (Ruder) vs sqrt(G) + eps (torch)
    Difference(
        "Adagrad-eps-inside-vs-outside",
        P(Adagrad, lr=0.1, eps=0.1),
        P(Adagrad, lr=0.1, eps=0.1, eps_inside_sqrt=False),
        optim.Adagrad,
        {"lr": 0.1, "eps": 0.1},
    ),
    # RMSprop: the same placement of eps
    Difference(
        "RMSprop-eps-inside-vs-outside",
        P(RMSprop, lr=0.01, rho=0.9, eps=0.01),
        P(RMSprop, lr=0.01, rho=0.9, eps=0.01, eps_inside_sqrt=False),
        optim.RMSprop,
        {"lr": 0.01, "alpha": 0.9, "eps": 0.01},
    ),
    # AMSGrad: Reddi et al. without bias correction vs torch's amsgrad=True
    Difference(
        "AMSGrad-no-bias-correction",
        P(AMSGrad, lr=0.01),
        P(AMSGrad, lr=0.01, bias_correction=True),
        optim.Adam,
        {"lr": 0.01, "amsgrad": True},
    ),
    # AdamW: the paper's decay eta_t * lambda vs torch's lr * lambda
    Difference(
        "AdamW-paper-vs-torch-decay",
        P(AdamW, lr=1e-3, weight_decay=0.01),
        P(AdamW, lr=1e-3, weight_decay=0.01, decay_scaled_by_lr=True),
        optim.AdamW,
        {"lr": 1e-3, "weight_decay": 0.01},
    ),
    # AdaMax: m / (u + eps) vs u = max(beta2 u, |g| + eps). The two agree at a
    # step where |g| + eps is the max; where beta2 u wins, torch's u carries the
    # eps of an earlier step decayed by beta2. So the gap grows as beta2 falls:
    # with eps = 1e-3 it is about 2e-5 for beta2 = 0.999, 1e-3 for 0.9, 2e-2 for 0.5.
    Difference(
        "AdaMax-eps-placement",
        P(AdaMax, lr=0.01, beta2=0.5, eps=1e-3),
        P(AdaMax, lr=0.01, beta2=0.5, eps=1e-3, eps_inside_max=True),
        optim.Adamax,
        {"lr": 0.01, "betas": (0.9, 0.5), "eps": 1e-3},
    ),
    # Nadam: Ruder's simplified rule vs torch's momentum schedule
    Difference(
        "Nadam-ruder-vs-schedule",
        P(Nadam, lr=2e-3),
        P(Nadam, lr=2e-3, momentum_schedule=True),
        optim.NAdam,
        {"lr": 2e-3},
    ),
    # Adam: the "efficient" step-size form with the same eps vs Algorithm 1
    Difference(
        "Adam-step_size-form-same-eps",
        P(Adam, lr=0.01, eps=1e-2, bias_correction="step_size"),
        P(Adam, lr=0.01, eps=1e-2),
        optim.Adam,
        {"lr": 0.01, "eps": 1e-2},
    ),
]


@pytest.mark.parametrize("diff", DIFFERENCES, ids=lambda d: d.id)
def test_documented_difference(diff: Difference, float64_default: None) -> None:
    """The book's default rule leaves torch's path; the PyTorch option stays on it."""
    make_torch = Case(diff.id, diff.as_torch, diff.torch_cls, diff.torch_kw).make_torch("forloop")
    same = run_side_by_side(diff.as_torch(), make_torch, DIFF_STEPS)
    assert max(same.rel_disp) <= TOL64, same.first_above(TOL64)
    book = run_side_by_side(diff.book(), make_torch, DIFF_STEPS)
    assert book.rel_disp[-1] > MARGIN, (
        f"the book's rule should differ from torch's: rel(displacement) after "
        f"{DIFF_STEPS} steps = {book.rel_disp[-1]:.3e}"
    )


def _set_lr(schedule: Callable[[int], float]) -> Hook:
    def hook(t: int, ours: Optimizer, topt: torch.optim.Optimizer) -> None:
        ours.lr = schedule(t)
        for group in topt.param_groups:
            group["lr"] = schedule(t)

    return hook


@pytest.mark.parametrize("nesterov", [False, True], ids=["Momentum", "Nesterov"])
def test_lr_in_velocity_agrees_with_torch_at_constant_lr(nesterov: bool, float64_default: None):
    """The docstrings' claim: with a constant lr, Ruder's velocity is lr times torch's buffer."""
    cls = Nesterov if nesterov else Momentum
    lr, mu = 0.01, 0.9
    trace = run_side_by_side(
        cls(lr=lr, momentum=mu),  # the book's default, lr_in_velocity=True
        lambda ps: optim.SGD(ps, lr=lr, momentum=mu, nesterov=nesterov, foreach=False),
        STEPS,
    )
    assert max(trace.rel_params) <= 1e-12 and max(trace.rel_disp) <= 1e-12, trace.first_above(1e-12)
    for key in SHAPES:
        v = trace.ours.state[key]["v"]
        b = trace.torch_state(key, "momentum_buffer")
        assert rel(v, lr * b) <= 1e-12


@pytest.mark.parametrize("nesterov", [False, True], ids=["Momentum", "Nesterov"])
def test_lr_in_velocity_differs_from_torch_when_lr_changes(nesterov: bool, float64_default: None):
    """lr 0.01 for 25 steps, then 0.05: Ruder's velocity remembers the old lr, torch's does not."""
    cls = Nesterov if nesterov else Momentum
    mu = 0.9

    def schedule(t: int) -> float:
        return 0.01 if t <= DIFF_STEPS // 2 else 0.05

    def make_torch(ps: list[torch.Tensor]) -> torch.optim.Optimizer:
        return optim.SGD(ps, lr=0.01, momentum=mu, nesterov=nesterov, foreach=False)

    same = run_side_by_side(
        cls(lr=0.01, momentum=mu, lr_in_velocity=False),
        make_torch,
        DIFF_STEPS,
        before_step=_set_lr(schedule),
    )
    assert max(same.rel_disp) <= TOL64, same.first_above(TOL64)
    book = run_side_by_side(
        cls(lr=0.01, momentum=mu), make_torch, DIFF_STEPS, before_step=_set_lr(schedule)
    )
    assert max(book.rel_disp[: DIFF_STEPS // 2]) <= 1e-12  # equal while lr is constant
    assert book.rel_disp[-1] > MARGIN, f"rel(displacement) = {book.rel_disp[-1]:.3e}"


def test_adam_step_size_form_equals_torch_with_rescaled_eps(float64_default: None) -> None:
    """bias_correction="step_size" is Algorithm 1 when eps is rescaled by sqrt(1 - beta2^t).

    The opposite case (same eps: a clear difference) is the documented
    difference "Adam-step_size-form-same-eps".
    """
    lr, b2, eps = 0.01, 0.999, 1e-2

    def rescale(t: int, ours: Optimizer, topt: torch.optim.Optimizer) -> None:
        ours.eps = eps * math.sqrt(1 - b2**t)

    trace = run_side_by_side(
        Adam(lr=lr, beta2=b2, eps=eps, bias_correction="step_size"),
        lambda ps: optim.Adam(ps, lr=lr, betas=(0.9, b2), eps=eps, foreach=False),
        STEPS,
        before_step=rescale,
    )
    assert max(trace.rel_params) <= TOL64 and max(trace.rel_disp) <= TOL64, trace.first_above(TOL64)


def test_torch_defaults_are_the_documented_ones() -> None:
    """The PyTorch defaults the book and the docstrings quote."""

    def defaults(cls: type) -> dict[str, Any]:
        return {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items()}

    expected = {
        optim.SGD: {"lr": 1e-3, "momentum": 0, "dampening": 0, "nesterov": False},
        optim.Adagrad: {"lr": 1e-2, "eps": 1e-10, "initial_accumulator_value": 0, "lr_decay": 0},
        optim.Adadelta: {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
        optim.RMSprop: {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "momentum": 0, "centered": False},
        optim.Adam: {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False},
        optim.AdamW: {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2},
        optim.Adamax: {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8},
        optim.NAdam: {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "momentum_decay": 4e-3},
    }
    for cls, values in expected.items():
        got = defaults(cls)
        for name, value in values.items():
            assert got[name] == value, f"{cls.__name__}.{name}: {got[name]!r} != {value!r}"


# --------------------------------------------------------------------------- 3. float32
#: torch's defaults for each flavour (momentum 0.9 for the two momentum methods)
F32_CASES = [
    case
    for case in CASES
    if case.id.endswith("torch-default")
    or case.id in ("Momentum-lr0.01-mu0.9", "Nesterov-lr0.01-mu0.9")
]
F32_PARAMS = [
    pytest.param(case, impl, id=f"{case.id}-{impl}") for case in F32_CASES for impl in impls(case)
]


@pytest.mark.parametrize(("case", "impl"), F32_PARAMS)
def test_parity_float32(case: Case, impl: str, float32_default: None) -> None:
    trace = run_side_by_side(case.ours(), case.make_torch(impl), F32_STEPS, dtype=np.float32)
    assert max(trace.rel_params) <= TOL32, trace.first_above(TOL32)
    # The displacement is looser in float32: the rounding of theta (an ulp is
    # 6e-8 |theta|, |theta| up to 5) is compared with moves of a few 1e-3 when
    # lr = 1e-3 (observed at most 1.5e-4).
    assert max(trace.rel_disp) <= 1e-3, trace.first_above(1e-3)
    for key, p in trace.params.items():
        assert p.dtype == np.float32
        for name, buf in trace.ours.state[key].items():
            assert buf.dtype == np.float32, (key, name, buf.dtype)
        for ours_name, torch_name in case.state:
            r = rel(trace.ours.state[key][ours_name], trace.torch_state(key, torch_name))
            assert r <= TOL32, f"state {ours_name} vs {torch_name} of {key!r}: rel = {r:.3e}"
