#!/usr/bin/env bash
# Build the book into _build/html, executing every notebook.
#
#   bash scripts/build.sh            # incremental: unchanged notebooks are not re-run
#   bash scripts/build.sh --clean    # remove _build first (re-runs every notebook)
#
# Fails on any warning (-W) and on any error in a notebook cell.
#
# Executed notebooks are cached in _build/.jupyter_cache: a notebook runs only
# when its code changed since it was cached. scripts/test.sh fills that cache
# in its notebook step (nbval in the reader's environment) and then builds with
# OPTBOOK_REQUIRE_CACHED=1, which makes the build fail if it executed any
# notebook itself: each notebook runs once per test run.
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"

clean=0
for arg in "$@"; do
    case "$arg" in
        --clean) clean=1 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown option: $arg (try --help)" >&2; exit 2 ;;
    esac
done

ensure_env book

if [ "$clean" = 1 ]; then
    log "removing _build"
    rm -rf _build
fi

# Build matplotlib's font cache now, so that no notebook prints
# "Matplotlib is building the font cache" to stderr during the build.
MPLBACKEND=Agg "$PY" -c 'import matplotlib.pyplot' >/dev/null 2>&1 || true

# The kernels that the build starts log "Kernel is running over TCP without
# encryption" (ipykernel 7): a notice about the local socket between the build
# and its own kernel, harmless here, that would read as a warning in the log.
# ipykernel reads ipython_kernel_config.py from <venv>/etc/ipython; there the
# kernel application's own log is set to errors only. Warnings of the notebook
# code are not affected: they are cell output (stderr), and -W fails on them.
mkdir -p "$VENV/etc/ipython"
printf '%s\n' '# written by scripts/build.sh: see the comment there' \
    'c.IPKernelApp.log_level = "ERROR"' > "$VENV/etc/ipython/ipython_kernel_config.py"

log "building the book (jupyter-book build -W -n --keep-going --all)"
start=$SECONDS
# --all re-reads every page, so that warnings of unchanged pages are reported
# again (executed notebooks still come from the cache in _build/.jupyter_cache).
# --keep-going reports every warning, then fails.
mkdir -p _build
rc=0
"$VENV/bin/jupyter-book" build . --all -W -n --keep-going 2>&1 | tee _build/build.log || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "book build FAILED after $((SECONDS - start)) s (exit $rc)" >&2
    exit "$rc"
fi
if [ "${OPTBOOK_REQUIRE_CACHED:-0}" = 1 ]; then
    executed=$(grep -o '[^ ]*\.ipynb: Executing notebook' _build/build.log | sed 's/: Executing notebook//' || true)
    if [ -n "$executed" ]; then
        echo "book build executed notebooks that the notebook step should have cached:" >&2
        echo "$executed" >&2
        exit 1
    fi
fi
echo "book built in $((SECONDS - start)) s: open _build/html/index.html"
