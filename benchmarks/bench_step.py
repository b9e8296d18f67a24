"""Time one step of every optbook optimizer against torch.optim on the CPU.

For each optimizer and each size (float32, one flat array by default), the
script times ``opt.step(params, grads)`` of optbook and ``opt.step()`` of the
corresponding ``torch.optim`` class in its three implementations: the
for-loop (``foreach=False``), ``foreach=True`` and ``fused=True`` (where
PyTorch supports it on the CPU; "n/a" otherwise). Both sides use the same
update rule (optbook's PyTorch-reproducing options, checked numerically before
timing), the same dtype, the same sizes and the same hyperparameters. Warm-up
steps are not timed; each figure is the median of ``--repeat`` (>= 10) timings
of one step with ``time.perf_counter``, garbage collection off (as ``timeit``).

Run ``python benchmarks/bench_step.py --help``; see benchmarks/README.md for
what the figures mean. Importing this module has no side effects (torch is
imported when the benchmark runs).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import inspect
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

import optbook.optimizers as ob
from optbook.optimizers import _base

DTYPE = np.float32
SIZES = (10**6, 10**7)
REPEAT = 20
MIN_REPEAT = 10
WARMUP = 3
CHUNK_SWEEP = tuple(2**k for k in range(12, 19))
#: bytes written between two timed steps with ``--cold`` (a few times the L3)
COLD_BYTES = 128 * 2**20
#: size and number of steps of the numerical check of the torch counterparts
CHECK_SIZE = 1000
CHECK_STEPS = 3
#: relative tolerance of that check: rounding differs, the rules must not
CHECK_TOL = 1e-3
IMPLS = ("loop", "foreach", "fused")
#: rows timed while other processes used more than this many cores are marked (!)
BUSY = 0.1
#: with --quiet-wait, times a disturbed row is timed at most
ATTEMPTS = 3


@dataclass(frozen=True)
class Case:
    """One optimizer: how to build ours and its torch.optim counterpart."""

    name: str
    ours: Callable[[], Any]
    torch_name: str | None = None
    torch_kwargs: dict[str, Any] = field(default_factory=dict)
    #: GradientNoise: torch adds the same annealed Gaussian noise before stepping
    noise: dict[str, float] | None = None
    #: torch writes into p.grad (foreach SGD with nesterov=True adds the momentum
    #: buffer to it in place): both sides then get the gradient restored before
    #: every step, untimed, as a backward pass would write it
    restore_grads: bool = False


ADAM_KW = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8}
NOISE = {"eta": 0.01, "gamma": 0.55}

CASES: tuple[Case, ...] = (
    Case("SGD", lambda: ob.SGD(lr=0.01), "SGD", {"lr": 0.01}),
    Case(
        "Momentum",
        lambda: ob.Momentum(lr=0.01, momentum=0.9, lr_in_velocity=False),
        "SGD",
        {"lr": 0.01, "momentum": 0.9},
    ),
    Case(
        "Nesterov",
        lambda: ob.Nesterov(lr=0.01, momentum=0.9, lr_in_velocity=False),
        "SGD",
        {"lr": 0.01, "momentum": 0.9, "nesterov": True},
        restore_grads=True,
    ),
    Case(
        "Adagrad",
        lambda: ob.Adagrad(lr=0.01, eps=1e-10, eps_inside_sqrt=False),
        "Adagrad",
        {"lr": 0.01, "eps": 1e-10},
    ),
    Case(
        "Adadelta",
        lambda: ob.Adadelta(lr=1.0, rho=0.9, eps=1e-6),
        "Adadelta",
        {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
    ),
    Case(
        "RMSprop",
        lambda: ob.RMSprop(lr=0.01, rho=0.99, eps=1e-8, eps_inside_sqrt=False),
        "RMSprop",
        {"lr": 0.01, "alpha": 0.99, "eps": 1e-8},
    ),
    Case("Adam", lambda: ob.Adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8), "Adam", ADAM_KW),
    Case(
        "AdaMax",
        lambda: ob.AdaMax(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, eps_inside_max=True),
        "Adamax",
        {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8},
    ),
    Case(
        "Nadam",
        lambda: ob.Nadam(lr=2e-3, eps=1e-8, momentum_schedule=True, momentum_decay=0.004),
        "NAdam",
        {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "momentum_decay": 0.004},
    ),
    Case(
        "AMSGrad",
        lambda: ob.AMSGrad(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True),
        "Adam",
        {**ADAM_KW, "amsgrad": True},
    ),
    Case(
        "AdamW",
        lambda: ob.AdamW(lr=1e-3, eps=1e-8, weight_decay=0.01, decay_scaled_by_lr=True),
        "AdamW",
        {**ADAM_KW, "weight_decay": 0.01},
    ),
    Case("QHAdam", lambda: ob.QHAdam()),  # PyTorch has no QHAdam
    Case("AggMo", lambda: ob.AggMo()),  # PyTorch has no AggMo
    Case(
        "GradientNoise(Adam)",
        lambda: ob.GradientNoise(ob.Adam(lr=1e-3), seed=0, **NOISE),
        "Adam",
        ADAM_KW,
        noise=NOISE,
    ),
)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit("bench_step.py needs PyTorch (pip install torch)") from exc
    return torch


def split_sizes(n: int, arrays: int) -> list[int]:
    """``arrays`` sizes that differ by at most 1 and sum to ``n``."""
    base, extra = divmod(n, arrays)
    return [base + (i < extra) for i in range(arrays)]


def make_data(n: int, arrays: int, seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Parameters ~ N(0, 1) and gradients ~ N(0, 0.01²), float32."""
    rng = np.random.default_rng(seed)
    params, grads = [], []
    for k in split_sizes(n, arrays):
        params.append(rng.standard_normal(k, dtype=DTYPE))
        g = rng.standard_normal(k, dtype=DTYPE)
        g *= 0.01
        grads.append(g)
    return params, grads


