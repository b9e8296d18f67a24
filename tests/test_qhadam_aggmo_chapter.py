"""Chapter 16 (QHAdam and AggMo): the package implements exactly the chapter's rules.

- QHM (``optbook.qhm``): Ma & Yarats's rule by hand, its special cases (SGD,
  momentum, Nesterov, the last two against ``torch.optim.SGD``), input checks;
- QHAdam: the rule against a float64 reference loop, ν₁ = ν₂ = 1 against
  ``torch.optim.Adam``, the recommended defaults;
- AggMo: the rule against a reference loop, K = 1 against ``torch.optim.SGD``,
  the effective learning rate under a constant gradient;
- PyTorch 2.13 ships neither QHAdam nor AggMo (the chapter says so).

torch is a test-only dependency: imported here, never in a notebook.
"""

import math

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming

from optbook.optimizers import SGD, AggMo, Momentum, Nesterov, QHAdam
from optbook.qhm import QHM

torch = pytest.importorskip("torch")


def _grads(n, d=4, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d))


def _run(opt, grads, theta0=None):
    theta = np.zeros(grads.shape[1]) if theta0 is None else np.array(theta0, dtype=float)
    out = [theta.copy()]
    for g in grads:
        opt.step(theta, g)
        out.append(theta.copy())
    return np.array(out)


def _torch_run(make, grads, theta0=None):
    start = np.zeros(grads.shape[1]) if theta0 is None else np.array(theta0, dtype=float)
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make([p])
    out = [p.detach().numpy().copy()]
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


# ----------------------------------------------------------------------- QHM
def test_qhm_two_steps_by_hand():
    opt, theta = QHM(lr=0.5, beta=0.8, nu=0.7), np.array([1.0])
    opt.step(theta, np.array([2.0]))
    # m_1 = 0.2 * 2 = 0.4; step = 0.5 * (0.3 * 2 + 0.7 * 0.4) = 0.44
    assert theta[0] == pytest.approx(1.0 - 0.44, abs=1e-15)
    opt.step(theta, np.array([-1.0]))
    # m_2 = 0.8 * 0.4 + 0.2 * (-1) = 0.12; step = 0.5 * (0.3 * (-1) + 0.7 * 0.12) = -0.108
    assert theta[0] == pytest.approx(0.56 + 0.108, abs=1e-15)
    assert opt.state["0"]["m"][0] == pytest.approx(0.12, abs=1e-15)


@pytest.mark.parametrize("beta, nu", [(0.9, 0.7), (0.999, 0.7), (0.5, 0.0), (0.3, 1.0)])
def test_qhm_matches_reference_loop(beta, nu):
    g = _grads(60, seed=1)
    eta = 0.2
    theta, m, want = np.zeros(4), np.zeros(4), [np.zeros(4)]
    for gt in g:
        m = beta * m + (1 - beta) * gt
        theta = theta - eta * ((1 - nu) * gt + nu * m)
        want.append(theta.copy())
    np.testing.assert_allclose(_run(QHM(lr=eta, beta=beta, nu=nu), g), want, rtol=1e-12,
                               atol=1e-14)


