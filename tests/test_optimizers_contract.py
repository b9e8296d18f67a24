"""The optimizer contract (``optbook/optimizers/_base.py``): input checks, in-place
updates, state layout, memory, ``repr`` and ``hyperparameters``."""

import inspect
import math
import re
import tracemalloc

import numpy as np
import pytest
from reference import ALL_CASES

from optbook import optimizers as ob

# every constructor argument of every class, by the kind of check it gets
POSITIVE = [(cls, "lr") for cls in ob.ALL_OPTIMIZERS] + [(ob.AdamW, "schedule_multiplier")]
DECAY = (
    [(cls, "momentum") for cls in (ob.Momentum, ob.Nesterov)]
    + [(cls, "rho") for cls in (ob.Adadelta, ob.RMSprop)]
    + [(ob.RMSprop, "momentum")]
    + [(cls, name) for cls in (ob.Adam, ob.AdaMax, ob.Nadam, ob.AMSGrad, ob.AdamW, ob.QHAdam)
       for name in ("beta1", "beta2")]
)
NONNEGATIVE = (
    [(cls, "eps") for cls in ob.ALL_OPTIMIZERS if "eps" in cls.hyperparameter_names]
    + [(ob.AdamW, "weight_decay"), (ob.Nadam, "momentum_decay"), (ob.Nadam, "weight_decay")]
    + [(ob.Adagrad, "initial_accumulator_value"), (ob.Adagrad, "lr_decay")]
)
UNIT_CLOSED = [(ob.QHAdam, "nu1"), (ob.QHAdam, "nu2"), (ob.Momentum, "dampening")]
BOOLEAN = [
    (ob.Momentum, "lr_in_velocity"), (ob.Nesterov, "lr_in_velocity"),
    (ob.Adagrad, "eps_inside_sqrt"), (ob.RMSprop, "eps_inside_sqrt"),
    (ob.AdaMax, "eps_inside_max"), (ob.Nadam, "momentum_schedule"),
    (ob.AMSGrad, "bias_correction"), (ob.AdamW, "decay_scaled_by_lr"),
    (ob.RMSprop, "centered"), (ob.Nadam, "decoupled_weight_decay"),
]
#: arguments that take one of a few strings
CHOICE = [(ob.Adam, "bias_correction"), (ob.Nadam, "variant")]


def _ids(pairs):
    return [f"{cls.__name__}.{name}" for cls, name in pairs]


def test_every_constructor_argument_is_checked():
    """The tables above cover every hyperparameter of every class (AggMo's betas and
    Adam's bias_correction have their own tests)."""
    covered = {
        (cls, name) for cls, name in POSITIVE + DECAY + NONNEGATIVE + UNIT_CLOSED + BOOLEAN + CHOICE
    }
    covered |= {(ob.AggMo, "betas")}
    for cls in ob.ALL_OPTIMIZERS:
        for name in inspect.signature(cls).parameters:
            assert (cls, name) in covered, f"{cls.__name__}.{name} is not tested"


def _raises_naming(cls, name, value):
    with pytest.raises(ValueError, match=rf"\b{re.escape(name)}\b"):
        cls(**{name: value})


COMMON_BAD = [math.nan, math.inf, -math.inf, "0.5", True, False, None, [0.5], 1 + 0j]


@pytest.mark.parametrize("value", [0, 0.0, -1e-3, -1] + COMMON_BAD, ids=repr)
@pytest.mark.parametrize("cls, name", POSITIVE, ids=_ids(POSITIVE))
def test_positive_hyperparameters_reject(cls, name, value):
    _raises_naming(cls, name, value)


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, -1] + COMMON_BAD, ids=repr)
@pytest.mark.parametrize("cls, name", DECAY, ids=_ids(DECAY))
def test_decay_rates_reject_values_outside_0_1(cls, name, value):
    _raises_naming(cls, name, value)


@pytest.mark.parametrize("value", [-1e-12, -1.0] + COMMON_BAD, ids=repr)
@pytest.mark.parametrize("cls, name", NONNEGATIVE, ids=_ids(NONNEGATIVE))
def test_nonnegative_hyperparameters_reject(cls, name, value):
    _raises_naming(cls, name, value)


@pytest.mark.parametrize("value", [-0.1, 1.1, 2] + COMMON_BAD, ids=repr)
@pytest.mark.parametrize("cls, name", UNIT_CLOSED, ids=_ids(UNIT_CLOSED))
def test_nu_rejects_values_outside_closed_unit_interval(cls, name, value):
    _raises_naming(cls, name, value)


