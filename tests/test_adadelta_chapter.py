"""Chapter 7 (Adadelta): the recorded PyTorch comparison, the rule, and the chapter's claims.

The notebook ``chapters/07_adadelta.ipynb`` never imports torch. It holds, in the cell
that defines ``TORCH_RECORD``, numbers recorded from ``torch.optim.Adadelta``; it checks
that the package reproduces them. This file re-runs PyTorch and checks that PyTorch
produces exactly those numbers, so that the notebook's claim "optbook matches PyTorch"
is checked at both ends.
"""

from __future__ import annotations

import ast
import json
import pathlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optbook.functions import ill_conditioned_quadratic, quadratic
from optbook.optimizers import Adadelta
from optbook.run import run

torch = pytest.importorskip("torch")

NOTEBOOK = pathlib.Path(__file__).resolve().parents[1] / "chapters" / "07_adadelta.ipynb"


def torch_record(steps=(1, 2, 10, 30), lr=0.5, rho=0.9, eps=1e-6):
    """PyTorch's Adadelta on x²/20 + y² from (1, 1), float64: θ and acc_delta at ``steps``."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        bowl = ill_conditioned_quadratic()
        p = torch.tensor([1.0, 1.0], requires_grad=True)
        opt = torch.optim.Adadelta([p], lr=lr, rho=rho, eps=eps, foreach=False)
        thetas, accs = [], []
        for t in range(1, max(steps) + 1):
            p.grad = torch.from_numpy(bowl.grad(p.detach().numpy().copy()))
            opt.step()
            if t in steps:
                thetas.append(p.detach().numpy().tolist())
                accs.append(opt.state[p]["acc_delta"].numpy().tolist())
        return thetas, accs
    finally:
        torch.set_default_dtype(previous)


def _notebook_record():
    nb = json.loads(NOTEBOOK.read_text())
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and src.lstrip().startswith("TORCH_RECORD = {"):
            literal = re.match(r"\s*TORCH_RECORD = (\{.*?\n\})", src, re.S).group(1)
            return ast.literal_eval(literal)
    raise AssertionError("no TORCH_RECORD cell in the notebook")


def test_the_notebook_record_is_what_pytorch_computes():
    record = _notebook_record()
    assert record["steps"] == [1, 2, 10, 30]
    assert "lr=0.5, rho=0.9, eps=1e-06" in record["setting"]
    thetas, accs = torch_record(tuple(record["steps"]))
    np.testing.assert_allclose(record["theta"], thetas, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(record["acc_delta"], accs, rtol=1e-14, atol=1e-18)


def test_package_matches_the_record_and_pytorch_over_200_steps():
    """The notebook's assert, and a longer run with PyTorch's defaults and with lr != 1."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for lr, rho, eps in ((1.0, 0.9, 1e-6), (0.5, 0.9, 1e-6), (2.0, 0.95, 1e-3)):
            bowl = quadratic((0.3, 3.0), angle=0.4)
            p = torch.tensor(bowl.start.copy(), requires_grad=True)
            topt = torch.optim.Adadelta([p], lr=lr, rho=rho, eps=eps, foreach=False)
            ours, theta = Adadelta(lr=lr, rho=rho, eps=eps), bowl.start.copy()
            for _ in range(200):
                g = bowl.grad(theta)
                p.grad = torch.from_numpy(g.copy())
                topt.step()
                ours.step(theta, g)
                np.testing.assert_allclose(theta, p.detach().numpy(), rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(ours.state["0"]["s"], topt.state[p]["acc_delta"].numpy(),
                                       rtol=1e-12, atol=1e-300)
            np.testing.assert_allclose(ours.state["0"]["v"], topt.state[p]["square_avg"].numpy(),
                                       rtol=1e-12, atol=1e-300)
    finally:
        torch.set_default_dtype(previous)


@settings(max_examples=40, deadline=None)
@given(g=st.floats(-1e8, 1e8, allow_nan=False).filter(lambda x: x != 0),
       rho=st.floats(0.0, 0.999), eps=st.sampled_from([1e-8, 1e-6, 1e-4, 1e-2, 1.0]))
def test_first_step_formula_and_bound(g, rho, eps):
    """Proposition prop-add-first-step: |Δθ₁| = √ε|g|/√((1−ρ)g² + ε) < √(ε/(1−ρ))."""
    theta = np.zeros(1)
    Adadelta(rho=rho, eps=eps).step(theta, np.array([g]))
    exact = np.sqrt(eps) * abs(g) / np.sqrt((1 - rho) * g * g + eps)
    assert abs(theta[0]) == pytest.approx(exact, rel=1e-12)
    assert abs(theta[0]) < np.sqrt(eps / (1 - rho)) * (1 + 1e-15)


def test_units_proposition_with_separate_constants():
    """Proposition prop-add-units: scaling θ by c with ε scaled by c² and 1/c² scales Δθ by c."""
    def path(grad, theta0, rho, eps_num, eps_den, steps=100):
        theta, v, s, out = float(theta0), 0.0, 0.0, [float(theta0)]
        for _ in range(steps):
            g = grad(theta)
            v = rho * v + (1 - rho) * g * g
            dx = -np.sqrt(s + eps_num) / np.sqrt(v + eps_den) * g
            s = rho * s + (1 - rho) * dx * dx
            theta += dx
            out.append(theta)
        return np.array(out)

    for c in (1e-3, 0.1, 10.0, 1e3):
        base = path(lambda th: 3 * th, 1.0, 0.9, 1e-6, 1e-6)
        scaled = path(lambda th, c=c: 3 * th / c**2, c, 0.9, c**2 * 1e-6, 1e-6 / c**2)
        np.testing.assert_allclose(scaled / c, base, rtol=1e-11, atol=1e-15)
    # with one ε the package does not have this property
    one = run(quadratic([2e-4], start=[100.0]), Adadelta(eps=1e-6), 200).path[-1, 0] / 100
    base = path(lambda th: 2 * th, 1.0, 0.95, 1e-6, 1e-6, 200)[-1]
    assert abs(one - base) > 1e-3


def test_large_eps_tends_to_sgd_with_lr():
    """Proposition prop-add-large-eps."""
    bowl = ill_conditioned_quadratic()
    from optbook.optimizers import SGD

    sgd = run(bowl, SGD(lr=0.7), 20).path
    for eps, tol in ((1e6, 1e-3), (1e10, 1e-7)):
        ada = run(bowl, Adadelta(lr=0.7, eps=eps), 20).path
        assert np.max(np.abs(ada - sgd)) < tol


def test_eps_zero_never_moves():
    r = run(ill_conditioned_quadratic(), Adadelta(eps=0.0), 50)
    assert np.array_equal(r.final, r.path[0])


def test_docstring_sentence_is_fixed():
    import inspect

    doc = inspect.getdoc(Adadelta)
    assert "asks for.\nwith both" not in doc and "asks for. Both" in doc.replace("\n", " ")
    assert r"\sqrt{\epsilon/(1-\rho)}" in doc
