"""Chapter 4 (momentum): the package implements exactly the rules the chapter states.

- Ruder's form v_t = γ v_{t-1} + η g_t, θ_t = θ_{t-1} - v_t, by hand;
- the unrolled sum v_t = η Σ_s γ^{t-s} g_s and the constant-gradient limit;
- PyTorch's form and its ``dampening``, against ``torch.optim.SGD`` (torch is a
  test-only dependency: imported here, never in a notebook);
- Ruder's and PyTorch's forms agree at constant η and differ under a step schedule.
"""

import math

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook.optimizers import Momentum
from optbook.schedules import step_decay

torch = pytest.importorskip("torch")


def _trajectory(opt, grads, theta0, lrs=None):
    theta = np.array(theta0, dtype=np.float64)
    out = [theta.copy()]
    for t, g in enumerate(grads, start=1):
        if lrs is not None:
            opt.lr = lrs[t - 1]
        opt.step(theta, np.asarray(g, dtype=np.float64))
        out.append(theta.copy())
    return np.array(out)


def _torch_trajectory(grads, theta0, lrs, momentum, dampening):
    p = torch.tensor(np.array(theta0, dtype=np.float64), requires_grad=True)
    opt = torch.optim.SGD([p], lr=lrs[0], momentum=momentum, dampening=dampening, foreach=False)
    out = [p.detach().numpy().copy()]
    for t, g in enumerate(grads, start=1):
        for group in opt.param_groups:
            group["lr"] = lrs[t - 1]
        p.grad = torch.tensor(np.asarray(g, dtype=np.float64))
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def _grads(n, d=5, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d))


def test_ruder_form_by_hand():
    """Two steps on x²/20 + y² from (-7, 2), η = 0.1, γ = 0.9, as in the chapter."""
    grad = lambda th: np.array([th[0] / 10, 2 * th[1]])  # noqa: E731
    theta = np.array([-7.0, 2.0])
    opt = Momentum(lr=0.1, momentum=0.9)
    opt.step(theta, grad(theta))
    np.testing.assert_allclose(theta, [-6.93, 1.6], rtol=0, atol=1e-12)
    opt.step(theta, grad(theta))
    # v_2 = 0.9 (-0.07, 0.4) + 0.1 (-0.693, 3.2) = (-0.1323, 0.68)
    np.testing.assert_allclose(opt.state["0"]["v"], [-0.1323, 0.68], rtol=0, atol=1e-12)
    np.testing.assert_allclose(theta, [-6.7977, 0.92], rtol=0, atol=1e-12)


def test_unrolled_sum():
    g = _grads(25)
    eta, gamma = 0.05, 0.8
    opt = Momentum(lr=eta, momentum=gamma)
    _trajectory(opt, g, np.zeros(5))
    t = len(g)
    want = eta * sum(gamma ** (t - s) * g[s - 1] for s in range(1, t + 1))
    np.testing.assert_allclose(opt.state["0"]["v"], want, rtol=1e-12)


def test_constant_gradient_limit():
    eta, gamma, g = 0.1, 0.9, np.array([1.0, -2.0])
    opt = Momentum(lr=eta, momentum=gamma)
    steps = []
    theta = np.zeros(2)
    for t in range(1, 201):
        before = theta.copy()
        opt.step(theta, g)
        steps.append(before - theta)
        # exact: v_t = η g (1 − γ^t)/(1 − γ)
        np.testing.assert_allclose(steps[-1], eta * g * (1 - gamma**t) / (1 - gamma), rtol=1e-10)
    np.testing.assert_allclose(steps[-1], eta * g / (1 - gamma), rtol=1e-8)


@pytest.mark.parametrize("dampening", [0.0, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_pytorch_form_with_dampening_matches_torch(momentum, dampening):
    g = _grads(40, seed=1)
    theta0 = np.linspace(-1, 1, 5)
    lrs = [0.03] * 40
    ours = _trajectory(
        Momentum(lr=0.03, momentum=momentum, lr_in_velocity=False, dampening=dampening),
        g, theta0,
    )
    theirs = _torch_trajectory(g, theta0, lrs, momentum, dampening)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("dampening", [0.0, 0.3, 0.9])
def test_pytorch_form_matches_torch_under_a_step_schedule(dampening):
    g = _grads(60, seed=2)
    theta0 = np.ones(5)
    sched = step_decay(0.1, 0.1, 20)
    lrs = [sched(t) for t in range(1, 61)]
    opt = Momentum(lr=0.1, momentum=0.9, lr_in_velocity=False, dampening=dampening)
    ours = _trajectory(opt, g, theta0, lrs)
    theirs = _torch_trajectory(g, theta0, lrs, 0.9, dampening)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("dampening", [0.0, 0.3, 0.9])
def test_ruder_form_equals_torch_at_constant_lr_and_differs_under_schedule(dampening):
    g = _grads(60, seed=3)
    theta0 = np.ones(5)
    const = _trajectory(Momentum(lr=0.1, momentum=0.9, dampening=dampening), g, theta0)
    torch_const = _torch_trajectory(g, theta0, [0.1] * 60, 0.9, dampening)
    np.testing.assert_allclose(const, torch_const, rtol=1e-12, atol=1e-14)

    sched = step_decay(0.1, 0.1, 20)
    lrs = [sched(t) for t in range(1, 61)]
    ruder = _trajectory(Momentum(lr=0.1, momentum=0.9, dampening=dampening), g, theta0, lrs)
    theirs = _torch_trajectory(g, theta0, lrs, 0.9, dampening)
    np.testing.assert_allclose(ruder[:21], theirs[:21], rtol=1e-12, atol=1e-14)
    assert np.max(np.abs(ruder[21:] - theirs[21:])) > 1e-2


def test_ruder_form_with_dampening_by_hand():
    """v_1 = η g_1; v_t = γ v_{t-1} + (1 − τ) η g_t afterwards."""
    g = _grads(3, d=2, seed=4)
    eta, gamma, tau = 0.2, 0.6, 0.25
    opt = Momentum(lr=eta, momentum=gamma, dampening=tau)
    traj = _trajectory(opt, g, np.zeros(2))
    v1 = eta * g[0]
    v2 = gamma * v1 + (1 - tau) * eta * g[1]
    v3 = gamma * v2 + (1 - tau) * eta * g[2]
    np.testing.assert_allclose(traj[1], -v1, rtol=1e-14)
    np.testing.assert_allclose(traj[2], -v1 - v2, rtol=1e-14)
    np.testing.assert_allclose(traj[3], -v1 - v2 - v3, rtol=1e-14)


def test_dampening_default_and_state_dict():
    opt = Momentum(lr=0.1, momentum=0.9, dampening=0.5)
    assert Momentum().dampening == 0.0
    assert opt.hyperparameters["dampening"] == 0.5
    theta = np.ones(3)
    opt.step(theta, np.ones(3))
    saved = opt.state_dict()
    fresh = Momentum()
    fresh.load_state_dict(saved)
    a, b = theta.copy(), theta.copy()
    opt.step(a, np.full(3, 0.3))
    fresh.step(b, np.full(3, 0.3))
    np.testing.assert_array_equal(a, b)


def test_dampening_rejects_bad_values():
    bad = [-0.1, 1.5, math.nan, math.inf, "0.5", True, None, 1j]
    assert_each_raises_value_error_naming(
        [(lambda v=v: Momentum(dampening=v), "dampening") for v in bad]
    )


def test_torch_refuses_nesterov_with_dampening():
    """The chapter's 'common mistakes': PyTorch rejects nesterov=True with dampening."""
    p = torch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="dampening"):
        torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5, nesterov=True)
