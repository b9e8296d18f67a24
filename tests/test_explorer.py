"""Tests of optbook.explorer: headless widgets, redraws, the mime bundle and the fallback."""

from __future__ import annotations

import base64
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from optbook.explorer import Explorer, Slider, explorer, optimizer_explorer  # noqa: E402
from optbook.functions import ill_conditioned_quadratic, rosenbrock  # noqa: E402
from optbook.optimizers import SGD, Momentum  # noqa: E402

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(autouse=True)
def _clean():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    plt.close("all")


def counting_draw(calls: list):
    def draw(**values):
        calls.append(dict(values))
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1], [0, values["a"]])
        ax.set_title(f"a = {values['a']:.3g}")
        return fig

    return draw


def fallback_png(html: str) -> bytes:
    m = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert m, "the fallback holds an inline base64 PNG"
    return base64.b64decode(m.group(1))


def test_slider_validation_and_widgets() -> None:
    with pytest.raises(ValueError, match="min < max"):
        Slider(1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="outside"):
        Slider(0.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="log"):
        Slider(0.0, 1.0, 0.5, log=True)
    w = Slider(1e-3, 1.0, 0.1, log=True).make_widget("lr")
    assert isinstance(w, widgets.FloatLogSlider)
    assert w.description == "η" and w.value == pytest.approx(0.1)
    assert w.min == pytest.approx(-3) and w.max == pytest.approx(0)
    assert isinstance(Slider(0, 1, 0.5).make_widget("momentum"), widgets.FloatSlider)
    assert isinstance(Slider(1, 10, 3, integer=True).make_widget("k"), widgets.IntSlider)
    assert Slider(0, 1, 0.5, label="my γ").make_widget("momentum").description == "my γ"
    assert Slider(1e-3, 1.0, 0.1, log=True).spread(4) == [0.001, 0.01, 0.1, 1.0]


def test_generic_explorer_redraws_on_slider_change() -> None:
    calls: list = []
    exp = explorer(counting_draw(calls), {"a": Slider(0.0, 2.0, 1.0), "b": Slider(0, 5, 1)})
    assert isinstance(exp, Explorer)
    assert isinstance(exp.widget, widgets.VBox)
    assert exp.n_draws == 1 and calls == [{"a": 1.0, "b": 1.0}]
    first = bytes(exp.image.value)
    assert first.startswith(b"\x89PNG")
    exp.controls["a"].value = 1.5  # what the reader's drag does
    assert exp.n_draws == 2 and calls[-1] == {"a": 1.5, "b": 1.0}
    assert bytes(exp.image.value) != first
    exp.set(b=3)
    assert exp.n_draws == 3 and calls[-1]["b"] == 3
    assert plt.get_fignums() == []  # every drawing is closed after rendering
    with pytest.raises(ValueError, match="no slider"):
        exp.set(c=1)


def test_mime_bundle_has_widget_html_and_text() -> None:
    calls: list = []
    exp = explorer(counting_draw(calls), {"a": Slider(0.0, 2.0, 1.0)},
                   fallback_values={"a": [0.5, 1.0, 2.0]})
    bundle = exp._repr_mimebundle_()
    assert set(bundle) >= {WIDGET_MIME, "text/html", "text/plain"}
    assert bundle[WIDGET_MIME]["model_id"] == exp.widget.model_id
    html = bundle["text/html"]
    assert html.startswith("<figure") and "<figcaption>" in html
    assert "Static version of the interactive explorer" in html
    assert fallback_png(html).startswith(b"\x89PNG")
    # the fallback drew each fallback value once, and is cached
    assert [c["a"] for c in calls[1:]] == [0.5, 1.0, 2.0]
    n = len(calls)
    assert exp.fallback_html() == html and len(calls) == n
    assert "Explorer" in bundle["text/plain"]
    assert exp.render_fallback().data == html


def test_custom_fallback_figure_and_bad_fallback_values() -> None:
    calls: list = []

    def fallback():
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.set_title("custom")
        return fig

    exp = explorer(counting_draw(calls), {"a": Slider(0.0, 2.0, 1.0)}, fallback=fallback)
    html = exp.fallback_html()
    assert fallback_png(html).startswith(b"\x89PNG")
    assert len(calls) == 1  # only the initial drawing: the fallback is the custom figure
    with pytest.raises(ValueError, match="not a slider"):
        explorer(counting_draw([]), {"a": Slider(0.0, 2.0, 1.0)}, fallback_values={"z": [1]})


