"""optbook.langevin: SGLD's update, its noise, its stationary variance."""

from __future__ import annotations

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook.langevin import SGLD, ou_stationary_variance, sgld_chains
from optbook.optimizers import SGD, GradientNoise


def test_update_is_half_step_plus_noise_of_variance_eta() -> None:
    theta, g = np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.1, -4.0])
    opt = SGLD(lr=0.04, seed=7)
    xi = np.random.default_rng(7).standard_normal(3)
    expected = theta - 0.02 * g + 0.2 * xi
    opt.step(theta, g)
    np.testing.assert_allclose(theta, expected, rtol=1e-15)
    assert opt.t == 1


def test_noise_statistics() -> None:
    theta = np.zeros(400_000)
    SGLD(lr=0.25, seed=1).step(theta, np.zeros_like(theta))
    assert abs(theta.mean()) < 4 * 0.5 / np.sqrt(theta.size)
    assert abs(theta.var() / 0.25 - 1) < 4 * np.sqrt(2 / theta.size)


def test_equals_gradient_noise_sgd_with_variance_two_over_alpha() -> None:
    """SGLD with step η is SGD with rate α = η/2 plus gradient noise of variance 2/α.

    With one seed the two draw the same ξ; GradientNoise subtracts α σ ξ where
    SGLD adds √η ξ, and σ α = √(2/α) α = √η, so the two steps are mirror
    images about the plain SGD step θ − α g (the same distribution, ξ being
    symmetric).
    """
    rng = np.random.default_rng(0)
    for seed in range(10):
        theta, g = rng.normal(size=5), rng.normal(size=5)
        a, b = theta.copy(), theta.copy()
        SGLD(lr=0.02, seed=seed).step(a, g)
        GradientNoise(SGD(lr=0.01), eta=2 / 0.01, gamma=0.0, seed=seed).step(b, g)
        np.testing.assert_allclose((a + b) / 2, theta - 0.01 * g, rtol=1e-12, atol=1e-14)
        assert not np.allclose(a, b)


def test_resume_draws_the_same_noise() -> None:
    a = SGLD(lr=0.1, seed=5)
    th = np.zeros(4)
    for _ in range(3):
        a.step(th, th.copy())
    b = SGLD(lr=0.5, seed=0)
    b.load_state_dict(a.state_dict())
    assert b.lr == 0.1 and b.seed == 5
    ta, tb = th.copy(), th.copy()
    for _ in range(3):
        a.step(ta, ta.copy())
        b.step(tb, tb.copy())
    np.testing.assert_array_equal(ta, tb)


@pytest.mark.parametrize("eta", [0.05, 0.5, 2.0])
def test_stationary_variance_of_a_gaussian_target(eta) -> None:
    """Many chains on N(1, 2): the measured variance is s²/(1 − η/(4s²)), not s²."""
    mu, s2 = 1.0, 2.0
    chains = sgld_chains(lambda th, t: (th - mu) / s2, np.full(20_000, mu), 400, eta, seed=2)
    last = chains[-1]
    predicted = ou_stationary_variance(eta, s2)
    assert abs(last.mean() - mu) < 5 * np.sqrt(predicted / last.size)
    assert abs(last.var() / predicted - 1) < 5 * np.sqrt(2 / last.size)


def test_schedule_and_shapes() -> None:
    seen = []

    def grad(th, t):
        seen.append(t)
        return np.zeros_like(th)

    out = sgld_chains(grad, np.zeros((3, 2)), 4, lambda t: 0.1 / t, seed=0)
    assert out.shape == (5, 3, 2) and seen == [1, 2, 3, 4]
    steps = np.diff(out, axis=0)
    # noise variance η_t = 0.1/t: the step at t = 4 is smaller on average than at t = 1
    assert np.all(np.isfinite(steps))


def test_bad_input_raises_value_error_naming_it() -> None:
    assert_each_raises_value_error_naming([
        (lambda: SGLD(lr=0.0), "lr"),
        (lambda: SGLD(seed=-1), "seed"),
        (lambda: SGLD(seed=1.5), "seed"),
        (lambda: sgld_chains(lambda th, t: th, np.zeros(3), -1, 0.1), "n_steps"),
        (lambda: sgld_chains(lambda th, t: th, np.zeros((2, 2, 2)), 3, 0.1), "theta0"),
        (lambda: sgld_chains(lambda th, t: th, np.zeros(3), 3, -0.1), "lr"),
        (lambda: sgld_chains(lambda th, t: th, np.zeros(3), 3, lambda t: 0.0), "lr"),
        (lambda: ou_stationary_variance(4.0, 1.0), "eta"),
        (lambda: ou_stationary_variance(0.1, 0.0), "s2"),
    ])