def test_qhm_nu0_is_sgd():
    g = _grads(30, seed=2)
    np.testing.assert_allclose(_run(QHM(lr=0.3, beta=0.9, nu=0.0), g), _run(SGD(lr=0.3), g),
                               rtol=0, atol=1e-15)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_qhm_nu1_is_momentum_and_matches_torch(beta):
    g = _grads(50, seed=3)
    eta = 1.0
    ours = _run(QHM(lr=eta, beta=beta, nu=1.0), g)
    book = _run(Momentum(lr=eta * (1 - beta), momentum=beta, lr_in_velocity=False), g)
    theirs = _torch_run(
        lambda ps: torch.optim.SGD(ps, lr=eta * (1 - beta), momentum=beta, foreach=False), g
    )
    np.testing.assert_allclose(ours, book, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(ours, theirs, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_qhm_nu_beta_is_nesterov_and_matches_torch(beta):
    g = _grads(50, seed=4)
    eta = 1.0
    ours = _run(QHM(lr=eta, beta=beta, nu=beta), g)
    book = _run(Nesterov(lr=eta * (1 - beta), momentum=beta, lr_in_velocity=False), g)
    theirs = _torch_run(
        lambda ps: torch.optim.SGD(
            ps, lr=eta * (1 - beta), momentum=beta, nesterov=True, foreach=False
        ),
        g,
    )
    np.testing.assert_allclose(ours, book, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(ours, theirs, rtol=1e-11, atol=1e-13)


def test_qhm_constant_gradient_step():
    opt, theta = QHM(lr=0.1, beta=0.9, nu=0.7), np.zeros(1)
    for t in range(1, 101):
        before = theta.copy()
        opt.step(theta, np.array([1.0]))
        assert before[0] - theta[0] == pytest.approx(0.1 * (1 - 0.7 * 0.9**t), rel=1e-12)


def test_qhm_defaults_state_dict_and_checks():
    assert QHM().hyperparameters == {"lr": 0.01, "beta": 0.999, "nu": 0.7}
    opt, theta = QHM(lr=0.1, beta=0.5, nu=0.3), np.ones(3)
    opt.step(theta, np.ones(3))
    fresh = QHM()
    fresh.load_state_dict(opt.state_dict())
    a, b = theta.copy(), theta.copy()
    opt.step(a, np.full(3, 0.2))
    fresh.step(b, np.full(3, 0.2))
    np.testing.assert_array_equal(a, b)
    bad = [math.nan, math.inf, "0.5", True, None, 1j]
    cases = [(lambda v=v: QHM(lr=v), "lr") for v in bad + [0, -1.0]]
    cases += [(lambda v=v: QHM(beta=v), "beta") for v in bad + [-0.1, 1.0]]
    cases += [(lambda v=v: QHM(nu=v), "nu") for v in bad + [-0.1, 1.1]]
    assert_each_raises_value_error_naming(cases)


# -------------------------------------------------------------------- QHAdam
@pytest.mark.parametrize("nu1, nu2", [(0.7, 1.0), (0.0, 1.0), (0.5, 0.3), (0.0, 0.0)])
def test_qhadam_matches_reference_loop(nu1, nu2):
    g = _grads(80, seed=5)
    eta, b1, b2, eps = 0.01, 0.995, 0.999, 1e-8
    theta, m, v, want = np.zeros(4), np.zeros(4), np.zeros(4), [np.zeros(4)]
    for t, gt in enumerate(g, start=1):
        m = b1 * m + (1 - b1) * gt
        v = b2 * v + (1 - b2) * gt * gt
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        num = (1 - nu1) * gt + nu1 * m_hat
        den = np.sqrt((1 - nu2) * gt * gt + nu2 * v_hat) + eps
        theta = theta - eta * num / den
        want.append(theta.copy())
    ours = _run(QHAdam(lr=eta, nu1=nu1, nu2=nu2), g)
    np.testing.assert_allclose(ours, want, rtol=1e-11, atol=1e-14)


def test_qhadam_nu_one_is_torch_adam():
    g = _grads(100, seed=6)
    ours = _run(QHAdam(lr=0.01, beta1=0.9, beta2=0.999, nu1=1.0, nu2=1.0), g)
    theirs = _torch_run(lambda ps: torch.optim.Adam(ps, lr=0.01, foreach=False), g)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-13)


def test_qhadam_recommended_defaults():
    h = QHAdam().hyperparameters
    assert (h["nu1"], h["nu2"], h["beta1"], h["beta2"]) == (0.7, 1.0, 0.995, 0.999)


# --------------------------------------------------------------------- AggMo
@pytest.mark.parametrize("betas", [(0.0, 0.9, 0.99), (0.5,), (0.0, 0.9, 0.99, 0.999)])
def test_aggmo_matches_reference_loop(betas):
    g = _grads(60, seed=7)
    eta = 0.05
    theta = np.zeros(4)
    vs = [np.zeros(4) for _ in betas]
    want = [theta.copy()]
    for gt in g:
        vs = [b * v - gt for b, v in zip(betas, vs, strict=True)]
        theta = theta + eta / len(betas) * sum(vs)
        want.append(theta.copy())
    np.testing.assert_allclose(_run(AggMo(lr=eta, betas=betas), g), want, rtol=1e-12,
                               atol=1e-14)


@pytest.mark.parametrize("beta", [0.0, 0.9, 0.99])
def test_aggmo_k1_is_torch_momentum(beta):
    g = _grads(50, seed=8)
    ours = _run(AggMo(lr=0.03, betas=(beta,)), g)
    if beta == 0.0:
        theirs = _torch_run(lambda ps: torch.optim.SGD(ps, lr=0.03, foreach=False), g)
    else:
        theirs = _torch_run(
            lambda ps: torch.optim.SGD(ps, lr=0.03, momentum=beta, foreach=False), g
        )
    np.testing.assert_allclose(ours, theirs, rtol=1e-11, atol=1e-13)


def test_aggmo_effective_rate():
    betas = (0.0, 0.9, 0.99)
    opt, theta = AggMo(lr=0.01, betas=betas), np.zeros(1)
    for _ in range(4000):
        before = theta.copy()
        opt.step(theta, np.array([1.0]))
    factor = np.mean([1 / (1 - b) for b in betas])
    assert (before[0] - theta[0]) / 0.01 == pytest.approx(factor, rel=1e-12)
    assert factor == pytest.approx(37.0)


# -------------------------------------------------------------------- PyTorch
def test_torch_has_neither_qhadam_nor_aggmo():
    names = {n.lower() for n in dir(torch.optim)}
    assert "qhadam" not in names and "aggmo" not in names and "qhm" not in names
