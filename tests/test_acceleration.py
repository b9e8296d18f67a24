"""Tests of optbook.acceleration (the Nesterov chapter's analysis tools)."""

from __future__ import annotations

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook.acceleration import (
    convex_momentum,
    heavy_ball_iteration_matrix,
    heavy_ball_spectral_radius,
    heavy_ball_stability_bound,
    lessard_counterexample,
    lookahead_nag,
    nag_convex,
    nag_iteration_matrix,
    nag_spectral_radius,
    nag_stability_bound,
    nesterov_worst_case,
)
from optbook.functions import quadratic
from optbook.optimizers import Momentum, Nesterov
from optbook.run import run

H = np.linspace(-0.5, 4.5, 41)
G = np.array([0.0, 0.3, 0.6, 0.9, 0.99])


def test_iteration_matrices_reproduce_the_recursions():
    """T applied to (θ_{t-1}, θ_{t-2}) gives the next iterate of each method on λθ²/2."""
    lam, eta, gamma = 3.0, 0.2, 0.7
    f = quadratic([lam], start=[1.0])
    hb = run(f, Momentum(lr=eta, momentum=gamma), 30).path[:, 0]
    thetas, _ = lookahead_nag(f, 30, eta, gamma)
    nag = thetas[:, 0]
    T_hb = heavy_ball_iteration_matrix(eta * lam, gamma)
    T_nag = nag_iteration_matrix(eta * lam, gamma)
    # v_0 = 0 means θ_{-1} = θ_0
    for path, T in ((hb, T_hb), (nag, T_nag)):
        state = np.array([path[0], path[0]])
        for t in range(1, 31):
            state = T @ state
            assert state[0] == pytest.approx(path[t], rel=1e-12, abs=1e-14)


def test_spectral_radii_match_eigvals():
    for h in H:
        for g in G:
            for T, rho in ((heavy_ball_iteration_matrix, heavy_ball_spectral_radius),
                           (nag_iteration_matrix, nag_spectral_radius)):
                exact = np.max(np.abs(np.linalg.eigvals(T(h, g))))
                assert rho(h, g) == pytest.approx(exact, rel=1e-7, abs=1e-7)


def test_stability_bounds_are_the_boundary_of_radius_one():
    for g in G:
        for rho, bound in ((heavy_ball_spectral_radius, heavy_ball_stability_bound),
                           (nag_spectral_radius, nag_stability_bound)):
            b = float(bound(g))
            inside = np.linspace(1e-3, b - 1e-3, 200)
            assert np.all(rho(inside, g) < 1)
            assert rho(b + 1e-3, g) > 1
            assert rho(-1e-3, g) > 1
            assert rho(b, g) == pytest.approx(1.0, abs=1e-9)
    assert float(nag_stability_bound(0.0)) == 2.0
    assert float(nag_stability_bound(0.9)) == pytest.approx(2 * 1.9 / 2.8)
    # NAG's region in ηλ is smaller than heavy ball's for every γ > 0
    assert np.all(nag_stability_bound(G[1:]) < heavy_ball_stability_bound(G[1:]))


def test_nag_complex_radius_shrinks_with_curvature():
    g = 0.9
    h = np.array([0.2, 0.5, 0.8])
    assert np.allclose(nag_spectral_radius(h, g), np.sqrt(g * (1 - h)))
    assert np.allclose(heavy_ball_spectral_radius(h, g), np.sqrt(g))


def test_lookahead_nag_is_the_package_class_at_the_lookahead_point():
    f = quadratic([0.1, 2.0], start=[-7.0, 2.0])
    eta, gamma = 0.3, 0.8
    thetas, vs = lookahead_nag(f, 50, eta, gamma)
    phi = run(f, Nesterov(lr=eta, momentum=gamma), 50).path
    assert np.allclose(phi, thetas - gamma * vs, rtol=0, atol=1e-12)
    torch_form = run(f, Nesterov(lr=eta, momentum=gamma, lr_in_velocity=False), 50).path
    assert np.allclose(torch_form, phi, rtol=0, atol=1e-12)


def test_lookahead_nag_first_steps_by_hand():
    f = quadratic([1.0, 4.0], start=[1.0, 1.0])
    thetas, vs = lookahead_nag(f, 2, 0.1, 0.5)
    # v1 = 0.1*(1, 4); θ1 = (0.9, 0.6)
    assert np.allclose(vs[1], [0.1, 0.4]) and np.allclose(thetas[1], [0.9, 0.6])
    # look-ahead (0.9 - 0.05, 0.6 - 0.2) = (0.85, 0.4); grad (0.85, 1.6)
    assert np.allclose(vs[2], [0.05 + 0.085, 0.2 + 0.16])
    assert np.allclose(thetas[2], [0.9 - 0.135, 0.6 - 0.36])


