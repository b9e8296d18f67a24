#!/usr/bin/env bash
# Run every check of the repository, in this order:
#
#   1. ruff       lint the Python code (code/, tests/, benchmarks/, scripts/)
#   2. pytest     the package's tests and the repository checks (tests/, without
#                 tests/browser and tests/binder, which have their own steps)
#   3. notebooks  the reader's environment (requirements.txt) built from scratch,
#                 as Binder builds it; nbval runs every notebook in chapters/ once,
#                 top to bottom, in its kernel (any error fails), times each one
#                 (more than 60 s fails), and stores the executed notebooks in the
#                 book's jupyter-cache; then tests/binder checks that environment
#   4. book       build the book with -W (scripts/build.sh), from the notebooks
#                 that step 3 executed: no notebook runs a second time
#   5. browser    every page of the fresh build in headless Chromium, served on
#                 127.0.0.1 with no other host reachable (tests/browser)
#
#   bash scripts/test.sh            # all five steps
#   bash scripts/test.sh --clean    # remove _build first
#
# Every step runs even if an earlier one failed; the script exits non-zero if
# any step failed. It creates and fills .venv on first use (scripts/_env.sh).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"

clean=0
for arg in "$@"; do
    case "$arg" in
        --clean) clean=1 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown option: $arg (try --help)" >&2; exit 2 ;;
    esac
done

total_start=$SECONDS
# worker processes of the pytest step (pytest-xdist)
WORKERS="${OPTBOOK_TEST_WORKERS:-2}"
ensure_env test
if [ "$clean" = 1 ]; then
    log "removing _build"
    rm -rf _build
fi

passed=()
failed=()
skipped=()
timings=()

# run_step NAME COMMAND...: run a step, record its result and its duration.
# Exit code 5 of pytest ("no tests collected") counts as a failure.
run_step() {
    local name="$1" start=$SECONDS rc=0
    shift
    log "$name: $*"
    "$@" || rc=$?
    timings+=("$name $((SECONDS - start))s")
    if [ "$rc" -eq 0 ]; then
        passed+=("$name")
    else
        echo "--- $name FAILED (exit $rc)" >&2
        failed+=("$name")
    fi
}

# 1. ruff: the directories that exist
lint_dirs=()
for d in code tests benchmarks scripts; do
    [ -d "$d" ] && lint_dirs+=("$d")
done
run_step ruff "$VENV/bin/ruff" check "${lint_dirs[@]}"

# 2. the package's tests and the repository checks. pytest.ini keeps
#    tests/browser and tests/binder out of `pytest tests` (norecursedirs); they
#    run in steps 5 and 3.
#    Two worker processes (pytest-xdist, one per core), each with one thread
#    for PyTorch and BLAS: two workers with two threads each on two cores
#    spend their time waiting for each other.
run_step pytest env MPLBACKEND=Agg OMP_NUM_THREADS=1 "$PY" -m pytest tests -n "$WORKERS"

# 3. every notebook, once, in the reader's environment rebuilt from
#    requirements.txt (tests/binder/nbval_reader.py builds it and fills the
#    book's jupyter-cache), then the checks of that environment (tests/binder).
#    --nbval-lax: outputs are never committed, so only errors are checked.
shopt -s nullglob
notebooks=(chapters/*.ipynb)
shopt -u nullglob
run_step notebooks env PYTHONPATH=tests/binder "$PY" -m pytest -p nbval_reader --reader-env \
    --nbval-lax --nbval-cell-timeout=120 -p no:cacheprovider "${notebooks[@]}" tests/binder

# 4. the book, with -W. OPTBOOK_REQUIRE_CACHED=1: the build fails if it had to
#    execute a notebook that step 3 should have stored in the cache.
run_step book env OPTBOOK_REQUIRE_CACHED=1 bash scripts/build.sh

# 5. the built site in a browser: installs Debian's Chromium first if it is
#    missing (scripts/_env.sh). Screenshots of failing pages and the page
#    weights go to _build/browser-artifacts/.
browser_tests() {
    ensure_chromium || return 1
    # one process: two Chromiums on two cores were slower (169 s against 117 s);
    # tests/browser/conftest.py supports `-n 2 --dist loadgroup` for more cores
    "$PY" -m pytest tests/browser -p no:cacheprovider
}
run_step browser browser_tests

log "summary ($((SECONDS - total_start)) s in all)"
for t in "${timings[@]}"; do echo "  $t"; done
[ "${#passed[@]}" -gt 0 ] && echo "  passed:  ${passed[*]}"
[ "${#skipped[@]}" -gt 0 ] && echo "  skipped: ${skipped[*]}"
[ "${#failed[@]}" -gt 0 ] && echo "  FAILED:  ${failed[*]}"
echo "steps: ${#passed[@]} passed, ${#failed[@]} failed, ${#skipped[@]} skipped"
[ "${#failed[@]}" -eq 0 ]
