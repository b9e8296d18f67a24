"""Facts the chapters state about the optimizers, checked on the package.

Hypothesis draws the gradient sequences and hyperparameters; the runs are
derandomized (``derandomize=True``, no example database) so CI is reproducible.
"""

import copy
import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import ALL_CASES, CASES, adam_ratio_bound, dozat_mu, quadratic_problem, run_package

from optbook import optimizers as ob

PROPS = settings(deadline=None, max_examples=50, derandomize=True, database=None)

# gradient entries: exact zeros, or magnitudes in [1e-3, 1e3] (no under/overflow of g²·c²)
ENTRY = st.one_of(st.just(0.0), st.floats(1e-3, 1e3), st.floats(-1e3, -1e-3))


def grad_seqs(max_steps: int = 25, dim: int = 3):
    return hnp.arrays(np.float64, st.tuples(st.integers(1, max_steps), st.just(dim)),
                      elements=ENTRY)


def decay(lo: float = 0.0, hi: float = 0.999):
    return st.floats(lo, hi)


def trajectory(opt, seq, theta0=None) -> np.ndarray:
    """Params after each step of the gradient sequence ``seq`` (θ₀ = 0 unless given)."""
    theta = np.zeros(seq.shape[1]) if theta0 is None else np.array(theta0, dtype=np.float64)
    out = []
    for g in seq:
        opt.step(theta, g.copy())
        out.append(theta.copy())
    return np.array(out)


def steps_of(opt, seq) -> np.ndarray:
    """The step Δθ_t of each t, measured exactly: θ is reset to 0 before every step.

    Valid for the rules whose update does not depend on θ (all but AdamW's decay).
    """
    theta = np.zeros(seq.shape[1])
    out = []
    for g in seq:
        theta[...] = 0.0
        opt.step(theta, g.copy())
        out.append(theta.copy())
    return np.array(out)


# --------------------------------------------------------------------------
# invariance to the scale of the gradients (ε = 0)
# --------------------------------------------------------------------------
SCALE_FREE = {
    **{f"Adam-{m}": (lambda m=m: ob.Adam(lr=0.01, eps=0.0, bias_correction=m))
       for m in ("moments", "step_size", "none")},
    "AdaMax": lambda: ob.AdaMax(eps=0.0),
    "AdaMax-eps-inside-max": lambda: ob.AdaMax(eps=0.0, eps_inside_max=True),
    "RMSprop": lambda: ob.RMSprop(eps=0.0),
    "RMSprop-eps-outside": lambda: ob.RMSprop(eps=0.0, eps_inside_sqrt=False),
    "Adagrad": lambda: ob.Adagrad(eps=0.0),
    "Adagrad-eps-outside": lambda: ob.Adagrad(eps=0.0, eps_inside_sqrt=False),
    "AMSGrad": lambda: ob.AMSGrad(eps=0.0),
    "AMSGrad-bias-corrected": lambda: ob.AMSGrad(eps=0.0, bias_correction=True),
    "Nadam": lambda: ob.Nadam(eps=0.0),
    "Nadam-schedule": lambda: ob.Nadam(eps=0.0, momentum_schedule=True),
    "QHAdam": lambda: ob.QHAdam(eps=0.0, nu2=0.5),
}


@pytest.mark.parametrize("name", list(SCALE_FREE))
@PROPS
@given(seq=grad_seqs(), c=st.floats(1e-3, 1e3))
def test_scale_invariance_with_eps_zero(name, seq, c):
    make = SCALE_FREE[name]
    base = trajectory(make(), seq)
    scaled = trajectory(make(), c * seq)
    scale = max(1e-300, float(np.max(np.abs(base))))
    np.testing.assert_allclose(scaled, base, rtol=1e-12, atol=1e-12 * scale)


