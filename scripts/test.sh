#!/usr/bin/env bash
# The test half of `make test`, after the small demo data is built: the same tests as
# `pytest tests book/notebooks --nbval-lax --nbval-current-env` followed by the determinism
# comparison, arranged in three stages so that two processes share the two cores:
#
#   1. the library tests (they read no notebook output) start beside the smoke run
#      (`--jobs 2`) and go on through stage 2;
#   2. once the smoke run is done, nbval re-executes the notebooks in two pytest processes,
#      each with the tests that read the smoke run (tests/notebooks, tests/book); a notebook
#      that reads another's results (B3 reads B2) runs in the same process after it;
#   3. nbval of the notebooks that read every other's results (claims dashboard, performance),
#      then the comparison of the two sets of results files (tests/notebooks/test_determinism).
#
# All nbval kernels write their results files into one folder (DFBOOK_NBVAL_RESULTS, read by
# tests/conftest.py). Any failing stage fails the run; so does pytest's exit code 5 (nothing
# collected), like every other non-zero code. Logs of parallel processes are printed whole,
# one after the other, when both have finished.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PYTEST=("$BIN/python" -m pytest -p no:cacheprovider)
NBVAL=(--nbval-lax --nbval-current-env)
logs=$(mktemp -d)
failed=()

# Run "$@" in the background with its output in $logs/$name.log; its pid goes to $pid.
background() {
    local name=$1; shift
    "$@" >"$logs/$name.log" 2>&1 &
    pid=$!
}

# Wait for a background stage, print its log, remember a failure.
finish() {
    local name=$1 pid=$2
    wait "$pid"; local rc=$?
    echo "===== $name (exit $rc) ====="
    cat "$logs/$name.log"
    [ "$rc" -eq 0 ] || failed+=("$name (exit $rc)")
}

nb() { printf 'book/notebooks/%s.ipynb ' "$@"; }

echo "== stage 1: library tests beside the smoke run"
background library "${PYTEST[@]}" tests --ignore=tests/notebooks --ignore=tests/book
lib=$pid
"$BIN/dfbook" run --profile smoke --jobs 2 || failed+=("smoke run (exit $?)")

if [ ${#failed[@]} -eq 0 ]; then
    echo "== stage 2: nbval in two processes, with the tests that read the smoke run" \
         "(beside the rest of the library tests)"
    export DFBOOK_NBVAL_RESULTS="$logs/nbval-results"
    mkdir -p "$DFBOOK_NBVAL_RESULTS"
    # shellcheck disable=SC2046
    background nbval-1 "${PYTEST[@]}" "${NBVAL[@]}" tests/notebooks/test_notebooks.py \
        $(nb D1_demo_benchmark A3_training C1_preprocessing C2_model C3_evaluation)
    one=$pid
    # shellcheck disable=SC2046
    background nbval-2 "${PYTEST[@]}" "${NBVAL[@]}" tests/book \
        $(nb A1_equations A2_architecture B1_pso B2_cnn_rnn B3_results)
    two=$pid
    finish nbval-1 "$one"
    finish nbval-2 "$two"
fi
finish library "$lib"

if [ ${#failed[@]} -eq 0 ]; then
    echo "== stage 3: the notebooks that read every other's results, then determinism"
    # shellcheck disable=SC2046
    "${PYTEST[@]}" "${NBVAL[@]}" $(nb claims_dashboard performance) \
        tests/notebooks/test_determinism.py || failed+=("nbval-3 and determinism (exit $?)")
fi

rm -rf "$logs"
if [ ${#failed[@]} -gt 0 ]; then
    printf 'FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "all test stages passed"
