"""The PyTorch numbers that chapter 10 ("Adam in practice") shows are real.

The chapter never imports torch. It prints the literals in
:mod:`optbook.recorded_torch`. This file

1. reruns ``torch.optim.Adam`` (and ``AdamW``) live, exactly as the literals
   were obtained, and checks that the live numbers equal the recorded ones;
2. checks that the package's optimizers reproduce the recorded numbers, with
   the options the chapter uses for each PyTorch setting.

Run ``python tests/test_recorded_torch.py`` to print fresh literals (that is
how ``optbook/recorded_torch.py`` was written).
"""

from __future__ import annotations

import numpy as np
import pytest

from optbook import recorded_torch as rec
from optbook.functions import rosenbrock

torch = pytest.importorskip("torch") if __name__ != "__main__" else __import__("torch")

#: name -> (torch class name, keyword arguments) of every recorded run
CASES: dict[str, tuple[str, dict]] = {
    "default": ("Adam", {}),
    "weight_decay": ("Adam", {"weight_decay": rec.WEIGHT_DECAY}),
    "decoupled_weight_decay": (
        "Adam", {"weight_decay": rec.WEIGHT_DECAY, "decoupled_weight_decay": True}),
    "AdamW": ("AdamW", {"weight_decay": rec.WEIGHT_DECAY}),
    "amsgrad": ("Adam", {"amsgrad": True, "betas": (0.9, rec.AMSGRAD_BETA2)}),
    "maximize": ("Adam", {"maximize": True}),
    "eps_1": ("Adam", {"eps": 1.0}),
}
#: the three code paths of the default Adam, compared with the for-loop
IMPLEMENTATIONS = {
    "foreach": {"foreach": True},
    "fused": {"fused": True},
    "differentiable": {"differentiable": True},
}


def torch_path(cls_name: str, kwargs: dict) -> np.ndarray:
    """θ₀, …, θ_T of ``torch.optim.<cls_name>(lr=LR, **kwargs)`` on Rosenbrock, float64.

    The gradient of every step is the exact gradient of Rosenbrock's function
    at the current iterate, computed by the package in float64 and written to
    ``p.grad`` (no autograd), as a backward pass would.
    """
    f = rosenbrock()
    p = torch.tensor(rec.START, dtype=torch.float64)  # no autograd: .grad is set by hand
    opt = getattr(torch.optim, cls_name)([p], lr=rec.LR, **kwargs)
    path = [p.detach().numpy().copy()]
    for _ in range(rec.STEPS):
        p.grad = torch.from_numpy(f.grad(p.detach().numpy().copy()))
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


def package_path(name: str) -> np.ndarray:
    return rec.package_path(name)


def recorded_literals() -> str:
    """Python source of PATHS and IMPLEMENTATION_DIFFERENCES from a live run."""
    lines = ["PATHS = {"]
    for name, (cls_name, kwargs) in CASES.items():
        path = torch_path(cls_name, kwargs)
        lines.append(f"    {name!r}: [")
        lines += [f"        [{row[0]!r}, {row[1]!r}]," for row in path.tolist()]
        lines.append("    ],")
    lines.append("}")
    base = torch_path("Adam", {})
    lines.append("IMPLEMENTATION_DIFFERENCES = {")
    for name, kwargs in IMPLEMENTATIONS.items():
        diff = float(np.max(np.abs(torch_path("Adam", kwargs) - base)))
        lines.append(f"    {name!r}: {diff!r},")
    lines.append("}")
    return "\n".join(lines)


def test_recorded_version_and_setting():
    assert rec.TORCH_VERSION.startswith("2.")
    assert rec.STEPS == 10 and rec.LR == 0.01 and rec.START == (-1.2, 1.0)
    assert set(rec.PATHS) == set(CASES)
    for path in rec.PATHS.values():
        assert np.shape(path) == (rec.STEPS + 1, 2)


