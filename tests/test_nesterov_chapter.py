"""The Nesterov chapter's claims about PyTorch: torch.optim.SGD(nesterov=True).

PyTorch is a test-only dependency; the chapter reproduces its rule with
``Nesterov(lr_in_velocity=False)`` and these tests prove the match.
"""

from __future__ import annotations

import numpy as np
import pytest

from optbook.acceleration import lookahead_nag
from optbook.functions import quadratic, rosenbrock
from optbook.optimizers import Nesterov
from optbook.run import run

torch = pytest.importorskip("torch")


def _torch_path(objective, lr, momentum, steps, start):
    p = torch.tensor(np.asarray(start, dtype=np.float64), requires_grad=False)
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum, nesterov=True)
    path = [p.detach().numpy().copy()]
    for _ in range(steps):
        g = objective.grad(p.detach().numpy())
        p.grad = torch.tensor(np.asarray(g, dtype=np.float64))
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


@pytest.mark.parametrize("lr_in_velocity", [False, True])
@pytest.mark.parametrize("lr,momentum", [(0.1, 0.9), (0.45, 0.5), (0.01, 0.99)])
def test_package_nesterov_matches_torch_sgd_nesterov(lr, momentum, lr_in_velocity):
    f = quadratic([0.1, 2.0], start=[-7.0, 2.0])
    ours = run(f, Nesterov(lr=lr, momentum=momentum, lr_in_velocity=lr_in_velocity), 100).path
    theirs = _torch_path(f, lr, momentum, 100, f.start)
    assert np.allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_package_nesterov_matches_torch_on_rosenbrock():
    f = rosenbrock()
    ours = run(f, Nesterov(lr=1e-3, momentum=0.9, lr_in_velocity=False), 300).path
    theirs = _torch_path(f, 1e-3, 0.9, 300, f.start)
    assert np.allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("lr,momentum", [(0.1, 0.9), (0.3, 0.6)])
def test_torch_iterate_is_ruders_lookahead_point(lr, momentum):
    """PyTorch's parameter after step t is θ_t − γ v_t of Ruder's look-ahead form."""
    f = quadratic([0.1, 2.0], start=[-7.0, 2.0])
    thetas, vs = lookahead_nag(f, 60, lr, momentum)
    theirs = _torch_path(f, lr, momentum, 60, f.start)
    assert np.allclose(theirs, thetas - momentum * vs, rtol=1e-12, atol=1e-12)
    # and not Ruder's θ_t itself
    assert not np.allclose(theirs[1:], thetas[1:])


@pytest.mark.parametrize("kwargs", [{"momentum": 0.0}, {"momentum": 0.9, "dampening": 0.1}])
def test_torch_rejects_nesterov_without_momentum_or_with_dampening(kwargs):
    """The chapter's 'In practice' claim: nesterov=True needs momentum > 0 and dampening = 0."""
    p = torch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="Nesterov"):
        torch.optim.SGD([p], lr=0.1, nesterov=True, **kwargs)


def test_torch_sgd_defaults_quoted_in_the_chapter():
    import inspect

    sig = inspect.signature(torch.optim.SGD.__init__)
    assert sig.parameters["lr"].default == pytest.approx(1e-3)
    assert sig.parameters["momentum"].default == 0
    assert sig.parameters["nesterov"].default is False
