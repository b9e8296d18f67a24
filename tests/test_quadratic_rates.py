"""optbook.quadratic_rates: iteration matrices, rates and optimal parameters on a quadratic.

Each matrix is checked against the optimizer it describes (the package's
classes, run on a diagonal quadratic), each closed form against the matrix's
numerical eigenvalues, and the theorems of chapter 4 against brute force.
"""

import math

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming
from hypothesis import given, settings
from hypothesis import strategies as st

from optbook import quadratic_rates as qr
from optbook.optimizers import SGD, AggMo, Momentum
from optbook.qhm import QHM


def _errors(opt, lam, steps, e0=1.0):
    """The error e_t of ``opt`` on f = λ e²/2 in one dimension, t = 0..steps."""
    theta = np.array([e0])
    out = [e0]
    for _ in range(steps):
        opt.step(theta, lam * theta)
        out.append(theta[0])
    return np.array(out)


@pytest.mark.parametrize("lam", [0.05, 1.0, 3.7])
@pytest.mark.parametrize("lr, gamma", [(0.1, 0.9), (0.5, 0.3), (1.2, 0.0)])
def test_heavy_ball_matrix_reproduces_momentum(lam, lr, gamma):
    got = _errors(Momentum(lr=lr, momentum=gamma), lam, 30)
    m = qr.heavy_ball_matrix(lr, gamma, lam)
    state = np.array([1.0, 1.0])  # (e_0, e_{-1}) with v_0 = 0
    want = [1.0]
    for _ in range(30):
        state = m @ state
        want.append(state[0])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("lam", [0.05, 1.0, 3.7])
def test_aggmo_matrix_reproduces_aggmo(lam):
    betas = (0.0, 0.9, 0.99)
    got = _errors(AggMo(lr=0.1, betas=betas), lam, 40)
    m = qr.aggmo_matrix(0.1, betas, lam)
    state = np.zeros(4)
    state[0] = 1.0
    want = [1.0]
    for _ in range(40):
        state = m @ state
        want.append(state[0])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("lam", [0.05, 1.0, 3.7])
@pytest.mark.parametrize("beta, nu", [(0.9, 0.7), (0.999, 0.7), (0.5, 1.0), (0.9, 0.0)])
def test_qhm_matrix_reproduces_qhm(lam, beta, nu):
    got = _errors(QHM(lr=0.1, beta=beta, nu=nu), lam, 40)
    m = qr.qhm_matrix(0.1, beta, nu, lam)
    state = np.array([1.0, 0.0])
    want = [1.0]
    for _ in range(40):
        state = m @ state
        want.append(state[0])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)


def test_gd_rate_and_optimum():
    lam = np.array([0.1, 2.0])
    eta, rate = qr.gd_optimal(0.1, 2.0)
    assert eta == pytest.approx(2 / 2.1) and rate == pytest.approx(1.9 / 2.1)
    assert qr.gd_rate(eta, lam) == pytest.approx(rate)
    e = _errors(SGD(lr=0.3), 2.0, 3)
    assert e[3] == pytest.approx((1 - 0.6) ** 3)
    grid = np.linspace(0.01, 0.99, 99)
    assert min(qr.gd_rate(x, lam) for x in grid) >= rate - 1e-12


@settings(max_examples=60, deadline=None)
@given(
    lr=st.floats(1e-3, 5.0),
    gamma=st.floats(0.0, 0.999),
    lam=st.floats(1e-3, 10.0),
)
def test_closed_form_eigenvalues_match_numerical(lr, gamma, lam):
    z = qr.heavy_ball_eigenvalues(lr, gamma, lam)
    # roots of z^2 - (1 + γ - ηλ) z + γ: sum and product
    a = 1 + gamma - lr * lam
    assert abs(z.sum() - a) <= 1e-9 * max(1, abs(a))
    assert abs(z.prod() - gamma) <= 1e-9
    rho = qr.spectral_radius(qr.heavy_ball_matrix(lr, gamma, lam))
    assert abs(np.max(np.abs(z)) - rho) <= 1e-6 * max(1.0, rho)


@settings(max_examples=200, deadline=None)
@given(x=st.floats(1e-4, 8.0), gamma=st.floats(0.0, 1.5))
def test_stability_iff_theorem(x, gamma):
    """Spectral radius < 1 iff 0 <= γ < 1 and 0 < ηλ < 2(1 + γ) (away from the boundary)."""
    rho = float(np.max(np.abs(qr.heavy_ball_eigenvalues(1.0, gamma, x))))
    margin = min(abs(gamma - 1), abs(x - 2 * (1 + gamma)))
    if margin < 1e-6:
        return
    assert bool(qr.heavy_ball_stable(1.0, gamma, x)) == (rho < 1)


def test_complex_eigenvalues_have_modulus_sqrt_gamma():
    gamma = 0.81
    x = np.linspace((1 - 0.9) ** 2 + 1e-6, (1 + 0.9) ** 2 - 1e-6, 50)
    z = qr.heavy_ball_eigenvalues(1.0, gamma, x)
    np.testing.assert_allclose(np.abs(z), 0.9, rtol=1e-9)


