"""Recompute the AdamW chapter's learning-rate × weight-decay grid (Figure 2 at small scale).

Writes ``code/optbook/recorded_adamw_grid.py``: literals only, loaded by
``chapters/15_adamw.ipynb`` (the grid is too slow for the notebook's budget).
Every cell is :func:`optbook.optimizers.adamw.grid_cell_error`, deterministic;
``tests/test_adamw_chapter.py`` reruns one cell and checks it against the file.

Usage, from the repository root (about 1-2 minutes on one core)::

    OMP_NUM_THREADS=1 python benchmarks/adamw_grid.py
"""

from __future__ import annotations

import pathlib
import pprint
import time

import numpy as np

from optbook.optimizers.adamw import GRID_SETUP, grid_cell_error

LRS = [float(f"{x:.3g}") for x in np.geomspace(1e-4, 1e-2, 6)]
DECAYS = {
    "adam_l2": [float(f"{x:.3g}") for x in np.geomspace(1e-4, 1e-1, 6)],
    "adamw": [float(f"{x:.3g}") for x in np.geomspace(3e-5, 3e-2, 6)],
    "adamw_torch": [float(f"{x:.3g}") for x in np.geomspace(1e-2, 10.0, 6)],
}
SEEDS = [0, 1]
OUT = pathlib.Path(__file__).resolve().parents[1] / "code" / "optbook" / "recorded_adamw_grid.py"


def main() -> None:
    start = time.process_time()
    errors = {}
    for method, decays in DECAYS.items():
        errors[method] = [
            [[grid_cell_error(method, lr, wd, s) for s in SEEDS] for lr in LRS] for wd in decays
        ]
        print(method, "done", round(time.process_time() - start, 1), "s CPU")
    text = (
        '"""Recorded by benchmarks/adamw_grid.py: test errors of the AdamW chapter\'s grid.\n\n'
        "ERRORS[method][i][j][k]: weight decay DECAYS[method][i], learning rate LRS[j],\n"
        'seed SEEDS[k]. Do not edit by hand; rerun the script."""\n\n'
        f"SETUP = {pprint.pformat(GRID_SETUP, width=95)}\n\n"
        f"LRS = {LRS!r}\n\n"
        f"DECAYS = {pprint.pformat(DECAYS, width=95)}\n\n"
        f"SEEDS = {SEEDS!r}\n\n"
        f"ERRORS = {pprint.pformat(errors, width=95)}\n"
    )
    OUT.write_text(text)
    print("wrote", OUT, round(time.process_time() - start, 1), "s CPU")


if __name__ == "__main__":
    main()