@pytest.mark.parametrize("name", list(SCALE_FREE))
@PROPS
@given(seq=grad_seqs(), k=st.integers(-10, 10))
def test_scale_invariance_is_exact_for_powers_of_two(name, seq, k):
    """c = 2^k scales every m, v, u, G exactly, and √(c²v) = c√v exactly."""
    make = SCALE_FREE[name]
    assert np.array_equal(trajectory(make(), 2.0**k * seq), trajectory(make(), seq))


def test_scale_invariance_fails_with_eps():
    """With ε > 0 small gradients take smaller steps: ε breaks the invariance."""
    seq = np.full((5, 1), 1.0)
    small = steps_of(ob.Adam(lr=0.01, eps=1e-3), 1e-3 * seq)
    large = steps_of(ob.Adam(lr=0.01, eps=1e-3), seq)
    assert np.all(np.abs(small) < 0.6 * np.abs(large))


# --------------------------------------------------------------------------
# the size of Adam's step (Kingma & Ba, §2.1)
# --------------------------------------------------------------------------
# The paper says, with ε = 0: |Δ_t| ≤ α(1−β₁)/√(1−β₂) if (1−β₁) > √(1−β₂), and
# |Δ_t| ≤ α otherwise. That is the value of the most sparse case (all gradients 0
# but the current one) for large t, but it is NOT an upper bound over all
# gradient sequences: a sequence that grows like (β₂/β₁)^t makes |m̂/√v̂| larger
# in both cases (tests below). The exact bound, by Cauchy-Schwarz, is
# reference.adam_ratio_bound(t, β₁, β₂) (see its docstring); it is attained.
@PROPS
@given(seq=grad_seqs(max_steps=40), beta1=decay(0.0, 0.99), beta2=decay(0.01, 0.9999),
       mode=st.sampled_from(["moments", "step_size"]))
def test_adam_step_never_exceeds_the_exact_bound(seq, beta1, beta2, mode):
    lr = 0.01
    steps = steps_of(ob.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=0.0, bias_correction=mode),
                     seq)
    for t, step in enumerate(steps, start=1):
        assert np.all(np.abs(step) <= lr * adam_ratio_bound(t, beta1, beta2) * (1 + 1e-9))
    # the first step is ±α exactly wherever g₁ ≠ 0 (m̂₁ = g₁, √v̂₁ = |g₁|)
    nonzero = seq[0] != 0
    np.testing.assert_allclose(np.abs(steps[0][nonzero]), lr, rtol=1e-15)


def _growing_sequence(T, beta1, beta2):
    # gᵢ ∝ wᵢ/uᵢ ∝ (β₁/β₂)^{T−i}: the sequence at which Cauchy-Schwarz is an equality
    i = np.arange(1, T + 1)
    return ((beta1 / beta2) ** (T - i))[:, None]


@pytest.mark.parametrize(
    "beta1, beta2, paper_bound",
    [
        (0.9, 0.999, 0.1 / math.sqrt(0.001)),  # (1−β₁) > √(1−β₂): paper says ≤ 3.16 α
        (0.99, 0.999, 1.0),                      # (1−β₁) ≤ √(1−β₂): paper says ≤ α
    ],
)
def test_adam_paper_step_bound_is_exceeded(beta1, beta2, paper_bound):
    T, lr = 1000, 0.01
    steps = steps_of(ob.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=0.0),
                     _growing_sequence(T, beta1, beta2))
    exact = adam_ratio_bound(T, beta1, beta2)
    np.testing.assert_allclose(abs(steps[-1, 0]), lr * exact, rtol=1e-9)  # attained
    assert abs(steps[-1, 0]) > 1.5 * lr * paper_bound  # 5.78α > 3.16α; 1.83α > α