@pytest.mark.parametrize("value", [1, 0, "True", "yes", None, 1.0], ids=repr)
@pytest.mark.parametrize("cls, name", BOOLEAN, ids=_ids(BOOLEAN))
def test_options_must_be_booleans(cls, name, value):
    _raises_naming(cls, name, value)


@pytest.mark.parametrize("value", ["foo", "Moments", "", None, True, 1, ["moments"]], ids=repr)
def test_adam_bias_correction_rejects_unknown_modes(value):
    _raises_naming(ob.Adam, "bias_correction", value)


@pytest.mark.parametrize(
    "betas",
    [(), [], "0.9", b"09", 0.9, None, (0.9, 1.0), (-0.1,), (0.5, math.nan), (True,), ("0.5",),
     {0.5}],
    ids=repr,
)
def test_aggmo_rejects_bad_betas(betas):
    with pytest.raises(ValueError, match=r"\bbetas\b"):
        ob.AggMo(betas=betas)


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (ob.Adam, dict(beta1=0.0, beta2=0.0, eps=0.0)),
        (ob.Momentum, dict(momentum=0.0)),
        (ob.QHAdam, dict(nu1=0.0, nu2=1.0)),
        (ob.QHAdam, dict(nu1=1, nu2=0)),
        (ob.AdamW, dict(weight_decay=0.0)),
        (ob.Nadam, dict(momentum_decay=0.0)),
        (ob.SGD, dict(lr=np.float32(0.5))),
        (ob.SGD, dict(lr=3)),
        (ob.Adagrad, dict(eps_inside_sqrt=np.bool_(False))),
        (ob.AggMo, dict(betas=[0.0])),
    ],
)
def test_boundary_values_are_accepted_and_stored_as_python_types(cls, kwargs):
    opt = cls(**kwargs)
    for name, value in kwargs.items():
        stored = getattr(opt, name)
        if name == "betas":
            assert stored == tuple(float(b) for b in value)
        elif isinstance(value, bool | np.bool_):
            assert stored is bool(value)
        else:
            assert type(stored) is float and stored == float(value)


# --------------------------------------------------------------------------
# GradientNoise's own checks
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name, value", [
    ("eta", -0.01), ("eta", math.nan), ("eta", math.inf), ("eta", "0.1"), ("eta", True),
    ("gamma", -0.55), ("gamma", math.nan), ("gamma", None),
    ("seed", -1), ("seed", 1.5), ("seed", 2.0), ("seed", "3"), ("seed", True), ("seed", None),
])
def test_gradient_noise_rejects_bad_hyperparameters(name, value):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        ob.GradientNoise(ob.SGD(), **{name: value})


@pytest.mark.parametrize(
    "thing", [None, object(), "Adam", 0.1, np.zeros(3)],
    ids=["None", "object", "str", "float", "array"],  # stable ids: pytest-xdist compares them
)
def test_gradient_noise_rejects_non_optimizers(thing):
    with pytest.raises(ValueError, match=r"\boptimizer\b"):
        ob.GradientNoise(thing)


def test_gradient_noise_rejects_an_optimizer_class_instead_of_an_instance():
    """``GradientNoise(Adam)`` (the class, a common slip for ``Adam()``) has ``step`` and
    ``state_dict`` attributes, but it is not an optimizer: it must be refused at once,
    not fail later inside ``step`` with a TypeError."""
    with pytest.raises(ValueError, match=r"\boptimizer\b"):
        ob.GradientNoise(ob.Adam)


def test_gradient_noise_accepts_numpy_integer_seed():
    assert ob.GradientNoise(ob.SGD(), seed=np.int64(4)).seed == 4


# --------------------------------------------------------------------------
# errors at step time
# --------------------------------------------------------------------------
def _assert_step_fails(opt, params, grads, match):
    """The step raises ValueError matching ``match`` and changes nothing."""
    before_params = _copy(params)
    before_wrapper = opt.state_dict()
    with pytest.raises(ValueError, match=match):
        opt.step(params, grads)
    after_wrapper = opt.state_dict()
    if "optimizer" in before_wrapper:  # GradientNoise: see its own test below
        before_state, after_state = before_wrapper["optimizer"], after_wrapper["optimizer"]
    else:
        before_state, after_state = before_wrapper, after_wrapper
    assert after_state["t"] == before_state["t"]
    assert after_state["specs"] == before_state["specs"]
    assert after_state["state"].keys() == before_state["state"].keys()
    for key, arrays in before_state["state"].items():
        for name, a in arrays.items():
            assert np.array_equal(after_state["state"][key][name], a)
    _assert_same_values(params, before_params)


