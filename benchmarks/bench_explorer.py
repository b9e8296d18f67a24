"""Time one redraw of an interactive explorer: the chapter standard asks for
well under a second, so that the sliders feel live.

    python benchmarks/bench_explorer.py

Redraws the explorer of chapter 1 (gradient descent on the ill-conditioned
quadratic) and a two-optimizer explorer with 200 steps, and prints the median
redraw time of each.
"""

from __future__ import annotations

import statistics

import matplotlib

matplotlib.use("Agg")

from optbook.explorer import Slider, optimizer_explorer  # noqa: E402
from optbook.functions import ill_conditioned_quadratic  # noqa: E402
from optbook.optimizers import SGD, Momentum  # noqa: E402


def median_redraw(explorer, name: str, values: list[float]) -> float:
    times = []
    for value in values:
        explorer.set(**{name: value})
        times.append(explorer.last_draw_seconds)
    return statistics.median(times)


def main() -> None:
    bowl = ill_conditioned_quadratic()
    chapter_1 = optimizer_explorer(
        bowl, SGD,
        sliders={"lr": Slider(0.01, 1.2, value=0.5), "start_x": Slider(-7.5, 7.5, -7.0),
                 "start_y": Slider(-2.5, 2.5, 2.0)},
        steps=30,
    )
    two = optimizer_explorer(
        bowl, {"SGD": SGD, "Momentum": Momentum},
        sliders={"lr": Slider(0.01, 1.2, 0.3, log=True)},
        steps=200,
    )
    values = [0.1, 0.3, 0.5, 0.7, 0.9, 1.1, 0.2, 0.4, 0.6]
    print(f"chapter 1 explorer, 30 steps:         {median_redraw(chapter_1, 'lr', values):.3f} s")
    print(f"SGD and Momentum, 200 steps each:     {median_redraw(two, 'lr', values):.3f} s")


if __name__ == "__main__":
    main()