def test_adam_sparse_step_approaches_the_papers_value():
    """All gradients zero but the last: |Δ_T| = α (1−β₁)/√(1−β₂) · √(1−β₂ᵀ)/(1−β₁ᵀ)."""
    beta1, beta2, lr = 0.9, 0.999, 0.01
    for T in (2, 10, 100, 5000):
        seq = np.zeros((T, 1))
        seq[-1] = 7.0
        step = abs(steps_of(ob.Adam(lr=lr, eps=0.0), seq)[-1, 0])
        want = lr * (1 - beta1) / math.sqrt(1 - beta2) * math.sqrt(1 - beta2**T) / (1 - beta1**T)
        np.testing.assert_allclose(step, want, rtol=1e-12)
    assert step == pytest.approx(lr * 0.1 / math.sqrt(0.001), rel=4e-3)


@PROPS
@given(c=st.floats(1e-3, 1e3), sign=st.sampled_from([-1.0, 1.0]), T=st.integers(1, 60),
       beta1=decay(), beta2=decay())
def test_adam_constant_gradient_steps_are_exactly_lr(c, sign, T, beta1, beta2):
    """Bias correction makes m̂_t = g and v̂_t = g² for a constant g: every step is α."""
    steps = steps_of(ob.Adam(lr=0.01, beta1=beta1, beta2=beta2, eps=0.0),
                     np.full((T, 1), sign * c))
    np.testing.assert_allclose(steps[:, 0], -sign * 0.01, rtol=1e-12)


# --------------------------------------------------------------------------
# bias correction: the weights of m̂_t on g_1..g_t sum to 1
# --------------------------------------------------------------------------
@PROPS
@given(beta1=decay(0.0, 0.9999), beta2=decay(0.0, 0.9999), T=st.integers(1, 80))
def test_bias_corrected_weights_sum_to_one(beta1, beta2, T):
    # coordinate i receives the one-hot sequence g_t = [t == i]: after T steps its m
    # is the weight (1−β₁)β₁^{T−i} of g_i in m_T (and likewise for v with g² = g).
    opt = ob.Adam(beta1=beta1, beta2=beta2)
    theta = np.zeros(T)
    for t in range(T):
        opt.step(theta, np.eye(T)[t])
    m_hat = opt.state["0"]["m"] / (1 - beta1**T)
    v_hat = opt.state["0"]["v"] / (1 - beta2**T)
    assert math.fsum(m_hat) == pytest.approx(1.0, rel=1e-12)
    assert math.fsum(v_hat) == pytest.approx(1.0, rel=1e-12)
    i = np.arange(1, T + 1)
    np.testing.assert_allclose(m_hat, (1 - beta1) * beta1 ** (T - i) / (1 - beta1**T),
                               rtol=1e-12, atol=1e-300)


# --------------------------------------------------------------------------
# monotone (and not monotone) effective step sizes
# --------------------------------------------------------------------------
@pytest.mark.parametrize("inside", [True, False])
@PROPS
@given(seq=grad_seqs(max_steps=40), eps=st.sampled_from([0.0, 1e-10, 1e-8, 1e-2]))
def test_adagrad_effective_step_never_increases(inside, seq, eps):
    lr = 0.1
    opt = ob.Adagrad(lr=lr, eps=eps, eps_inside_sqrt=inside)
    theta = np.zeros(seq.shape[1])
    previous = np.full(seq.shape[1], np.inf)
    with np.errstate(divide="ignore"):
        for g in seq:
            opt.step(theta, g.copy())
            G = opt.state["0"]["G"]
            effective = lr / (np.sqrt(G + eps) if inside else np.sqrt(G) + eps)
            assert np.all(effective <= previous)
            previous = effective


@pytest.mark.parametrize("bias_correction", [False, True])
@PROPS
@given(seq=grad_seqs(max_steps=40), beta1=decay(), beta2=decay())
def test_amsgrad_v_hat_never_decreases(bias_correction, seq, beta1, beta2):
    opt = ob.AMSGrad(beta1=beta1, beta2=beta2, bias_correction=bias_correction)
    theta = np.zeros(seq.shape[1])
    previous = np.zeros(seq.shape[1])
    for g in seq:
        opt.step(theta, g.copy())
        v_hat = opt.state["0"]["v_max"]
        assert np.all(v_hat >= previous)
        assert np.all(v_hat >= opt.state["0"]["v"])
        previous = v_hat.copy()


