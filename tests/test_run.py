"""Tests of optbook.run: recording, clean stops at divergence, compare, online runs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from optbook.functions import (
    Objective,
    ill_conditioned_quadratic,
    quadratic,
    reddi_problem,
    rosenbrock,
)
from optbook.run import RunResult, compare, run, run_online


class GD:
    """A test double: plain gradient descent with the optimizers' interface."""

    def __init__(self, lr: float = 0.1) -> None:
        self.lr = lr
        self.t = 0

    @property
    def hyperparameters(self) -> dict:
        return {"lr": self.lr}

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        assert grads.dtype == params.dtype
        self.t += 1
        params -= self.lr * grads


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_records_path_losses_and_gradient_norms() -> None:
    obj = ill_conditioned_quadratic()
    res = run(obj, GD(0.5), 25)
    assert isinstance(res, RunResult)
    assert res.path.shape == (26, 2) and res.path.dtype == np.float64
    np.testing.assert_array_equal(res.path[0], obj.start)
    np.testing.assert_allclose(res.losses, obj.value(res.path))
    np.testing.assert_allclose(res.grad_norms, np.linalg.norm(obj.grad(res.path), axis=1))
    # gradient descent on x^2/20 + y^2: x_t = (1 - eta/10)^t x_0, y_t = (1 - 2 eta)^t y_0
    t = np.arange(26)
    np.testing.assert_allclose(res.path[:, 0], -7 * 0.95**t, rtol=1e-12)
    np.testing.assert_allclose(res.path[:, 1], 2 * 0.0**t, atol=1e-15)
    assert res.steps == 25 and res.steps_taken == 25
    assert not res.diverged and res.diverged_at is None
    assert res.optimizer == "GD" and res.label == "GD"
    assert res.hyperparameters == {"lr": 0.5}
    assert res.objective == "ill-conditioned quadratic" and res.min_value == 0.0
    np.testing.assert_array_equal(res.final, res.path[-1])
    np.testing.assert_allclose(res.gaps, res.losses)


def first_divergent_step(lam: np.ndarray, x0: np.ndarray, eta: float, blowup: float) -> int:
    """Independent oracle: the first t at which x_t = (1 - eta lam)^t x0 blows up."""
    x = x0.astype(float).copy()
    for t in range(1, 10_000):
        x = (1 - eta * lam) * x
        f = 0.5 * float(np.sum(lam * x * x))
        if np.max(np.abs(x)) > blowup or abs(f) > blowup or not math.isfinite(f):
            return t
    raise AssertionError("no divergence")


@pytest.mark.parametrize("eta", [1.01, 1.2, 1.5, 3.0])
def test_gradient_descent_beyond_two_over_lambda_max_diverges_at_the_right_step(eta) -> None:
    obj = ill_conditioned_quadratic()  # lambda_max = 2: stable iff eta < 1
    res = run(obj, GD(eta), 5000)
    expected = first_divergent_step(np.array([0.1, 2.0]), obj.start, eta, 1e12)
    assert res.diverged and res.diverged_at == expected
    assert res.steps_taken == expected - 1 and len(res.losses) == expected
    assert np.all(np.isfinite(res.path)) and np.all(np.abs(res.losses) <= 1e12)


@pytest.mark.parametrize("eta", [0.1, 0.5, 0.9, 0.99])
def test_gradient_descent_below_two_over_lambda_max_converges(eta) -> None:
    res = run(ill_conditioned_quadratic(), GD(eta), 2000)
    assert not res.diverged
    assert res.losses[-1] < 1e-6 * res.losses[0]


def test_blowup_threshold_is_configurable() -> None:
    obj = quadratic((1.0,), start=(1.0,), bounds=((-2, 2),))
    res = run(obj, GD(2.5), 100, blowup=100.0)  # x_t = (-1.5)^t
    assert res.diverged_at == first_divergent_step(np.array([1.0]), np.array([1.0]), 2.5, 100.0)


def test_float32_overflow_stops_cleanly_without_warnings() -> None:
    obj = quadratic((1.0,), start=(1.0,), bounds=((-2, 2),))
    # no threshold: the float32 iterate itself must overflow to inf
    res = run(obj, GD(1e3), 100, dtype=np.float32, blowup=np.inf)
    assert res.diverged
    assert np.all(np.isfinite(res.path)) and np.all(np.isfinite(res.losses))
    # x_t = (1 - 1e3)^t: |x| passes float32's 3.4e38 at t = 13; its loss overflows at t = 7
    assert res.diverged_at == 7


def test_nan_loss_stops_the_run() -> None:
    # f(x) = log(x) is NaN for x < 0 (and NumPy would warn, inside run it must not)
    obj = Objective(name="log barrier", dim=1, minima=(), min_value=None, start=np.ones(1),
                    bounds=((-1, 4),), fn=lambda th: np.log(th[..., 0]),
                    grad_fn=lambda th: 1 / th)
    res = run(obj, GD(2.0), 10)  # x_1 = 1 - 2 * 1 = -1: log(-1) is NaN
    assert res.diverged_at == 1
    assert res.path.shape == (1, 1)


def test_start_that_is_already_bad_raises() -> None:
    obj = rosenbrock()
    with pytest.raises(ValueError, match="start"):
        run(obj, GD(0.1), 5, start=(np.nan, 0.0))


def test_start_is_copied_and_defaults_to_the_objective_start() -> None:
    obj = rosenbrock()
    start = np.array([0.5, 0.5])
    res = run(obj, GD(1e-3), 3, start=start)
    np.testing.assert_array_equal(start, [0.5, 0.5])
    np.testing.assert_array_equal(res.path[0], start)
    np.testing.assert_array_equal(run(obj, GD(1e-3), 0).path, [obj.start])