def fused_supported(torch_name: str, kwargs: dict[str, Any]) -> bool:
    """Whether ``torch.optim.<torch_name>(..., fused=True)`` steps on a CPU tensor."""
    torch = _torch()
    cls = getattr(torch.optim, torch_name)
    if "fused" not in inspect.signature(cls.__init__).parameters:
        return False
    p = torch.zeros(8, dtype=torch.float32, requires_grad=True)
    try:
        opt = cls([p], fused=True, **kwargs)
        p.grad = torch.ones_like(p)
        opt.step()
    except (RuntimeError, TypeError, ValueError, NotImplementedError):
        return False
    return True


def ours_step(case: Case, params: list[np.ndarray], grads: list[np.ndarray]) -> Callable[[], None]:
    """A closure taking one optbook step on ``params`` (one array: passed as an ndarray).

    It has a ``restore`` attribute: a function that copies ``grads`` into the
    gradients the step reads (its own copies).
    """
    opt = case.ours()
    own = [g.copy() for g in grads]
    p: Any = params[0] if len(params) == 1 else params
    g: Any = own[0] if len(own) == 1 else own

    def step() -> None:
        opt.step(p, g)

    def restore() -> None:
        for dst, src in zip(own, grads, strict=True):
            np.copyto(dst, src)

    step.restore = restore  # type: ignore[attr-defined]
    return step


def torch_step(
    case: Case,
    impl: str,
    params: list[np.ndarray],
    grads: list[np.ndarray],
    noise: dict[str, float] | None = None,
) -> Callable[[], None]:
    """A closure taking one torch.optim step on copies of ``params``.

    ``impl`` is "loop" (foreach=False), "foreach" or "fused". With a noise
    spec, each step first sets ``p.grad = g + sigma_t * n`` with n ~ N(0, I) and
    sigma_t**2 = eta / (1 + t)**gamma, as ``GradientNoise`` does. Attributes:
    ``params`` (the torch parameters) and ``restore`` (copies ``grads`` into
    the ``.grad`` tensors).
    """
    torch = _torch()
    flag = {"loop": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}
    tparams = [torch.tensor(p, requires_grad=True) for p in params]
    # copies: torch may write into .grad (foreach SGD with nesterov=True adds the
    # momentum buffer to the gradient in place), which must not reach the others
    tgrads = [torch.tensor(g) for g in grads]
    opt = getattr(torch.optim, case.torch_name)(tparams, **flag[impl], **case.torch_kwargs)

    def restore() -> None:
        for dst, src in zip(tgrads, grads, strict=True):
            dst.copy_(torch.from_numpy(src))

    if noise is None:
        for p, g in zip(tparams, tgrads, strict=True):
            p.grad = g

        def step() -> None:
            opt.step()

        step.params = tparams  # type: ignore[attr-defined]
        step.restore = restore  # type: ignore[attr-defined]
        return step

    gen = torch.Generator().manual_seed(0)
    t = 0

    def noisy_step() -> None:
        nonlocal t
        t += 1
        sigma = float(np.sqrt(noise["eta"] / (1 + t) ** noise["gamma"]))
        for p, g in zip(tparams, tgrads, strict=True):
            n = torch.randn(g.shape, dtype=g.dtype, generator=gen)
            n.mul_(sigma)
            n.add_(g)
            p.grad = n
        opt.step()

    noisy_step.params = tparams  # type: ignore[attr-defined]
    noisy_step.restore = restore  # type: ignore[attr-defined]
    return noisy_step