def test_rmsprop_effective_step_can_increase_where_adagrad_cannot():
    """One large gradient, then small ones: RMSprop's average forgets, Adagrad's sum does not."""
    seq = np.array([[10.0]] + [[0.01]] * 100)
    lr, eps = 0.001, 1e-8
    rms, ada = ob.RMSprop(lr=lr, eps=eps), ob.Adagrad(lr=lr, eps=eps)
    theta_r, theta_a = np.zeros(1), np.zeros(1)
    rms_steps, ada_steps = [], []
    for g in seq:
        rms.step(theta_r, g.copy())
        ada.step(theta_a, g.copy())
        rms_steps.append(lr / np.sqrt(rms.state["0"]["v"][0] + eps))
        ada_steps.append(lr / np.sqrt(ada.state["0"]["G"][0] + eps))
    assert rms_steps[-1] > 50 * rms_steps[0]           # RMSprop's step grew by a factor > 50
    assert all(np.diff(ada_steps) <= 0)                 # Adagrad's never grew


def test_pytorch_amsgrad_effective_step_can_increase():
    """The max makes Reddi's η/(√v̂ + ε) non-increasing; PyTorch's bias-corrected
    η/(1−β₁ᵗ) / (√(v̂/(1−β₂ᵗ)) + ε) can grow (v̂ stays, 1 − β₂ᵗ grows)."""
    beta1, beta2, lr, eps = 0.9, 0.999, 0.001, 1e-8
    seq = np.array([[1.0]] + [[0.0]] * 999)
    for bias_correction in (False, True):
        opt = ob.AMSGrad(lr=lr, eps=eps, bias_correction=bias_correction)
        theta = np.zeros(1)
        effective = []
        for t, g in enumerate(seq, start=1):
            opt.step(theta, g.copy())
            v_hat = opt.state["0"]["v_max"][0]
            if bias_correction:
                effective.append(lr / (1 - beta1**t) / (math.sqrt(v_hat / (1 - beta2**t)) + eps))
            else:
                effective.append(lr / (math.sqrt(v_hat) + eps))
        if bias_correction:
            # after 1000 steps: 0.001/√(0.001/(1 − 0.999¹⁰⁰⁰)) ≈ 0.025 against 0.01 at t = 1
            assert effective[-1] > 2 * effective[0]
        else:
            assert all(np.diff(effective) <= 0)


# --------------------------------------------------------------------------
# special cases that reduce to another optimizer
# --------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [ob.Momentum, ob.Nesterov])
@pytest.mark.parametrize("lr_in_velocity", [True, False])
@PROPS
@given(seq=grad_seqs(), lr=st.floats(1e-4, 1.0))
def test_zero_momentum_is_sgd(cls, lr_in_velocity, seq, lr):
    theta0 = np.linspace(-1, 1, seq.shape[1])
    got = trajectory(cls(lr=lr, momentum=0.0, lr_in_velocity=lr_in_velocity), seq, theta0)
    assert np.array_equal(got, trajectory(ob.SGD(lr=lr), seq, theta0))


@PROPS
@given(seq=grad_seqs(), beta1=decay(), beta2=decay(), eps=st.sampled_from([0.0, 1e-8, 0.1]))
def test_qhadam_with_nu_one_is_adam(seq, beta1, beta2, eps):
    kw = dict(lr=0.01, beta1=beta1, beta2=beta2, eps=eps)
    got = trajectory(ob.QHAdam(nu1=1.0, nu2=1.0, **kw), seq)
    want = trajectory(ob.Adam(**kw), seq)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@PROPS
