"""Chapter 12 (Nadam): each of the five Nadam rules against its own hand-written loop,
PyTorch's against ``torch.optim.NAdam`` in float64 (with both kinds of weight decay),
and the chapter's closed forms (first step, Keras = PyTorch with ψ = 1, NAG identity).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook.optimizers import Adam, Nadam, Nesterov
from optbook.optimizers.nadam import VARIANTS


def mu(t, beta1, psi):
    return beta1 * (1 - 0.5 * 0.96 ** (t * psi))


def reference(grads, variant, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, psi=0.004,
              weight_decay=0.0, decoupled=False, theta0=None):
    """Every Nadam of the chapter, written out from its source; returns θ_1..θ_T.

    ruder   Ruder (2016) eq. 32:   θ −= η (β₁ m̂_t + (1 − β₁) g_t/(1 − β₁ᵗ)) / (√v̂_t + ε)
    optax   scale_by_adam(nesterov=True): m̂ = β₁ m_t/(1 − β₁^{t+1}) + (1 − β₁) g_t/(1 − β₁ᵗ)
    dozat   Dozat (2016) Alg. 2:  m_t = μ_t m + (1 − μ_t) g,
            m̄ = (1 − μ_t) g/(1 − Π_{≤t} μ) + μ_{t+1} m_t/(1 − Π_{≤t+1} μ)
    pytorch torch.optim.NAdam: as dozat, m_t with β₁
    keras   keras.optimizers.Nadam (Keras 3): as pytorch, μ_t = β₁(1 − ½ 0.96ᵗ)
    """
    T, d = grads.shape
    theta = np.zeros(d) if theta0 is None else np.array(theta0, dtype=float)
    m = np.zeros(d)
    v = np.zeros(d)
    p = psi if variant != "keras" else 1.0
    out = []
    for t in range(1, T + 1):
        g = grads[t - 1].copy()
        if weight_decay and decoupled:
            theta = theta * (1 - lr * weight_decay)
        elif weight_decay:
            g = g + weight_decay * theta
        if variant == "dozat":
            m = mu(t, beta1, p) * m + (1 - mu(t, beta1, p)) * g
        else:
            m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_hat = v / (1 - beta2**t)
        if variant == "ruder":
            num = beta1 * m / (1 - beta1**t) + (1 - beta1) * g / (1 - beta1**t)
        elif variant == "optax":
            num = beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * g / (1 - beta1**t)
        else:
            prod_t = math.prod(mu(i, beta1, p) for i in range(1, t + 1))
            prod_next = prod_t * mu(t + 1, beta1, p)
            num = (1 - mu(t, beta1, p)) * g / (1 - prod_t) + mu(t + 1, beta1, p) * m / (
                1 - prod_next)
        theta = theta - lr * num / (np.sqrt(v_hat) + eps)
        out.append(theta.copy())
    return np.array(out)


def grads_for(T=250, d=7, seed=0):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(T, d)) * np.exp(rng.normal(size=(1, d)))
    if T > 40:
        g[40, 2] *= 300.0  # a spike
    return g


def run_package(opt, grads, theta0=None):
    theta = np.zeros(grads.shape[1]) if theta0 is None else np.array(theta0, dtype=float)
    out = []
    for g in grads:
        opt.step(theta, g.copy())
        out.append(theta.copy())
    return np.array(out)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("kw", [
    {},
    dict(lr=0.03, beta1=0.95, beta2=0.99, eps=1e-3, psi=0.05),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, weight_decay=0.1, decoupled=True),
])
def test_each_variant_matches_its_reference(variant, kw):
    grads = grads_for()
    theta0 = np.linspace(-1, 1, grads.shape[1])
    pk = {k: v for k, v in kw.items() if k not in ("psi", "decoupled")}
    opt = Nadam(variant=variant, momentum_decay=kw.get("psi", 0.004),
                decoupled_weight_decay=kw.get("decoupled", False), **pk)
    ours = run_package(opt, grads, theta0)
    ref = reference(grads, variant, theta0=theta0, **kw)
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-14)


def test_keras_is_pytorch_with_psi_one():
    grads = grads_for(seed=3)
    a = run_package(Nadam(variant="keras", momentum_decay=0.5), grads)
    b = run_package(Nadam(variant="pytorch", momentum_decay=1.0), grads)
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_momentum_schedule_flag_is_the_pytorch_variant():
    grads = grads_for(seed=4)
    np.testing.assert_array_equal(run_package(Nadam(momentum_schedule=True), grads),
                                  run_package(Nadam(variant="pytorch"), grads))
    assert Nadam().variant == "ruder" and Nadam(momentum_schedule=True).variant == "pytorch"


def test_state_dict_round_trip_keeps_the_variant():
    grads = grads_for(T=20)
    for variant in VARIANTS:
        opt = Nadam(variant=variant, weight_decay=0.1, decoupled_weight_decay=True)
        theta = np.ones(grads.shape[1])
        for g in grads[:10]:
            opt.step(theta, g.copy())
        saved, theta_saved = opt.state_dict(), theta.copy()
        for g in grads[10:]:
            opt.step(theta, g.copy())
        other = Nadam()
        other.load_state_dict(saved)
        assert other.variant == variant
        for g in grads[10:]:
            other.step(theta_saved, g.copy())
        np.testing.assert_array_equal(theta, theta_saved)


@pytest.mark.parametrize("weight_decay, decoupled", [(0.0, False), (0.05, False), (0.05, True)])
@pytest.mark.parametrize("psi", [0.004, 0.3])
def test_torch_nadam_parity_float64(weight_decay, decoupled, psi):
    torch = pytest.importorskip("torch")
    grads = grads_for(T=300, seed=7)
    theta0 = np.linspace(-2, 2, grads.shape[1])
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # NAdam's mu_product follows the default dtype
    try:
        p = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
        topt = torch.optim.NAdam([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8,
                                 weight_decay=weight_decay, momentum_decay=psi,
                                 decoupled_weight_decay=decoupled)
        opt = Nadam(lr=0.01, variant="pytorch", momentum_decay=psi,
                    weight_decay=weight_decay, decoupled_weight_decay=decoupled)
        theta = theta0.copy()
        for g in grads:
            p.grad = torch.tensor(g, dtype=torch.float64)
            topt.step()
            opt.step(theta, g.copy())
            np.testing.assert_allclose(theta, p.detach().numpy(), rtol=1e-12, atol=1e-15)
        assert math.isclose(opt.mu_product, topt.state[p]["mu_product"].item(), rel_tol=1e-12)
    finally:
        torch.set_default_dtype(previous)


def test_torch_defaults():
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    d = torch.optim.NAdam([p]).defaults
    ours = Nadam()
    assert (d["lr"], d["betas"], d["eps"], d["momentum_decay"], d["weight_decay"],
            d["decoupled_weight_decay"]) == (ours.lr, (ours.beta1, ours.beta2), ours.eps,
                                             ours.momentum_decay, 0, False)


def first_step_factor(variant, beta1=0.9, psi=0.004):
    """c^g_1 + c^m_1 (1 − a_1): Nadam's first step over Adam's (ε = 0)."""
    opt = Nadam(variant=variant, beta1=beta1, momentum_decay=psi)
    c_g, c_m = opt.coefficients(1)
    a1 = opt.mu(1) if variant == "dozat" else beta1
    return c_g + c_m * (1 - a1)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("beta1", [0.0, 0.5, 0.9, 0.99])
def test_first_step_closed_forms(variant, beta1):
    g = np.array([3.0, -0.2, 1e-3])
    adam = run_package(Adam(lr=0.002, eps=0.0, beta1=beta1), g[None])[0]
    nadam = run_package(Nadam(eps=0.0, beta1=beta1, variant=variant), g[None])[0]
    F = first_step_factor(variant, beta1)
    np.testing.assert_allclose(nadam, F * adam, rtol=1e-12)
    closed = {
        "ruder": 1 + beta1,
        "optax": (1 + 2 * beta1) / (1 + beta1),
    }
    if variant in closed:
        assert math.isclose(F, closed[variant], rel_tol=1e-12)
    else:
        p = 1.0 if variant == "keras" else 0.004
        m1, m2 = mu(1, beta1, p), mu(2, beta1, p)
        a1 = m1 if variant == "dozat" else beta1
        expected = 1 + m2 * (1 - a1) / (1 - m1 * m2) if m1 * m2 < 1 else 1.0
        assert math.isclose(F, expected, rel_tol=1e-12, abs_tol=1e-15)


def test_nag_lookahead_identity():
    """Classical momentum with m_{t−1} replaced by m_t (gradient at φ) is NAG exactly."""
    A = np.diag([0.1, 2.0])
    grad = lambda x: A @ x  # noqa: E731
    eta, gamma = 0.1, 0.9
    theta, mom = np.array([-7.0, 2.0]), np.zeros(2)
    phi = theta.copy()
    for _ in range(100):
        mom_new = gamma * mom + eta * grad(theta - gamma * mom)   # NAG (look-ahead gradient)
        theta = theta - mom_new
        mom = mom_new
    nes = Nesterov(lr=eta, momentum=gamma)
    for _ in range(100):
        nes.step(phi, grad(phi))
    np.testing.assert_allclose(phi, theta - gamma * mom, rtol=1e-12)


def test_validation():
    assert_each_raises_value_error_naming([
        (lambda: Nadam(variant="tf"), "variant"),
        (lambda: Nadam(variant=3), "variant"),
        (lambda: Nadam(variant="dozat", momentum_schedule=True), "momentum_schedule"),
        (lambda: Nadam(weight_decay=-0.1), "weight_decay"),
        (lambda: Nadam(weight_decay=math.nan), "weight_decay"),
        (lambda: Nadam(decoupled_weight_decay=1), "decoupled_weight_decay"),
    ])
