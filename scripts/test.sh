#!/usr/bin/env bash
# The whole test suite: the format check (scripts/format.sh --check), unit
# and golden tests (dev preset), the same tests
# under AddressSanitizer + UBSan (asan preset), the tests that run threads
# under ThreadSanitizer (tsan preset), and the Cortex-M4 build of runtime/
# with its no-heap check.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python  # .venv: TFLite and TFLite Micro for the export checks
JOBS=${EARSHOT_JOBS:-$(nproc)}
passed=0
failed=0
skipped=0  # GTEST_SKIP: a test this CPU or build cannot run (it says why in the log)

run_ctest() {  # preset
  local log="build/$1-ctest.log"
  set +e
  ctest --preset "$1" -j "$JOBS" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  local line
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1 || true)
  if [[ -n "$line" ]]; then
    local total bad skip
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
    bad=$(sed -E 's/.*tests passed, ([0-9]+) tests failed.*/\1/' <<<"$line")
    skip=$(grep -cE '\(Skipped\)$' "$log" || true)  # ctest counts them as passed
    passed=$((passed + total - bad - skip))
    failed=$((failed + bad))
    skipped=$((skipped + skip))
  else
    failed=$((failed + 1))
  fi
  return "$rc"
}

status=0
echo "== format: every C/C++ source follows .clang-format"
if bash scripts/format.sh --check; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  status=1
fi

echo "== dev: build and test"
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$JOBS"
run_ctest dev || status=1

echo "== asan: build and test under AddressSanitizer + UBSan"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$JOBS"
run_ctest asan || status=1

# One binary of the threaded tests only (the trainer's shards, threaded
# feature extraction, the frontend's batch path; see tests/CMakeLists.txt),
# which keeps this step to a few minutes on two cores.
echo "== tsan: build and run the threaded tests under ThreadSanitizer"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$JOBS"
run_ctest tsan || status=1

echo "== cortex-m4: cross build of runtime/ and no-heap check"
cmake --preset cortex-m4 >/dev/null
if cmake --build --preset cortex-m4 -j "$JOBS"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  status=1
fi

if ((skipped > 0)); then
  echo "earshot: ${passed} passed, ${failed} failed, ${skipped} skipped (this CPU or build cannot run them; see 'did not run' above)"
else
  echo "earshot: ${passed} passed, ${failed} failed"
fi
exit "$status"