def _copy(params):
    if isinstance(params, np.ndarray):
        return params.copy()
    if isinstance(params, dict):
        return {k: np.array(v, copy=True) for k, v in params.items()}
    if isinstance(params, list | tuple):
        return [np.array(v, copy=True) for v in params]
    return params


def _assert_same_values(a, b):
    if isinstance(a, dict):
        for k in a:
            assert np.array_equal(a[k], b[k])
    elif isinstance(a, list | tuple):
        for x, y in zip(a, b, strict=True):
            assert np.array_equal(x, y)
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b)


STEP_CLASSES = [pytest.param(c, id=c.name) for c in ALL_CASES if c.name.endswith("default")
                or "(" in c.name]


def _d(**shapes):
    return {k: np.ones(s) for k, s in shapes.items()}


@pytest.mark.parametrize("case", STEP_CLASSES)
def test_step_rejects_mismatched_grads(case):
    opt = case.make()
    params = _d(weight=(2, 3), bias=(3,))
    _assert_step_fails(opt, params, _d(weight=(2, 3)), r"missing \['bias'\]")
    _assert_step_fails(opt, params, _d(weight=(2, 3), bias=(3,), extra=(1,)),
                       r"unexpected \['extra'\]")
    _assert_step_fails(opt, params, _d(weight=(2, 3), bias=(4,)), r"grads\['bias'\].*shape")
    _assert_step_fails(opt, params, _d(weight=(3, 2), bias=(3,)), r"grads\['weight'\].*shape")
    _assert_step_fails(opt, params, {"weight": np.ones((2, 3), np.float32), "bias": np.ones(3)},
                       r"grads\['weight'\].*dtype")
    _assert_step_fails(opt, params, {"weight": np.ones((2, 3), int), "bias": np.ones(3)},
                       r"grads\['weight'\].*dtype")
    _assert_step_fails(opt, params, [np.ones((2, 3)), np.ones(3)], r"structure|grads")
    _assert_step_fails(opt, params, {"weight": np.ones((2, 3)), "bias": [1.0, 2.0, 3.0]},
                       r"grads\['bias'\].*ndarray")
    # lists
    params = [np.ones(3), np.ones(2)]
    _assert_step_fails(opt, params, [np.ones(3)], r"1 arrays.*2|grads has 1")
    _assert_step_fails(opt, params, [np.ones(3), np.ones(2), np.ones(1)], r"grads has 3")
    _assert_step_fails(opt, params, [np.ones(3), np.ones(4)], r"grads\['1'\].*shape")
    _assert_step_fails(opt, params, np.ones(3), r"structure")
    # one array: named "grads" and "params", not grads['0']
    _assert_step_fails(opt, np.ones(3), np.ones(4), r"^grads has shape \(4,\) but params has")
    _assert_step_fails(opt, np.ones(3), np.ones(3, np.float32), r"^grads has dtype float32")
    _assert_step_fails(opt, np.ones(3), [np.ones(3)], r"structure")


@pytest.mark.parametrize("case", STEP_CLASSES)
def test_step_rejects_bad_params(case):
    opt = case.make()
    for dtype in (int, np.int32, np.float16, complex, bool):
        p = np.ones(3, dtype=dtype)
        _assert_step_fails(opt, p, np.ones(3, dtype=dtype), r"^params must have dtype")
    read_only = np.ones(3)
    read_only.flags.writeable = False
    _assert_step_fails(opt, read_only, np.ones(3), r"^params is read-only")
    _assert_step_fails(opt, {"w": read_only}, {"w": np.ones(3)}, r"params\['w'\].*read-only")
    _assert_step_fails(opt, 1.0, 1.0, r"params must be an ndarray")
    _assert_step_fails(opt, "abc", "abc", r"params must be an ndarray")
    _assert_step_fails(opt, [np.ones(3), [1.0, 2.0]], [np.ones(3), np.ones(2)],
                       r"params\['1'\].*ndarray")
    _assert_step_fails(opt, {"w": 2.0}, {"w": np.ones(())}, r"params\['w'\].*ndarray")
    inner = getattr(opt, "optimizer", opt)
    assert opt.t == inner.t == 0 and inner.state == {}


