"""Every optimizer, with every option, against an independent float64 reference.

The references (``tests/reference.py``) are written from the papers' equations.
Each case runs 200 steps on two random problems (a noisy convex quadratic,
where the gradient depends on the iterate, and a fixed sequence of gradients
of very different scales), with the parameters given as one ndarray, a list
and a dict, and compares the whole trajectory at rtol 1e-12.
"""

import math

import numpy as np
import pytest
from reference import (
    ALL_CASES,
    CASES,
    PROBLEMS,
    adam_reference,
    adamw_reference,
    aggmo_reference,
    grad_sequence,
    layout_shapes,
    momentum_reference,
    nesterov_pytorch_reference,
    nesterov_ruder_reference,
    quadratic_problem,
    run_package,
    sgd_reference,
)

from optbook import optimizers as ob

STEPS = 200
RTOL = 1e-12


def assert_trajectories_close(got: np.ndarray, want: np.ndarray, rtol: float = RTOL) -> None:
    """rtol on every entry, with an absolute floor of rtol times the trajectory's scale."""
    assert got.shape == want.shape
    assert np.all(np.isfinite(want)), "the reference itself is not finite"
    scale = max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


# --------------------------------------------------------------------------
# the main comparison: every case x problem x layout
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["array", "list", "dict"])
@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_matches_reference(case, problem, layout):
    theta0, grad = PROBLEMS[problem](seed=11)
    # A "chaotic" rule amplifies rounding differences exponentially when the
    # gradient feeds back from θ (Adadelta with ρ = 0 takes sign-like steps
    # that keep growing): compare it for fewer steps on the quadratic.
    steps = 60 if problem == "quadratic" and "chaotic" in case.tags else STEPS
    want = case.reference(theta0, grad, steps, shapes=layout_shapes(layout))
    got = run_package(case.make(), theta0, grad, steps, layout)
    assert_trajectories_close(got, want)
    # the problem must actually move the parameters, or the comparison is empty
    if not case.name.startswith("Adadelta-eps0"):
        assert np.max(np.abs(want[-1] - want[0])) > 1e-3


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    "case", [c for c in CASES if c.name.endswith("default")] + [
        c for c in CASES if "pytorch" in c.name], ids=lambda c: c.name)
def test_matches_reference_other_seeds(case, seed):
    theta0, grad = quadratic_problem(seed=100 + seed, noise=1.0)
    want = case.reference(theta0, grad, STEPS)
    got = run_package(case.make(), theta0, grad, STEPS)
    assert_trajectories_close(got, want)


@pytest.mark.parametrize("lr_in_velocity", [True, False])
def test_nesterov_iterate_is_ruders_lookahead_point(lr_in_velocity):
    """optbook stores φ_t = θ_t − γ v_t; Ruder's θ_t is recovered as φ_t + γ v_t from its v
    (PyTorch's buffer b is v/η)."""
    lr, gamma = 0.03, 0.9
    theta0, grad = quadratic_problem(seed=12)
    opt = ob.Nesterov(lr=lr, momentum=gamma, lr_in_velocity=lr_in_velocity)
    phi = theta0.copy()
    ruder_theta = nesterov_ruder_reference(theta0, grad, STEPS, lr=lr, momentum=gamma,
                                           return_lookahead=False)
    for t in range(1, STEPS + 1):
        opt.step(phi, grad(phi.copy(), t))
        v = opt.state["0"]["v"] * (1.0 if lr_in_velocity else lr)
        np.testing.assert_allclose(phi + gamma * v, ruder_theta[t], rtol=1e-11, atol=1e-11)


def test_adadelta_eps0_never_moves():
    """Zeiler's ε is what starts Adadelta: with ε = 0, RMS[Δθ]_0 = 0 and every step is 0."""
    theta0, grad = quadratic_problem(seed=4)
    traj = run_package(ob.Adadelta(eps=0.0), theta0, grad, 50)
    assert np.array_equal(traj, np.broadcast_to(theta0, traj.shape))


# --------------------------------------------------------------------------
# hyperparameters that change between steps (schedules)
# --------------------------------------------------------------------------
def _lr_schedule(t):
    return 0.05 * (1 + math.cos(math.pi * t / 60)) / 2 + 0.002


def _set_lr(opt, t):
    opt.lr = _lr_schedule(t)


