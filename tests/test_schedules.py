"""optbook.schedules: closed forms, validation, and parity with torch.optim.lr_scheduler."""

import math

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from optbook import schedules as sch


def test_closed_forms():
    t = np.arange(1, 201)
    np.testing.assert_allclose(sch.values(sch.constant(0.3), 200), 0.3)
    np.testing.assert_allclose(sch.values(sch.step_decay(0.1, 0.5, 30), 200),
                               0.1 * 0.5 ** ((t - 1) // 30))
    np.testing.assert_allclose(sch.values(sch.exponential(0.1, 0.99), 200), 0.1 * 0.99 ** (t - 1))
    inv = sch.values(sch.inverse_time(0.1, 0.05), 200)
    np.testing.assert_allclose(inv, 0.1 / (1 + 0.05 * (t - 1)))
    np.testing.assert_allclose(sch.values(sch.inverse_sqrt(0.1), 200), 0.1 / np.sqrt(t))
    cos = sch.values(sch.cosine(0.1, 150, min_lr=0.01), 200)
    np.testing.assert_allclose(cos[:150], 0.01 + 0.045 * (1 + np.cos(np.pi * (t[:150] - 1) / 150)))
    np.testing.assert_allclose(cos[150:], 0.01)


def test_every_schedule_starts_at_its_rate_and_never_grows():
    for sched in [sch.constant(0.2), sch.step_decay(0.2, 0.1, 7), sch.exponential(0.2, 0.9),
                  sch.inverse_time(0.2, 1.0), sch.inverse_sqrt(0.2), sch.cosine(0.2, 50)]:
        v = sch.values(sched, 300)
        assert v[0] == pytest.approx(0.2)
        assert np.all(np.diff(v) <= 1e-15), sched
        assert sched.initial == 0.2


def test_warmup_ramps_linearly_then_follows_the_base_schedule_shifted():
    base = sch.cosine(0.4, 100)
    w = sch.linear_warmup(base, 10)
    v = sch.values(w, 120)
    np.testing.assert_allclose(v[:10], 0.4 * np.arange(1, 11) / 10)
    np.testing.assert_allclose(v[10:], sch.values(base, 110))
    expected = [0.075, 0.15, 0.225, 0.3, 0.3, 0.3]
    np.testing.assert_allclose(sch.values(sch.linear_warmup(0.3, 4), 6), expected)


def test_by_epoch_holds_the_rate_within_an_epoch():
    s = sch.by_epoch(sch.step_decay(1.0, 0.5, every=2), updates_per_epoch=3)
    assert [s(t) for t in range(1, 13)] == [1, 1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]


def test_robbins_monro_partial_sums():
    # 1/t: sum diverges (like log T), sum of squares converges; 1/sqrt(t): both diverge
    v = sch.values(sch.inverse_time(1.0, 1.0), 100_000)
    assert v.sum() == pytest.approx(math.log(100_000) + 0.5772, abs=1e-3)
    assert (v**2).sum() == pytest.approx(math.pi**2 / 6, abs=1e-4)
    w = sch.values(sch.inverse_sqrt(1.0), 100_000)
    assert (w**2).sum() == pytest.approx(math.log(100_000) + 0.5772, abs=1e-3)


def _torch_rates(make_scheduler, lr, n):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr)
    sched = make_scheduler(opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (sch.step_decay(0.1, 0.3, 25), lambda o: torch.optim.lr_scheduler.StepLR(o, 25, 0.3)),
        (sch.exponential(0.1, 0.97), lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.97)),
        (sch.cosine(0.1, 80, 0.001),
         lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=80, eta_min=0.001)),
        (sch.linear_warmup(0.1, 20),
         lambda o: torch.optim.lr_scheduler.LinearLR(o, 1 / 20, 1.0, total_iters=19)),
    ],
    ids=["StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR warm-up"],
)
def test_pytorch_scheduler_at_counter_k_is_ours_at_t_equal_k_plus_1(ours, theirs):
    n = 80
    np.testing.assert_allclose(sch.values(ours, n), _torch_rates(theirs, 0.1, n), rtol=1e-10)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: sch.constant(0.0), "lr must be > 0"),
        (lambda: sch.constant(float("nan")), "lr must be finite"),
        (lambda: sch.step_decay(0.1, 1.5, 10), r"factor must be in \(0, 1\]"),
        (lambda: sch.step_decay(0.1, 0.5, 0), "every must be an integer >= 1"),
        (lambda: sch.step_decay(0.1, 0.5, 2.5), "every must be an integer >= 1"),
        (lambda: sch.exponential(0.1, 0.0), "gamma must be > 0"),
        (lambda: sch.inverse_time(0.1, -1.0), "decay must be >= 0"),
        (lambda: sch.cosine(0.1, 10, min_lr=0.2), "min_lr must be <= lr"),
        (lambda: sch.cosine(0.1, 0), "total must be an integer >= 1"),
        (lambda: sch.linear_warmup(-0.1, 5), "schedule must be > 0"),
        (lambda: sch.linear_warmup(sch.constant(0.1), 0), "warmup must be an integer >= 1"),
        (lambda: sch.by_epoch(lambda t: 0.1, 10), "schedule must be an optbook.schedules"),
        (lambda: sch.values(sch.constant(0.1), 0), "n must be an integer >= 1"),
        (lambda: sch.constant(0.1)(0), "t must be an integer >= 1"),
        (lambda: sch.constant(0.1)(1.0), "t must be an integer >= 1"),
    ],
)
def test_bad_arguments_name_the_parameter(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_past_t_max_pytorch_cosine_climbs_back_while_ours_stays_at_the_floor():
    ours = sch.values(sch.cosine(0.1, 20, 0.001), 41)
    theirs = _torch_rates(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.001), 0.1, 41)
    np.testing.assert_allclose(ours[:21], theirs[:21], rtol=1e-10)
    np.testing.assert_allclose(ours[21:], 0.001)
    assert theirs[40] == pytest.approx(0.1, rel=1e-6)  # back at the top after 2 T_max