@pytest.mark.parametrize("case", STEP_CLASSES)
def test_step_rejects_a_different_structure_later(case):
    opt = case.make()
    params = _d(weight=(2, 3), bias=(3,))
    opt.step(params, _d(weight=(2, 3), bias=(3,)))
    _assert_step_fails(opt, _d(weight=(2, 3)), _d(weight=(2, 3)), r"changed between steps")
    _assert_step_fails(opt, _d(weight=(2, 3), bias=(3,), more=(1,)),
                       _d(weight=(2, 3), bias=(3,), more=(1,)), r"changed between steps")
    _assert_step_fails(opt, _d(weight=(2, 3), other=(3,)), _d(weight=(2, 3), other=(3,)),
                       r"changed between steps")
    _assert_step_fails(opt, [np.ones((2, 3)), np.ones(3)], [np.ones((2, 3)), np.ones(3)],
                       r"changed between steps")
    if getattr(opt, "optimizer", opt).state_names:
        # (SGD keeps no state, so a new shape or dtype under the same name is harmless
        # to it, and it accepts one; every optimizer with state must refuse.)
        _assert_step_fails(opt, _d(weight=(3, 2), bias=(3,)), _d(weight=(3, 2), bias=(3,)),
                           r"params\['weight'\].*shape")
        _assert_step_fails(opt, {"weight": np.ones((2, 3), np.float32), "bias": np.ones(3)},
                           {"weight": np.ones((2, 3), np.float32), "bias": np.ones(3)},
                           r"params\['weight'\].*dtype")
    opt.step(params, _d(weight=(2, 3), bias=(3,)))  # the right structure still works
    assert getattr(opt, "optimizer", opt).t == 2


def test_gradient_noise_failed_step_changes_nothing():
    """A step that the wrapped optimizer refuses (params changed between steps) must not
    advance the wrapper's step counter or its generator: otherwise a corrected retry gets
    the σ_t and the noise of the next step, and the run is no longer reproducible."""
    opt = ob.GradientNoise(ob.Adam(), eta=0.1, seed=1)
    twin = ob.GradientNoise(ob.Adam(), eta=0.1, seed=1)
    params, twin_params = _d(w=(3,)), _d(w=(3,))
    opt.step(params, _d(w=(3,)))
    twin.step(twin_params, _d(w=(3,)))
    before = opt.state_dict()
    with pytest.raises(ValueError, match="changed between steps"):
        opt.step(_d(v=(3,)), _d(v=(3,)))
    assert opt.t == before["t"]
    assert opt.state_dict()["rng"] == before["rng"]
    opt.step(params, _d(w=(3,)))
    twin.step(twin_params, _d(w=(3,)))
    assert np.array_equal(params["w"], twin_params["w"])


def test_dict_params_in_another_key_order_are_the_same_structure():
    """A dict is a mapping name -> array and the state is kept by name: the same names
    in another insertion order are the same parameters (``{'a': .., 'b': ..} ==
    {'b': .., 'a': ..}`` in Python), and the step must update each by its name."""
    a, b = np.ones(2), np.full(3, 2.0)
    opt, ref = ob.Adam(lr=0.1), ob.Adam(lr=0.1)
    a_ref, b_ref = a.copy(), b.copy()
    ga, gb = np.array([1.0, -1.0]), np.array([0.5, 0.0, -2.0])
    opt.step({"a": a, "b": b}, {"a": ga, "b": gb})
    ref.step({"a": a_ref, "b": b_ref}, {"a": ga, "b": gb})
    opt.step({"b": b, "a": a}, {"a": 2 * ga, "b": 3 * gb})
    ref.step({"a": a_ref, "b": b_ref}, {"b": 3 * gb, "a": 2 * ga})
    assert np.array_equal(a, a_ref) and np.array_equal(b, b_ref)


