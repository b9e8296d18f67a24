"""Tests of optbook.lr_range: the rates and the smoothing by hand, the stability threshold
of a quadratic, reproducibility, clean divergence and input checks."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from optbook.data import linear_regression_data
from optbook.lr_range import RULES, LRRangeResult, lr_range_test
from optbook.models import LinearRegression
from optbook.optimizers import SGD, Adam
from optbook.train import train


@pytest.fixture(scope="module")
def regression() -> LinearRegression:
    """Least squares whose Hessian has eigenvalues in [0.1, 1] exactly: 2/λ_max = 2."""
    data = linear_regression_data(n=500, d=10, noise=0.1, condition_number=10.0, seed=0)
    model = LinearRegression(data.X_train, data.y_train)
    assert model.smoothness() == pytest.approx(1.0, rel=1e-12)
    return model


def test_rates_grow_geometrically_and_the_average_is_bias_corrected(regression) -> None:
    r = lr_range_test(regression, SGD, lr_min=1e-4, lr_max=1e-2, n_updates=30, batch_size=50,
                      smoothing=0.8, seed=3)
    assert isinstance(r, LRRangeResult) and not r.stopped and r.stop_lr is None
    np.testing.assert_allclose(r.lrs, np.geomspace(1e-4, 1e-2, 30), rtol=1e-12)
    s, expected = 0.0, []
    for k, loss in enumerate(r.losses, start=1):
        s = 0.8 * s + 0.2 * loss
        expected.append(s / (1 - 0.8**k))
    np.testing.assert_allclose(r.smoothed, expected, rtol=1e-12)
    assert r.smoothed[0] == r.losses[0]  # bias correction: the first average is the first loss


def test_batches_and_updates_are_those_of_train(regression) -> None:
    # the same permutation stream as train(): the first mini-batch losses agree,
    # and with the rates of the test as a schedule train() takes the same steps
    r = lr_range_test(regression, SGD, lr_min=1e-3, lr_max=1e-1, n_updates=25, batch_size=40,
                      seed=7)
    rates = list(r.lrs)
    t = train(regression, SGD(lr=1.0), epochs=3, batch_size=40, seed=7, max_updates=25,
              lr_schedule=lambda k: rates[k - 1])
    np.testing.assert_allclose(r.losses, t.batch_losses, rtol=1e-12)


def test_two_updates_by_hand(regression) -> None:
    r = lr_range_test(regression, SGD, lr_min=0.01, lr_max=0.02, n_updates=3, batch_size=None,
                      smoothing=0.0)
    X, y = regression.X, regression.y
    theta = np.zeros(regression.dim)
    for k, eta in enumerate((0.01, 0.01 * 2**0.5, 0.02)):
        assert r.losses[k] == pytest.approx(regression.value(theta), rel=1e-12)
        theta = theta - eta * regression.grad(theta, X, y)
    np.testing.assert_allclose(r.smoothed, r.losses)


def test_full_batch_loss_cannot_rise_below_the_stability_threshold(regression) -> None:
    # On a quadratic, f(θ - ηg) - f(θ) <= -η(1 - ηλ_max/2)|g|² < 0 for η < 2/λ_max:
    # the first update after which the exact loss rises has η >= 2/λ_max.
    threshold = 2 / regression.smoothness()
    for n_updates in (100, 200, 400):
        r = lr_range_test(regression, SGD, lr_min=1e-3, lr_max=100, n_updates=n_updates,
                          batch_size=None, smoothing=0.0)
        assert r.stopped and not r.diverged
        rises = np.flatnonzero(np.diff(r.losses) > 1e-12 * r.losses[:-1])
        assert rises.size, "the loss must rise before the test stops"
        assert r.lrs[rises[0]] >= threshold
        # the blow-up is detected above the threshold, within a small factor
        assert threshold <= r.stop_lr <= 8 * threshold
        assert r.best_lr <= r.stop_lr


@pytest.mark.parametrize("n_updates, upper", [(200, 2.0), (400, 1.5)])
def test_mini_batch_blow_up_lies_near_the_threshold(regression, n_updates, upper) -> None:
    threshold = 2 / regression.smoothness()
    for seed in range(5):
        r = lr_range_test(regression, SGD, lr_min=1e-3, lr_max=100, n_updates=n_updates,
                          batch_size=50, smoothing=0.9, seed=seed)
        assert r.stopped
        assert threshold <= r.stop_lr <= upper * threshold, (seed, r.stop_lr)


def test_seeded_runs_are_reproducible_and_seeds_differ(regression) -> None:
    kw = {"lr_min": 1e-3, "lr_max": 100, "n_updates": 150, "batch_size": 25}
    a = lr_range_test(regression, SGD, seed=1, **kw)
    b = lr_range_test(regression, lambda: SGD(lr=0.5), seed=1, **kw)
    c = lr_range_test(regression, SGD, seed=2, **kw)
    np.testing.assert_array_equal(a.losses, b.losses)
    np.testing.assert_array_equal(a.smoothed, b.smoothed)
    assert (a.stop_lr, a.suggested_lr) == (b.stop_lr, b.suggested_lr)
    assert not np.array_equal(a.losses[: len(c.losses)], c.losses[: len(a.losses)])


def test_rules_and_suggestions(regression) -> None:
    kw = {"lr_min": 1e-3, "lr_max": 100, "n_updates": 200, "batch_size": None}
    by_min = lr_range_test(regression, SGD, rule="min/10", **kw)
    steep = lr_range_test(regression, SGD, rule="steepest", **kw)
    assert set(RULES) == {"min/10", "steepest"}
    assert by_min.suggested_lr == pytest.approx(by_min.best_lr / 10)
    assert steep.suggested_lr == steep.steepest_lr <= steep.best_lr
    assert by_min.best_loss == pytest.approx(float(np.min(by_min.smoothed[9:])))
    # the suggested rate is stable on this problem: a constant-rate run converges
    run = train(regression, SGD(lr=by_min.suggested_lr), epochs=200)
    assert not run.diverged and run.train_losses[-1] < run.train_losses[0]
    assert "suggested" in repr(by_min)


def test_divergence_stops_cleanly_without_warnings(regression) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = lr_range_test(regression, SGD, lr_min=1.0, lr_max=1e30, n_updates=200,
                          batch_size=None, stop_factor=1e300, blowup=1e12)
    assert r.stopped and r.diverged
    assert np.all(np.isfinite(r.losses)) and np.all(np.isfinite(r.smoothed))
    assert r.stop_lr > 2 / regression.smoothness()


def test_works_with_other_optimizers(regression) -> None:
    r = lr_range_test(regression, lambda: Adam(lr=1e-3), lr_min=1e-4, lr_max=10,
                      n_updates=150, batch_size=50)
    assert r.optimizer == "Adam"
    assert r.stopped and math.isfinite(r.suggested_lr)


class _NoLr:
    t = 0

    def step(self, params, grads):  # pragma: no cover - never called
        pass


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"lr_min": 0.0}, "lr_min"),
        ({"lr_min": -1e-3}, "lr_min"),
        ({"lr_max": math.inf}, "lr_max"),
        ({"lr_min": 1.0, "lr_max": 0.5}, "lr_min must be < lr_max"),
        ({"n_updates": 1}, "n_updates"),
        ({"n_updates": 10.5}, "n_updates"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 10_000}, "batch_size"),
        ({"smoothing": 1.0}, "smoothing"),
        ({"smoothing": -0.1}, "smoothing"),
        ({"stop_factor": 1.0}, "stop_factor"),
        ({"rule": "valley"}, "rule"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(regression, kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        lr_range_test(regression, SGD, **kwargs)


def test_bad_model_or_optimizer(regression) -> None:
    with pytest.raises(ValueError, match="lr attribute"):
        lr_range_test(regression, _NoLr())
    with pytest.raises(ValueError, match="model.X"):
        lr_range_test(object(), SGD)
    used = SGD(lr=0.1)
    used.step(np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="fresh"):
        lr_range_test(regression, used)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"start": np.zeros(10) + 0j}, "start must be an array of real numbers"),
        ({"start": np.zeros(3)}, r"start must have shape \(11,\)"),
        ({"start": np.full(11, np.nan)}, "start must be finite"),
        ({"blowup": math.nan}, "blowup must be a number > 0"),
        ({"blowup": 0.0}, "blowup must be a number > 0"),
        ({"blowup": -1.0}, "blowup must be a number > 0"),
    ],
)
def test_bad_start_and_blowup_name_the_argument(regression, kwargs, match) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ValueError, not a ComplexWarning first
        with pytest.raises(ValueError, match=match):
            lr_range_test(regression, SGD, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"batch_size": 50, "lr_max": 10.0},  # stops on rule (3): the last loss has no update
        {"batch_size": None, "lr_max": 1e4, "smoothing": 0.0, "stop_factor": 1e300},  # |θ|
        {"batch_size": 50, "lr_max": 1e-2},  # runs to the end
    ],
)
def test_the_record_counts_the_updates_taken(regression, kwargs) -> None:
    opt = SGD(lr=1.0)
    start = np.ones(regression.dim)
    r = lr_range_test(regression, opt, lr_min=1e-3, n_updates=200, start=start, **kwargs)
    np.testing.assert_array_equal(start, np.ones(regression.dim))  # the caller's start
    taken = opt.t
    assert (r.stopped_at if r.stopped else r.n_updates) == taken
    assert f"{taken} updates" in repr(r)
    # every loss ℓ_k is recorded at θ_{k-1}; update k was taken unless rule (3) stopped there
    assert len(r.lrs) == len(r.losses) == len(r.smoothed)
    assert len(r.lrs) in (taken, taken + 1)
    if r.stopped:
        assert r.stop_lr == r.lrs[taken - 1]
