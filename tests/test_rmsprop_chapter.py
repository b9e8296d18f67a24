"""Chapter 8 (RMSprop): the options centered and momentum, Rprop and sign descent.

Every rule the chapter states is checked here: against a scalar reference
written from the equations, and against ``torch.optim`` (PyTorch 2.13, CPU,
float64) where PyTorch has the rule.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook.optimizers import Adadelta, RMSprop
from optbook.rprop import Rprop, SignDescent

torch = pytest.importorskip("torch")

STEPS = 200


def gradient_sequence(d: int = 7, steps: int = STEPS, seed: int = 0):
    """A function theta -> g of a convex quadratic plus noise, with a few zero gradients."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(d, d))
    A = A @ A.T / d + 0.1 * np.eye(d)
    noise = rng.normal(scale=0.3, size=(steps, d))
    zero = rng.random((steps, d)) < 0.2

    def grad(theta: np.ndarray, t: int) -> np.ndarray:
        g = A @ theta + noise[t - 1]
        g[zero[t - 1]] = 0.0
        return g

    return grad, rng.normal(size=d)


def run_ours(opt, grad, theta0, steps=STEPS):
    theta = theta0.copy()
    path = [theta.copy()]
    for t in range(1, steps + 1):
        opt.step(theta, grad(theta, t))
        path.append(theta.copy())
    return np.array(path)


def run_torch(make, grad, theta0, steps=STEPS):
    p = torch.nn.Parameter(torch.tensor(theta0, dtype=torch.float64))
    opt = make([p])
    path = [theta0.copy()]
    for t in range(1, steps + 1):
        g = grad(p.detach().numpy().copy(), t)
        p.grad = torch.from_numpy(g.copy())
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path), opt


OPTIONS = [
    dict(centered=True),
    dict(momentum=0.9),
    dict(centered=True, momentum=0.5),
    dict(centered=False, momentum=0.0),
]


@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("alpha,lr,eps", [(0.99, 0.01, 1e-8), (0.9, 0.003, 1e-3)])
@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: "-".join(f"{k}{v}" for k, v in o.items()))
def test_centered_and_momentum_match_torch(opts, alpha, lr, eps, foreach) -> None:
    grad, theta0 = gradient_sequence()
    ours = run_ours(RMSprop(lr=lr, rho=alpha, eps=eps, eps_inside_sqrt=False, **opts), grad, theta0)
    theirs, topt = run_torch(
        lambda ps: torch.optim.RMSprop(ps, lr=lr, alpha=alpha, eps=eps, foreach=foreach, **opts),
        grad, theta0,
    )
    disp = np.max(np.abs((ours - theta0) - (theirs - theta0))) / np.max(np.abs(theirs - theta0))
    assert disp < 1e-12
    # the state buffers too
    opt = RMSprop(lr=lr, rho=alpha, eps=eps, eps_inside_sqrt=False, **opts)
    run_ours(opt, grad, theta0)
    st, tst = opt.state["0"], topt.state[topt.param_groups[0]["params"][0]]
    np.testing.assert_allclose(st["v"], tst["square_avg"].numpy(), rtol=1e-12, atol=1e-300)
    if opts.get("centered"):
        np.testing.assert_allclose(st["m"], tst["grad_avg"].numpy(), rtol=1e-12, atol=1e-300)
    if opts.get("momentum", 0) > 0:
        np.testing.assert_allclose(st["b"], tst["momentum_buffer"].numpy(), rtol=1e-10, atol=1e-14)


def reference(lr, rho, eps, inside, centered, momentum, grad, theta0, steps=STEPS):
    """Equations (1)-(6) of the RMSprop docstring, one scalar at a time."""
    theta = [float(x) for x in theta0]
    d = len(theta)
    v, m, b = [0.0] * d, [0.0] * d, [0.0] * d
    path = [list(theta)]
    for t in range(1, steps + 1):
        g = grad(np.array(theta), t)
        for i in range(d):
            v[i] = rho * v[i] + (1 - rho) * g[i] ** 2
            s = v[i]
            if centered:
                m[i] = rho * m[i] + (1 - rho) * g[i]
                s = max(v[i] - m[i] ** 2, 0.0)
            den = math.sqrt(s + eps) if inside else math.sqrt(s) + eps
            step = g[i] / den if den > 0 else 0.0
            if momentum > 0:
                b[i] = momentum * b[i] + step
                step = b[i]
            theta[i] -= lr * step
        path.append(list(theta))
    return np.array(path)


@pytest.mark.parametrize("inside", [True, False])
@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: "-".join(f"{k}{v}" for k, v in o.items()))
def test_options_match_the_equations(opts, inside) -> None:
    grad, theta0 = gradient_sequence(seed=1)
    ours = run_ours(RMSprop(lr=0.01, rho=0.9, eps=1e-6, eps_inside_sqrt=inside, **opts),
                    grad, theta0)
    ref = reference(0.01, 0.9, 1e-6, inside, opts.get("centered", False),
                    opts.get("momentum", 0.0), grad, theta0)
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-14)


def test_state_names_follow_the_options_and_resume() -> None:
    assert RMSprop().state_names == ("v",)
    assert RMSprop(centered=True).state_names == ("v", "m")
    assert RMSprop(momentum=0.9).state_names == ("v", "b")
    assert RMSprop(centered=True, momentum=0.9).state_names == ("v", "m", "b")
    grad, theta0 = gradient_sequence(seed=2)
    a = RMSprop(lr=0.01, centered=True, momentum=0.9)
    theta = theta0.copy()
    for t in range(1, 11):
        a.step(theta, grad(theta, t))
    b = RMSprop()
    b.load_state_dict(a.state_dict())
    assert b.state_names == ("v", "m", "b") and b.centered and b.momentum == 0.9
    th_a, th_b = theta.copy(), theta.copy()
    for t in range(11, 21):
        a.step(th_a, grad(th_a, t))
        b.step(th_b, grad(th_b, t))
    np.testing.assert_array_equal(th_a, th_b)