@pytest.mark.parametrize("kappa", [2.0, 20.0, 100.0, 1e4])
def test_heavy_ball_optimum(kappa):
    lo, hi = 1.0 / kappa, 1.0
    eta, gamma, rate = qr.heavy_ball_optimal(lo, hi)
    s = math.sqrt(kappa)
    assert rate == pytest.approx((s - 1) / (s + 1))
    assert gamma == pytest.approx(rate**2)
    assert eta == pytest.approx(4 / (math.sqrt(hi) + math.sqrt(lo)) ** 2)
    assert eta * lo == pytest.approx((1 - rate) ** 2)
    assert eta * hi == pytest.approx((1 + rate) ** 2)
    lam = np.geomspace(lo, hi, 7)
    assert qr.heavy_ball_rate(eta, gamma, lam) == pytest.approx(rate, abs=1e-6)
    # brute force: no (η, γ) on a grid does better
    best = min(
        qr.heavy_ball_rate(e, g, lam)
        for e in np.linspace(0.05, 4.0, 80) * eta
        for g in np.linspace(0.0, 0.999, 80)
    )
    assert best >= rate - 1e-6
    assert rate <= qr.gd_optimal(lo, hi)[1]


def test_damping_regimes():
    gamma, x_lo, x_hi = 0.81, 0.01, 3.61  # (1 ∓ 0.9)²
    assert qr.damping_regime(1.0, gamma, x_lo) == "critically damped"
    assert qr.damping_regime(1.0, gamma, x_hi) == "critically damped"
    assert qr.damping_regime(1.0, gamma, 0.005) == "overdamped"
    assert qr.damping_regime(1.0, gamma, 1.0) == "underdamped"
    assert qr.damping_regime(1.0, gamma, 3.7) == "overdamped"
    assert qr.damping_regime(1.0, 0.0, 0.5) == "overdamped"


def test_aggmo_k1_is_heavy_ball():
    lam = np.array([0.1, 1.0, 2.5])
    a = qr.aggmo_rate(0.4, [0.7], lam)
    b = qr.heavy_ball_rate(0.4, 0.7, lam)
    assert a == pytest.approx(b, rel=1e-6)


def test_qhm_nu1_is_heavy_ball_with_rescaled_rate():
    """ν = 1: m is an EMA of g, so QHM is heavy ball with η(1 − β) and γ = β."""
    lam = np.array([0.1, 1.0, 2.5])
    assert qr.qhm_rate(0.4, 0.7, 1.0, lam) == pytest.approx(
        qr.heavy_ball_rate(0.4 * 0.3, 0.7, lam), rel=1e-6
    )
    assert qr.qhm_rate(0.4, 0.7, 0.0, lam) == pytest.approx(qr.gd_rate(0.4, lam), rel=1e-9)


def test_bad_input_raises_value_error_naming_it():
    bad = [math.nan, math.inf, "0.5", True, None, 1 + 0j]
    cases = []
    for v in bad + [0, -1.0]:
        cases.append((lambda v=v: qr.heavy_ball_matrix(v, 0.5, 1.0), "lr"))
        cases.append((lambda v=v: qr.gd_rate(v, [1.0]), "lr"))
        cases.append((lambda v=v: qr.heavy_ball_optimal(v, 1.0), "lambda_min"))
        cases.append((lambda v=v: qr.gd_optimal(0.1, v), "lambda_max"))
        cases.append((lambda v=v: qr.damping_regime(0.1, 0.5, v), "eigenvalue"))
    for v in bad:
        cases.append((lambda v=v: qr.heavy_ball_eigenvalues(0.1, v, 1.0), "momentum"))
    for v in [-0.1, 1.0, 2.0] + bad:
        cases.append((lambda v=v: qr.damping_regime(0.1, v, 1.0), "momentum"))
        cases.append((lambda v=v: qr.qhm_matrix(0.1, v, 0.5, 1.0), "beta"))
    for v in [-0.1, 1.1] + bad:
        cases.append((lambda v=v: qr.qhm_matrix(0.1, 0.5, v, 1.0), "nu"))
    for v in [[], "abc", [0.5, 1.0], [math.nan], 0.5]:
        cases.append((lambda v=v: qr.aggmo_matrix(0.1, v, 1.0), "betas"))
    for v in [[], [0.0], [-1.0], [math.nan], "1", None, True, [[1j]]]:
        cases.append((lambda v=v: qr.gd_rate(0.1, v), "eigenvalues"))
        cases.append((lambda v=v: qr.heavy_ball_matrix(0.1, 0.5, v), "eigenvalue"))
    cases.append((lambda: qr.heavy_ball_optimal(2.0, 1.0), "lambda_min"))
    cases.append((lambda: qr.heavy_ball_stable(0.1, -0.5, 1.0), "momentum"))
    cases.append((lambda: qr.damping_regime(0.1, 0.5, 1.0, rtol=0.0), "rtol"))
    for v in [np.ones(3), np.ones((2, 3)), "x", np.full((2, 2), np.nan)]:
        cases.append((lambda v=v: qr.spectral_radius(v), "matrix"))
    assert_each_raises_value_error_naming(cases)


def test_broadcasting_shapes():
    lam = np.linspace(0.1, 2.0, 6).reshape(2, 3)
    assert qr.heavy_ball_matrix(0.1, 0.5, lam).shape == (2, 3, 2, 2)
    assert qr.heavy_ball_eigenvalues(0.1, 0.5, lam).shape == (2, 3, 2)
    assert qr.heavy_ball_stable(0.1, 0.5, lam).shape == (2, 3)
    assert qr.aggmo_matrix(0.1, (0, 0.9, 0.99), lam).shape == (2, 3, 4, 4)
    assert qr.qhm_matrix(0.1, 0.9, 0.7, lam).shape == (2, 3, 2, 2)
    assert qr.spectral_radius(qr.heavy_ball_matrix(0.1, 0.5, lam)).shape == (2, 3)
