"""pytest plugin: nbval runs every chapter once, in the reader's environment.

``scripts/test.sh`` executes each notebook exactly once per test run, and that
one execution gives all three guarantees that three executions used to give:

- **nbval**: every code cell runs top to bottom without an error;
- **Binder**: it runs in the reader's environment, rebuilt from scratch from
  ``requirements.txt`` as repo2docker builds it (:mod:`reader_env`), through
  the kernel :data:`reader_env.KERNEL_NAME`, where neither PyTorch nor Jupyter
  Book is installed;
- **the book**: the executed notebook is stored in the book's jupyter-cache
  (``_build/.jupyter_cache``, where ``execute_notebooks: cache`` looks). The
  book build that follows finds every notebook there and renders those
  outputs instead of running the notebook again; with ``-W`` it still fails on
  any stderr output, a warning or a bad cross-reference.

It also times every notebook, prints the times, and fails the last cell of a
notebook that took more than :data:`NOTEBOOK_LIMIT` seconds.

Use (from the repository root)::

    PYTHONPATH=tests/binder .venv/bin/python -m pytest -p nbval_reader --reader-env \\
        --nbval-lax chapters/*.ipynb tests/binder

``--reader-env`` builds the environment once for the session; the tests of
``tests/binder`` in the same session use that environment instead of building
their own.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
import reader_env

#: the most seconds a notebook may take (the book's budget, on two cores)
NOTEBOOK_LIMIT = 60.0
#: where the book build looks for executed notebooks (_config.yml, execute.cache);
#: OPTBOOK_JUPYTER_CACHE points elsewhere (a build with another --path-output)
CACHE_DIR = Path(
    os.environ.get("OPTBOOK_JUPYTER_CACHE", reader_env.ROOT / "_build" / ".jupyter_cache")
)
#: the times of the last run, for benchmarks/README.md
TIMES_FILE = reader_env.ROOT / "_build" / "notebook-times.json"

_ENV_KEY = pytest.StashKey[reader_env.ReaderEnv]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("optbook reader environment")
    group.addoption(
        "--reader-env",
        action="store_true",
        help="build the reader's environment from requirements.txt and run the notebooks "
        "in its kernel, filling the book's jupyter-cache",
    )


def reader_env_of(config: pytest.Config) -> reader_env.ReaderEnv | None:
    """The environment this session built, if it was started with --reader-env."""
    return config.stash.get(_ENV_KEY, None)


def _say(config: pytest.Config, line: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:  # pragma: no cover
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(line)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("--reader-env"):
        return
    if config.option.nbval_current_env:
        raise pytest.UsageError("--reader-env and --nbval-current-env exclude each other")
    base = Path(tempfile.mkdtemp(prefix="optbook-reader-"))
    start = time.perf_counter()
    env = reader_env.build_reader_env(base)
    config.stash[_ENV_KEY] = env
    # nbval starts its kernels with jupyter_client, which finds kernel specs
    # on JUPYTER_PATH.
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(env.jupyter_path), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    )
    config.option.nbval_kernel_name = reader_env.KERNEL_NAME
    _execute_with_history()
    config._optbook_times = {}  # type: ignore[attr-defined]
    print(
        f"reader env: fresh venv + pip install -r requirements.txt in {env.pip_seconds:.0f} s "
        f"({time.perf_counter() - start:.0f} s in all), kernel {reader_env.KERNEL_NAME}"
    )


def _execute_with_history() -> None:
    """Make nbval run each cell as Jupyter does, with ``store_history=True``.

    nbval sends cells with ``store_history=False``. IPython then decides
    whether a trailing ``;`` silences a cell's last value by looking at the
    wrong history entry, so ``ax.legend(...);`` prints
    ``<matplotlib.legend.Legend at 0x...>`` and the book would show it (and a
    figure cell with two outputs gets its figure label twice). With the
    history stored, the outputs are those of Jupyter, nbclient and the book
    build.
    """
    from nbval.kernel import RunningKernel

    def execute_cell_input(self, cell_input, allow_stdin=None):  # noqa: ANN001, ANN202
        return self.kc.execute(
            cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False
        )

    RunningKernel.execute_cell_input = execute_cell_input


def _is_cell(item: pytest.Item) -> bool:
    return type(item).__name__ == "IPyNbCell"


def _cells_of(item: pytest.Item) -> list[pytest.Item]:
    return [i for i in item.session.items if _is_cell(i) and i.parent is item.parent]


def _notebook_name(item: pytest.Item) -> str:
    path = Path(str(item.parent.fspath)).resolve()
    try:
        return str(path.relative_to(reader_env.ROOT))
    except ValueError:
        return str(path)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    if not _is_cell(item) or not hasattr(item.config, "_optbook_times"):
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        item._optbook_seconds = time.perf_counter() - start  # type: ignore[attr-defined]


def _cache_notebook(parent, seconds: float) -> None:
    """Store the executed notebook where the book build will find it."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    source = Path(str(parent.fspath)).resolve()
    nb = nbformat.read(source, as_version=4)  # the source as the build reads it
    executed = {id(c): c for c in parent.nb.cells}
    count = 0
    for cell, ran in zip(nb.cells, parent.nb.cells, strict=True):
        if cell.cell_type != "code":
            continue
        count += 1
        outputs = []
        for out in getattr(executed.get(id(ran)), "_optbook_outputs", []):
            node = nbformat.from_dict(dict(out))
            if node.output_type == "execute_result":
                node.execution_count = count
            outputs.append(node)
        cell.outputs = outputs
        cell.execution_count = count
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cache = get_cache(str(CACHE_DIR))
    cache.cache_notebook_bundle(
        CacheBundleIn(nb, str(source), data={"execution_seconds": seconds}),
        check_validity=False,
        overwrite=True,
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    if call.when != "call" or not _is_cell(item) or not hasattr(item.config, "_optbook_times"):
        return
    report = outcome.get_result()
    outputs = getattr(item, "test_outputs", None) or []
    item.cell._optbook_outputs = [dict(o) for o in outputs]  # type: ignore[attr-defined]
    cells = _cells_of(item)
    if item is not cells[-1]:
        return
    name = _notebook_name(item)
    seconds = sum(getattr(c, "_optbook_seconds", 0.0) for c in cells)
    item.config._optbook_times[name] = round(seconds, 2)  # type: ignore[attr-defined]
    failed = report.failed or item.parent.nodeid in _FAILED
    _say(item.config, f"\nnotebook {name}: {seconds:.1f} s in the reader environment")
    if failed:
        return
    if seconds > NOTEBOOK_LIMIT:
        report.outcome = "failed"
        report.longrepr = (
            f"{name} took {seconds:.1f} s, more than the {NOTEBOOK_LIMIT:.0f} s "
            "a notebook may take (on two cores)"
        )
        return
    _cache_notebook(item.parent, seconds)


#: node ids of the notebooks with a failed cell: they are not cached
_FAILED: set[str] = set()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.failed:
        _FAILED.add(report.nodeid.rsplit("::", 1)[0])


def pytest_sessionfinish(session: pytest.Session) -> None:
    times = getattr(session.config, "_optbook_times", None)
    if not times:
        return
    TIMES_FILE.parent.mkdir(parents=True, exist_ok=True)
    TIMES_FILE.write_text(json.dumps(times, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    total = sum(times.values())
    lines = [f"  {seconds:6.1f} s  {name}" for name, seconds in sorted(times.items())]
    _say(
        session.config,
        "\nnotebook execution times (reader environment):\n"
        + "\n".join(lines)
        + f"\n  {total:6.1f} s  in all, {len(times)} notebooks (saved in {TIMES_FILE.name})",
    )