@pytest.mark.parametrize(
    "make, ref",
    [
        pytest.param(lambda: ob.SGD(lr=1.0),
                     lambda th, g, n: sgd_reference(th, g, n, lr=_lr_schedule), id="SGD"),
        pytest.param(lambda: ob.Momentum(lr=1.0),
                     lambda th, g, n: momentum_reference(th, g, n, lr=_lr_schedule,
                                                         momentum=0.9), id="Momentum-ruder"),
        pytest.param(lambda: ob.Momentum(lr=1.0, lr_in_velocity=False),
                     lambda th, g, n: momentum_reference(th, g, n, lr=_lr_schedule,
                                                         momentum=0.9, lr_in_velocity=False),
                     id="Momentum-pytorch"),
        # the docstring's derivation of the look-ahead form holds for any η_t
        pytest.param(lambda: ob.Nesterov(lr=1.0),
                     lambda th, g, n: nesterov_ruder_reference(th, g, n, lr=_lr_schedule,
                                                               momentum=0.9),
                     id="Nesterov-ruder-original-form"),
        pytest.param(lambda: ob.Nesterov(lr=1.0, lr_in_velocity=False),
                     lambda th, g, n: nesterov_pytorch_reference(th, g, n, lr=_lr_schedule,
                                                                 momentum=0.9),
                     id="Nesterov-pytorch"),
        pytest.param(lambda: ob.Adam(lr=1.0),
                     lambda th, g, n: adam_reference(th, g, n, lr=_lr_schedule, beta1=0.9,
                                                     beta2=0.999, eps=1e-8), id="Adam"),
        pytest.param(lambda: ob.AggMo(lr=1.0),
                     lambda th, g, n: aggmo_reference(th, g, n, lr=_lr_schedule,
                                                      betas=(0.0, 0.9, 0.99)), id="AggMo"),
    ],
)
def test_learning_rate_schedule(make, ref):
    theta0, grad = quadratic_problem(seed=21)
    want = ref(theta0, grad, 120)
    got = run_package(make(), theta0, grad, 120, before_step=_set_lr)
    assert_trajectories_close(got, want)


def test_momentum_forms_agree_with_constant_lr_and_differ_with_a_schedule():
    """Ruder's v = γv + ηg and PyTorch's b = γb + g are one iteration only for a constant η."""
    theta0, grad = quadratic_problem(seed=22)
    for cls in (ob.Momentum, ob.Nesterov):
        ruder = run_package(cls(lr=0.03), theta0, grad, 100)
        torch_form = run_package(cls(lr=0.03, lr_in_velocity=False), theta0, grad, 100)
        assert_trajectories_close(torch_form, ruder, rtol=1e-11)
        ruder = run_package(cls(lr=1.0), theta0, grad, 100, before_step=_set_lr)
        torch_form = run_package(cls(lr=1.0, lr_in_velocity=False), theta0, grad, 100,
                                 before_step=_set_lr)
        assert np.max(np.abs(ruder - torch_form)) > 1e-3


@pytest.mark.parametrize("decay_scaled_by_lr", [False, True])
def test_adamw_schedule_multiplier(decay_scaled_by_lr):
    def multiplier(t):
        return 0.2 + 0.8 * (1 + math.cos(math.pi * t / 80)) / 2

    def before(opt, t):
        opt.schedule_multiplier = multiplier(t)

    theta0, grad = quadratic_problem(seed=23)
    want = adamw_reference(theta0, grad, 150, lr=0.03, beta1=0.9, beta2=0.999, eps=1e-8,
                           weight_decay=0.3, schedule_multiplier=multiplier,
                           decay_scaled_by_lr=decay_scaled_by_lr)
    opt = ob.AdamW(lr=0.03, weight_decay=0.3, decay_scaled_by_lr=decay_scaled_by_lr)
    got = run_package(opt, theta0, grad, 150, before_step=before)
    assert_trajectories_close(got, want)


# --------------------------------------------------------------------------
# the first two steps, by hand
# --------------------------------------------------------------------------
def test_sgd_first_two_steps_by_hand():
    # θ₀ = (1, −2), η = 0.1
    # g₁ = (0.5, −1):  θ₁ = (1 − 0.05, −2 + 0.1) = (0.95, −1.9)
    # g₂ = (2, 0):     θ₂ = (0.95 − 0.2, −1.9)   = (0.75, −1.9)
    theta = np.array([1.0, -2.0])
    opt = ob.SGD(lr=0.1)
    opt.step(theta, np.array([0.5, -1.0]))
    np.testing.assert_allclose(theta, [0.95, -1.9], rtol=1e-15)
    opt.step(theta, np.array([2.0, 0.0]))
    np.testing.assert_allclose(theta, [0.75, -1.9], rtol=1e-15)