@pytest.mark.parametrize("k,dim", [(1, 1), (5, 5), (7, 12)])
def test_worst_case_matches_its_formula(k, dim):
    L = 2.5
    f = nesterov_worst_case(k, dim, smoothness=L)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, dim))
    A = np.zeros((dim, dim))
    A[:k, :k] = 2 * np.eye(k) - np.eye(k, k=1) - np.eye(k, k=-1)
    e1 = np.eye(dim)[0]
    direct = L / 4 * (0.5 * np.einsum("bi,ij,bj->b", x, A, x) - x @ e1)
    assert np.allclose(f(x), direct)
    assert np.allclose(f.grad(x), L / 4 * (x @ A - e1))
    assert np.allclose(f.hessian(x[0]), L / 4 * A)
    xbar = f.minima[0]
    assert np.allclose(f.grad(xbar), 0, atol=1e-14)
    assert f(xbar) == pytest.approx(f.min_value)
    assert f.min_value == pytest.approx(L / 8 * (-1 + 1 / (k + 1)))
    eig = np.linalg.eigvalsh(f.hessian(xbar))
    assert eig.min() >= -1e-12 and eig.max() < L


def test_worst_case_krylov_lower_bound():
    """From 0, x_t lies in span(e_1..e_t), so f(x_t) ≥ f_t*; NAG obeys both bounds."""
    for t in (3, 10, 30):
        f = nesterov_worst_case(2 * t + 1)
        r = nag_convex(f, t, lr=1.0)
        assert np.all(r.path[t, t:] == 0)
        gap = r.gaps[t]
        R2 = float(np.sum(f.minima[0] ** 2))
        assert gap >= 3 * R2 / (32 * (t + 1) ** 2)
        assert gap <= 2 * R2 / (t + 1) ** 2


def test_convex_momentum_schedule():
    assert convex_momentum(1) == 0.0
    assert convex_momentum(2) == pytest.approx(0.25)
    assert convex_momentum(10) == pytest.approx(9 / 12)


def test_nag_convex_first_steps_by_hand():
    """y_0 = x_0, y_1 = x_1 (two gradient steps), then y_2 = x_2 + (x_2 - x_1)/4."""
    f = quadratic([1.0, 4.0], start=[1.0, 1.0])
    r = nag_convex(f, 4, lr=0.1)
    lam = np.array([1.0, 4.0])
    x1 = np.array([0.9, 0.6])
    x2 = x1 - 0.1 * lam * x1
    assert np.allclose(r.path[1], x1) and np.allclose(r.path[2], x2)
    y2 = x2 + 0.25 * (x2 - x1)
    x3 = y2 - 0.1 * lam * y2
    assert np.allclose(r.path[3], x3)
    y3 = x3 + 0.4 * (x3 - x2)
    assert np.allclose(r.path[4], y3 - 0.1 * lam * y3)


def test_nag_convex_rate_bound_on_quadratic():
    f = quadratic([1e-3, 1.0], start=[10.0, 1.0])
    r = nag_convex(f, 200, lr=1.0)
    k = np.arange(201)
    R2 = 101.0
    assert np.all(r.gaps[1:] <= 2 * R2 / (k[1:] + 1) ** 2 + 1e-15)


@pytest.mark.parametrize("scheme", ["function", "gradient"])
def test_restart_schemes(scheme):
    f = quadratic([1e-2, 1.0], start=[10.0, 1.0])
    plain = nag_convex(f, 300, lr=1.0)
    restarted = nag_convex(f, 300, lr=1.0, restart=scheme)
    assert np.any(np.diff(plain.losses) > 0)  # plain NAG is not monotone
    assert len(restarted.hyperparameters["restarts"]) >= 1
    assert restarted.gaps[-1] < 1e-6 * plain.gaps[-1]
    # each restart is triggered by the condition of its scheme
    for k in restarted.hyperparameters["restarts"]:
        if scheme == "function":
            assert restarted.losses[k] > restarted.losses[k - 1]