def check_case(case: Case, impls: Sequence[str]) -> float:
    """Max relative difference of the displacement after a few steps, ours vs torch.

    The noise of GradientNoise is set to 0 on both sides for the check (the
    generators differ); the timed runs use the same eta and gamma on both sides.
    """
    params, grads = make_data(CHECK_SIZE, 1, seed=1)
    start = params[0].copy()
    if case.noise is not None:
        opt = case.ours()
        opt.eta = 0.0
        mine = params[0].copy()
        for _ in range(CHECK_STEPS):
            opt.step(mine, grads[0].copy())
    else:
        mine_list = [params[0].copy()]
        step = ours_step(case, mine_list, grads)
        for _ in range(CHECK_STEPS):
            step.restore()  # type: ignore[attr-defined]
            step()
        mine = mine_list[0]
    worst = 0.0
    for impl in impls:
        tstep = torch_step(case, impl, [start.copy()], grads)
        for _ in range(CHECK_STEPS):
            tstep.restore()  # type: ignore[attr-defined]
            tstep()
        theirs = tstep.params[0].detach().numpy()  # type: ignore[attr-defined]
        d_ref = theirs - start
        diff = np.max(np.abs((mine - start) - d_ref)) / max(np.max(np.abs(d_ref)), 1e-30)
        worst = max(worst, float(diff))
    return worst


class CacheFlusher:
    """Write a buffer a few times the size of the last-level cache (``--cold``)."""

    def __init__(self, nbytes: int = COLD_BYTES):
        self.buf = np.zeros(nbytes // 8, dtype=np.float64)

    def __call__(self) -> None:
        self.buf += 1.0


class OtherLoad:
    """CPU time used by other processes (and stolen by the hypervisor), Linux only.

    Two cores are easily disturbed: a snapshot before and after a measurement
    gives the average number of cores the rest of the machine used meanwhile,
    from /proc/stat minus this process's own CPU time.
    """

    def __init__(self) -> None:
        self.available = os.path.exists("/proc/stat") and hasattr(os, "sysconf")

    def snapshot(self) -> tuple[float, float, float] | None:
        if not self.available:
            return None
        with open("/proc/stat", encoding="ascii") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        hz = os.sysconf("SC_CLK_TCK")
        busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]  # user nice system irq softirq steal
        mine = os.times()
        return busy / hz, sum(v) / hz, mine.user + mine.system

    @staticmethod
    def others(a: tuple[float, float, float] | None, b: tuple[float, float, float] | None,
               ) -> float | None:
        """Average number of cores busy with other work between two snapshots."""
        if a is None or b is None or b[1] <= a[1]:
            return None
        wall = (b[1] - a[1]) / (os.cpu_count() or 1)
        return max(0.0, (b[0] - a[0]) - (b[2] - a[2])) / wall

    def wait_quiet(self, max_wait: float, probe: float = 0.5) -> bool:
        """Sleep until the others use < BUSY cores over ``probe`` s; False after ``max_wait`` s."""
        if not self.available:
            return True
        deadline = time.monotonic() + max_wait
        while True:
            a = self.snapshot()
            time.sleep(probe)
            busy = self.others(a, self.snapshot())
            if busy is None or busy < BUSY:
                return True
            if time.monotonic() > deadline:
                return False


def _chain(fns: Sequence[Callable[[], None]]) -> Callable[[], None] | None:
    if not fns:
        return None

    def run() -> None:
        for fn in fns:
            fn()

    return run


def time_step(
    step: Callable[[], None],
    repeat: int,
    warmup: int,
    before: Callable[[], None] | None = None,
) -> float:
    """Median wall time (s) of ``repeat`` single calls of ``step`` after ``warmup`` calls.

    ``before`` (the cache flush of ``--cold``) runs before every call, untimed.
    """
    for _ in range(warmup):
        if before is not None:
            before()
        step()
    times = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            if before is not None:
                before()
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
    finally:
        if gc_was_enabled:
            gc.enable()
    return statistics.median(times)


