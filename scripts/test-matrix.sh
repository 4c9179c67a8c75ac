#!/usr/bin/env bash
# Run the test suite against the lowest and the newest anthropic SDK this project supports.
#
# Each version gets its own venv under .venv-matrix/ (reused while pyproject.toml is
# unchanged), installs lessonkit[test] plus that exact SDK, and runs pytest.
# tests/test_sdk_matrix_facts.py then says exactly what a new SDK release added.
#
#   scripts/test-matrix.sh                     # lowest (2.10.0) and newest (<3, resolved now)
#   ANTHROPIC_VERSIONS="2.12.0" scripts/test-matrix.sh -k models   # one version, pytest args
#
# Why 2.10.0: the first release whose SDK maps HTTP 402 to PaymentRequiredError; the
# errors lesson and the fake's error table teach it (2.5-2.9 raise a bare APIStatusError,
# 2.0-2.4 also lack anthropic._error_classes, GatewayTimeoutError and ContentTooLargeError).
# Every 2.x release sends HTTP through httpx2/httpcore2, which offline() relies on.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
LOWEST=2.10.0
VERSIONS=${ANTHROPIC_VERSIONS:-"$LOWEST newest"}
ROOT=.venv-matrix
failed=()

for version in $VERSIONS; do
    venv="$ROOT/anthropic-$version"
    if [ "$version" = newest ]; then spec="anthropic<3"; else spec="anthropic==$version"; fi
    stamp="$venv/.installed"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$version" = newest ]; then
        echo "== $venv: installing lessonkit[test] with $spec"
        [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --upgrade pip
        "$venv/bin/python" -m pip install --quiet --upgrade -e '.[test]' "$spec"
        touch "$stamp"
    fi
    installed=$("$venv/bin/python" -c 'import anthropic; print(anthropic.__version__)')
    echo "== anthropic $installed: pytest"
    if ! "$venv/bin/python" -m pytest tests -q -p no:randomly "$@"; then
        failed+=("$installed")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "test-matrix: FAILED with anthropic ${failed[*]}"
    exit 1
fi
echo "test-matrix: passed with anthropic $VERSIONS"
