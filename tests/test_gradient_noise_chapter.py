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


def test_gaussian_start_and_layer_gradient_norms() -> None:
    from checks import assert_each_raises_value_error_naming

    from optbook.data import digits
    from optbook.deep_mlp import gaussian_start, layer_gradient_norms
    from optbook.models import MLP

    data = digits(seed=0)
    model = MLP(data.X_train[:200], data.y_train[:200], hidden=(8, 8, 8), seed=0)
    theta = gaussian_start(model, 0.1, seed=3)
    np.testing.assert_array_equal(theta, gaussian_start(model, 0.1, seed=3))
    views = model.unpack(theta)
    weights = np.concatenate([W.ravel() for W in views[0::2]])
    assert all(np.all(b == 0) for b in views[1::2])
    assert abs(weights.std() / 0.1 - 1) < 0.1
    norms = layer_gradient_norms(model, theta)
    assert norms.shape == (4,) and np.all(norms > 0)
    # all weights zero: every weight gradient vanishes (a stationary point in the weights)
    zero = np.zeros(model.dim)
    np.testing.assert_array_equal(layer_gradient_norms(model, zero), 0.0)
    assert_each_raises_value_error_naming([
        (lambda: gaussian_start(model, 0.0), "std"),
        (lambda: gaussian_start(model, 0.1, seed=-1), "seed"),
        (lambda: gaussian_start(object(), 0.1), "model"),
        (lambda: layer_gradient_norms(object(), zero), "model"),
    ])
