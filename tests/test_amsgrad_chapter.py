"""Tests for the AMSGrad chapter: the online problems, the fast online runner,
the effective steps, the asymptotic drift, and PyTorch parity of the PyTorch form."""

from __future__ import annotations

import numpy as np
import pytest

from optbook.functions import (
    StochasticOnlineProblem,
    reddi_problem,
    reddi_stochastic,
    reddi_synthetic,
)
from optbook.optimizers import Adam, AMSGrad
from optbook.optimizers.amsgrad import (
    ONLINE_RULES,
    asymptotic_drift,
    effective_steps,
    online_adam_family,
)
from optbook.run import run_online

CLASSES = {
    "adam": lambda a, b1, b2, e: Adam(lr=a, beta1=b1, beta2=b2, eps=e, bias_correction="none"),
    "adam_bias_corrected": lambda a, b1, b2, e: Adam(lr=a, beta1=b1, beta2=b2, eps=e),
    "amsgrad": lambda a, b1, b2, e: AMSGrad(lr=a, beta1=b1, beta2=b2, eps=e),
    "amsgrad_torch": lambda a, b1, b2, e: AMSGrad(
        lr=a, beta1=b1, beta2=b2, eps=e, bias_correction=True
    ),
}


@pytest.mark.parametrize("rule", ONLINE_RULES)
@pytest.mark.parametrize(
    "problem", [reddi_problem(3.0), reddi_synthetic(), reddi_stochastic(seed=3)],
    ids=["C3", "synthetic", "stochastic"],
)
def test_fast_runner_equals_run_online_with_the_classes(problem, rule) -> None:
    for decay in (True, False):
        a, b1, b2, e = 0.3, 0.9, 0.99, 1e-8
        ref = run_online(problem, CLASSES[rule](a, b1, b2, e), 1500,
                         lr_schedule=(lambda t, a=a: a / t**0.5) if decay else None)
        fast = online_adam_family(problem, 1500, lr=a, beta1=b1, beta2=b2, eps=e, rule=rule,
                                  decay_lr=decay)[0]
        np.testing.assert_array_equal(fast.path, ref.path)
        np.testing.assert_allclose(fast.regret, ref.regret, rtol=0, atol=1e-9)


def test_fast_runner_broadcasts_and_validates() -> None:
    p = reddi_problem(3.0)
    rs = online_adam_family(p, 100, lr=0.5, beta1=0.0, beta2=[0.1, 0.5, 0.9])
    assert len(rs) == 3 and [r.hyperparameters["beta2"] for r in rs] == [0.1, 0.5, 0.9]
    with pytest.raises(ValueError, match="rule"):
        online_adam_family(p, 10, lr=0.1, beta1=0.0, beta2=0.1, rule="sgd")
    with pytest.raises(ValueError, match="beta2"):
        online_adam_family(p, 10, lr=0.1, beta1=0.0, beta2=1.0)
    with pytest.raises(ValueError, match="steps"):
        online_adam_family(p, 0, lr=0.1, beta1=0.0, beta2=0.1)
    with pytest.raises(ValueError, match="lr"):
        online_adam_family(p, 10, lr=-0.1, beta1=0.0, beta2=0.1)


def test_counterexample_adam_plus_one_amsgrad_minus_one() -> None:
    p = reddi_problem(3.0)
    adam, ams = (online_adam_family(p, 21_000, lr=0.5, beta1=0.0, beta2=0.1, rule=r)[0]
                 for r in ("adam", "amsgrad"))
    assert adam.final == 1.0 and abs(adam.average_regret[-1] - 2 / 3) < 0.01
    assert ams.final < -0.99 and ams.average_regret[-1] < 0.01
    one = online_adam_family(p, 3000, lr=0.5, beta1=0.0, beta2=0.1, rule="adam", x1=1.0)[0]
    assert np.all(one.path > 0) and np.all(one.path[0::3] == 1.0)


def test_stochastic_problem_is_seeded_order_free_and_has_the_right_mean() -> None:
    p = reddi_stochastic(seed=5)
    assert isinstance(p, StochasticOnlineProblem)
    t = np.arange(1, 200_001)
    c = p.coefficient(t)
    assert set(np.unique(c)) == {1010.0, -10.0}
    # order-free: asking for a late step first gives the same draws
    q = reddi_stochastic(seed=5)
    assert q.coefficient(150_000) == c[149_999]
    np.testing.assert_array_equal(q.coefficient(t[::-1])[::-1], c)
    assert not np.array_equal(reddi_stochastic(seed=6).coefficient(t[:1000]), c[:1000])
    assert abs(np.mean(c == 1010.0) - 0.01) < 0.001
    assert np.isclose(p.mean_coefficient, 0.2) and p.best == -1.0
    with pytest.raises(ValueError, match="probability"):
        reddi_stochastic(probability=1.5)
    with pytest.raises(ValueError, match="seed"):
        reddi_stochastic(seed=-1)
    with pytest.raises(ValueError, match="big"):
        reddi_stochastic(big=0.0)