def test_adam_first_two_steps_by_hand():
    # η = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, θ₀ = (1, 3), g₁ = (2, 0), g₂ = (−1, 4).
    #
    # step 1, coordinate 0: m₁ = 0.1·2 = 0.2,  v₁ = 0.001·4 = 0.004,
    #   m̂₁ = 0.2/0.1 = 2,  v̂₁ = 0.004/0.001 = 4,  √v̂₁ = 2,
    #   θ₁ = 1 − 0.1·2/(2 + 1e-8) = 1 − 0.1/(1 + 5e-9) = 0.9000000005 (to 1e-17).
    # Adam's first step is η·sign(g) whatever |g| is (up to ε).
    # step 1, coordinate 1: m₁ = v₁ = 0, the step is 0/(0 + ε) = 0: θ₁ = 3.
    #
    # step 2, coordinate 0: m₂ = 0.9·0.2 + 0.1·(−1) = 0.08,
    #   v₂ = 0.999·0.004 + 0.001·1 = 0.004996,
    #   m̂₂ = 0.08/(1 − 0.81) = 8/19,  v̂₂ = 0.004996/(1 − 0.998001) = 4996/1999,
    #   √v̂₂ = 1.5809015228...,  θ₂ = θ₁ − 0.1·(8/19)/(√v̂₂ + 1e-8) = 0.8733662967...
    # step 2, coordinate 1: m₂ = 0.1·4 = 0.4,  v₂ = 0.001·16 = 0.016,
    #   m̂₂ = 0.4/0.19 = 40/19,  v̂₂ = 0.016/0.001999 = 16000/1999,  √v̂₂ = 2.8291344968...,
    #   θ₂ = 3 − 0.1·(40/19)/(√v̂₂ + 1e-8) = 2.9255863179...
    theta = np.array([1.0, 3.0])
    opt = ob.Adam(lr=0.1)
    opt.step(theta, np.array([2.0, 0.0]))
    theta1 = 1 - 0.1 / (1 + 5e-9)
    np.testing.assert_allclose(theta, [theta1, 3.0], rtol=1e-15)
    np.testing.assert_allclose(theta, [0.9000000005, 3.0], rtol=1e-15)
    np.testing.assert_allclose(opt.state["0"]["m"], [0.2, 0.0], rtol=1e-15)
    np.testing.assert_allclose(opt.state["0"]["v"], [0.004, 0.0], rtol=1e-15)
    opt.step(theta, np.array([-1.0, 4.0]))
    np.testing.assert_allclose(opt.state["0"]["m"], [0.08, 0.4], rtol=1e-14)
    np.testing.assert_allclose(opt.state["0"]["v"], [0.004996, 0.016], rtol=1e-14)
    want = [theta1 - 0.1 * (8 / 19) / (math.sqrt(4996 / 1999) + 1e-8),
            3 - 0.1 * (40 / 19) / (math.sqrt(16000 / 1999) + 1e-8)]
    np.testing.assert_allclose(theta, want, rtol=1e-14)
    np.testing.assert_allclose(theta, [0.8733662967, 2.9255863179], rtol=1e-10)


def test_adam_step_size_mode_first_step_by_hand():
    # "step_size": η₁ = η √(1 − β₂)/(1 − β₁) = 0.1·√0.001/0.1 = √0.001 = 0.0316227766...,
    # m₁ = 0.2, √v₁ = √0.004 = 0.0632455532...; with ε = 0.1 (large on purpose)
    # θ₁ = 1 − √0.001·0.2/(√0.004 + 0.1) = 1 − 0.0063245553/0.1632455532 = 0.9612574...
    # while "moments" gives 1 − 0.1·2/(2 + 0.1) = 0.9047619...: the same ε is not the same rule.
    theta = np.array([1.0])
    ob.Adam(lr=0.1, eps=0.1, bias_correction="step_size").step(theta, np.array([2.0]))
    np.testing.assert_allclose(theta, 1 - math.sqrt(0.001) * 0.2 / (math.sqrt(0.004) + 0.1),
                               rtol=1e-14)
    np.testing.assert_allclose(theta, 0.9612574, rtol=1e-7)
    theta = np.array([1.0])
    ob.Adam(lr=0.1, eps=0.1).step(theta, np.array([2.0]))
    np.testing.assert_allclose(theta, 1 - 0.2 / 2.1, rtol=1e-14)


# --------------------------------------------------------------------------
# big, non-contiguous and 0-d arrays
# --------------------------------------------------------------------------
BIG = 3 * ob.CHUNK + 5
BIG_STEPS = 25
ONE_PER_CLASS = [c for c in ALL_CASES if c.name.endswith("default") or "(" in c.name]