# --------------------------------------------------------------------------
# the two benchmarks
# --------------------------------------------------------------------------
@dataclass
class Row:
    optimizer: str
    size: int
    arrays: int
    ours: float
    torch: dict[str, float | None]  # impl -> seconds, None if n/a
    others: float | None = None  # cores used by other processes meanwhile


@dataclass
class SweepRow:
    optimizer: str
    size: int
    times: dict[int, float]  # CHUNK -> seconds
    others: float | None = None


def disturbed(row: Row | SweepRow) -> bool:
    return row.others is not None and row.others > BUSY


def measure(fn: Callable[[], Row | SweepRow], quiet_wait: float) -> Row | SweepRow:
    """``fn()``, with the CPU time of the other processes meanwhile in ``.others``.

    With ``quiet_wait`` > 0: first wait up to that long for a quiet machine,
    and measure again (at most ATTEMPTS times) while the result is disturbed.
    """
    load = OtherLoad()
    for _ in range(ATTEMPTS if quiet_wait > 0 else 1):
        if quiet_wait > 0:
            load.wait_quiet(quiet_wait)
        start = load.snapshot()
        row = fn()
        row.others = load.others(start, load.snapshot())
        if not disturbed(row):
            break
    return row


def bench_case(
    case: Case,
    n: int,
    arrays: int,
    repeat: int,
    warmup: int,
    before: Callable[[], None] | None,
    fused_ok: bool,
) -> Row:
    """Time ours and the three torch implementations of one optimizer at one size."""
    params, grads = make_data(n, arrays)
    results: dict[str, float | None] = dict.fromkeys(IMPLS)
    steps: dict[str, Callable[[], Callable[[], None]]] = {
        "ours": lambda: ours_step(case, [p.copy() for p in params], grads)}
    if case.torch_name is not None:
        for impl in IMPLS:
            if impl != "fused" or fused_ok:
                steps[impl] = partial(torch_step, case, impl, params, grads, case.noise)
    for impl, make in steps.items():
        step = make()
        hooks = [step.restore] if case.restore_grads else []  # type: ignore[attr-defined]
        if before is not None:
            hooks.append(before)
        results[impl] = time_step(step, repeat, warmup, _chain(hooks))
        del step
        gc.collect()
    ours = results.pop("ours")
    assert ours is not None
    return Row(case.name, n, arrays, ours, results)


def sweep_case(
    case: Case,
    n: int,
    chunks: Sequence[int],
    repeat: int,
    warmup: int,
    before: Callable[[], None] | None,
    dtype: Any = DTYPE,
) -> SweepRow:
    """Time optbook's step (ours only) for each CHUNK value."""
    params, grads = make_data(n, 1)
    p, g = params[0].astype(dtype), grads[0].astype(dtype)
    saved = _base.CHUNK
    times = {}
    try:
        for chunk in chunks:
            _base.CHUNK = chunk  # read at call time by _chunks and _scratch_for
            times[chunk] = time_step(ours_step(case, [p.copy()], [g]), repeat, warmup, before)
            gc.collect()
    finally:
        _base.CHUNK = saved
    return SweepRow(case.name, n, times)


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------
def fmt_size(n: int) -> str:
    exp = int(np.log10(n)) if n > 0 else 0
    return f"1e{exp}" if 10**exp == n else f"{n:,}"


def _ms(t: float | None) -> str:
    return "n/a" if t is None else f"{t * 1e3:.2f}"


def _ratio(a: float, b: float | None) -> str:
    return "n/a" if b is None else f"{a / b:.2f}"


def format_table(rows: Sequence[Row]) -> str:
    head = ["optimizer", "size", "ours (ms)", "torch loop", "foreach", "fused",
            "ours/foreach", "ours/loop"]
    lines = [head]
    for r in rows:
        size = fmt_size(r.size) + ("" if r.arrays == 1 else f" ({r.arrays} arrays)")
        t = r.torch
        lines.append([
            r.optimizer + (" (!)" if disturbed(r) else ""), size,
            _ms(r.ours), _ms(t["loop"]), _ms(t["foreach"]), _ms(t["fused"]),
            _ratio(r.ours, t["foreach"]), _ratio(r.ours, t["loop"]),
        ])
    return _markdown(lines, right_from=1)


