#!/usr/bin/env bash
# Issue-5 firmware check, run by CTest: the bell detector on a Cortex-M4F under
# QEMU (mps2-an386) must print exactly what the host's `earshot detect` prints
# for the same recording: every raw int8 model output and every detection
# (onset and offset in samples, label, peak score bit for bit).
# Also checks that the firmware link has no heap (a program calling malloc and
# operator new must fail to link with the firmware's link options) and that
# the ESP-IDF component lists the same runtime sources.
#   check_firmware.sh EARSHOT_BINARY [WORK_DIR]
set -euo pipefail
EARSHOT=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
for tool in qemu-system-arm arm-none-eabi-g++ cmake ninja python3; do
  command -v "$tool" >/dev/null || { echo "check_firmware: $tool is missing; run: bash scripts/setup.sh" >&2; exit 1; }
done
WORK=${2:-$(mktemp -d)}
mkdir -p "$WORK"
[[ -z ${2:-} ]] && trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# The ESP-IDF component compiles the same runtime sources as this firmware.
cmake -DROOT="$ROOT" -P "$ROOT/tests/firmware/check_esp_idf_component.cmake"

"$EARSHOT" generate bells --out bells-data --seed 5 --count 3 --seconds 40 >/dev/null
"$EARSHOT" train "$ROOT/recipes/bells.toml" --data bells-data --out bells-run --epochs 3 --quiet >/dev/null
"$EARSHOT" export bells-run --format cpp --out model-cpp >/dev/null
"$EARSHOT" generate bells --out test-rec --seed 9 --count 1 --seconds 20 >/dev/null

# Cross build: runtime/src/**, the generated model, the recording as a C array.
cmake -S "$ROOT/firmware/mps2-an386" -B fw -G Ninja -DEARSHOT_MODEL_DIR="$WORK/model-cpp" \
      -DEARSHOT_RECORDING="$WORK/test-rec/audio_0.wav" >fw-configure.log 2>&1 ||
  { cat fw-configure.log >&2; echo "check_firmware: configuring the firmware failed" >&2; exit 1; }
cmake --build fw -j 2 >fw-build.log 2>&1 ||
  { cat fw-build.log >&2; echo "check_firmware: building the firmware failed" >&2; exit 1; }

# No heap: the canary (malloc + new[]) must fail to link, on the wrapped symbols.
if cmake --build fw --target heap_canary >canary.log 2>&1; then
  echo "check_firmware: heap_canary linked; the firmware's no-heap link options do not work" >&2
  exit 1
fi
for sym in __wrap_malloc __wrap_free __wrap__ZnajRKSt9nothrow_t __wrap__ZdaPv; do
  grep -q "undefined reference to \`$sym'" canary.log ||
    { cat canary.log >&2; echo "check_firmware: heap_canary failed, but not on $sym" >&2; exit 1; }
done
echo "firmware: heap_canary fails to link as it must (malloc, free, new[], delete[] undefined)"

set +e
timeout 300 qemu-system-arm -M mps2-an386 -nographic -semihosting \
  -kernel fw/earshot_fw.elf </dev/null >firmware.txt 2>qemu.log
rc=$?
set -e
if [[ $rc -ne 0 ]] || ! grep -q "^earshot-fw done status 0" firmware.txt; then
  tail -20 firmware.txt >&2
  cat qemu.log >&2
  echo "check_firmware: the firmware failed in QEMU (exit status $rc)" >&2
  exit 1
fi

"$EARSHOT" detect bells-run test-rec/audio_0.wav --json >host.json

python3 "$ROOT/tests/firmware/compare_firmware.py" firmware.txt host.json