def test_failed_drawing_shows_a_message_instead_of_raising() -> None:
    def draw(a):
        if a > 1:
            raise ValueError("a is too big")
        fig, _ = plt.subplots(figsize=(2, 2))
        return fig

    exp = explorer(draw, {"a": Slider(0.0, 2.0, 0.5)})
    image = bytes(exp.image.value)
    exp.set(a=1.5)
    assert exp.last_error == "ValueError: a is too big"
    assert "too big" in exp.status.value and bytes(exp.image.value) == image
    exp.set(a=0.2)
    assert exp.last_error is None and exp.status.value == ""


def test_optimizer_explorer_learning_rate_and_start_point() -> None:
    obj = ill_conditioned_quadratic()
    exp = optimizer_explorer(
        obj,
        {"SGD": SGD, "Momentum": Momentum},
        {
            "lr": Slider(0.01, 1.2, 0.3, log=True),
            "momentum": Slider(0.0, 0.99, 0.5),
            "start_x": Slider(-8.0, 8.0, -7.0),
            "start_y": Slider(-3.0, 3.0, 2.0),
        },
        steps=200,
    )
    kinds = [type(c) for c in exp.controls.values()]
    assert kinds == [widgets.FloatLogSlider, widgets.FloatSlider, widgets.FloatSlider,
                     widgets.FloatSlider]
    assert [c.description for c in exp.controls.values()] == ["η", "γ", "x₀", "y₀"]
    before = bytes(exp.image.value)
    exp.set(lr=0.9)
    assert exp.n_draws == 2 and bytes(exp.image.value) != before
    # the redraw time is recorded; its target (well under a second) is measured by
    # benchmarks/bench_explorer.py, not asserted here (timed tests are flaky)
    assert exp.last_draw_seconds > 0
    # the start sliders move the start of every run
    fig = exp.figure(start_x=5.0, start_y=-1.0)
    start = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "start"][0]
    assert (start.get_xdata()[0], start.get_ydata()[0]) == (5.0, -1.0)
    plt.close(fig)
    # default fallback: six values of the first hyperparameter slider across its range
    assert list(exp.fallback_values) == ["lr"]
    assert exp.fallback_values["lr"][0] == 0.01 and exp.fallback_values["lr"][-1] == 1.2
    html = exp._repr_mimebundle_()["text/html"]
    assert "η = 0.01" in html and "γ = 0.5" in html
    assert fallback_png(html).startswith(b"\x89PNG")
    assert len(html) < 500_000


def test_optimizer_explorer_rejects_unknown_hyperparameters() -> None:
    with pytest.raises(ValueError, match="no optimizer accepts"):
        optimizer_explorer(rosenbrock(), SGD, {"momentum": Slider(0.0, 0.9, 0.5)})


def test_slider_description_is_an_alias_of_label() -> None:
    s = Slider(-7.5, 7.5, value=-7.0, step=0.5, description="x₀")
    assert s.label == "x₀"
    assert s.make_widget("start_x").description == "x₀"


class _Widget7Box:
    """Stands in for an ipywidgets 7 widget: no _repr_mimebundle_, a _model_id."""

    _model_id = "abc123"

    def __repr__(self):
        return "VBox(children=())"


def test_widget_view_of_an_ipywidgets_7_widget_is_built_from_its_model_id():
    from optbook.explorer import widget_view_bundle

    bundle = widget_view_bundle(_Widget7Box())
    assert bundle[WIDGET_MIME] == {"version_major": 2, "version_minor": 0, "model_id": "abc123"}
    assert bundle["text/plain"] == "VBox(children=())"
    with pytest.raises(ValueError, match="not an ipywidgets widget"):
        widget_view_bundle(object())


def test_explorer_bundle_with_an_ipywidgets_7_widget():
    ex = explorer(counting_draw([]), {"a": Slider(0.0, 1.0, 0.5, 0.1)},
                  fallback_values={"a": [0.0, 1.0]})
    ex.widget = _Widget7Box()
    bundle = ex._repr_mimebundle_()
    assert bundle[WIDGET_MIME]["model_id"] == "abc123"
    assert "<img" in bundle["text/html"] and bundle["text/plain"] == repr(ex)
