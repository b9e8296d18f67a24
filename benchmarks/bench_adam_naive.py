"""Time one Adam step: the naive NumPy class against the package's chunked in-place Adam.

    python benchmarks/bench_adam_naive.py            # print the table
    python benchmarks/bench_adam_naive.py --write    # also rewrite optbook/recorded_timings.py

For each size (float32, one flat array) the script times

- ``NaiveAdam.update`` (:mod:`optbook.naive_adam`, seed 000's class made
  correct: one NumPy expression per formula, each allocating a full-size
  temporary);
- ``Adam.step`` of the package (in place, in chunks of ``CHUNK`` elements
  through one scratch buffer);
- ``SGD.step`` of the package, the cheapest possible update, for scale.

Parameters ~ N(0, 1), gradients ~ N(0, 0.01²), the same gradient every step.
Before timing, both Adams take 3 steps from the same point and must agree to
float32 rounding. Each figure is the median of ``--repeat`` timed steps
(``time.perf_counter``, garbage collection off) after 2 untimed warm-up steps.
The temporary memory of one step (the peak of ``tracemalloc``, which sees
NumPy's allocations) is measured in a separate, untimed step.

Only NumPy is needed (no torch). Importing the module has no side effects.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import os
import platform
import statistics
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from optbook.naive_adam import NaiveAdam
from optbook.optimizers import SGD, Adam, _base

SIZES = (10**5, 10**6, 10**7)
REPEAT = 15
WARMUP = 2
OUT = Path(__file__).resolve().parents[1] / "code" / "optbook" / "recorded_timings.py"


def _data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(n).astype(np.float32),
            (0.01 * rng.standard_normal(n)).astype(np.float32))


def _steppers(n: int) -> dict[str, Any]:
    """name -> a zero-argument function taking one step on its own copies."""
    theta, g = _data(n)
    out = {}
    p_naive, g_naive = {"w": theta.copy()}, {"w": g.copy()}
    naive = NaiveAdam(lr=1e-3)
    out["naive NumPy Adam"] = lambda: naive.update(p_naive, g_naive)
    p_adam, adam = theta.copy(), Adam(lr=1e-3)
    out["optbook Adam"] = lambda: adam.step(p_adam, g)
    p_sgd, sgd = theta.copy(), SGD(lr=1e-3)
    out["optbook SGD"] = lambda: sgd.step(p_sgd, g)
    return out


def check_same_numbers(n: int = 10_000, steps: int = 3) -> float:
    """Largest |θ_naive − θ_optbook| / |θ₀| after ``steps`` steps (float32); must be tiny."""
    theta, g = _data(n)
    p_naive = {"w": theta.copy()}
    p_pkg = theta.copy()
    naive, pkg = NaiveAdam(lr=1e-3), Adam(lr=1e-3)
    for _ in range(steps):
        naive.update(p_naive, {"w": g})
        pkg.step(p_pkg, g)
    return float(np.max(np.abs(p_naive["w"] - p_pkg)) / np.max(np.abs(theta)))


def time_step(step: Any, repeat: int = REPEAT, warmup: int = WARMUP) -> float:
    """Median seconds of one call of ``step``."""
    for _ in range(warmup):
        step()
    times = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
    finally:
        if enabled:
            gc.enable()
    return statistics.median(times)


def temporary_bytes(step: Any) -> int:
    """Peak bytes allocated during one call of ``step`` (after a warm-up call)."""
    step()
    tracemalloc.start()
    try:
        step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return int(peak)


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def measure(sizes: tuple[int, ...] = SIZES, repeat: int = REPEAT) -> dict[str, Any]:
    """Timings and temporary memory for every size; see the module docstring."""
    diff = check_same_numbers()
    if not diff < 1e-5:
        raise RuntimeError(f"NaiveAdam and Adam disagree: relative difference {diff:.2e}")
    seconds: dict[str, dict[int, float]] = {}
    temp: dict[str, dict[int, int]] = {}
    for n in sizes:
        for name, step in _steppers(n).items():
            seconds.setdefault(name, {})[n] = time_step(step, repeat)
        for name, step in _steppers(n).items():
            temp.setdefault(name, {})[n] = temporary_bytes(step)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "seconds": seconds,
        "temporary_bytes": temp,
        "check_difference": diff,
        "machine": f"{os.cpu_count()}-core CPU ({_cpu_name()}), shared",
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "date": _dt.date.today().isoformat(),
        "load_average": round(load, 2),
        "chunk": _base.CHUNK,
        "repeat": repeat,
    }


def _nested(d: dict[str, dict[int, Any]], digits: int | None = None) -> str:
    lines = ["{"]
    for name, by_n in d.items():
        cells = ", ".join(
            f"{n}: {float(f'{v:.{digits}g}')!r}" if digits else f"{n}: {v!r}"
            for n, v in by_n.items()
        )
        lines.append(f"    {name!r}: {{{cells}}},")
    lines.append("}")
    return "\n".join(lines)


def module_source(result: dict[str, Any]) -> str:
    """The text of ``optbook/recorded_timings.py`` for ``result``."""
    return f'''"""Recorded timings of one Adam step: naive NumPy class vs the package (chapter 10).

Written by ``python benchmarks/bench_adam_naive.py --write``; not measured when
the chapter runs. Float32, one flat array of n parameters, gradients
~ N(0, 0.01²); each figure is the median of {result["repeat"]} timed steps after
2 warm-up steps. ``TEMPORARY_BYTES`` is the peak memory allocated during one
step (tracemalloc). Before timing, the two Adams agreed to a relative
difference of {result["check_difference"]:.1e} after 3 steps (float32 rounding).

Machine: {result["machine"]}; load average {result["load_average"]} when
measured (other jobs were running, so the figures are indicative).
"""

MACHINE = {result["machine"]!r}
NUMPY_VERSION = {result["numpy_version"]!r}
PYTHON_VERSION = {result["python_version"]!r}
DATE = {result["date"]!r}
LOAD_AVERAGE = {result["load_average"]!r}
CHUNK = {result["chunk"]!r}
REPEAT = {result["repeat"]!r}

#: name -> {{n parameters: median seconds per step}}
SECONDS = {_nested(result["seconds"], 4)}

#: name -> {{n parameters: peak bytes allocated during one step}}
TEMPORARY_BYTES = {_nested(result["temporary_bytes"])}
'''


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=list(SIZES))
    ap.add_argument("--repeat", type=int, default=REPEAT)
    ap.add_argument("--write", action="store_true", help=f"rewrite {OUT}")
    args = ap.parse_args(argv)
    if args.repeat < 3:
        ap.error("--repeat must be >= 3")
    result = measure(tuple(int(s) for s in args.sizes), args.repeat)
    print(f"{result['machine']}, numpy {result['numpy_version']}, {result['date']}, "
          f"load {result['load_average']}")
    for name, by_n in result["seconds"].items():
        cells = "  ".join(f"n={n:.0e}: {s * 1e3:8.3f} ms" for n, s in by_n.items())
        print(f"{name:>17}: {cells}")
    for name, by_n in result["temporary_bytes"].items():
        cells = "  ".join(f"n={n:.0e}: {b / 2**20:8.2f} MiB" for n, b in by_n.items())
        print(f"{name:>17}: {cells}  (temporary)")
    if args.write:
        OUT.write_text(module_source(result))
        print("wrote", OUT)


if __name__ == "__main__":
    main()
