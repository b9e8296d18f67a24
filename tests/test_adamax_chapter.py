"""Chapter 11 (AdaMax): the rules the chapter states, checked against hand references and torch.

- AdaMax's paper rule (Kingma & Ba 2015, Algorithm 2), PyTorch's ε inside the max,
  and Keras's ε added to u, each against a hand-written loop;
- ``optbook.AdaMax(eps=1e-8, eps_inside_max=True)`` against ``torch.optim.Adamax``
  in float64, with coordinates whose gradient is exactly zero, tiny gradients
  and spikes;
- the Lᵖ family (``lp_moment``): p = 2 is Adam's √v, p → ∞ is the max recursion,
  the bias-correction factor lies in [1 − β₂ᵖ, 1];
- the exact step bound (``step_bound``), attained by g_i = β₂^i and never exceeded;
- the spike tools of ``optbook.spikes``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook.models import SoftmaxRegression
from optbook.optimizers import Adam, AdaMax
from optbook.optimizers.adamax import lp_moment, step_bound
from optbook.spikes import (
    SpikedModel,
    predicted_recovery,
    recovery_time,
    step_ratios_after_spike,
)
from optbook.train import train


def hand_adamax(grads, lr, beta1, beta2, eps=0.0, placement="paper"):
    """Algorithm 2 written out, one step per row of ``grads``; returns every θ_t (θ₀ = 0)."""
    theta = np.zeros(grads.shape[1])
    m = np.zeros_like(theta)
    u = np.zeros_like(theta)
    out = []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        if placement == "torch":
            u = np.maximum(beta2 * u, np.abs(g) + eps)
            den = u
        else:
            u = np.maximum(beta2 * u, np.abs(g))
            den = u + eps
        ratio = np.zeros_like(m)
        nz = den != 0
        ratio[nz] = m[nz] / den[nz]
        theta = theta - lr / (1 - beta1**t) * ratio
        out.append(theta.copy())
    return np.array(out)


def gradient_sequence(steps=300, d=12, seed=0):
    """Noisy gradients with a zero coordinate, a tiny one and two spikes."""
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(steps, d))
    g[:, 0] = 0.0                   # never any gradient (a blank pixel)
    g[:, 1] *= 1e-9                 # gradients below ε
    g[: steps // 2, 2] = 0.0        # zero for a while, then ordinary
    g[50, 3] *= 1e4                 # spikes
    g[120, 4] *= -1e3
    return g


def run_package(opt, grads):
    theta = np.zeros(grads.shape[1])
    out = []
    for g in grads:
        opt.step(theta, g.copy())
        out.append(theta.copy())
    return np.array(out)


@pytest.mark.parametrize(
    ("kwargs", "placement", "eps"),
    [
        (dict(lr=0.02), "paper", 0.0),
        (dict(lr=0.02, beta1=0.5, beta2=0.9), "paper", 0.0),
        (dict(lr=0.02, eps=1e-8, eps_inside_max=True), "torch", 1e-8),
        (dict(lr=0.02, eps=1e-7), "keras", 1e-7),
    ],
)
def test_adamax_rules_match_hand_reference(kwargs, placement, eps):
    grads = gradient_sequence()
    b1, b2 = kwargs.get("beta1", 0.9), kwargs.get("beta2", 0.999)
    ours = run_package(AdaMax(**kwargs), grads)
    ref = hand_adamax(grads, kwargs["lr"], b1, b2, eps, placement)
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, ref, rtol=1e-13, atol=1e-15)


def test_paper_rule_steps_zero_where_every_gradient_was_zero():
    grads = gradient_sequence()
    opt = AdaMax()
    ours = run_package(opt, grads)
    assert np.all(ours[:, 0] == 0)                   # 0/0 is taken as a zero step
    assert np.all(ours[: len(grads) // 2, 2] == 0)
    assert opt.state["0"]["u"][0] == 0


def test_torch_parity_float64():
    torch = pytest.importorskip("torch")
    grads = gradient_sequence()
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        p = torch.zeros(grads.shape[1], dtype=torch.float64, requires_grad=True)
        topt = torch.optim.Adamax([p], lr=0.02, betas=(0.9, 0.999), eps=1e-8)
        opt = AdaMax(lr=0.02, eps=1e-8, eps_inside_max=True)
        theta = np.zeros(grads.shape[1])
        for g in grads:
            p.grad = torch.tensor(g, dtype=torch.float64)
            topt.step()
            opt.step(theta, g.copy())
            np.testing.assert_allclose(theta, p.detach().numpy(), rtol=1e-12, atol=1e-18)
        np.testing.assert_allclose(opt.state["0"]["u"],
                                   topt.state[p]["exp_inf"].numpy(), rtol=1e-12, atol=0)
        # the zero-gradient coordinate: torch's u sits at ε, the step is exactly 0
        assert topt.state[p]["exp_inf"][0].item() == 1e-8
        assert p[0].item() == 0.0
    finally:
        torch.set_default_dtype(previous)


def test_torch_default_lr_is_the_papers():
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    d = torch.optim.Adamax([p]).defaults
    assert d["lr"] == AdaMax().lr == 0.002 and d["betas"] == (0.9, 0.999) and d["eps"] == 1e-8


# ----------------------------------------------------------------------------- Lᵖ family
def test_lp_p2_is_adams_sqrt_v_with_squared_decay():
    g = np.random.default_rng(1).normal(size=(80, 3))
    beta = 0.99
    v = np.zeros(3)
    rows = []
    for x in g:
        v = beta * v + (1 - beta) * x**2
        rows.append(np.sqrt(v))
    np.testing.assert_allclose(lp_moment(g, math.sqrt(beta), 2), rows, rtol=1e-12)
    t = np.arange(1, 81)[:, None]
    np.testing.assert_allclose(lp_moment(g, math.sqrt(beta), 2, bias_correction=True),
                               np.array(rows) / np.sqrt(1 - beta**t), rtol=1e-12)


@pytest.mark.parametrize("beta2", [0.0, 0.5, 0.999])
def test_lp_infinity_is_the_max_recursion_and_large_p_approaches_it(beta2):
    g = np.random.default_rng(2).standard_t(2, size=120)
    u, rec = 0.0, []
    for x in g:
        u = max(beta2 * u, abs(x))
        rec.append(u)
    u_inf = lp_moment(g, beta2, np.inf)
    np.testing.assert_allclose(u_inf, rec, rtol=1e-12)
    for p in (10.0, 100.0, 1000.0):
        ratio = lp_moment(g, beta2, p) / u_inf
        assert np.all(ratio <= 120 ** (1 / p) * (1 + 1e-12))        # the proof's bounds
        assert np.all(ratio >= (1 - beta2) ** (1 / p) * (1 - 1e-12))
    assert np.max(np.abs(lp_moment(g, beta2, 5000.0) / u_inf - 1)) < 2e-3


def test_bias_correction_factor_is_squeezed():
    for p in (1.0, 2.0, 7.5, 300.0):
        for beta2 in (0.5, 0.9, 0.999):
            for t in (1, 2, 50, 10_000):
                f = (1 - beta2 ** (p * t)) ** (1 / p)
                assert 1 - beta2**p - 1e-15 <= f <= 1


def test_constant_gradient_gives_exact_u():
    assert np.all(lp_moment(np.full(40, -2.5), 0.999, np.inf) == 2.5)


def test_lp_moment_validation():
    g = np.ones(5)
    assert_each_raises_value_error_naming([
        (lambda: lp_moment(g, 1.0), "beta2"),
        (lambda: lp_moment(g, 0.9, 0.5), "p"),
        (lambda: lp_moment(g, 0.9, True), "p"),
        (lambda: lp_moment(g, 0.9, 2, bias_correction=1), "bias_correction"),
        (lambda: lp_moment(np.ones((2, 2, 2))), "grads"),
        (lambda: lp_moment(np.array([1.0, np.nan])), "grads"),
        (lambda: lp_moment(np.array([])), "grads"),
    ])


# ----------------------------------------------------------------------------- step bound
def test_step_bound_is_attained_and_never_exceeded():
    b1, b2, T = 0.9, 0.999, 400
    worst = b2 ** np.arange(1, T + 1)
    steps = np.abs(np.diff(np.vstack([np.zeros(1), run_package(AdaMax(lr=1.0),
                                                                   worst[:, None])]), axis=0))
    for t in (1, 2, 10, T):
        assert math.isclose(steps[t - 1, 0], step_bound(b1, b2, t), rel_tol=1e-12)
    assert math.isclose(step_bound(b1, b2), 0.1 / (1 - 0.9 / 0.999), rel_tol=1e-15)
    rng = np.random.default_rng(5)
    for _ in range(20):
        g = rng.normal(size=(T, 50)) * np.exp(rng.normal(size=(T, 50)) * 3)
        s = np.abs(np.diff(np.vstack([np.zeros(50), run_package(AdaMax(lr=1.0), g)]), axis=0))
        bounds = np.array([step_bound(b1, b2, t) for t in range(1, T + 1)])
        assert np.all(s <= bounds[:, None] * (1 + 1e-12))


def test_step_bound_edge_cases_and_validation():
    assert step_bound(0.9, 0.999, 1) == 1.0
    assert step_bound(0.9, 0.0, 2) == math.inf
    assert step_bound(0.99, 0.9) == math.inf
    assert math.isclose(step_bound(0.9, 0.9, 5), 0.1 / (1 - 0.9**5) * 5)
    assert_each_raises_value_error_naming([
        (lambda: step_bound(1.0, 0.9), "beta1"),
        (lambda: step_bound(0.9, -0.1), "beta2"),
        (lambda: step_bound(0.9, 0.99, 0), "t"),
        (lambda: step_bound(0.9, 0.99, 2.0), "t"),
    ])


# ----------------------------------------------------------------------------- spikes
def test_step_ratios_match_a_hand_run():
    R = [3.0, 300.0]
    ratios = step_ratios_after_spike(lambda: AdaMax(lr=0.5), R, 60, 20)
    g = np.ones((60, 2))
    g[19] = R
    hand = hand_adamax(g, 0.5, 0.9, 0.999)
    np.testing.assert_allclose(ratios, np.abs(np.diff(np.vstack([np.zeros(2), hand]), axis=0))
                               / 0.5, rtol=1e-12)


@pytest.mark.parametrize("beta2", [0.99, 0.999])
def test_predicted_recovery_matches_measurement(beta2):
    # late enough that Adam's bias correction 1 − β₂ᵗ is 1 to within 0.1 %
    at = 7000 if beta2 == 0.999 else 700
    R = np.array([5.0, 60.0, 700.0]) if beta2 == 0.999 else np.array([5.0, 60.0, 700.0, 9000.0])
    horizon = at + int(2 * math.log(R[-1]) / math.log(1 / beta2))
    for name, make in [("AdaMax", lambda: AdaMax(beta2=beta2)),
                       ("Adam", lambda: Adam(beta2=beta2))]:
        measured = recovery_time(step_ratios_after_spike(make, R, horizon, at), at)
        predicted = np.ceil(predicted_recovery(name, R, beta2=beta2))
        assert np.all(np.abs(measured - predicted) <= 2), (name, measured, predicted)


def test_recovery_time_semantics():
    r = np.ones((10, 3))
    r[5:8, 1] = 0.1          # steps 6, 7, 8 suppressed after a spike at step 5
    r[5:, 2] = 0.1           # never recovers
    assert recovery_time(r, 5).tolist() == [0, 3, -1]


def test_spike_validation():
    assert_each_raises_value_error_naming([
        (lambda: step_ratios_after_spike(AdaMax, [0.0], 10, 5), "factors"),
        (lambda: step_ratios_after_spike(AdaMax, [2.0], 10, 11), "at"),
        (lambda: step_ratios_after_spike(AdaMax, [2.0], 0, 1), "steps"),
        (lambda: recovery_time(np.ones(5), 6), "at"),
        (lambda: recovery_time(np.ones(5), 2, level=1.0), "level"),
        (lambda: predicted_recovery("SGD", [2.0]), "method"),
        (lambda: predicted_recovery("Adam", [2.0], beta2=1.0), "beta2"),
        (lambda: SpikedModel(object(), {1: 2.0}), "model"),
        (lambda: SpikedModel(_tiny_model(), {}), "spikes"),
        (lambda: SpikedModel(_tiny_model(), {0: 2.0}), "spikes"),
        (lambda: SpikedModel(_tiny_model(), {1: -2.0}), "factors"),
    ])


def _tiny_model():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return SoftmaxRegression(X, (X[:, 0] > 0).astype(int), n_classes=2)


def test_spiked_model_spikes_exactly_one_update():
    model = _tiny_model()
    spiked = SpikedModel(model, {3: 100.0})
    theta = model.start + 0.1
    for call in range(1, 6):
        loss, g = spiked.value_and_grad(theta, model.X, model.y)
        l0, g0 = model.value_and_grad(theta, model.X, model.y)
        assert loss == l0
        np.testing.assert_array_equal(g, g0 * (100.0 if call == 3 else 1.0))
    assert spiked.dim == model.dim          # everything else is the model's
    a = train(model, AdaMax(lr=0.01), epochs=2, batch_size=8, seed=0)
    b = train(SpikedModel(model, {3: 1.0}), AdaMax(lr=0.01), epochs=2, batch_size=8, seed=0)
    np.testing.assert_array_equal(a.theta, b.theta)
