"""Run chapter 17's fair comparison once and record it.

Every optimizer of :data:`optbook.comparison.COMPARED` is trained on the three
tasks of :data:`optbook.comparison.TASKS` with its defaults, at every learning
rate of :data:`optbook.comparison.LR_GRID`, and (for Momentum and Adam) over
the larger search of :data:`optbook.comparison.EXTENDED_SEARCH`, each with the
seeds :data:`optbook.comparison.SEEDS`. Every run is
:func:`optbook.comparison.run_cell`, deterministic.

Writes ``code/optbook/recorded_comparison.py``: literals only, loaded by
``chapters/17_choosing_an_optimizer.ipynb``; ``tests/test_comparison.py``
reruns a few cells and checks them against the file.

Usage, from the repository root (a few minutes on one core)::

    OMP_NUM_THREADS=1 python benchmarks/compare_optimizers.py
"""

from __future__ import annotations

import itertools
import pathlib
import pprint
import time
from typing import Any

from optbook.comparison import (
    COMPARED,
    EXTENDED_SEARCH,
    LR_GRID,
    SEEDS,
    SURFACE_GRID,
    SURFACE_STEPS,
    TASKS,
    VALIDATION_FRACTION,
    make_task,
    run_cell,
    surface,
    tune_on_surface,
)

OUT = pathlib.Path(__file__).resolve().parents[1] / "code" / "optbook" / "recorded_comparison.py"
METRICS = ("train_loss", "val_loss", "val_error", "test_loss", "test_error", "diverged")


def record(task: str, optimizer: str, hyper: dict[str, float]) -> dict[str, Any]:
    """One configuration over all seeds: ``{"hyper": ..., metric: [per seed], ...}``."""
    cells = [run_cell(task, optimizer, hyper, s) for s in SEEDS]
    return {"hyper": dict(hyper), **{m: [c[m] for c in cells] for m in METRICS}}


def extended_configs(optimizer: str) -> list[dict[str, float]]:
    """The larger search of one optimizer, without the defaults (those are the grid)."""
    space = EXTENDED_SEARCH[optimizer]
    default = {k: COMPARED[optimizer]().hyperparameters[k] for k in space}
    out = []
    for values in itertools.product(*space.values()):
        other = dict(zip(space, values, strict=True))
        if other == default:
            continue
        out.extend({"lr": lr, **other} for lr in LR_GRID)
    return out


def main() -> None:
    start = time.process_time()
    wall = time.perf_counter()
    runs: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {}
    for task in TASKS:
        make_task(task)
        runs[task] = {}
        for name in COMPARED:
            fam = {
                "defaults": [record(task, name, {})],
                "lr_grid": [record(task, name, {"lr": lr}) for lr in LR_GRID],
            }
            if name in EXTENDED_SEARCH:
                fam["extended"] = [record(task, name, h) for h in extended_configs(name)]
            runs[task][name] = fam
        print(task, "done", round(time.process_time() - start, 1), "s CPU")
    surface_lr: dict[str, dict[str, float]] = {}
    for key, steps in SURFACE_STEPS.items():
        surface_lr[key] = {
            name: tune_on_surface(surface(key), name, steps, SURFACE_GRID)[0].hyperparameters["lr"]
            for name in COMPARED
        }
    print("surfaces done", round(time.process_time() - start, 1), "s CPU")
    cpu = time.process_time() - start
    setup = {
        "tasks": {k: f"{v.model} on {v.dataset}, {v.epochs} epochs, batch {v.batch_size}, "
                     "reshuffled each epoch (seed = run seed)" for k, v in TASKS.items()},
        "split": f"data set split 75/25 into train/test (seed 0); {VALIDATION_FRACTION:.0%} "
                 "of train held out for validation (seed 0), the rest fits",
        "selection": "lowest median validation loss over seeds (diverged = +inf)",
        "seeds": list(SEEDS),
        "lr_grid": list(LR_GRID),
        "extended_search": {k: {h: list(v) for h, v in sp.items()}
                            for k, sp in EXTENDED_SEARCH.items()},
        "surface_grid": list(SURFACE_GRID),
        "surface_steps": dict(SURFACE_STEPS),
        "surface_rule": "lowest final f among runs that stay finite and inside the plotted window",
        "cpu_seconds": round(cpu, 1),
    }
    text = (
        '"""Recorded by benchmarks/compare_optimizers.py: chapter 17\'s fair comparison.\n\n'
        "RUNS[task][optimizer][family] is a list of records; family is 'defaults' (one\n"
        "record), 'lr_grid' (one per rate of LR_GRID) or 'extended' (Momentum, Adam).\n"
        "A record holds 'hyper' and, per seed of SETUP['seeds'], the final train_loss,\n"
        "val_loss, val_error, test_loss, test_error (6 significant digits) and diverged.\n"
        "SURFACE_LR[surface][optimizer] is the learning rate tune_on_surface chose.\n"
        'Do not edit by hand; rerun the script."""\n\n'
        "# ruff: noqa: E501\n"
        f"SETUP = {pprint.pformat(setup, width=95)}\n\n"
        f"SURFACE_LR = {pprint.pformat(surface_lr, width=95)}\n\n"
        f"RUNS = {pprint.pformat(runs, width=200, compact=True)}\n"
    )
    OUT.write_text(text)
    print("wrote", OUT, f"{cpu:.1f} s CPU, {time.perf_counter() - wall:.1f} s wall")


if __name__ == "__main__":
    main()