def test_repr_is_readable():
    assert repr(sch.linear_warmup(sch.cosine(0.1, 100), 5)) == (
        "linear_warmup(cosine(lr=0.1, total=100, min_lr=0), warmup=5)"
    )


# ---------------------------------------------------------------------------
# properties over random arguments (hypothesis)
# ---------------------------------------------------------------------------
RATE = st.floats(1e-8, 1e3)
FACTOR = st.floats(1e-6, 1.0)


@st.composite
def decaying(draw):
    lr = draw(RATE)
    kind = draw(st.sampled_from(["constant", "step", "exp", "inv", "sqrt", "cos"]))
    if kind == "constant":
        return sch.constant(lr)
    if kind == "step":
        return sch.step_decay(lr, draw(FACTOR), draw(st.integers(1, 50)))
    if kind == "exp":
        return sch.exponential(lr, draw(FACTOR))
    if kind == "inv":
        return sch.inverse_time(lr, draw(st.floats(0.0, 1e3)))
    if kind == "sqrt":
        return sch.inverse_sqrt(lr)
    return sch.cosine(lr, draw(st.integers(1, 10**9)), lr * draw(st.floats(0.0, 1.0)))


PROPS = settings(deadline=None, max_examples=100, derandomize=True, database=None)
T = st.integers(1, 10**12)


@PROPS
@given(s=decaying(), t=T, dt=st.integers(0, 10**6))
def test_decaying_schedules_are_finite_nonnegative_and_never_grow(s, t, dt):
    a, b = s(t), s(t + dt)
    assert math.isfinite(a) and 0 <= b <= a <= s.initial * (1 + 1e-15)
    assert s(1) == pytest.approx(s.initial, rel=1e-15)


@PROPS
@given(s=decaying(), n=st.integers(1, 10**4), epoch=st.integers(1, 10**6),
       k=st.integers(0, 10**4))
def test_by_epoch_is_constant_within_an_epoch_and_the_base_at_the_epoch(s, n, epoch, k):
    e = sch.by_epoch(s, n)
    t = (epoch - 1) * n + 1 + k % n  # an update of that epoch
    assert e(t) == e((epoch - 1) * n + 1) == e(epoch * n) == s(epoch)


@PROPS
@given(s=decaying(), w=st.integers(1, 10**4), t=T)
@example(s=sch.constant(48.59352092577143), w=683, t=683)  # η·w/w was 1 ulp above η
def test_warmup_ramps_to_the_base_rate_then_follows_it_shifted(s, w, t):
    v = sch.linear_warmup(s, w)
    if t <= w:
        assert v(t) == pytest.approx(s(1) * t / w, rel=1e-15)
        assert 0 < v(t) <= s(1)
    else:
        assert v(t) == s(t - w)
    assert v(w) == pytest.approx(s(1), rel=1e-15) and v.initial == s.initial


def test_warmup_of_a_non_schedule_callable_says_what_is_allowed():
    with pytest.raises(ValueError, match="schedule must be an optbook.schedules schedule or"):
        sch.linear_warmup(lambda t: 0.1, 5)