def test_mean_coefficient_of_periodic_problems() -> None:
    assert np.isclose(reddi_problem(3.0).mean_coefficient, 1 / 3)
    assert np.isclose(reddi_synthetic().mean_coefficient, 10 / 101)


def test_asymptotic_drift_closed_form_and_thresholds() -> None:
    p = reddi_problem(3.0)
    for b2 in (0.1, 0.4723, 0.9):
        a = (9 + b2 + b2**2) / (1 + b2 + b2**2)
        b = b2 * a + 1 - b2
        c = b2 * b + 1 - b2
        assert np.isclose(asymptotic_drift(p, 0.0, b2), 3 / np.sqrt(a) - 1 / np.sqrt(b)
                          - 1 / np.sqrt(c))
    assert asymptotic_drift(p, 0.0, 0.47) < 0 < asymptotic_drift(p, 0.0, 0.48)
    s = reddi_synthetic()
    assert asymptotic_drift(s, 0.9, 0.999) < 0 < asymptotic_drift(s, 0.9, 0.9999)


def test_drift_sign_predicts_the_end_point() -> None:
    p = reddi_problem(3.0)
    for b2, end in ((0.3, 1.0), (0.7, -1.0)):
        r = online_adam_family(p, 20_000, lr=0.5, beta1=0.0, beta2=b2, rule="adam")[0]
        assert abs(r.path[-3:].mean() - end) < 0.01


def test_effective_steps_monotone_for_reddi_growing_for_torch() -> None:
    g = np.r_[1.0, np.full(2000, 0.01)]
    hp = dict(lr=1e-3, beta1=0.9, beta2=0.999)
    assert np.all(np.diff(effective_steps(g, rule="amsgrad", **hp)) <= 0)
    s = effective_steps(g, rule="amsgrad_torch", **hp)
    assert np.all(np.diff(s) > 0) and s[-1] / s[0] < 1 / np.sqrt(1 - 0.999)
    rng = np.random.default_rng(0)
    g = rng.standard_normal(500) * rng.exponential(size=500)
    assert np.all(np.diff(effective_steps(g, rule="amsgrad", decay_lr=True, **hp)) <= 0)
    with pytest.raises(ValueError, match="rule"):
        effective_steps(g, rule="adam", **hp)
    with pytest.raises(ValueError, match="grads"):
        effective_steps([], **hp)


def test_effective_step_matches_the_class_update() -> None:
    # the step of the class, divided by m_t (Reddi) or m̂_t (torch), is the effective step
    g = [2.0, 0.5, 0.0, 3.0, 0.1]
    for rule, bc in (("amsgrad", False), ("amsgrad_torch", True)):
        s = effective_steps(g, lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8, rule=rule)
        opt = AMSGrad(lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8, bias_correction=bc)
        theta = np.array([0.0])
        m = 0.0
        for t, gi in enumerate(g, start=1):
            before = theta[0]
            opt.step(theta, np.array([gi]))
            m = 0.9 * m + 0.1 * gi
            mh = m / (1 - 0.9**t) if bc else m
            assert np.isclose(before - theta[0], s[t - 1] * mh, rtol=1e-12, atol=1e-15)


def test_pytorch_form_matches_torch_amsgrad() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal(7)
    grads = [rng.standard_normal(7) * (10 if k % 17 == 0 else 1) for k in range(300)]
    for lr, betas, eps in [(1e-3, (0.9, 0.999), 1e-8), (0.05, (0.5, 0.9), 1e-6)]:
        p = torch.tensor(x0.copy(), dtype=torch.float64, requires_grad=True)
        topt = torch.optim.Adam([p], lr=lr, betas=betas, eps=eps, amsgrad=True, foreach=False)
        ours = x0.copy()
        oopt = AMSGrad(lr=lr, beta1=betas[0], beta2=betas[1], eps=eps, bias_correction=True)
        for g in grads:
            p.grad = torch.tensor(g, dtype=torch.float64)
            topt.step()
            oopt.step(ours, g.copy())
            np.testing.assert_allclose(ours, p.detach().numpy(), rtol=1e-12, atol=1e-14)
        # Reddi's form differs from torch's on the same gradients
        reddi = x0.copy()
        ropt = AMSGrad(lr=lr, beta1=betas[0], beta2=betas[1], eps=eps)
        for g in grads:
            ropt.step(reddi, g.copy())
        assert np.max(np.abs(reddi - ours)) > 1e-3 * np.max(np.abs(ours - x0))


def test_drift_threshold_brackets_and_validates() -> None:
    from optbook.optimizers.amsgrad import drift_threshold

    p = reddi_problem(3.0)
    b = drift_threshold(p, 0.0, 0.1, 0.9)
    assert 0.4723 < b < 0.4724
    assert asymptotic_drift(p, 0.0, b - 1e-6) < 0 < asymptotic_drift(p, 0.0, b + 1e-6)
    assert 0.9995 < drift_threshold(reddi_synthetic(), 0.9, 0.99, 0.99999) < 0.9996
    with pytest.raises(ValueError, match="bracket"):
        drift_threshold(p, 0.0, 0.6, 0.9)
    with pytest.raises(ValueError, match="iters"):
        drift_threshold(p, 0.0, 0.1, 0.9, iters=0)
