#!/usr/bin/env bash
# Run every check of the repository, in this order:
#
#   1. ruff      lint the Python code (code/, tests/, benchmarks/, scripts/)
#   2. pytest    the package's tests and the repository checks (tests/, without
#                tests/browser and tests/binder, which have their own steps)
#   3. nbval     run every notebook in chapters/ top to bottom; any error fails
#   4. book      build the book with -W (scripts/build.sh)
#   5. browser   every page of the fresh build in headless Chromium, served on
#                127.0.0.1 with no other host reachable (tests/browser)
#   6. binder    the readers' environment (requirements.txt) built from scratch
#                runs every chapter (tests/binder)
#
#   bash scripts/test.sh            # all six steps
#   bash scripts/test.sh --clean    # remove _build before the book build
#
# Every step runs even if an earlier one failed; the script exits non-zero if
# any step failed. It creates and fills .venv on first use (scripts/_env.sh).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"

build_args=()
for arg in "$@"; do
    case "$arg" in
        --clean) build_args+=(--clean) ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown option: $arg (try --help)" >&2; exit 2 ;;
    esac
done

total_start=$SECONDS
ensure_env test

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
#    run as steps 5 and 6.
run_step pytest env MPLBACKEND=Agg "$PY" -m pytest tests

# 3. every notebook in chapters/, executed top to bottom with the .venv kernel.
#    --nbval-lax: outputs are never committed, so only errors are checked.
#    MPLBACKEND stays unset (scripts/_env.sh): the kernel uses the inline backend.
shopt -s nullglob
notebooks=(chapters/*.ipynb)
shopt -u nullglob
if [ "${#notebooks[@]}" -eq 0 ]; then
    log "nbval: no notebook in chapters/ yet, step skipped"
    skipped+=(nbval)
else
    run_step nbval "$PY" -m pytest --nbval-lax --nbval-current-env \
        --nbval-cell-timeout=120 -p no:cacheprovider "${notebooks[@]}"
fi

# 4. the book, with -W
run_step book bash scripts/build.sh "${build_args[@]}"

# 5. the built site in a browser: installs Debian's Chromium first if it is
#    missing (scripts/_env.sh). Screenshots of failing pages and the page
#    weights go to _build/browser-artifacts/.
browser_tests() {
    ensure_chromium || return 1
    "$PY" -m pytest tests/browser -p no:cacheprovider
}
run_step browser browser_tests

# 6. the Binder environment, rebuilt from requirements.txt, runs every chapter
run_step binder env MPLBACKEND=Agg "$PY" -m pytest tests/binder -p no:cacheprovider

log "summary ($((SECONDS - total_start)) s in all)"
for t in "${timings[@]}"; do echo "  $t"; done
[ "${#passed[@]}" -gt 0 ] && echo "  passed:  ${passed[*]}"
[ "${#skipped[@]}" -gt 0 ] && echo "  skipped: ${skipped[*]}"
[ "${#failed[@]}" -gt 0 ] && echo "  FAILED:  ${failed[*]}"
echo "steps: ${#passed[@]} passed, ${#failed[@]} failed, ${#skipped[@]} skipped"
[ "${#failed[@]}" -eq 0 ]
