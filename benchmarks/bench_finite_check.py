"""What the finite check of ``Optimizer.step`` costs: a step with and without it.

``opt.step(params, grads)`` first checks that every gradient is finite
(``optbook.optimizers._base._check_finite``: ``min`` and ``max`` of each chunk),
so that a NaN or an infinity raises before anything changes.
``check_finite=False`` skips the check. This script times both, interleaved
(A, B, A, B, ...) so that a busy machine disturbs both alike, and reports the
medians and the check's share of a step, for a few optimizers and sizes
(float32, one flat array)::

    python benchmarks/bench_finite_check.py                 # SGD, Adam; 1e5 1e6 1e7
    python benchmarks/bench_finite_check.py --sizes 1e6 --repeat 101

The figures in benchmarks/README.md ("The finite check") come from this script.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time

import numpy as np

import optbook.optimizers as ob


def _count(text: str) -> int:
    return int(float(text)) if "e" in text.lower() else int(text)


def time_pair(name: str, n: int, repeat: int) -> tuple[float, float]:
    """Median seconds of one step with the check and without it."""
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(n).astype(np.float32)
    grad = (0.01 * rng.standard_normal(n)).astype(np.float32)
    opt = getattr(ob, name)()
    for _ in range(3):  # warm-up: state allocated, caches as in a run
        opt.step(theta, grad)
    with_check, without = [], []
    gc.disable()
    try:
        for _ in range(repeat):
            for flag, out in ((True, with_check), (False, without)):
                start = time.perf_counter()
                opt.step(theta, grad, check_finite=flag)
                out.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return statistics.median(with_check), statistics.median(without)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", type=_count, default=[10**5, 10**6, 10**7])
    ap.add_argument("--optimizers", nargs="+", default=["SGD", "Adam"])
    ap.add_argument("--repeat", type=int, default=41)
    args = ap.parse_args()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"numpy {np.__version__}, float32, median of {args.repeat} interleaved steps")
    print(f"{'optimizer':<10} {'size':>10} {'with check':>12} {'without':>12} {'check':>8}")
    for name in args.optimizers:
        for n in args.sizes:
            a, b = time_pair(name, n, args.repeat)
            print(f"{name:<10} {n:>10.0e} {a * 1e3:>10.3f}ms {b * 1e3:>10.3f}ms "
                  f"{(a - b) / b:>+7.1%}")


if __name__ == "__main__":
    main()
