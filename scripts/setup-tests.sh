#!/usr/bin/env bash
# Install everything the test suite needs, then stop; the tests are run by
#     bash scripts/setup-tests.sh && .venv/bin/ruff check . && .venv/bin/python -m pytest -q
# (the README's test command, and all that .ci/run does).
#
# On a fresh Debian 12 machine, as root (or with sudo):
#   - Debian's chromium, chromium-driver and fonts-dejavu-core for the browser
#     tests (Playwright drives /usr/bin/chromium; it never downloads a browser),
#     npm if there is none, python3-venv if venv cannot bootstrap pip;
#   - .venv with this package and its test extras (pytest, playwright);
#   - axe-core from the npm registry into .cache/npm, for the accessibility audit.
# Whatever is already there is kept, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
AXE_CORE_VERSION=4.14.1
started=$SECONDS
say() { printf 'setup-tests: %s\n' "$*" >&2; }

# --- Debian packages ------------------------------------------------------------
packages=()
if ! command -v chromium >/dev/null 2>&1; then
  packages+=(chromium chromium-driver fonts-dejavu-core)
fi
command -v npm >/dev/null 2>&1 || packages+=(npm)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || packages+=(python3-venv)
if ((${#packages[@]})); then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { say "need root to install: ${packages[*]}"; exit 1; }
    sudo=(sudo)
  fi
  say "apt-get install ${packages[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
fi
say "chromium: $(chromium --version 2>/dev/null || echo missing)"

# --- Python ---------------------------------------------------------------------
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
say "python: $(.venv/bin/python --version), playwright $(.venv/bin/python -m pip show playwright 2>/dev/null | sed -n 's/^Version: //p')"

# --- axe-core (npm) ---------------------------------------------------------------
axe=.cache/npm/node_modules/axe-core
if ! grep -qs "\"version\": \"$AXE_CORE_VERSION\"" "$axe/package.json"; then
  mkdir -p .cache/npm
  npm install --silent --no-save --no-audit --no-fund --prefix .cache/npm \
    "axe-core@$AXE_CORE_VERSION"
fi
[ -s "$axe/axe.min.js" ] || { say "axe-core did not install into $axe"; exit 1; }
say "axe-core $AXE_CORE_VERSION in $axe"

say "ready in $((SECONDS - started)) s"
