"""Tests for the AdamW chapter: the paper's rule, PyTorch's rule under a schedule,
the L2 / weight-decay propositions, the recorded grid, and torch parity."""

from __future__ import annotations

import numpy as np
import pytest

from optbook.optimizers import SGD, Adam, AdamW
from optbook.optimizers.adamw import grid_cell_error


def _reference_adamw(theta, grads, lr, b1, b2, eps, lam, etas, scaled):
    # Loshchilov & Hutter, Algorithm 2, written out; scaled=True: PyTorch's decay
    theta = np.array(theta, dtype=float)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t, (g, eta) in enumerate(zip(grads, etas, strict=True), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mh, vh = m / (1 - b1**t), v / (1 - b2**t)
        decay = eta * lam * (lr if scaled else 1.0)
        theta = theta - eta * lr * mh / (np.sqrt(vh) + eps) - decay * theta
    return theta


@pytest.mark.parametrize("scaled", [False, True])
def test_adamw_is_algorithm_2_with_schedule_multiplier(scaled) -> None:
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((50, 6))
    etas = 0.5 * (1 + np.cos(np.pi * np.arange(50) / 50)) + 1e-3
    x0 = rng.standard_normal(6)
    opt = AdamW(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.03,
                decay_scaled_by_lr=scaled)
    theta = x0.copy()
    for g, eta in zip(grads, etas, strict=True):
        opt.schedule_multiplier = float(eta)
        opt.step(theta, g.copy())
    ref = _reference_adamw(x0, grads, 0.01, 0.8, 0.99, 1e-6, 0.03, etas, scaled)
    np.testing.assert_allclose(theta, ref, rtol=1e-12, atol=1e-14)


def test_sgd_weight_decay_equals_l2_with_lambda_over_eta() -> None:
    rng = np.random.default_rng(1)
    grads = rng.standard_normal((40, 3))
    eta, lam = 0.05, 0.01
    a = np.ones(3)
    b = np.ones(3)
    opt_a, opt_b = SGD(lr=eta), SGD(lr=eta)
    for g in grads:
        a *= 1 - lam                                # weight decay λ
        opt_a.step(a, g.copy())
        opt_b.step(b, g + (lam / eta) * b)          # L2 with λ' = λ/η
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_adam_l2_is_not_weight_decay() -> None:
    rng = np.random.default_rng(2)
    grads = rng.standard_normal((40, 3)) * np.array([10.0, 1.0, 0.1])
    eta, lam = 1e-2, 1e-2
    w, l2 = np.ones(3), np.ones(3)
    ow, ol2 = AdamW(lr=eta, weight_decay=lam), Adam(lr=eta)
    for g in grads:
        ow.step(w, g.copy())
        ol2.step(l2, g + (lam / eta) * l2)
    assert np.max(np.abs(w - l2)) > 1e-2


def test_pytorch_translation_lambda_over_alpha() -> None:
    rng = np.random.default_rng(3)
    grads = rng.standard_normal((60, 4))
    alpha, lam = 2e-3, 1e-2
    a, b = np.ones(4), np.ones(4)
    oa = AdamW(lr=alpha, weight_decay=lam)
    ob = AdamW(lr=alpha, weight_decay=lam / alpha, decay_scaled_by_lr=True)
    for t, g in enumerate(grads, start=1):
        oa.schedule_multiplier = ob.schedule_multiplier = 1.0 / t
        oa.step(a, g.copy())
        ob.step(b, g.copy())
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_default_weight_decay_is_the_normalised_value() -> None:
    assert abs(0.05 * np.sqrt(128 / (50_000 * 100)) - AdamW().weight_decay) < 1e-5


def test_adamw_matches_torch_under_a_changing_lr() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x0 = rng.standard_normal(9)
    grads = rng.standard_normal((200, 9))
    alpha = 1e-2
    etas = 0.5 * (1 + np.cos(np.pi * np.arange(200) / 200)) + 0.01
    for lam, betas, eps in [(0.01, (0.9, 0.999), 1e-8), (0.3, (0.5, 0.9), 1e-6)]:
        p = torch.tensor(x0.copy(), dtype=torch.float64, requires_grad=True)
        topt = torch.optim.AdamW([p], lr=alpha, betas=betas, eps=eps, weight_decay=lam,
                                 foreach=False)
        ours = x0.copy()
        oopt = AdamW(lr=alpha, beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=lam,
                     decay_scaled_by_lr=True)
        for g, eta in zip(grads, etas, strict=True):
            for group in topt.param_groups:
                group["lr"] = alpha * float(eta)
            p.grad = torch.tensor(g, dtype=torch.float64)
            topt.step()
            oopt.schedule_multiplier = float(eta)
            oopt.step(ours, g.copy())
            np.testing.assert_allclose(ours, p.detach().numpy(), rtol=1e-11, atol=1e-13)
        # the paper's rule with the same λ leaves torch's trajectory
        paper = x0.copy()
        popt = AdamW(lr=alpha, beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=lam)
        for g, eta in zip(grads, etas, strict=True):
            popt.schedule_multiplier = float(eta)
            popt.step(paper, g.copy())
        assert np.max(np.abs(paper - ours)) > 1e-3


def test_grid_cell_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="method"):
        grid_cell_error("sgd", 1e-3, 0.0, 0)
    with pytest.raises(ValueError, match="lr"):
        grid_cell_error("adamw", -1.0, 0.0, 0)
    with pytest.raises(ValueError, match="weight_decay"):
        grid_cell_error("adamw", 1e-3, -1.0, 0)
    with pytest.raises(ValueError, match="seed"):
        grid_cell_error("adamw", 1e-3, 0.0, -1)


def test_recorded_grid_matches_a_rerun_cell() -> None:
    rec = pytest.importorskip("optbook.recorded_adamw_grid")
    for method, i, j, k in [("adamw", 2, 3, 1), ("adam_l2", 3, 2, 0), ("adamw_torch", 5, 4, 0)]:
        got = grid_cell_error(method, rec.LRS[j], rec.DECAYS[method][i], rec.SEEDS[k])
        assert got == rec.ERRORS[method][i][j][k]
    for method in rec.ERRORS:
        arr = np.array(rec.ERRORS[method])
        assert arr.shape == (len(rec.DECAYS[method]), len(rec.LRS), len(rec.SEEDS))
        assert np.all((arr >= 0) & (arr <= 1))
