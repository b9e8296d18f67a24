r"""Newton's method, to find the exact minimiser that the figures measure against.

The book's optimizers are first-order methods; to plot the suboptimality
:math:`f(\theta_t) - f^*` on a real task we need :math:`f^*` to many digits.
For a smooth, strictly convex objective with a Hessian, Newton's method gets it
in a handful of steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def minimize_newton(
    objective: Any,
    start: np.ndarray | None = None,
    *,
    max_steps: int = 50,
    tol: float = 1e-12,
) -> np.ndarray:
    r"""Minimise ``objective`` with Newton's method and return :math:`\theta^*`.

    .. math::

        \theta_{k+1} = \theta_k - \nabla^2 f(\theta_k)^{-1}\, \nabla f(\theta_k)

    from ``start`` (default ``objective.start``) until
    :math:`\lVert\nabla f(\theta_k)\rVert \le` ``tol``. The objective needs
    ``grad`` and ``hessian``; the Hessian must be positive definite along the
    way (true for strictly convex objectives such as L2-regularised logistic
    regression). Raises ``ValueError`` if the gradient norm is still above
    ``tol`` after ``max_steps`` steps, or if a step is not finite.
    """
    theta = np.array(objective.start if start is None else start, dtype=np.float64)
    for _ in range(max_steps + 1):
        g = objective.grad(theta)
        if not np.all(np.isfinite(g)):
            raise ValueError("Newton's method produced a non-finite gradient")
        if np.linalg.norm(g) <= tol:
            return theta
        theta = theta - np.linalg.solve(objective.hessian(theta), g)
    raise ValueError(
        f"Newton's method did not reach a gradient norm <= {tol} in {max_steps} steps"
    )
