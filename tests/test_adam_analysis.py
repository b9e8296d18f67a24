"""Tests of optbook.adam_analysis: every formula against a direct computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from checks import assert_each_raises_value_error_naming
from hypothesis import given, settings
from hypothesis import strategies as st

from optbook import adam_analysis as aa
from optbook.optimizers import Adam

BETAS = [(0.9, 0.999), (0.9, 0.99), (0.5, 0.9), (0.0, 0.999), (0.99, 0.999)]


def direct_moments(grads, beta1, beta2):
    """m_t and v_t by the recursion of Algorithm 1, one step at a time."""
    m = v = 0.0
    ms, vs = [], []
    for g in grads:
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        ms.append(m)
        vs.append(v)
    return np.array(ms), np.array(vs)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.999])
@pytest.mark.parametrize("t", [1, 2, 10, 500])
def test_ema_weights_unroll_the_recursion_and_sum_to_one_minus_beta_t(beta, t):
    rng = np.random.default_rng(t)
    g = rng.standard_normal(t)
    w = aa.ema_weights(t, beta)
    m, _ = direct_moments(g, beta, 0.5)
    assert w.shape == (t,)
    assert np.isclose(w @ g, m[-1], rtol=1e-12, atol=1e-15)
    assert np.isclose(w.sum(), 1 - beta**t, rtol=1e-12)
    assert np.allclose(aa.bias_correction_factor(np.arange(1, t + 1), beta),
                       [aa.ema_weights(s, beta).sum() for s in range(1, t + 1)], rtol=1e-12)


@pytest.mark.parametrize("mode", aa.BIAS_CORRECTIONS)
@pytest.mark.parametrize("eps", [0.0, 1e-8, 1e-3, 0.5])
def test_first_step_matches_the_package_adam(mode, eps):
    g = np.array([0.7, -4.0, 1e-6, -3e-9, 0.0, 12.5])
    theta = np.zeros_like(g)
    opt = Adam(lr=0.3, beta1=0.8, beta2=0.99, eps=eps, bias_correction=mode)
    opt.step(theta, g.copy())
    expected = aa.first_step(g, lr=0.3, beta1=0.8, beta2=0.99, eps=eps, bias_correction=mode)
    assert np.allclose(theta, expected, rtol=1e-13, atol=0)


def test_first_step_closed_forms():
    g = np.array([2.0, -0.5])
    assert np.allclose(aa.first_step(g, lr=1.0, eps=0.0), np.sign(-g))
    none = aa.first_step(g, lr=1.0, eps=0.0, bias_correction="none")
    assert np.allclose(none, -np.sign(g) * 0.1 / math.sqrt(0.001))
    ss = aa.first_step(g, lr=1.0, eps=1e-3, bias_correction="step_size")
    assert np.allclose(ss, -g / (np.abs(g) + 1e-3 / math.sqrt(0.001)))


@pytest.mark.parametrize("beta1, beta2", BETAS)
def test_uncorrected_step_factor_is_the_constant_gradient_step(beta1, beta2):
    T = 300
    steps = aa.steps_along(Adam(lr=1.0, beta1=beta1, beta2=beta2, eps=0.0,
                                bias_correction="none"), np.full(T, 2.5))
    assert np.allclose(-steps, aa.uncorrected_step_factor(np.arange(1, T + 1), beta1, beta2),
                       rtol=1e-12)
    corrected = aa.steps_along(Adam(lr=1.0, beta1=beta1, beta2=beta2, eps=0.0), np.full(T, 2.5))
    assert np.allclose(corrected, -1.0, rtol=1e-12)


def test_uncorrected_factor_numbers_quoted_in_the_chapter():
    f = aa.uncorrected_step_factor(np.arange(1, 101), 0.9, 0.999)
    assert round(float(f[0]), 3) == 3.162
    assert int(np.argmax(f)) + 1 == 12 and round(float(f.max()), 2) == 6.57
    assert round(float(f[-1]), 2) == 3.24


@pytest.mark.parametrize("beta1, beta2", BETAS)
@pytest.mark.parametrize("mode", ["moments", "none"])
def test_moment_ratio_is_the_step_of_adam_at_eps_zero(beta1, beta2, mode):
    rng = np.random.default_rng(1)
    g = rng.standard_normal((200, 3)) * np.exp(rng.standard_normal((200, 3)))
    steps = aa.steps_along(Adam(lr=1.0, beta1=beta1, beta2=beta2, eps=0.0,
                                bias_correction=mode), g)
    assert np.allclose(-steps, aa.moment_ratio(g, beta1, beta2, mode), rtol=1e-10, atol=0)
    m, v = direct_moments(g[:, 0], beta1, beta2)
    t = np.arange(1, 201)
    if mode == "moments":
        direct = (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t))
    else:
        direct = m / np.sqrt(v)
    assert np.allclose(aa.moment_ratio(g[:, 0], beta1, beta2, mode), direct, rtol=1e-10)


def test_moment_ratio_is_zero_before_the_first_nonzero_gradient():
    r = aa.moment_ratio(np.array([0.0, 0.0, 1.0]))
    assert r[0] == 0 and r[1] == 0 and r[2] > 0


@pytest.mark.parametrize("beta1, beta2", [(0.9, 0.999), (0.9, 0.99), (0.5, 0.9), (0.8, 0.7)])
@pytest.mark.parametrize("t", [1, 2, 7, 50, 400])
def test_worst_case_gradients_attain_the_sharp_bound(beta1, beta2, t):
    ratio = aa.moment_ratio(aa.worst_case_gradients(t, beta1, beta2), beta1, beta2)[-1]
    assert np.isclose(ratio, aa.sharp_step_bound(t, beta1, beta2), rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.5, 0.999),
    seed=st.integers(0, 2**31 - 1),
    t=st.integers(1, 60),
)
def test_no_gradient_sequence_exceeds_the_sharp_bound(beta1, beta2, seed, t):
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((t, 20)) * np.exp(2 * rng.standard_normal((t, 20)))
    ratio = np.abs(aa.moment_ratio(g, beta1, beta2)[-1])
    assert np.all(ratio <= aa.sharp_step_bound(t, beta1, beta2) * (1 + 1e-9))


def test_sharp_bound_limits_and_the_chapter_numbers():
    assert round(aa.paper_step_bound(0.9, 0.999), 4) == 3.1623
    assert aa.paper_step_bound(0.9, 0.99) == 1.0
    assert round(aa.sharp_step_bound_limit(0.9, 0.999), 4) == 7.2703
    assert round(aa.sharp_step_bound_limit(0.9, 0.99), 4) == 2.3452
    assert aa.sharp_step_bound_limit(0.99, 0.98) == math.inf
    assert np.isclose(aa.sharp_step_bound(10**6, 0.9, 0.999), aa.sharp_step_bound_limit())
    s = aa.sharp_step_bound(np.arange(1, 3000), 0.9, 0.999)
    assert np.all(np.diff(s) > 0) and np.isclose(s[0], 1.0)
    # beta1 = beta2: the bound is exactly 1 for every t
    assert np.allclose(aa.sharp_step_bound(np.arange(1, 100), 0.9, 0.9), 1.0)
    # r = beta1²/beta2 = 1: grows like √t
    s4000, s1000 = aa.sharp_step_bound(4000, 0.9, 0.81), aa.sharp_step_bound(1000, 0.9, 0.81)
    assert np.isclose(s4000, 2 * s1000)


def test_counterexamples_break_the_paper_bound_with_the_package_adam():
    T = 5000
    paper = aa.paper_step_bound(0.9, 0.999)
    plateau = abs(aa.steps_along(Adam(lr=1.0, eps=0.0), aa.plateau_then_jump(T))[-1])
    worst = abs(aa.steps_along(Adam(lr=1.0, eps=0.0), aa.worst_case_gradients(T))[-1])
    assert round(float(plateau), 4) == 3.2777 and plateau > paper
    assert round(float(worst), 4) == 7.2458 and worst > paper
    assert round(aa.plateau_then_jump_limit(0.9, 0.999), 4) == 3.2880
    # with the default eps the step is the same to 1e-6 relative
    with_eps = abs(aa.steps_along(Adam(lr=1.0), aa.plateau_then_jump(T))[-1])
    assert abs(with_eps - plateau) < 1e-6 * plateau


def test_plateau_then_jump_shape_and_default_jump():
    g = aa.plateau_then_jump(10, 0.9, 0.999, level=2.0)
    assert g.shape == (10,) and np.all(g[:-1] == 2.0)
    assert np.isclose(g[-1], 2.0 * 0.1 * 0.999 / (0.9 * 0.001))


def test_equivalent_eps_hat_makes_the_efficient_form_algorithm_1():
    rng = np.random.default_rng(3)
    grads = rng.standard_normal((300, 5)) * 1e-6
    a = Adam(lr=0.01, eps=1e-7)
    b = Adam(lr=0.01, bias_correction="step_size")
    ta, tb = np.zeros(5), np.zeros(5)
    for t, g in enumerate(grads, start=1):
        b.eps = float(aa.equivalent_eps_hat(t, 1e-7, 0.999))
        a.step(ta, g.copy())
        b.step(tb, g.copy())
    assert np.allclose(ta, tb, rtol=1e-12, atol=0)
    c = Adam(lr=0.01, eps=1e-7, bias_correction="step_size")
    tc = np.zeros(5)
    for g in grads:
        c.step(tc, g.copy())
    assert not np.allclose(ta, tc, rtol=1e-3)


def test_numpy_dict_adam_is_the_step_size_form_with_eps_1e_7():
    rng = np.random.default_rng(4)
    params = {"w": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    mine = {k: v.copy() for k, v in params.items()}
    cls = aa.NumpyDictAdam(lr=0.05)
    opt = Adam(lr=0.05, eps=1e-7, bias_correction="step_size")
    for _ in range(100):
        grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
        cls.update(params, grads)
        opt.step(mine, {k: g.copy() for k, g in grads.items()})
    for k in params:
        assert np.allclose(params[k], mine[k], rtol=1e-12, atol=1e-15)


def test_pure_noise_ratio_rms():
    assert round(aa.pure_noise_ratio_rms(0.9), 3) == 0.229
    rng = np.random.default_rng(5)
    r = aa.moment_ratio(rng.standard_normal((3000, 300)), 0.9, 0.999)[-500:]
    assert abs(np.sqrt(np.mean(r**2)) - aa.pure_noise_ratio_rms(0.9)) < 0.015


def test_tune_and_run_picks_the_best_rate_and_uses_fresh_seeds():
    from optbook.data import digits
    from optbook.models import SoftmaxRegression
    from optbook.schedules import inverse_sqrt

    data = digits(seed=0)
    model = SoftmaxRegression(data.X_train[:300], data.y_train[:300], l2=1e-3)
    res = aa.tune_and_run(model, {"Adam": lambda lr: Adam(lr=lr)}, [1e-4, 0.1, 100.0],
                          seeds=(1, 2), epochs=2, batch_size=64, lr_schedule=inverse_sqrt)
    adam = res["Adam"]
    assert adam["lr"] == 0.1 and adam["interior"]
    assert set(adam["grid"]) == {1e-4, 0.1, 100.0}
    assert [r.lrs[0] for r in adam["runs"]] == [0.1, 0.1]
    assert not np.array_equal(adam["runs"][0].theta, adam["runs"][1].theta)
    again = aa.tune_and_run(model, {"Adam": lambda lr: Adam(lr=lr)}, [1e-4, 0.1, 100.0],
                            seeds=(1, 2), epochs=2, batch_size=64, lr_schedule=inverse_sqrt)
    assert np.array_equal(again["Adam"]["runs"][0].theta, adam["runs"][0].theta)


def test_bad_input_raises_value_error_naming_the_parameter():
    assert_each_raises_value_error_naming([
        (lambda: aa.ema_weights(0, 0.9), "t"),
        (lambda: aa.ema_weights(3, 1.0), "beta"),
        (lambda: aa.bias_correction_factor(0, 0.9), "t"),
        (lambda: aa.first_step(1.0, lr=-1), "lr"),
        (lambda: aa.first_step(1.0, eps=-1), "eps"),
        (lambda: aa.first_step(1.0, bias_correction="both"), "bias_correction"),
        (lambda: aa.uncorrected_step_factor(1, beta1=1.5), "beta1"),
        (lambda: aa.moment_ratio(np.ones((2, 2, 2))), "grads"),
        (lambda: aa.moment_ratio(np.array([1.0, np.nan])), "grads"),
        (lambda: aa.moment_ratio(np.ones(3), beta2=-0.1), "beta2"),
        (lambda: aa.sharp_step_bound(5, 0.9, 0.0), "beta2"),
        (lambda: aa.worst_case_gradients(0), "t"),
        (lambda: aa.plateau_then_jump(1), "t"),
        (lambda: aa.plateau_then_jump(5, jump=-1.0), "jump"),
        (lambda: aa.plateau_then_jump(5, level=0.0), "level"),
        (lambda: aa.equivalent_eps_hat(3, -1.0), "eps"),
        (lambda: aa.NumpyDictAdam(lr=0.0), "lr"),
        (lambda: aa.steps_along(Adam(), np.ones((2, 2, 2))), "grads"),
        (lambda: aa.tune_and_run(None, {"a": 1}, [0.1]), "factories"),
        (lambda: aa.tune_and_run(None, {"a": Adam, "b": Adam}, {"a": [0.1]}), "grid"),
        (lambda: aa.tune_and_run(None, {"a": Adam, "b": Adam}, {"a": [0.1], "b": [1, 2]}),
         "grid"),
    ])


def test_steps_along_refuses_a_used_optimizer():
    opt = Adam()
    opt.step(np.zeros(1), np.ones(1))
    with pytest.raises(ValueError, match="optimizer"):
        aa.steps_along(opt, np.ones(3))