@given(seq=grad_seqs(), gamma=decay(), lr=st.floats(1e-4, 1.0))
def test_aggmo_with_one_beta_is_pytorch_momentum(seq, gamma, lr):
    # v = γv − g, θ += η v  is  b = γb + g, θ −= η b  with v = −b, bit for bit
    got = trajectory(ob.AggMo(lr=lr, betas=(gamma,)), seq)
    want = trajectory(ob.Momentum(lr=lr, momentum=gamma, lr_in_velocity=False), seq)
    assert np.array_equal(got, want)


@PROPS
@given(seq=grad_seqs(), beta1=decay(), beta2=decay(), eps=st.sampled_from([0.0, 1e-8]),
       torch_form=st.booleans())
def test_adamw_without_decay_is_adam(seq, beta1, beta2, eps, torch_form):
    kw = dict(lr=0.01, beta1=beta1, beta2=beta2, eps=eps)
    theta0 = np.linspace(-1, 1, seq.shape[1])
    got = trajectory(ob.AdamW(weight_decay=0.0, decay_scaled_by_lr=torch_form, **kw), seq,
                     theta0)
    assert np.array_equal(got, trajectory(ob.Adam(**kw), seq, theta0))


@PROPS
@given(seq=grad_seqs(), beta2=decay(0.0, 0.999))
def test_adam_without_momentum_or_bias_correction_is_pytorch_rmsprop(seq, beta2):
    # β₁ = 0: m_t = g_t; "none": θ −= η g/(√v + ε) with v = E[g²]: RMSprop, ε outside
    got = trajectory(ob.Adam(lr=0.01, beta1=0.0, beta2=beta2, eps=1e-8, bias_correction="none"),
                     seq)
    want = trajectory(ob.RMSprop(lr=0.01, rho=beta2, eps=1e-8, eps_inside_sqrt=False), seq)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@PROPS
@given(seq=grad_seqs(), beta1=decay(), beta2=decay())
def test_adam_step_size_mode_equals_moments_mode_when_eps_is_zero(seq, beta1, beta2):
    kw = dict(lr=0.01, beta1=beta1, beta2=beta2, eps=0.0)
    got = trajectory(ob.Adam(bias_correction="step_size", **kw), seq)
    want = trajectory(ob.Adam(bias_correction="moments", **kw), seq)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", [c for c in CASES if c.name.endswith("default")],
                         ids=lambda c: c.name)
def test_gradient_noise_with_eta_zero_is_the_wrapped_optimizer(case):
    theta0, grad = quadratic_problem(seed=31)
    got = run_package(ob.GradientNoise(case.make(), eta=0.0, seed=4), theta0, grad, 60, "dict")
    want = run_package(case.make(), theta0, grad, 60, "dict")
    assert np.array_equal(got, want)


def test_gradient_noise_variance_schedule():
    """σ_t² = η/(1 + t)^γ: the noise added at step t has that variance (η is a variance)."""
    eta, gamma, n = 0.3, 0.55, 200_000
    wrapper = ob.GradientNoise(ob.SGD(lr=1.0), eta=eta, gamma=gamma, seed=1)
    for t in (1, 2, 3):
        theta = np.zeros(n)
        wrapper.step(theta, np.zeros(n))  # SGD(lr=1) on a zero gradient: θ = −noise
        assert wrapper.sigma2(t) == pytest.approx(eta / (1 + t) ** gamma, rel=1e-15)
        assert np.var(theta) == pytest.approx(eta / (1 + t) ** gamma, rel=0.01)
        assert abs(np.mean(theta)) < 5 * math.sqrt(eta / n)


@PROPS
@given(g=hnp.arrays(np.float64, 3, elements=ENTRY), beta1=decay(), beta2=decay(),
       eps=st.sampled_from([0.0, 1e-8, 0.1]))