@pytest.mark.parametrize("name", list(CASES))
def test_recorded_numbers_match_live_torch(name):
    cls_name, kwargs = CASES[name]
    live = torch_path(cls_name, kwargs)
    # the same float64 operations on the same machine type: equal to rounding
    np.testing.assert_allclose(live, np.array(rec.PATHS[name]), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", list(CASES))
def test_package_reproduces_recorded_torch(name):
    np.testing.assert_allclose(
        package_path(name), np.array(rec.PATHS[name]), rtol=1e-12, atol=1e-14
    )


@pytest.mark.parametrize("name", list(IMPLEMENTATIONS))
def test_foreach_fused_differentiable_against_the_loop(name):
    base = torch_path("Adam", {})
    diff = float(np.max(np.abs(torch_path("Adam", IMPLEMENTATIONS[name]) - base)))
    np.testing.assert_allclose(diff, rec.IMPLEMENTATION_DIFFERENCES[name], rtol=1e-6, atol=1e-15)
    if name == "differentiable":
        # bias corrections from a float32 step tensor: float32 rounding
        assert 1e-9 < diff < 1e-5
    else:
        assert diff < 1e-13


def test_differentiable_matches_the_loop_with_a_float64_step_counter():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # the step counter becomes float64
    try:
        base = torch_path("Adam", {})
        diff = np.max(np.abs(torch_path("Adam", {"differentiable": True}) - base))
    finally:
        torch.set_default_dtype(old)
    assert diff < 1e-13


def test_capturable_is_refused_on_the_cpu():
    # capturable=True is for CUDA-graph capture: the step count stays on the device
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], capturable=True)
    p.grad = torch.ones(2, dtype=torch.float64)
    with pytest.raises((AssertionError, RuntimeError)):
        opt.step()
    assert rec.CAPTURABLE_ON_CPU == "refused"


def test_cpu_default_is_the_for_loop():
    from torch.optim.optimizer import _default_to_fused_or_foreach

    p = torch.zeros(3)
    assert _default_to_fused_or_foreach([p], differentiable=False, use_fused=False) == (
        False, False)
    assert rec.DEFAULT_PATH_ON_CPU == "_single_tensor_adam"


def test_step_counter_is_a_float32_cpu_tensor_and_sparse_gradients_raise():
    p = torch.zeros(3, dtype=torch.float64)
    opt = torch.optim.Adam([p])
    p.grad = torch.ones(3, dtype=torch.float64)
    opt.step()
    step = opt.state[p]["step"]
    assert step.dtype == torch.float32 and step.device.type == "cpu" and step.item() == 1.0
    q = torch.zeros(3)
    sparse = torch.optim.Adam([q])
    q.grad = torch.ones(3).to_sparse()
    with pytest.raises(RuntimeError, match="sparse"):
        sparse.step()


def test_package_path_rejects_unknown_case():
    with pytest.raises(ValueError, match="case"):
        rec.package_path("nesterov")


def test_amsgrad_case_is_not_plain_adam():
    # with β₂ = 0.5 the raw v decreases along the path, so the running maximum matters
    from optbook.optimizers import Adam

    f = rosenbrock()
    theta = np.array(rec.START)
    opt = Adam(lr=rec.LR, beta2=rec.AMSGRAD_BETA2)
    for _ in range(rec.STEPS):
        opt.step(theta, f.grad(theta))
    assert np.max(np.abs(theta - np.array(rec.PATHS["amsgrad"][-1]))) > 1e-4


def test_weight_decay_is_l2_and_differs_from_decoupled():
    l2 = np.array(rec.PATHS["weight_decay"])
    decoupled = np.array(rec.PATHS["decoupled_weight_decay"])
    assert np.max(np.abs(l2 - decoupled)) > 1e-4
    # Adam(decoupled_weight_decay=True) is AdamW
    np.testing.assert_array_equal(decoupled, np.array(rec.PATHS["AdamW"]))


def test_defaults_recorded_match_torch():
    import inspect

    sig = inspect.signature(torch.optim.Adam.__init__).parameters
    assert sig["lr"].default == rec.TORCH_DEFAULTS["lr"]
    assert sig["betas"].default == rec.TORCH_DEFAULTS["betas"]
    assert sig["eps"].default == rec.TORCH_DEFAULTS["eps"]
    assert sig["weight_decay"].default == rec.TORCH_DEFAULTS["weight_decay"]
    assert inspect.signature(torch.optim.AdamW.__init__).parameters[
        "weight_decay"].default == rec.TORCH_DEFAULTS["adamw_weight_decay"]


def test_source_excerpts_are_in_the_installed_torch():
    import inspect

    import torch.optim.adam as adam_module

    source = inspect.getsource(adam_module)
    for excerpt in rec.SOURCE_EXCERPTS.values():
        for line in excerpt.strip().splitlines():
            assert line.strip() in source, line


if __name__ == "__main__":
    print(f"TORCH_VERSION = {torch.__version__!r}")
    print(recorded_literals())
