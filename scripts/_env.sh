# Shared setup of scripts/build.sh and scripts/test.sh. Source it; do not run it.
#
#   ensure_env book   # .venv with requirements-book.txt (build the book)
#   ensure_env test   # .venv with requirements-test.txt (book + tests)
#   ensure_chromium   # the browser of tests/browser (Debian's chromium package)
#
# The virtual environment lives in .venv at the repository root. It is created
# with `python3 -m venv` when it is missing, and pip runs only when the
# requirement files (or code/pyproject.toml) changed since the last install:
# a stamp file in .venv records their hash.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

VENV="$REPO_ROOT/.venv"
PY="$VENV/bin/python"

# Reproducible, headless runs.
export PYTHONHASHSEED=0
# Matplotlib: plain Python processes (pytest on tests/) run with MPLBACKEND=Agg,
# set by the step that runs them. Jupyter kernels (nbval, the book build) must
# NOT inherit MPLBACKEND: ipykernel selects its inline backend (also
# non-interactive) only when MPLBACKEND is unset, and with Agg every figure
# would silently vanish from the book. So it is removed here.
unset MPLBACKEND
export PIP_DISABLE_PIP_VERSION_CHECK=1

log() { printf '\n==> %s\n' "$*"; }

_req_hash() {
    # hash of every file that decides what is installed
    cat requirements.txt requirements-book.txt requirements-test.txt code/pyproject.toml \
        | sha256sum | cut -d' ' -f1
}

_find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3 python; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "error: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

ensure_env() {
    local level="$1" reqfile hash stamp
    case "$level" in
        book) reqfile=requirements-book.txt ;;
        test) reqfile=requirements-test.txt ;;
        *) echo "ensure_env: unknown level $level" >&2; return 2 ;;
    esac

    if [ ! -x "$PY" ] || ! "$PY" -c 'import sys' >/dev/null 2>&1; then
        local base
        base="$(_find_python)"
        log "creating .venv with $base ($("$base" --version 2>&1))"
        rm -rf "$VENV"
        "$base" -m venv "$VENV"
    fi

    hash="$(_req_hash)"
    # the test environment contains the book environment
    for stamp in "$VENV/.installed-test" "$VENV/.installed-$level"; do
        if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
            return 0
        fi
    done

    log "installing $reqfile into .venv (first time: about 30 s with a warm pip cache, 3 minutes without; log in .venv/pip.log)"
    local start=$SECONDS
    if ! "$PY" -m pip install --progress-bar off -r "$reqfile" > "$VENV/pip.log" 2>&1; then
        tail -n 40 "$VENV/pip.log" >&2
        echo "error: pip install -r $reqfile failed (full log: .venv/pip.log)" >&2
        return 1
    fi
    echo "$hash" > "$VENV/.installed-$level"
    echo "installed in $((SECONDS - start)) s"
}

# The browser of the browser tests (tests/browser): Debian's Chromium, driven by
# Playwright's Python package. Playwright's own browser download is never used.
# OPTBOOK_CHROMIUM names another Chromium binary (tests/browser reads it too).
CHROMIUM="${OPTBOOK_CHROMIUM:-/usr/bin/chromium}"

_chromium_works() {
    [ -x "$CHROMIUM" ] && "$CHROMIUM" --version >/dev/null 2>&1
}

# The packages of the browser step: Chromium, and a CJK font so that the
# glossary's Chinese names render as most readers see them (a machine with no
# CJK font shows empty boxes, and so would every screenshot).
BROWSER_PACKAGES=(chromium fonts-noto-cjk)

_cjk_font_installed() {
    command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list ':lang=zh' family 2>/dev/null)" ]
}

ensure_chromium() {
    if _chromium_works && _cjk_font_installed; then
        return 0
    fi
    if [ -n "${OPTBOOK_CHROMIUM:-}" ] && ! _chromium_works; then
        echo "error: OPTBOOK_CHROMIUM=$CHROMIUM is not a working Chromium" >&2
        return 1
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            echo "error: the browser tests need Chromium at $CHROMIUM and a CJK font, and" \
                "installing them needs root: run 'apt-get install ${BROWSER_PACKAGES[*]}' as" \
                "root (Debian), or set OPTBOOK_CHROMIUM to a Chromium binary" >&2
            return 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: no Chromium at $CHROMIUM or no CJK font, and no apt-get to install" \
            "them: install Chromium and a CJK font (Noto Sans CJK), or set OPTBOOK_CHROMIUM" >&2
        return 1
    fi
    mkdir -p "$VENV"
    log "installing ${BROWSER_PACKAGES[*]} with apt-get (first time: a minute or two; log in .venv/apt.log)"
    local start=$SECONDS
    if ! { "${sudo[@]}" apt-get update \
            && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y "${BROWSER_PACKAGES[@]}"; } \
            > "$VENV/apt.log" 2>&1; then
        tail -n 20 "$VENV/apt.log" >&2
        echo "error: apt-get install ${BROWSER_PACKAGES[*]} failed (full log: .venv/apt.log)" >&2
        return 1
    fi
    if ! _chromium_works; then
        echo "error: apt-get installed chromium, but $CHROMIUM does not run" >&2
        return 1
    fi
    if ! _cjk_font_installed; then
        echo "error: apt-get installed fonts-noto-cjk, but fc-list finds no Chinese font" >&2
        return 1
    fi
    echo "browser packages installed in $((SECONDS - start)) s"
}