def test_nadam_first_step_versus_adam(g, beta1, beta2, eps):
    """Nadam's first step is NOT Adam's.

    Step 1 has m̂₁ = g, v̂₁ = g² for both, so both share the denominator |g| + ε.
    Ruder's Nadam numerator is β₁ m̂₁ + (1 − β₁) g/(1 − β₁) = (1 + β₁) g, Adam's is g:
    Nadam's first step is (1 + β₁) times Adam's (1.9 times with β₁ = 0.9).
    With Dozat's schedule (PyTorch) the numerator is (1 − μ₁)g/(1 − μ₁) + μ₂ m₁/(1 − μ₁μ₂)
    with m₁ = (1 − β₁)g: the factor is 1 + μ₂(1 − β₁)/(1 − μ₁μ₂) (about 1.056).
    """
    kw = dict(lr=0.01, beta1=beta1, beta2=beta2, eps=eps)
    adam = steps_of(ob.Adam(**kw), g[None])[0]
    ruder = steps_of(ob.Nadam(**kw), g[None])[0]
    np.testing.assert_allclose(ruder, (1 + beta1) * adam, rtol=1e-12, atol=1e-300)
    dozat = steps_of(ob.Nadam(momentum_schedule=True, **kw), g[None])[0]
    mu1, mu2 = dozat_mu(1, beta1, 0.004), dozat_mu(2, beta1, 0.004)
    np.testing.assert_allclose(dozat, (1 + mu2 * (1 - beta1) / (1 - mu1 * mu2)) * adam,
                               rtol=1e-12, atol=1e-300)


