"""Tests for chapter 17 (choosing an optimizer): the PyTorch defaults its table states,
the chapter's recorded claims, and the table of contents."""

from __future__ import annotations

import inspect
import json
import pathlib

import numpy as np
import pytest
import yaml

from optbook import recorded_comparison as rec
from optbook.comparison import COMPARED, TASKS, rank_optimizers

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "chapters" / "17_choosing_an_optimizer.ipynb"

#: the chapter's table of PyTorch defaults
TABLE = {
    "SGD": {"lr": 0.001, "momentum": 0, "nesterov": False},
    "Adagrad": {"lr": 0.01, "eps": 1e-10},
    "Adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
    "RMSprop": {"lr": 0.01, "alpha": 0.99, "eps": 1e-8},
    "Adam": {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8},
    "Adamax": {"lr": 0.002, "betas": (0.9, 0.999), "eps": 1e-8},
    "NAdam": {"lr": 0.002, "betas": (0.9, 0.999), "eps": 1e-8, "momentum_decay": 0.004},
    "AdamW": {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01},
}


@pytest.mark.parametrize("name", list(TABLE))
def test_pytorch_defaults_in_the_table(name) -> None:
    torch = pytest.importorskip("torch")
    params = inspect.signature(getattr(torch.optim, name).__init__).parameters
    for key, value in TABLE[name].items():
        assert params[key].default == value, (name, key)


def test_the_table_is_in_the_notebook() -> None:
    text = "".join("".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"])
    for name in TABLE:
        assert f"| `{name}` |" in text, name


def test_recorded_claims_of_the_chapter() -> None:
    # the defaults spread the optimizers far more than a tuned learning rate does
    for task in TASKS:
        spread = {}
        for p in ("defaults", "tuned"):
            med = [np.median(r["test_error"]) for _, r in rank_optimizers(rec.RUNS[task], p)]
            spread[p] = max(med) - min(med)
        assert spread["tuned"] < 0.5 * spread["defaults"], task
    ranked = [n for n, _ in rank_optimizers(rec.RUNS["mlp"], "defaults")]
    assert ranked[-1] == "SGD" and set(ranked) == set(COMPARED)


def test_toc_has_part_iv_before_the_back_matter() -> None:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    captions = [p["caption"] for p in toc["parts"]]
    assert captions[-2:] == ["Part IV. Choosing an optimizer", "Back matter"]
    part = toc["parts"][-2]
    assert part["numbered"] is True
    assert part["chapters"] == [{"file": "chapters/17_choosing_an_optimizer"}]
