"""The update rules of the Adam chapter (chapters/09_adam.ipynb), each against the package.

Every rule written in the chapter is computed here by hand, line by line, and
compared with ``optbook.optimizers.Adam``; PyTorch's ``torch.optim.Adam`` is
compared with the chapter's Algorithm 1.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optbook.adam_analysis import NumpyDictAdam
from optbook.optimizers import Adam


def algorithm_1(grads, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, theta0=None):
    """Kingma & Ba's Algorithm 1, eq-adam-m, eq-adam-v, eq-adam-hat, eq-adam-update."""
    theta = np.zeros(grads.shape[1]) if theta0 is None else theta0.copy()
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    path = []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(theta)
    return np.array(path)


def efficient_form(grads, lr=1e-3, beta1=0.9, beta2=0.999, eps_hat=1e-8):
    """eq-adam-efficient: η_t = η√(1−β₂ᵗ)/(1−β₁ᵗ), θ −= η_t m/(√v + ε̂)."""
    theta = np.zeros(grads.shape[1])
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    path = []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        lr_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
        theta = theta - lr_t * m / (np.sqrt(v) + eps_hat)
        path.append(theta)
    return np.array(path)


def uncorrected(grads, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    theta = np.zeros(grads.shape[1])
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    path = []
    for g in grads:
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        theta = theta - lr * m / (np.sqrt(v) + eps)
        path.append(theta)
    return np.array(path)


def package_path(opt, grads):
    theta = np.zeros(grads.shape[1])
    path = []
    for g in grads:
        opt.step(theta, g.copy())
        path.append(theta.copy())
    return np.array(path)


@pytest.fixture
def grads():
    rng = np.random.default_rng(0)
    return rng.standard_normal((300, 7)) * np.exp(2 * rng.standard_normal(7))


@pytest.mark.parametrize("hyper", [
    {}, {"lr": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3}, {"beta1": 0.0, "eps": 0.0},
])
def test_algorithm_1_is_the_moments_mode(grads, hyper):
    expected = algorithm_1(grads, **hyper)
    got = package_path(Adam(**hyper), grads)
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("eps", [1e-8, 1e-3, 0.0])
def test_efficient_form_is_the_step_size_mode(grads, eps):
    expected = efficient_form(grads, lr=0.01, eps_hat=eps)
    got = package_path(Adam(lr=0.01, eps=eps, bias_correction="step_size"), grads)
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_uncorrected_rule_is_the_none_mode(grads):
    expected = uncorrected(grads, lr=0.01, eps=1e-6)
    got = package_path(Adam(lr=0.01, eps=1e-6, bias_correction="none"), grads)
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_efficient_form_with_rescaled_eps_hat_is_algorithm_1(grads):
    """thm-adam-efficient: ε̂_t = ε√(1 − β₂ᵗ) makes eq-adam-efficient equal eq-adam-update."""
    small = grads * 1e-7  # where ε matters
    expected = algorithm_1(small, lr=0.01, eps=1e-8)
    opt = Adam(lr=0.01, bias_correction="step_size")
    theta = np.zeros(small.shape[1])
    for t, g in enumerate(small, start=1):
        opt.eps = 1e-8 * math.sqrt(1 - 0.999**t)
        opt.step(theta, g.copy())
    assert np.allclose(theta, expected[-1], rtol=1e-10, atol=0)
    constant = efficient_form(small, lr=0.01, eps_hat=1e-8)[-1]
    assert not np.allclose(constant, expected[-1], rtol=1e-3)


def test_numpy_dict_adam_is_the_efficient_form_with_eps_1e_7(grads):
    params = {"theta": np.zeros(grads.shape[1])}
    cls = NumpyDictAdam(lr=0.01)
    for g in grads:
        cls.update(params, {"theta": g})
    expected = efficient_form(grads, lr=0.01, eps_hat=1e-7)[-1]
    assert np.allclose(params["theta"], expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("k", [-30, -3, 5, 25])
def test_scale_invariance_is_exact_at_eps_zero_for_powers_of_two(grads, k):
    """thm-adam-scale: with ε = 0, gradients times 2^k give bit-identical iterates."""
    base = package_path(Adam(lr=0.01, eps=0.0), grads)
    scaled = package_path(Adam(lr=0.01, eps=0.0), grads * 2.0**k)
    assert np.array_equal(base, scaled)


def test_scaling_the_gradient_is_dividing_eps(grads):
    """thm-adam-scale: gradients times c with ε equal gradients times 1 with ε/c."""
    c = 1e-5
    a = package_path(Adam(lr=0.01, eps=1e-8), grads * c)
    b = package_path(Adam(lr=0.01, eps=1e-8 / c), grads)
    assert np.allclose(a, b, rtol=1e-10, atol=1e-15)
    assert not np.allclose(a, package_path(Adam(lr=0.01, eps=1e-8), grads), rtol=1e-3)


def test_pytorch_adam_is_algorithm_1(grads):
    torch = pytest.importorskip("torch")
    p = torch.zeros(grads.shape[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, foreach=False)
    path = []
    for g in grads:
        opt.zero_grad()
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        path.append(p.detach().numpy().copy())
    expected = package_path(Adam(lr=0.01), grads)
    assert np.allclose(np.array(path), expected, rtol=1e-10, atol=1e-14)
    assert np.allclose(np.array(path), algorithm_1(grads, lr=0.01), rtol=1e-10, atol=1e-14)