# --------------------------------------------------------------------------
# zero gradients never give NaN
# --------------------------------------------------------------------------
NAN_CASES = [pytest.param(c, {}, id=c.name) for c in ALL_CASES] + [
    pytest.param(c, {"eps": 0.0}, id=f"{c.name}-eps0") for c in CASES
    if "eps" in c.ref_kwargs and c.ref_kwargs["eps"] != 0
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case, override", NAN_CASES)
def test_zero_gradients_never_give_nan(case, override, dtype):
    opt = case.make(**override)
    rng = np.random.default_rng(0)
    theta0 = rng.normal(size=(4, 3)).astype(dtype)
    theta = theta0.copy()
    zero = np.zeros_like(theta)
    with np.errstate(invalid="raise", divide="raise"):
        for _ in range(3):  # from the very first step
            opt.step(theta, zero.copy())
        if case.inner is None and case.cls is not ob.AdamW:
            assert np.array_equal(theta, theta0)  # and no move at all
        for _ in range(3):
            g = rng.normal(size=theta.shape).astype(dtype)
            g[0] = 0.0  # one row never sees a gradient
            opt.step(theta, g)
        for _ in range(3):
            opt.step(theta, zero.copy())
    assert np.all(np.isfinite(theta))
    for state in _all_state_arrays(opt):
        assert np.all(np.isfinite(state))


EPS_CLASSES = [ob.Adagrad, ob.Adadelta, ob.RMSprop, ob.Adam, ob.Nadam, ob.AMSGrad, ob.AdamW,
               ob.QHAdam]


def test_float32_zero_gradient_with_eps_below_float32_range():
    """ε = 1e-50 is a valid ε > 0, but it is 0 in float32: the 0/0 guard must still apply.

    The package decides "the denominator is positive" from the Python float ε > 0,
    while the float32 denominator √0 + float32(1e-50) is exactly 0, so 0/0 = NaN.
    One test for the one cause; the message lists every optimizer it breaks.
    """
    makers = [lambda cls=cls: cls(eps=1e-50) for cls in EPS_CLASSES] + [
        lambda: ob.AdaMax(eps=1e-50),
        lambda: ob.AdaMax(eps=1e-50, eps_inside_max=True),
        lambda: ob.Adagrad(eps=1e-50, eps_inside_sqrt=False),
        lambda: ob.RMSprop(eps=1e-50, eps_inside_sqrt=False),
    ]
    broken = []
    with np.errstate(invalid="ignore"):
        for make in makers:
            opt = make()
            theta = np.ones(3, dtype=np.float32)
            opt.step(theta, np.zeros(3, dtype=np.float32))
            if not np.all(np.isfinite(theta)):
                broken.append(repr(opt))
    assert broken == [], f"NaN from a zero float32 gradient with eps=1e-50: {broken}"


# --------------------------------------------------------------------------
# float32
# --------------------------------------------------------------------------
def _all_state_arrays(opt):
    inner = getattr(opt, "optimizer", opt)
    return [a for st in inner.state.values() for a in st.values()]


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_float32_in_float32_out_and_close_to_float64(case):
    theta0, grad = quadratic_problem(seed=41, noise=0.1)
    opt32 = case.make()
    got = run_package(opt32, theta0, grad, 50, "dict", dtype=np.float32)
    want = run_package(case.make(), theta0, grad, 50, "dict")
    states = _all_state_arrays(opt32)
    assert len(states) == 2 * len(getattr(opt32, "optimizer", opt32).state_names)
    assert all(a.dtype == np.float32 for a in states)
    if case.inner is not None:
        return  # float32 noise is another stream of the generator: no float64 twin to compare
    rel = np.max(np.abs(got - want)) / max(1.0, float(np.max(np.abs(want))))
    assert rel < 1e-4


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_float32_params_stay_float32(case):
    params = {"a": np.ones((3, 2), dtype=np.float32), "b": np.ones(5, dtype=np.float32)}
    objects = dict(params)
    opt = case.make()
    for _ in range(3):
        opt.step(params, {k: np.full(v.shape, 0.5, dtype=np.float32) for k, v in params.items()})
    for k in params:
        assert params[k] is objects[k]
        assert params[k].dtype == np.float32


# --------------------------------------------------------------------------
# state_dict / load_state_dict
# --------------------------------------------------------------------------
#: a valid set of hyperparameters different from every case's, for the fresh optimizer
OTHER = {
    ob.SGD: dict(lr=0.77),
    ob.Momentum: dict(lr=0.77, momentum=0.11, lr_in_velocity=False),
    ob.Nesterov: dict(lr=0.77, momentum=0.11, lr_in_velocity=False),
    ob.Adagrad: dict(lr=0.77, eps=0.11, eps_inside_sqrt=False),
    ob.Adadelta: dict(lr=0.77, rho=0.11, eps=0.22),
    ob.RMSprop: dict(lr=0.77, rho=0.11, eps=0.22, eps_inside_sqrt=False),
    ob.Adam: dict(lr=0.77, beta1=0.11, beta2=0.22, eps=0.33, bias_correction="step_size"),
    ob.AdaMax: dict(lr=0.77, beta1=0.11, beta2=0.22, eps=0.33, eps_inside_max=True),
    ob.Nadam: dict(lr=0.77, beta1=0.11, beta2=0.22, eps=0.33, momentum_schedule=True,
                   momentum_decay=0.5),
    ob.AMSGrad: dict(lr=0.77, beta1=0.11, beta2=0.22, eps=0.33, bias_correction=True),
    ob.AdamW: dict(lr=0.77, beta1=0.11, beta2=0.22, eps=0.33, weight_decay=0.44,
                   schedule_multiplier=0.55, decay_scaled_by_lr=True),
    ob.QHAdam: dict(lr=0.77, beta1=0.11, beta2=0.22, nu1=0.33, nu2=0.44, eps=0.55),
}


def _fresh_other(case):
    """A fresh optimizer of the same class with other hyperparameters."""
    if case.inner is not None:
        return ob.GradientNoise(_fresh_other(case.inner), eta=0.66, gamma=0.11, seed=99)
    if case.cls is ob.AggMo:  # the same number of betas (see the AggMo test below)
        return ob.AggMo(lr=0.77, betas=[0.11 * (i + 1) for i in range(len(case.make().betas))])
    return case.cls(**OTHER[case.cls])


def _steps(opt, params, grad, t0, n):
    for t in range(t0 + 1, t0 + n + 1):
        flat = np.concatenate([params[k].ravel() for k in ("w", "b")])
        g = grad(flat, t)
        opt.step(params, {"w": g[:4].reshape(2, 2), "b": g[4:].copy()})


def _fresh_params(theta0):
    return {"w": theta0[:4].reshape(2, 2).copy(), "b": theta0[4:].copy()}


@pytest.mark.parametrize("k", [0, 1, 7])
@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_state_round_trip_is_bit_identical(case, k):
    theta0, grad = quadratic_problem(seed=51)
    n = 9
    reference_params = _fresh_params(theta0)
    _steps(case.make(), reference_params, grad, 0, k + n)

    params = _fresh_params(theta0)
    opt = case.make()
    _steps(opt, params, grad, 0, k)
    sd = opt.state_dict()
    fresh = _fresh_other(case)
    fresh.load_state_dict(sd)
    assert fresh.hyperparameters == opt.hyperparameters
    assert repr(fresh) == repr(opt)
    assert fresh.t == opt.t == k
    _steps(fresh, params, grad, k, n)
    for key in params:
        assert np.array_equal(params[key], reference_params[key])


def _mutate_arrays(sd):
    if "optimizer" in sd:  # GradientNoise: the wrapped optimizer's state and the generator's
        _mutate_arrays(sd["optimizer"])
        sd["rng"]["state"]["state"] += 1
        return
    for arrays in sd["state"].values():
        for a in arrays.values():
            a[...] = 12345.0


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_state_dict_is_a_deep_copy(case):
    theta0, grad = quadratic_problem(seed=52)
    reference_params = _fresh_params(theta0)
    _steps(case.make(), reference_params, grad, 0, 10)

    # saving, then changing the saved arrays, does not touch the optimizer
    params = _fresh_params(theta0)
    opt = case.make()
    _steps(opt, params, grad, 0, 5)
    sd = opt.state_dict()
    snapshot = copy.deepcopy(sd)
    _steps(opt, params, grad, 5, 1)  # the optimizer's steps do not touch the saved dict
    _assert_state_dicts_equal(sd, snapshot)
    _mutate_arrays(sd)
    _steps(opt, params, grad, 6, 4)
    for key in params:
        assert np.array_equal(params[key], reference_params[key])

    # loading, then changing the loaded-from arrays, does not touch the optimizer
    params = _fresh_params(theta0)
    opt = case.make()
    _steps(opt, params, grad, 0, 5)
    sd = opt.state_dict()
    fresh = _fresh_other(case)
    fresh.load_state_dict(sd)
    _mutate_arrays(sd)
    _steps(fresh, params, grad, 5, 5)
    for key in params:
        assert np.array_equal(params[key], reference_params[key])


def _assert_state_dicts_equal(a, b):
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _assert_state_dicts_equal(a[k], b[k])
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b)
    else:
        assert a == b


@pytest.mark.parametrize("saved_betas, fresh_betas", [
    ((0.0, 0.9, 0.99), (0.5,)),
    ((0.5,), (0.0, 0.9, 0.99)),
])
def test_aggmo_load_state_dict_into_different_number_of_betas(saved_betas, fresh_betas):
    """load_state_dict restores the hyperparameters, so it must restore the betas'
    per-velocity state names too, whatever betas the fresh optimizer was built with."""
    theta0, grad = quadratic_problem(seed=53)
    reference_params = _fresh_params(theta0)
    _steps(ob.AggMo(betas=saved_betas), reference_params, grad, 0, 8)
    params = _fresh_params(theta0)
    opt = ob.AggMo(betas=saved_betas)
    _steps(opt, params, grad, 0, 4)
    fresh = ob.AggMo(betas=fresh_betas)
    fresh.load_state_dict(opt.state_dict())
    assert fresh.betas == tuple(saved_betas)
    _steps(fresh, params, grad, 4, 4)
    for key in params:
        assert np.array_equal(params[key], reference_params[key])
