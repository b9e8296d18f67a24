"""Chapter 14 (gradient noise): the wrapper adds exactly Neelakantan et al.'s noise."""

from __future__ import annotations

import numpy as np

from optbook.optimizers import SGD, Adam, GradientNoise


def test_variance_schedule_is_eta_over_one_plus_t_to_the_gamma() -> None:
    opt = GradientNoise(SGD(lr=1.0), eta=0.3, gamma=0.55, seed=0)
    for t in (1, 2, 10, 1000):
        assert opt.sigma2(t) == 0.3 / (1 + t) ** 0.55


def test_noise_is_added_to_the_gradient_with_the_scheduled_variance() -> None:
    """With SGD(lr=1) and zero gradients each step is −n_t; its variance is σ_t²."""
    opt = GradientNoise(SGD(lr=1.0), eta=1.0, gamma=0.55, seed=4)
    theta, prev = np.zeros(300_000), np.zeros(300_000)
    for t in (1, 2, 3):
        opt.step(theta, np.zeros_like(theta))
        step = theta - prev
        prev = theta.copy()
        assert abs(step.mean()) < 5 * np.sqrt(opt.sigma2(t) / step.size)
        assert abs(step.var() / opt.sigma2(t) - 1) < 5 * np.sqrt(2 / step.size)


def test_exact_stream_and_wrapped_optimizer_sees_the_noisy_gradient() -> None:
    """Step t feeds g + σ_t ξ_t to the wrapped optimizer, ξ from default_rng(seed)."""
    rng = np.random.default_rng(9)
    g = np.array([0.3, -1.0, 2.0])
    ours, ref = np.zeros(3), np.zeros(3)
    opt = GradientNoise(Adam(lr=0.01), eta=0.3, gamma=0.55, seed=9)
    adam = Adam(lr=0.01)
    for t in range(1, 6):
        opt.step(ours, g)
        adam.step(ref, g + np.sqrt(0.3 / (1 + t) ** 0.55) * rng.standard_normal(3))
    np.testing.assert_allclose(ours, ref, rtol=1e-14, atol=1e-15)


def test_eta_zero_adds_nothing() -> None:
    a, b = np.ones(4), np.ones(4)
    noisy, plain = GradientNoise(SGD(lr=0.1), eta=0.0), SGD(lr=0.1)
    for _ in range(5):
        noisy.step(a, a.copy())
        plain.step(b, b.copy())
    np.testing.assert_array_equal(a, b)
