#!/usr/bin/env bash
# The README's test command: installs everything the tests need, then runs them all.
# Inside a virtualenv (as .ci/run makes) it installs there; outside one it makes .venv first.
# System packages need root or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the browser and WordPress tests drive for real (listed next to those tests).
mapfile -t wanted < <(cat service/moderate/tests-system-deps.txt \
    integrations/wordpress/tests-system-deps.txt scripts/tests-system-deps.txt 2>/dev/null \
    | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing system packages: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ -z "${VIRTUAL_ENV:-}" ]; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    . .venv/bin/activate
fi
python -m pip install -q -e '.[test]'
python -m ruff check .  # lint first: a finding stops the run before the (long) tests
exec python -m pytest "$@"