def test_function_restart_at_the_restart_step():
    """After a restart the next step is a plain gradient step from x_k."""
    f = quadratic([1e-2, 1.0], start=[10.0, 1.0])
    r = nag_convex(f, 100, lr=1.0, restart="function")
    k = r.hyperparameters["restarts"][0]
    x = r.path[k]
    assert np.allclose(r.path[k + 1], x - f.grad(x))


def test_nag_convex_stops_cleanly_on_divergence():
    f = quadratic([1.0], start=[1.0])
    r = nag_convex(f, 5000, lr=3.0)
    assert r.diverged and np.all(np.isfinite(r.losses))


def test_lessard_function_is_strongly_convex_and_smooth():
    f = lessard_counterexample()
    x = np.linspace(-5, 5, 20001)[:, None]
    g = f.grad(x)[:, 0]
    # continuity of f and f' at the kinks 1 and 2
    for a in (1.0, 2.0):
        lo, hi = np.array([[a - 1e-12]]), np.array([[a]])
        assert f(lo)[0] == pytest.approx(f(hi)[0], abs=1e-9)
        assert f.grad(lo)[0, 0] == pytest.approx(f.grad(hi)[0, 0], abs=1e-9)
    # f' is the integral's derivative (central differences)
    h = 1e-6
    num = (f(x + h) - f(x - h)) / (2 * h)
    assert np.allclose(num, g, atol=1e-5)
    # μ = 1, L = 25: slopes of f' between any two points lie in [1, 25]
    rng = np.random.default_rng(1)
    a, b = rng.uniform(-5, 5, (2, 5000))
    s = (f.grad(a[:, None])[:, 0] - f.grad(b[:, None])[:, 0]) / (a - b)
    assert s.min() >= 1 - 1e-9 and s.max() <= 25 + 1e-9
    assert s.min() < 1.01 and s.max() > 24.9
    assert f(np.zeros((1, 1)))[0] == 0.0 and np.all(f(x) >= 0)


@pytest.mark.parametrize("x0", [3.07, 3.3, 3.46])
def test_heavy_ball_cycles_nag_converges_on_lessard(x0):
    f = lessard_counterexample()
    L, mu = 25.0, 1.0
    eta = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    gamma = ((np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)) ** 2
    assert eta == pytest.approx(1 / 9) and gamma == pytest.approx(4 / 9)
    hb = run(f, Momentum(lr=eta, momentum=gamma), 600, start=[x0]).path[:, 0]
    tail = hb[-30:]
    assert np.allclose(tail[3:], tail[:-3], atol=1e-9)  # period 3
    assert np.min(np.abs(tail)) > 0.6                    # never near the minimum
    assert np.allclose(sorted(tail[-3:]), [-1.8024, 0.6465, 2.1159], atol=1e-3)
    beta = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    nag, _ = lookahead_nag(f, 200, 1 / L, beta, start=[x0])
    assert abs(nag[-1, 0]) < 1e-12


def test_invalid_inputs_raise():
    f = quadratic([1.0], start=[1.0])
    assert_each_raises_value_error_naming([
        (lambda: nag_iteration_matrix(float("nan"), 0.5), "eta_lambda"),
        (lambda: nag_iteration_matrix(1.0, 1.0), "momentum"),
        (lambda: heavy_ball_iteration_matrix(1.0, -0.1), "momentum"),
        (lambda: nag_spectral_radius([1.0, np.inf], 0.5), "eta_lambda"),
        (lambda: heavy_ball_spectral_radius(1.0, [0.5, 1.5]), "momentum"),
        (lambda: nag_stability_bound(1.0), "momentum"),
        (lambda: heavy_ball_stability_bound(-1.0), "momentum"),
        (lambda: lookahead_nag(f, -1, 0.1, 0.5), "steps"),
        (lambda: lookahead_nag(f, 3, 0.0, 0.5), "lr"),
        (lambda: lookahead_nag(f, 3, 0.1, 1.0), "momentum"),
        (lambda: nesterov_worst_case(0), "k"),
        (lambda: nesterov_worst_case(5, dim=3), "dim"),
        (lambda: nesterov_worst_case(2.5), "k"),
        (lambda: nesterov_worst_case(5, smoothness=0), "smoothness"),
        (lambda: convex_momentum(0), "k"),
        (lambda: nag_convex(f, 3, lr=-1.0), "lr"),
        (lambda: nag_convex(f, 3, lr=0.1, restart="speed"), "restart"),
        (lambda: nag_convex(f, True, lr=0.1), "steps"),
    ])