def _random_sequence(shape, steps, seed):
    rng = np.random.default_rng(seed)
    seq = rng.normal(size=(steps, *shape)) * rng.choice([1e-2, 1.0, 1e2], size=shape)
    if shape:
        seq[2][..., ::7] = 0.0  # some exact zeros
    else:
        seq[2] = 0.0
    return seq


def _run_on(opt, param, seq):
    for g in seq:
        opt.step(param, np.array(g, order="C"))


@pytest.mark.parametrize("case", ONE_PER_CLASS, ids=lambda c: c.name)
def test_chunk_size_does_not_change_the_result(case, monkeypatch):
    """The rules are element-wise, so any chunk size gives bit-identical params."""
    from optbook.optimizers import _base

    rng = np.random.default_rng(11)
    theta0 = rng.normal(size=5000)
    seq = _random_sequence((5000,), 10, 12)
    results = []
    for chunk in (7, 1024, 2**18):
        monkeypatch.setattr(_base, "CHUNK", chunk)
        theta = theta0.copy()
        _run_on(case.make(), theta, seq)
        results.append(theta)
    assert np.array_equal(results[0], results[1])
    assert np.array_equal(results[0], results[2])


@pytest.mark.parametrize("case", ONE_PER_CLASS, ids=lambda c: c.name)
def test_array_larger_than_chunk(case):
    rng = np.random.default_rng(5)
    theta0 = rng.normal(size=BIG)
    seq = _random_sequence((BIG,), BIG_STEPS, 6)
    want = case.reference(theta0, grad_sequence(seq), BIG_STEPS)[-1]
    param = theta0.copy()
    _run_on(case.make(), param, seq)
    assert_trajectories_close(param, want)


@pytest.mark.parametrize("case", ONE_PER_CLASS, ids=lambda c: c.name)
@pytest.mark.parametrize("view", ["transposed", "strided"])
def test_non_contiguous_param(case, view):
    rng = np.random.default_rng(7)
    base = rng.normal(size=(40, 60))
    param = base.T if view == "transposed" else base[:, ::2]
    assert not param.flags.c_contiguous
    theta0 = param.copy()
    seq = _random_sequence(param.shape, BIG_STEPS, 8)
    want = case.reference(theta0, grad_sequence(seq), BIG_STEPS)[-1]
    _run_on(case.make(), param, seq)
    assert_trajectories_close(param, want)
    # the update went into the base array
    assert np.array_equal(base.T if view == "transposed" else base[:, ::2], param)
    # and the same numbers in a contiguous array give bit-identical results
    contiguous = np.ascontiguousarray(theta0)
    _run_on(case.make(), contiguous, seq)
    assert np.array_equal(contiguous, param)


@pytest.mark.parametrize("case", ONE_PER_CLASS, ids=lambda c: c.name)
def test_non_contiguous_grads(case):
    rng = np.random.default_rng(9)
    theta0 = rng.normal(size=(30, 20))
    seq = _random_sequence((20, 30), BIG_STEPS, 10)
    param = theta0.copy()
    opt = case.make()
    for g in seq:
        opt.step(param, g.T)  # F-ordered gradient for a C-ordered param
    want = case.reference(theta0, grad_sequence([g.T for g in seq]), BIG_STEPS)[-1]
    assert_trajectories_close(param, want)


@pytest.mark.parametrize("case", ONE_PER_CLASS, ids=lambda c: c.name)
def test_zero_dimensional_param(case):
    seq = [np.array(x) for x in (0.5, -2.0, 0.0, 3.0, 1e-3, -0.7, 0.0, 0.2)]
    param = np.array(1.5)
    _run_on(case.make(), param, seq)
    want = case.reference(np.array(1.5), grad_sequence(seq), len(seq))[-1]
    assert param.shape == ()
    assert_trajectories_close(param, want)


def test_big_array_mixed_with_small_ones_in_a_dict():
    """Chunked and unchunked arrays in one step, each with its own state."""
    rng = np.random.default_rng(12)
    shapes = {"big": (BIG,), "scalar": (), "matrix": (5, 3)}
    theta0 = {k: rng.normal(size=s) for k, s in shapes.items()}
    seqs = {k: _random_sequence(s, 10, i) for i, (k, s) in enumerate(shapes.items())}
    params = {k: v.copy() for k, v in theta0.items()}
    opt = ob.Adam(lr=0.01)
    for t in range(10):
        opt.step(params, {k: np.array(seqs[k][t], order="C") for k in shapes})
    for k in shapes:
        want = adam_reference(theta0[k], grad_sequence(seqs[k]), 10, lr=0.01, beta1=0.9,
                              beta2=0.999, eps=1e-8)[-1]
        assert_trajectories_close(params[k], want)