# --------------------------------------------------------------------------
# in place, state layout, memory
# --------------------------------------------------------------------------
@pytest.mark.parametrize("case", STEP_CLASSES)
def test_update_is_in_place(case):
    opt = case.make()
    rng = np.random.default_rng(0)
    single = rng.normal(size=(4, 5))
    as_list = [rng.normal(size=3), rng.normal(size=(2, 2))]
    as_dict = {"w": rng.normal(size=(3, 3)), "b": rng.normal(size=())}
    for params in (single, as_list, as_dict):
        opt = case.make()
        arrays = ob._base.flatten_params(params)
        views = [(a, a[...], a.copy()) for _, a in arrays]
        container = params if not isinstance(params, np.ndarray) else None
        before = list(params.values()) if isinstance(params, dict) else list(
            params if isinstance(params, list) else [params])
        grads = (rng.normal(size=params.shape) if isinstance(params, np.ndarray) else
                 [rng.normal(size=a.shape) for a in params] if isinstance(params, list) else
                 {k: rng.normal(size=a.shape) for k, a in params.items()})
        grads_before = _copy(grads)
        opt.step(params, grads)
        after = list(params.values()) if isinstance(params, dict) else list(
            params if isinstance(params, list) else [params])
        for old, new in zip(before, after, strict=True):
            assert old is new  # the same array objects, not replacements
        for array, view, original in views:
            assert np.shares_memory(view, array)
            assert np.array_equal(view, array)  # the change is visible through old views
            assert not np.array_equal(array, original)  # and there was a change
        if container is not None:
            assert len(container) == len(before)
        _assert_same_values(grads, grads_before)  # the gradients are not modified


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in ALL_CASES])
def test_state_holds_exactly_the_documented_arrays(case):
    opt = case.make()
    params = {"w": np.ones((3, 4)).T, "b": np.ones(5, np.float32), "s": np.ones(())}
    grads = {k: np.full(v.shape, 0.5, dtype=v.dtype) for k, v in params.items()}
    for _ in range(2):
        opt.step(params, grads)
    inner = getattr(opt, "optimizer", opt)
    assert set(inner.state) == set(params)
    for key, arrays in inner.state.items():
        assert tuple(arrays) == tuple(inner.state_names)
        for a in arrays.values():
            assert a.shape == params[key].shape and a.dtype == params[key].dtype
            assert a.flags.c_contiguous and a.flags.writeable
            assert not np.shares_memory(a, params[key])
    if case.cls is ob.AggMo:
        assert inner.state_names == tuple(f"v{i}" for i in range(len(inner.betas)))
    sd = inner.state_dict()
    assert set(sd) == {"type", "t", "hyperparameters", "scalars", "specs", "state"}
    assert sd["t"] == inner.t == 2
    assert set(sd["scalars"]) == set(inner.scalar_state_names)


@pytest.mark.parametrize("case", STEP_CLASSES)
def test_step_memory_is_state_plus_one_chunk(case):
    """A contiguous parameter of 8 chunks: the first step allocates the state arrays and
    chunk-sized scratch only; later steps allocate no parameter-sized array at all.
    (GradientNoise documents a noisy copy of the gradients: one more parameter-size.)"""
    n = 8 * ob.CHUNK
    nbytes = 8 * n
    opt = case.make()
    param, grad = np.ones(n), np.full(n, 0.25)
    n_state = len(case.make().state_names if case.inner is None else
                  case.inner.make().state_names)
    noise_copy = nbytes if case.inner is not None else 0
    tracemalloc.start()
    try:
        opt.step(param, grad)
        _, first_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        current_before, _ = tracemalloc.get_traced_memory()
        opt.step(param, grad)
        _, second_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    slack = 4 * 8 * ob.CHUNK + 64 * 1024  # a few chunk-sized scratch buffers and temporaries
    assert first_peak <= n_state * nbytes + noise_copy + slack
    assert second_peak - current_before <= noise_copy + slack


# --------------------------------------------------------------------------
# repr, hyperparameters, state_dict types
# --------------------------------------------------------------------------
NAMESPACE = {name: getattr(ob, name) for name in ob.__all__}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in ALL_CASES])
def test_repr_and_hyperparameters(case):
    opt = case.make()
    inner = getattr(opt, "optimizer", opt)
    names = list(inspect.signature(type(inner)).parameters)
    assert list(inner.hyperparameters) == names == list(type(inner).hyperparameter_names)
    for name, value in inner.hyperparameters.items():
        assert value == getattr(inner, name)
        if name in case.kwargs or (case.inner and name in case.inner.kwargs):
            given_value = (case.kwargs if case.inner is None else case.inner.kwargs)[name]
            assert value == (tuple(given_value) if name == "betas" else given_value)
    args = ", ".join(f"{k}={v!r}" for k, v in inner.hyperparameters.items())
    assert repr(inner) == f"{type(inner).__name__}({args})"
    # repr is a constructor call that rebuilds the same optimizer
    rebuilt = eval(repr(opt), NAMESPACE)  # noqa: S307 - our own repr
    assert type(rebuilt) is type(opt)
    assert rebuilt.hyperparameters == opt.hyperparameters
    if case.inner is not None:
        assert opt.hyperparameters == {"eta": opt.eta, "gamma": opt.gamma, "seed": opt.seed,
                                       "optimizer": inner.hyperparameters}
        assert repr(opt).startswith(f"GradientNoise({inner!r}, eta=")


