"""Shared assertions of the package tests (pytest puts tests/ on sys.path)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence


def assert_each_raises_value_error_naming(
    cases: Sequence[tuple[Callable[[], object], str]],
) -> None:
    """Every ``make()`` must raise ``ValueError`` whose message names ``name``, with no warning.

    All failures are collected and reported together: a case that is accepted,
    raises another exception (a warning turned into an error, a TypeError), or
    raises a ValueError that does not name the argument.
    """
    wrong = []
    for i, (make, name) in enumerate(cases):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                make()
                wrong.append((i, "accepted"))
            except ValueError as exc:
                if not re.search(rf"\b{name}\b", str(exc)):
                    wrong.append((i, str(exc)))
            except Exception as exc:  # a warning turned error, or a TypeError
                wrong.append((i, repr(exc)))
    assert wrong == [], "\n".join(map(str, wrong))