def test_used_optimizer_is_rejected_and_factories_are_accepted() -> None:
    obj = ill_conditioned_quadratic()
    opt = GD(0.1)
    run(obj, opt, 3)
    assert opt.t == 3  # run mutates the optimizer
    with pytest.raises(ValueError, match="fresh"):
        run(obj, opt, 3)
    a = run(obj, lambda: GD(0.1), 3)
    b = run(obj, GD, 3)  # a class is called with no arguments
    np.testing.assert_array_equal(a.path, b.path)


def test_label_projection_and_schedule() -> None:
    obj = quadratic((1.0,), start=(1.0,), bounds=((-2, 2),))
    res = run(obj, GD(0.5), 4, label="mine", lr_schedule=lambda t: 1.0 / (t + 1))
    assert res.label == "mine"
    # x_t = prod_{s<=t} (1 - 1/(s+1)) = 1/(t+1)
    np.testing.assert_allclose(res.path[:, 0], 1 / np.arange(1, 6))
    proj = run(obj, GD(3.0), 5, project=lambda th: np.clip(th, -0.5, 0.5))
    assert np.all(np.abs(proj.path[1:]) <= 0.5)


def test_compare_uses_the_same_start_and_budget_and_unique_labels() -> None:
    obj = rosenbrock()
    results = compare(obj, {"slow": GD(1e-4), "fast": GD(1e-3)}, 50, start=(0.0, 0.0))
    assert [r.label for r in results] == ["slow", "fast"]
    for r in results:
        np.testing.assert_array_equal(r.path[0], [0.0, 0.0])
        assert r.steps == 50
    results = compare(obj, [GD(1e-4), GD(1e-3)], 10)
    assert [r.label for r in results] == ["GD (η=0.0001)", "GD (η=0.001)"]


def test_real_optimizers_run_and_noise_wrapper_is_named() -> None:
    from optbook.optimizers import SGD, Adam, GradientNoise

    obj = rosenbrock()
    res = run(obj, Adam(lr=0.05), 300)
    assert res.optimizer == "Adam" and res.losses[-1] < res.losses[0]
    noisy = run(obj, GradientNoise(SGD(lr=1e-3), eta=0.01, seed=1), 20)
    assert noisy.optimizer == "GradientNoise(SGD)"


# ---------------------------------------------------------------------------
# online runs
# ---------------------------------------------------------------------------
def test_run_online_mechanics() -> None:
    p = reddi_problem(3.0)
    res = run_online(p, GD(0.3), 30, x0=0.2)
    assert res.path.shape == (31,) and res.losses.shape == (30,)
    assert res.path[0] == 0.2
    assert np.all(np.abs(res.path) <= 1)
    t = np.arange(1, 31)
    incurred = [float(p.value(x, s)) for x, s in zip(res.path[:30], t, strict=True)]
    np.testing.assert_allclose(res.losses, incurred)
    np.testing.assert_allclose(res.regret, p.regret(res.path[:30]))
    np.testing.assert_allclose(res.average_regret, res.regret / t)
    # x_{t+1} = clip(x_t - 0.3 c_t): first step from 0.2 with c_1 = 3
    assert res.path[1] == pytest.approx(-0.7)


def test_reddi_counterexample_adam_goes_to_plus_one_amsgrad_to_minus_one() -> None:
    from optbook.optimizers import Adam, AMSGrad

    C, T = 3.0, 3000
    beta2 = 1 / (1 + C**2)
    p = reddi_problem(C)

    def schedule(t: int) -> float:
        return 0.5 / math.sqrt(t)

    adam = run_online(p, Adam(lr=0.5, beta1=0.0, beta2=beta2, eps=0.0, bias_correction="none"),
                      T, lr_schedule=schedule)
    ams = run_online(p, AMSGrad(lr=0.5, beta1=0.0, beta2=beta2, eps=0.0), T,
                     lr_schedule=schedule)
    assert adam.final > 0.95  # the worst point
    assert ams.final < -0.95  # the best point
    assert adam.average_regret[-1] > 0.5
    assert ams.average_regret[-1] < 0.05


def test_run_and_train_skip_the_optimizers_second_finite_check(monkeypatch):
    """run() and train() check g_t themselves, so they pass check_finite=False to
    the book's optimizers, and nothing to an optimizer whose step lacks it."""
    import optbook.optimizers as ob
    from optbook.data import linear_regression_data
    from optbook.functions import ill_conditioned_quadratic
    from optbook.models import LinearRegression
    from optbook.run import run, skip_finite_check
    from optbook.train import train

    seen = []
    original = ob.SGD.step

    def spy(self, params, grads, *, check_finite=True):
        seen.append({"check_finite": check_finite})
        return original(self, params, grads, check_finite=check_finite)

    monkeypatch.setattr(ob.SGD, "step", spy)
    run(ill_conditioned_quadratic(), ob.SGD(lr=0.1), 3)
    data = linear_regression_data(n=20, d=2, seed=0)
    train(LinearRegression(data.X_train, data.y_train), ob.SGD(lr=0.1), epochs=1, batch_size=5)
    assert seen and all(k == {"check_finite": False} for k in seen)

    class Plain:  # a step(params, grads) of its own
        lr = 0.1

        def step(self, params, grads):
            params -= self.lr * grads

    assert skip_finite_check(Plain()) == {}
    assert skip_finite_check(ob.GradientNoise(ob.Adam())) == {"check_finite": False}
    result = run(ill_conditioned_quadratic(), Plain(), 3)
    assert result.steps_taken == 3