def test_hyperparameters_is_a_copy():
    opt = ob.Adam()
    hp = opt.hyperparameters
    hp["lr"] = 123.0
    assert opt.lr == 0.001


def test_load_state_dict_rejects_another_type():
    adam = ob.Adam()
    adam.step(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="Adam"):
        ob.AMSGrad().load_state_dict(adam.state_dict())
    with pytest.raises(ValueError, match="GradientNoise"):
        ob.GradientNoise(ob.Adam()).load_state_dict(adam.state_dict())
    with pytest.raises(ValueError, match="GradientNoise"):
        ob.Adam().load_state_dict(ob.GradientNoise(ob.Adam()).state_dict())


def test_gradient_noise_lr_is_the_wrapped_optimizers():
    inner = ob.Adam(lr=0.1)
    wrapper = ob.GradientNoise(inner)
    assert wrapper.lr == 0.1
    wrapper.lr = 0.5
    assert inner.lr == 0.5


# --------------------------------------------------------------------------
# non-finite gradients
# --------------------------------------------------------------------------
@pytest.mark.parametrize("case", STEP_CLASSES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_gradient_raises_naming_the_array_and_the_step(case, bad):
    opt = case.make()
    params = {"w": np.ones((2, 3)), "b": np.zeros(3)}
    opt.step(params, {"w": np.full((2, 3), 0.1), "b": np.full(3, 0.1)})
    grads = {"w": np.full((2, 3), 0.1), "b": np.array([0.1, bad, 0.1])}
    _assert_step_fails(opt, params, grads, r"^grads\['b'\] has 1 non-finite value .* t = 2;")
    # one array: "grads"; a bad value far past the first chunk is found too
    opt = case.make()
    theta = np.ones(3 * 2**10 + 5)
    g = np.full_like(theta, 0.1)
    g[-2] = bad
    _assert_step_fails(opt, theta, g, r"^grads has 1 non-finite value .* t = 1;")
    assert np.all(theta == 1.0)


@pytest.mark.parametrize("case", STEP_CLASSES)
def test_the_finite_check_counts_nan_and_inf(case):
    opt = case.make()
    g = np.array([[np.nan, 1.0], [np.inf, -np.inf]])
    _assert_step_fails(opt, np.ones((2, 2)), g, r"has 3 non-finite values \(1 NaN, 2 ±inf\)")
    # non-contiguous gradients are checked as well
    g = np.ones((4, 4))[:, ::2].copy(order="F")
    g[1, 1] = np.nan
    _assert_step_fails(opt, np.ones((4, 2)), g, r"1 non-finite value")


@pytest.mark.parametrize("case", STEP_CLASSES)
def test_check_finite_false_lets_non_finite_values_through(case):
    opt = case.make()
    theta = np.ones(4)
    opt.step(theta, np.array([0.1, np.nan, 0.1, 0.1]), check_finite=False)
    inner = getattr(opt, "optimizer", opt)
    assert inner.t == 1
    assert np.isnan(theta[1]) and np.all(np.isfinite(theta[[0, 2, 3]]))


def test_check_finite_must_be_a_bool():
    opt = ob.SGD()
    with pytest.raises(ValueError, match="check_finite"):
        opt.step(np.ones(2), np.ones(2), check_finite="no")
    assert opt.t == 0


@pytest.mark.parametrize("value", ["", "Moments", "nesterov", 0, True], ids=repr)
@pytest.mark.parametrize("cls, name", CHOICE, ids=_ids(CHOICE))
def test_choice_hyperparameters_reject(cls, name, value):
    # (Nadam's variant=None means "from momentum_schedule"; its own tests cover it)
    with pytest.raises(ValueError, match=rf"\b{re.escape(name)}\b must be one of"):
        cls(**{name: value})
