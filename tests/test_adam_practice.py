"""Chapter 10 ("Adam in practice"): the naive class, the recorded timings, the ε → ∞ limit."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook import recorded_timings
from optbook.functions import rosenbrock
from optbook.naive_adam import NaiveAdam
from optbook.optimizers import Adam, Momentum
from optbook.run import run

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_adam_naive.py"


def _pair(seed: int = 0):
    rng = np.random.default_rng(seed)
    shapes = {"W": (7, 5), "b": (5,), "big": (3000,)}  # "big" crosses chunk boundaries
    params = {k: rng.standard_normal(s) for k, s in shapes.items()}
    grads = [{k: rng.standard_normal(s) * 10.0 ** rng.integers(-4, 2) for k, s in shapes.items()}
             for _ in range(25)]
    return params, grads


@pytest.mark.parametrize("efficient", [False, True])
@pytest.mark.parametrize("eps", [1e-8, 0.1, 0.0])
def test_naive_adam_equals_the_package(efficient, eps):
    params, grads = _pair()
    naive_p = {k: v.copy() for k, v in params.items()}
    pkg_p = {k: v.copy() for k, v in params.items()}
    naive = NaiveAdam(lr=0.01, beta1=0.8, beta2=0.99, eps=eps, efficient=efficient)
    pkg = Adam(lr=0.01, beta1=0.8, beta2=0.99, eps=eps,
               bias_correction="step_size" if efficient else "moments")
    for g in grads:
        naive.update(naive_p, g)
        pkg.step(pkg_p, g)
    for k in params:
        np.testing.assert_allclose(naive_p[k], pkg_p[k], rtol=1e-13, atol=1e-15)
    assert naive.iter == pkg.t == len(grads)


def test_naive_adam_hand_computation_first_two_steps():
    # g = 2, then 1; β₁ = 0.9, β₂ = 0.999, η = 0.1, ε = 0
    p = {"x": np.array([1.0])}
    opt = NaiveAdam(lr=0.1, eps=0.0)
    opt.update(p, {"x": np.array([2.0])})   # m̂ = 2, v̂ = 4: step η·1
    assert p["x"][0] == pytest.approx(0.9, abs=1e-15)
    opt.update(p, {"x": np.array([1.0])})
    m_hat = (0.9 * 0.2 + 0.1 * 1.0) / (1 - 0.9**2)
    v_hat = (0.999 * 0.004 + 0.001 * 1.0) / (1 - 0.999**2)
    assert p["x"][0] == pytest.approx(0.9 - 0.1 * m_hat / np.sqrt(v_hat), abs=1e-15)


def test_efficient_form_is_algorithm_1_with_a_rescaled_eps():
    # η√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε̂) = η m̂/(√v̂ + ε_t) with ε_t = ε̂/√(1−β₂ᵗ)
    params, grads = _pair(1)
    eps_hat, eta, b1, b2 = 1e-3, 0.01, 0.9, 0.999
    eff_p = {k: v.copy() for k, v in params.items()}
    eff = NaiveAdam(lr=eta, eps=eps_hat, efficient=True)
    alg_p = {k: v.copy() for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v2 = {k: np.zeros_like(v) for k, v in params.items()}
    for t, g in enumerate(grads, start=1):
        eff.update(eff_p, g)
        eps_t = eps_hat / np.sqrt(1 - b2**t)
        for k in params:
            m[k] = b1 * m[k] + (1 - b1) * g[k]
            v2[k] = b2 * v2[k] + (1 - b2) * g[k] ** 2
            alg_p[k] -= eta * (m[k] / (1 - b1**t)) / (np.sqrt(v2[k] / (1 - b2**t)) + eps_t)
    for k in params:
        np.testing.assert_allclose(eff_p[k], alg_p[k], rtol=1e-12, atol=1e-14)


def test_naive_adam_rejects_bad_input():
    good = {"w": np.zeros(3)}
    assert_each_raises_value_error_naming([
        (lambda: NaiveAdam(lr=0), "lr"),
        (lambda: NaiveAdam(lr=-1.0), "lr"),
        (lambda: NaiveAdam(beta1=1.0), "beta1"),
        (lambda: NaiveAdam(beta2=-0.1), "beta2"),
        (lambda: NaiveAdam(eps=-1e-8), "eps"),
        (lambda: NaiveAdam(efficient="yes"), "efficient"),
        (lambda: NaiveAdam().update(np.zeros(3), np.zeros(3)), "params"),
        (lambda: NaiveAdam().update(good, {"v": np.zeros(3)}), "grads"),
        (lambda: NaiveAdam().update(good, {"w": np.zeros(4)}), "grads"),
        (lambda: NaiveAdam().update({"w": np.zeros(3, dtype=int)}, good), "params"),
    ])
    opt = NaiveAdam()
    opt.update({"w": np.zeros(3)}, {"w": np.ones(3)})
    with pytest.raises(ValueError, match="params"):
        opt.update({"w": np.zeros(4)}, {"w": np.ones(4)})


def test_large_eps_limit_is_ema_momentum_at_step_size_eta_over_eps():
    # Adam(η = cε, ε) → θ_t = θ_{t−1} − c m̂_t as ε → ∞, and θ − c m̂ is
    # PyTorch-form momentum b = β₁b + g with the rate c(1 − β₁)/(1 − β₁ᵗ)
    f, c, b1, steps = rosenbrock(), 1e-3, 0.9, 200
    limit = run(f, Momentum(lr=c, momentum=b1, lr_in_velocity=False), steps,
                lr_schedule=lambda t: c * (1 - b1) / (1 - b1**t))
    gaps = []
    for eps in (1e4, 1e6, 1e8):
        adam = run(f, Adam(lr=c * eps, eps=eps, beta1=b1), steps)
        gaps.append(np.max(np.abs(adam.path - limit.path)))
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 1e-6
    # each factor 100 in ε shrinks the gap about 100-fold: the error is O(√v̂/ε)
    assert 30 < gaps[1] / gaps[2] < 300


def test_recorded_timings_are_complete_and_labelled():
    names = {"naive NumPy Adam", "optbook Adam", "optbook SGD"}
    assert set(recorded_timings.SECONDS) == names
    assert set(recorded_timings.TEMPORARY_BYTES) == names
    sizes = set(recorded_timings.SECONDS["optbook Adam"])
    assert sizes and all(set(v) == sizes for v in recorded_timings.SECONDS.values())
    assert all(s > 0 for v in recorded_timings.SECONDS.values() for s in v.values())
    assert "core" in recorded_timings.MACHINE
    assert recorded_timings.NUMPY_VERSION.count(".") >= 1
    assert len(recorded_timings.DATE) == 10


def test_benchmark_check_passes_on_a_small_size():
    spec = importlib.util.spec_from_file_location("bench_adam_naive", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.check_same_numbers(n=2000, steps=3) < 1e-5
    result = bench.measure(sizes=(1000,), repeat=3)
    assert set(result["seconds"]) == set(recorded_timings.SECONDS)
    assert "SECONDS = " in bench.module_source(result)