def test_bad_options_raise_value_error_naming_them() -> None:
    assert_each_raises_value_error_naming([
        (lambda: RMSprop(centered=1), "centered"),
        (lambda: RMSprop(centered="yes"), "centered"),
        (lambda: RMSprop(momentum=1.0), "momentum"),
        (lambda: RMSprop(momentum=-0.1), "momentum"),
        (lambda: RMSprop(momentum=float("nan")), "momentum"),
        (lambda: Rprop(lr=0), "lr"),
        (lambda: Rprop(eta_minus=1.0), "eta_minus"),
        (lambda: Rprop(eta_plus=1.0), "eta_plus"),
        (lambda: Rprop(step_min=1.0, step_max=0.5), "step_min"),
        (lambda: SignDescent(lr=-1), "lr"),
    ])


def test_rho_zero_with_eps_zero_is_sign_descent() -> None:
    """The chapter's theorem: ρ = 0, ε = 0 gives θ −= η sign(g), bit for bit."""
    grad, theta0 = gradient_sequence(seed=3)
    a = run_ours(RMSprop(lr=0.01, rho=0.0, eps=0.0), grad, theta0)
    b = run_ours(SignDescent(lr=0.01), grad, theta0)
    np.testing.assert_array_equal(a, b)


def test_rho_zero_with_eps_is_a_soft_sign() -> None:
    """ρ = 0, ε > 0: the step is η g/√(g² + ε) (inside) or η g/(|g| + ε) (outside)."""
    g = np.array([1e-6, 1e-3, -0.1, 5.0, 0.0])
    for inside, expected in [(True, g / np.sqrt(g * g + 1e-4)), (False, g / (np.abs(g) + 1e-4))]:
        theta = np.zeros_like(g)
        RMSprop(lr=0.1, rho=0.0, eps=1e-4, eps_inside_sqrt=inside).step(theta, g)
        np.testing.assert_allclose(-theta, 0.1 * expected, rtol=1e-14)


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9, 0.99])
def test_step_is_bounded_by_eta_over_sqrt_one_minus_rho(rho) -> None:
    rng = np.random.default_rng(4)
    opt, theta = RMSprop(lr=1.0, rho=rho, eps=0.0), np.zeros(50)
    for _ in range(300):
        before = theta.copy()
        g = rng.standard_cauchy(50) * rng.choice([1e-6, 1.0, 1e6], 50)
        opt.step(theta, g)
        assert np.max(np.abs(theta - before)) <= 1 / math.sqrt(1 - rho) * (1 + 1e-12)


def test_rmsprop_is_adadelta_first_half() -> None:
    """Same ρ, same gradients: the same v_t; the steps differ by η / RMS[Δθ]_{t−1}."""
    grad, theta0 = gradient_sequence(seed=5)
    r, a = RMSprop(lr=0.01, rho=0.9, eps=1e-6), Adadelta(rho=0.9, eps=1e-6)
    th_r, th_a = theta0.copy(), theta0.copy()
    for t in range(1, 51):
        g = grad(th_a, t)  # both see the same gradient sequence
        s_prev = a.state["0"]["s"].copy() if a.state else np.zeros_like(g)
        before_r, before_a = th_r.copy(), th_a.copy()
        r.step(th_r, g)
        a.step(th_a, g)
        np.testing.assert_array_equal(r.state["0"]["v"], a.state["0"]["v"])
        step_r, step_a = th_r - before_r, th_a - before_a
        np.testing.assert_allclose(step_a, step_r * np.sqrt(s_prev + 1e-6) / 0.01,
                                   rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("lr,etas,sizes", [
    (0.01, (0.5, 1.2), (1e-6, 50.0)),
    (0.1, (0.3, 1.5), (1e-3, 0.5)),
])
def test_rprop_matches_torch(lr, etas, sizes) -> None:
    grad, theta0 = gradient_sequence(seed=6)
    ours_opt = Rprop(lr=lr, eta_minus=etas[0], eta_plus=etas[1], step_min=sizes[0],
                     step_max=sizes[1])
    ours = run_ours(ours_opt, grad, theta0)
    theirs, topt = run_torch(
        lambda ps: torch.optim.Rprop(ps, lr=lr, etas=etas, step_sizes=sizes, foreach=False),
        grad, theta0,
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-13)
    tst = topt.state[topt.param_groups[0]["params"][0]]
    np.testing.assert_allclose(ours_opt.state["0"]["step_size"], tst["step_size"].numpy(),
                               rtol=1e-13)
    np.testing.assert_array_equal(ours_opt.state["0"]["prev"], tst["prev"].numpy())


def test_rprop_float32_chunks_and_defaults() -> None:
    assert Rprop().hyperparameters == dict(lr=0.01, eta_minus=0.5, eta_plus=1.2,
                                           step_min=1e-6, step_max=50.0)
    theta = np.ones(5000, dtype=np.float32)
    opt = Rprop(lr=0.1)
    for _ in range(3):
        opt.step(theta, np.ones_like(theta))
    assert theta.dtype == np.float32 and opt.state["0"]["step_size"].dtype == np.float32
    # three agreeing signs: steps 0.1, 0.12, 0.144
    np.testing.assert_allclose(theta, 1 - 0.1 - 0.12 - 0.144, rtol=1e-6)
