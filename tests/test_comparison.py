"""Tests for optbook.comparison: the grid, the split, selection, summaries, ranking,
and a rerun of recorded cells of benchmarks/compare_optimizers.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optbook import comparison as cmp
from optbook import recorded_comparison as rec


def test_log_grid_values_and_validation() -> None:
    assert cmp.log_grid(1e-3, 1.0, 1) == [0.001, 0.01, 0.1, 1.0]
    assert cmp.log_grid(1e-2, 1.0, 2) == [0.01, 0.0316, 0.1, 0.316, 1.0]
    assert len(cmp.LR_GRID) == 10 and cmp.LR_GRID[0] == 1e-4 and cmp.LR_GRID[-1] == 3.16
    with pytest.raises(ValueError, match="low"):
        cmp.log_grid(0.0, 1.0)
    with pytest.raises(ValueError, match="per_decade"):
        cmp.log_grid(1e-3, 1.0, 0)
    with pytest.raises(ValueError, match="low must be < high"):
        cmp.log_grid(1.0, 1e-3)
    with pytest.raises(ValueError, match="whole number"):
        cmp.log_grid(1e-3, 0.5, 1)


def test_validation_split_is_a_seeded_partition() -> None:
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20)
    Xf, yf, Xv, yv = cmp.validation_split(X, y, 0.25, seed=3)
    assert len(yv) == 5 and len(yf) == 15
    assert sorted(np.r_[yf, yv].tolist()) == list(range(20))
    np.testing.assert_array_equal(Xf[:, 0] // 2, yf)
    again = cmp.validation_split(X, y, 0.25, seed=3)
    np.testing.assert_array_equal(again[3], yv)
    assert not np.array_equal(cmp.validation_split(X, y, 0.25, seed=4)[3], yv)
    with pytest.raises(ValueError, match="fraction"):
        cmp.validation_split(X, y, 1.0)
    with pytest.raises(ValueError, match="seed"):
        cmp.validation_split(X, y, 0.2, seed=-1)
    with pytest.raises(ValueError, match="X must be 2-D"):
        cmp.validation_split(X[:, 0], y)


def _rec(lr, val, test, diverged=None):
    n = len(val)
    return {"hyper": {"lr": lr}, "val_loss": val, "test_error": test,
            "test_loss": [0.0] * n, "diverged": diverged or [False] * n}


def test_select_uses_median_validation_loss_and_treats_divergence_as_infinite() -> None:
    a = _rec(0.1, [1.0, 5.0, 1.0], [0.5] * 3)        # median 1.0
    b = _rec(1.0, [0.1, 0.1, 9.0], [0.0] * 3,
             diverged=[True, True, False])         # median +inf
    c = _rec(0.01, [0.9, 0.9, 9.0], [0.4] * 3)      # median 0.9: best
    assert cmp.select([a, b, c]) is c
    assert cmp.select([a, b]) is a
    with pytest.raises(ValueError, match="records"):
        cmp.select([])


def test_summarize_and_its_validation() -> None:
    s = cmp.summarize([3.0, 1.0, 2.0, 4.0])
    assert s == {"median": 2.5, "min": 1.0, "max": 4.0, "q1": 1.75, "q3": 3.25}
    with pytest.raises(ValueError, match="values"):
        cmp.summarize([])
    with pytest.raises(ValueError, match="values"):
        cmp.summarize([1.0, math.nan])


def test_candidates_per_protocol() -> None:
    runs = rec.RUNS["softmax"]["Adam"]
    assert len(cmp.candidates(runs, "defaults")) == 1
    coarse = [r["hyper"]["lr"] for r in cmp.candidates(runs, "coarse")]
    assert coarse == [1e-4, 1e-3, 1e-2, 0.1, 1.0]
    assert len(cmp.candidates(runs, "tuned")) == 10
    assert len(cmp.candidates(runs, "extended")) == 10 + 80
    assert len(cmp.candidates(rec.RUNS["softmax"]["SGD"], "extended")) == 10
    with pytest.raises(ValueError, match="protocol"):
        cmp.candidates(runs, "best")


def test_rank_optimizers_orders_by_median_test_error() -> None:
    ranked = cmp.rank_optimizers(rec.RUNS["mlp"], "tuned")
    assert {n for n, _ in ranked} == set(cmp.COMPARED)
    errs = [float(np.median(r["test_error"])) for _, r in ranked]
    assert errs == sorted(errs)
    with pytest.raises(ValueError, match="task_runs"):
        cmp.rank_optimizers({}, "tuned")


def test_run_cell_validation() -> None:
    with pytest.raises(ValueError, match="optimizer"):
        cmp.run_cell("logistic", "Lion", {}, 0)
    with pytest.raises(ValueError, match="name"):
        cmp.run_cell("cifar", "SGD", {}, 0)
    with pytest.raises(ValueError, match="seed"):
        cmp.run_cell("logistic", "SGD", {}, -2)
    with pytest.raises(ValueError, match="hyper"):
        cmp.run_cell("logistic", "SGD", [0.1], 0)


@pytest.mark.parametrize(
    ("task", "optimizer", "family", "index"),
    [("logistic", "Adagrad", "lr_grid", 6), ("mlp", "Adam", "extended", 37),
     ("softmax", "Nadam", "defaults", 0)],
)
def test_recorded_cells_rerun_exactly(task, optimizer, family, index) -> None:
    record = rec.RUNS[task][optimizer][family][index]
    for k, seed in enumerate(rec.SETUP["seeds"][:2]):
        fresh = cmp.run_cell(task, optimizer, record["hyper"], seed)
        recorded = {m: record[m][k] for m in fresh}
        # the same to the record's 6 significant digits; the tolerance is one unit
        # in the 6th digit, so that a last-bit difference of another CPU's BLAS
        # cannot flip a rounding and fail the test
        assert fresh["diverged"] == recorded["diverged"]
        assert fresh == pytest.approx(recorded, rel=1e-5, abs=1e-12)


def test_recorded_setup_matches_the_module() -> None:
    assert rec.SETUP["lr_grid"] == list(cmp.LR_GRID)
    assert rec.SETUP["seeds"] == list(cmp.SEEDS)
    assert rec.SETUP["surface_grid"] == list(cmp.SURFACE_GRID)
    assert set(rec.RUNS) == set(cmp.TASKS)
    for task in rec.RUNS.values():
        assert set(task) == set(cmp.COMPARED)
        for name, fams in task.items():
            assert [r["hyper"]["lr"] for r in fams["lr_grid"]] == list(cmp.LR_GRID)
            assert ("extended" in fams) == (name in cmp.EXTENDED_SEARCH)


def test_recorded_surface_choice_reruns() -> None:
    best, runs = cmp.tune_on_surface(cmp.surface("quadratic"), "Momentum", 30, cmp.SURFACE_GRID)
    assert best.hyperparameters["lr"] == rec.SURFACE_LR["quadratic"]["Momentum"]
    assert len(runs) == len(cmp.SURFACE_GRID)


def test_tune_on_surface_rule_and_validation() -> None:
    quad = cmp.surface("quadratic")
    best, runs = cmp.tune_on_surface(quad, "SGD", 30, [0.01, 0.5, 5.0])
    # 5.0 diverges (eta > 2/lambda_max = 1); 0.5 is better than 0.01
    assert runs[2].diverged and best is runs[1]
    with pytest.raises(ValueError, match="no learning rate"):
        cmp.tune_on_surface(quad, "SGD", 30, [5.0])
    with pytest.raises(ValueError, match="optimizer"):
        cmp.tune_on_surface(quad, "Lion", 30)
    with pytest.raises(ValueError, match="steps"):
        cmp.tune_on_surface(quad, "SGD", 0)
    with pytest.raises(ValueError, match="name"):
        cmp.surface("Himmelblau")


def test_kendall_tau_matches_scipy_and_its_extremes() -> None:
    from scipy.stats import kendalltau

    names = list(cmp.COMPARED)
    rng = np.random.default_rng(0)
    assert cmp.kendall_tau(names, names) == 1.0
    assert cmp.kendall_tau(names, names[::-1]) == -1.0
    for _ in range(20):
        other = list(rng.permutation(names))
        expected = kendalltau([names.index(n) for n in names],
                              [other.index(n) for n in names]).statistic
        assert cmp.kendall_tau(names, other) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("a", "b", "match"), [
    (["SGD", "Adam"], ["SGD", "Nadam"], "same names"),
    (["SGD", "SGD"], ["SGD", "SGD"], "repeat"),
    (["SGD"], ["SGD"], "at least 2"),
])
def test_kendall_tau_rejects_rankings_that_do_not_match(a, b, match) -> None:
    with pytest.raises(ValueError, match=match):
        cmp.kendall_tau(a, b)