def format_sweep(rows: Sequence[SweepRow]) -> str:
    chunks = list(rows[0].times) if rows else []
    head = ["optimizer", "size"] + [f"2**{c.bit_length() - 1}" if c & (c - 1) == 0 else str(c)
                                    for c in chunks] + ["best"]
    lines = [head]
    for r in rows:
        best = min(r.times, key=r.times.__getitem__)
        cells = [f"{r.times[c] * 1e3:.2f}" + ("*" if c == best else "") for c in chunks]
        lines.append([r.optimizer + (" (!)" if disturbed(r) else ""), fmt_size(r.size), *cells,
                      head[2 + chunks.index(best)]])
    return _markdown(lines, right_from=1)


def busy_note(rows: Sequence[Row | SweepRow]) -> str:
    if not any(disturbed(r) for r in rows):
        return ""
    return (f"\n\n(!) other processes used more than {BUSY} core on average while this row "
            "was timed: its figures are disturbed; run again on a quiet machine "
            "(or with --quiet-wait).")


def _markdown(lines: list[list[str]], right_from: int) -> str:
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]

    def fmt(row: list[str]) -> str:
        cells = [c.ljust(w) if i < right_from else c.rjust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "| " + " | ".join(cells) + " |"

    rule = ["-" * w if i < right_from else "-" * (w - 1) + ":" for i, w in enumerate(widths)]
    return "\n".join([fmt(lines[0]), "| " + " | ".join(rule) + " |"] + [fmt(r) for r in lines[1:]])


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def header(args: argparse.Namespace, torch_default_threads: int | None,
           dtype: Any = DTYPE) -> str:
    items = [
        f"date: {_dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"cpu: {cpu_model()}, {os.cpu_count()} logical cores",
        f"python {platform.python_version()}, numpy {np.__version__}"
        + (f", torch {_torch().__version__}" if torch_default_threads is not None else ""),
        f"dtype {np.dtype(dtype).name}, CHUNK = {_base.CHUNK}, warm-up {args.warmup} steps, "
        f"median of {args.repeat}, caches {'flushed before each step' if args.cold else 'warm'}",
    ]
    if hasattr(os, "getloadavg"):
        items.append("load average before the run: "
                     + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)")
    if torch_default_threads is not None:
        items.append(f"torch.get_num_threads() default: {torch_default_threads}; "
                     "NumPy ufuncs run on one thread")
    return "\n".join("# " + s for s in items)


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------
def _count(text: str) -> int:
    """Parse 1e6, 1000000, 2**16 or 1_000_000 as a positive int."""
    text = text.strip().replace("_", "")
    try:
        if "**" in text:
            base, exp = text.split("**")
            value = int(base) ** int(exp)
        else:
            value = int(float(text)) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a count: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {text!r}")
    return value


def select_cases(names: Sequence[str] | None) -> list[Case]:
    if not names:
        return list(CASES)
    by_name = {c.name.lower(): c for c in CASES}
    by_name["gradientnoise"] = by_name["gradientnoise(adam)"]
    chosen = []
    for name in names:
        case = by_name.get(name.lower())
        if case is None:
            raise SystemExit(f"unknown optimizer {name!r}; choose from "
                             f"{', '.join(c.name for c in CASES)}")
        chosen.append(case)
    return chosen


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Time one step of optbook's optimizers against torch.optim "
        "(for-loop, foreach, fused) on float32 parameters.",
    )
    ap.add_argument("--sizes", nargs="+", type=_count, default=None,
                    help=f"numbers of parameters (default {' '.join(map(fmt_size, SIZES))}; "
                    "1e6 with --quick)")
    ap.add_argument("--arrays", nargs="+", type=_count, default=[1],
                    help="split the parameters into this many arrays (default 1; e.g. 1 10)")
    ap.add_argument("--repeat", type=_count, default=None,
                    help=f"timed steps per figure, median reported (>= {MIN_REPEAT}; "
                    f"default {REPEAT}, {MIN_REPEAT} with --quick)")
    ap.add_argument("--warmup", type=int, default=None,
                    help=f"untimed steps first (default {WARMUP}, 1 with --quick)")
    ap.add_argument("--optimizers", nargs="+", default=None, metavar="NAME",
                    help="subset to run, e.g. Adam SGD (default: all 14)")
    ap.add_argument("--threads", nargs="+", type=_count, default=None,
                    help="torch.set_num_threads value(s); one table each "
                    "(default: torch's default, torch.get_num_threads())")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1e6 only, 10 repeats, 1 warm-up step")
    ap.add_argument("--cold", action="store_true",
                    help=f"write {COLD_BYTES >> 20} MiB before every step so that no "
                    "implementation finds its arrays in the cache")
    ap.add_argument("--quiet-wait", type=float, default=0.0, metavar="SECONDS",
                    help="on a shared machine: before each row wait up to SECONDS for the "
                    f"other processes to use < {BUSY} core, and time a disturbed row again "
                    f"(at most {ATTEMPTS} times)")
    ap.add_argument("--chunk", type=_count, default=None,
                    help="set optbook's CHUNK for this run "
                    f"(default: the package's value, {_base.CHUNK})")
    ap.add_argument("--chunk-sweep", nargs="*", type=_count, default=None, metavar="CHUNK",
                    help="time optbook only, for each CHUNK value (default 2**12 ... 2**18)")
    ap.add_argument("--float64", action="store_true",
                    help="with --chunk-sweep: use float64 (the comparison is float32 only)")
    ap.add_argument("--no-check", dest="check", action="store_false",
                    help="skip the numerical check that both sides compute the same update")
    args = ap.parse_args(argv)
    if args.sizes is None:
        args.sizes = [10**6] if args.quick else list(SIZES)
    if args.repeat is None:
        args.repeat = MIN_REPEAT if args.quick else REPEAT
    if args.warmup is None:
        args.warmup = 1 if args.quick else WARMUP
    if args.repeat < MIN_REPEAT:
        ap.error(f"--repeat must be >= {MIN_REPEAT}")
    if args.warmup < 1:
        ap.error("--warmup must be >= 1 (the first step allocates the state)")
    if args.float64 and args.chunk_sweep is None:
        ap.error("--float64 only applies to --chunk-sweep")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cases = select_cases(args.optimizers)
    if args.chunk is not None:
        _base.CHUNK = args.chunk
    before = CacheFlusher() if args.cold else None

    if args.chunk_sweep is not None:
        chunks = args.chunk_sweep or list(CHUNK_SWEEP)
        dtype = np.float64 if args.float64 else DTYPE
        print(header(args, None, dtype))
        print("# optbook only, ms per step for each CHUNK (* = fastest)\n")
        sweep = [
            measure(partial(sweep_case, case, n, chunks, args.repeat, args.warmup, before, dtype),
                    args.quiet_wait)
            for case in cases for n in args.sizes
        ]
        print(format_sweep(sweep) + busy_note(sweep))
        return 0

    torch = _torch()
    default_threads = torch.get_num_threads()
    print(header(args, default_threads))
    torch_cases = [c for c in cases if c.torch_name is not None]
    fused = {c.name: fused_supported(c.torch_name, c.torch_kwargs) for c in torch_cases}
    if args.check:
        worst = {}
        for c in torch_cases:
            impls = [i for i in IMPLS if i != "fused" or fused[c.name]]
            worst[c.name] = check_case(c, impls)
        bad = {k: f"{v:.1e}" for k, v in worst.items() if v > CHECK_TOL}
        top = max(worst, key=worst.get, default=None)
        if bad:
            print(f"# CHECK FAILED, the same work is not timed for: {bad}")
        elif top is not None:
            print(f"# check: after {CHECK_STEPS} steps from the same point, ours and torch "
                  f"(every implementation) move the parameters by the same amount to "
                  f"{worst[top]:.1e} relative ({top}; float32 rounding)")
    alone = [c.name for c in cases if c.torch_name is None]
    if alone:
        print(f"# no PyTorch counterpart: {', '.join(alone)} (torch columns n/a)")
    for threads in args.threads or [default_threads]:
        torch.set_num_threads(threads)
        print(f"\n## torch threads: {torch.get_num_threads()}\n", flush=True)
        rows = []
        for case in cases:
            for n in args.sizes:
                for arrays in args.arrays:
                    rows.append(measure(partial(
                        bench_case, case, n, arrays, args.repeat, args.warmup, before,
                        fused.get(case.name, False)), args.quiet_wait))
                    print(f"  {case.name} {fmt_size(n)} x{arrays} done", file=sys.stderr,
                          flush=True)
        print(format_table(rows) + busy_note(rows), flush=True)
    torch.set_num_threads(default_threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
