"""Tests of optbook.line_search: Armijo's condition, the step bound, the loop."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optbook.line_search import armijo_backtracking, gradient_descent_armijo


def quadratic(eigenvalues):
    A = np.diag(np.asarray(eigenvalues, dtype=float))
    return (lambda th: 0.5 * th @ A @ th), (lambda th: A @ th), float(np.max(eigenvalues))


def test_accepts_eta0_when_it_satisfies_armijo():
    f, grad, _ = quadratic([1.0, 2.0])
    theta = np.array([1.0, 1.0])
    eta, trials = armijo_backtracking(f, theta, grad(theta), eta0=0.1)
    assert eta == 0.1 and trials == 1


def test_returned_step_is_the_first_accepted_power():
    f, grad, _ = quadratic([10.0])
    theta = np.array([1.0])
    g = grad(theta)
    eta, trials = armijo_backtracking(f, theta, g, eta0=1.0, shrink=0.5, c=0.5)
    # condition: 5(1 - 10η)² ≤ 5 - 0.5·η·100  <=>  η ≤ 0.1 (for c = 1/2)
    assert eta == pytest.approx(0.0625) and trials == 5
    assert f(theta - eta * g) <= f(theta) - 0.5 * eta * g @ g
    larger = eta / 0.5
    assert f(theta - larger * g) > f(theta) - 0.5 * larger * g @ g


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.01, 100.0), min_size=1, max_size=5),
    st.floats(0.1, 0.9),
    st.floats(1e-4, 0.9),
    st.integers(0, 10_000),
)
def test_step_bound_for_smooth_functions(eigs, shrink, c, seed):
    # Armijo + L-smoothness: η ≥ min(η0, 2τ(1 - c)/L), and sufficient decrease holds
    f, grad, L = quadratic(eigs)
    theta = np.random.default_rng(seed).standard_normal(len(eigs))
    g = grad(theta)
    # enough trials for the smallest shrink factor to get from 10 below 2(1 - c)/L
    # (shrink = 0.9, L = 100, c = 0.9: about 90 trials; the default 60 is for use)
    eta, _ = armijo_backtracking(f, theta, g, eta0=10.0, shrink=shrink, c=c, max_trials=1000)
    assert eta >= min(10.0, 2 * shrink * (1 - c) / L) * (1 - 1e-12)
    assert f(theta - eta * g) <= f(theta) - c * eta * (g @ g) + 1e-12


def test_zero_gradient_returns_eta0_without_evaluations():
    f, grad, _ = quadratic([1.0])
    assert armijo_backtracking(f, np.zeros(1), np.zeros(1), eta0=0.3) == (0.3, 0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"eta0": 0.0}, "eta0"),
        ({"eta0": float("inf")}, "eta0"),
        ({"shrink": 1.0}, "shrink"),
        ({"shrink": 0.0}, "shrink"),
        ({"c": 1.0}, "c"),
        ({"c": True}, "c"),
        ({"max_trials": 0}, "max_trials"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, name):
    f, grad, _ = quadratic([1.0])
    theta = np.ones(1)
    with pytest.raises(ValueError, match=name):
        armijo_backtracking(f, theta, grad(theta), **kwargs)


def test_shape_mismatch_and_wrong_gradient():
    f, grad, _ = quadratic([1.0, 1.0])
    theta = np.ones(2)
    with pytest.raises(ValueError, match="grad"):
        armijo_backtracking(f, theta, np.ones(3))
    with pytest.raises(ValueError, match="Armijo"):
        armijo_backtracking(f, theta, -grad(theta), max_trials=20)  # an ascent direction


def test_gradient_descent_armijo_matches_a_hand_loop():
    f, grad, L = quadratic([0.1, 2.0])
    theta0 = np.array([-7.0, 2.0])
    result = gradient_descent_armijo(f, grad, theta0, 25, eta0=1.0)
    theta = theta0.copy()
    for t in range(25):
        g = grad(theta)
        eta, _ = armijo_backtracking(f, theta, g, eta0=1.0)
        assert result.steps[t] == eta
        theta = theta - eta * g
        np.testing.assert_array_equal(result.path[t + 1], theta)
    assert np.all(np.diff(result.losses) < 0)
    assert np.all(result.steps >= 2 * 0.5 * (1 - 1e-4) / L)
    assert result.evaluations >= 25


def test_gradient_descent_armijo_stops_at_a_stationary_point():
    f, grad, _ = quadratic([1.0])
    result = gradient_descent_armijo(f, grad, np.zeros(1), 5)
    assert result.path.shape == (1, 1) and result.steps.size == 0
    with pytest.raises(ValueError, match="steps"):
        gradient_descent_armijo(f, grad, np.zeros(1), -1)
