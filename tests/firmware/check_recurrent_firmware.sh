#!/usr/bin/env bash
# Issue-11 firmware check, run by CTest: a recurrent clip classifier (the
# seed-003 GRU(1): reset gate before, one-hot 4-bit codes, flatten -> dense
# as running sums) on a Cortex-M4F under QEMU (mps2-an386) must print, for
# the export's test clips, exactly the outputs the host's rt::RecurrentStream
# wrote (vectors_output.npy); the firmware checks them itself too. Prints the
# instructions per step (per audio sample) from QEMU -icount.
#   check_recurrent_firmware.sh EARSHOT_BINARY [WORK_DIR] [RECIPE]
set -euo pipefail
EARSHOT=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RECIPE=${3:-$ROOT/tests/tflite/recurrent/gru_seed.toml}
for tool in qemu-system-arm arm-none-eabi-g++ cmake ninja python3; do
  command -v "$tool" >/dev/null || { echo "check_recurrent_firmware: $tool is missing; run: bash scripts/setup.sh" >&2; exit 1; }
done
WORK=${2:-$(mktemp -d)}
mkdir -p "$WORK"
[[ -z ${2:-} ]] && trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

"$EARSHOT" generate guitarists --out players --seed 3 --recordings 4 --seconds 8 >/dev/null
"$EARSHOT" train "$RECIPE" --data players --out run --quiet >/dev/null
"$EARSHOT" export run --format cpp,tflite --out model-cpp >/dev/null

cmake -S "$ROOT/firmware/mps2-an386" -B fw -G Ninja -DEARSHOT_MODEL_DIR="$WORK/model-cpp" >fw-configure.log 2>&1 ||
  { cat fw-configure.log >&2; echo "check_recurrent_firmware: configuring the firmware failed" >&2; exit 1; }
cmake --build fw -j 2 >fw-build.log 2>&1 ||
  { cat fw-build.log >&2; echo "check_recurrent_firmware: building the firmware failed" >&2; exit 1; }

set +e
timeout 300 qemu-system-arm -M mps2-an386 -nographic -semihosting -icount shift=0 \
  -kernel fw/earshot_fw.elf </dev/null >firmware.txt 2>qemu.log
rc=$?
set -e
if [[ $rc -ne 0 ]] || ! grep -q "^earshot-fw done status 0" firmware.txt; then
  tail -20 firmware.txt >&2
  cat qemu.log >&2
  echo "check_recurrent_firmware: the firmware failed in QEMU (exit status $rc)" >&2
  exit 1
fi

python3 - firmware.txt model-cpp/vectors_output.npy <<'PYEOF'
import ast, struct, sys
lines = open(sys.argv[1]).read().splitlines()
# vectors_output.npy: int16 [clips, outputs]; read without NumPy.
raw = open(sys.argv[2], "rb").read()
hlen = struct.unpack("<H", raw[8:10])[0]
header = ast.literal_eval(raw[10:10 + hlen].decode("latin1"))
assert header["descr"] == "<i2", header
clips, n = header["shape"]
vals = struct.unpack(f"<{clips * n}h", raw[10 + hlen:])
want = [list(vals[c * n:(c + 1) * n]) for c in range(clips)]
got = [[int(v) for v in l.split()[2:]] for l in lines if l.startswith("out ")]
print(lines[0])
if got != want:
    sys.exit(f"check_recurrent_firmware: board outputs {got} differ from the host's {want}")
if "check equal" not in lines:
    sys.exit("check_recurrent_firmware: the firmware's own check failed")
bench = next(l for l in lines if l.startswith("bench "))
f = bench.split()
kv = {f[i]: int(f[i + 1]) for i in range(1, len(f) - 1, 2)}
per_tick = kv["calib_insns"] / kv["calib_ticks"]
steps = kv["steps"]
print(f"firmware: {clips} clips x {steps // clips} steps equal to the host bit for bit; "
      f"{kv['step_ticks'] * per_tick / steps:.0f} instructions per step (stream: step + running sums), "
      f"{kv['head_ticks'] * per_tick / clips:.0f} per clip for the head's tail; stack {kv['stack_used']} bytes")
PYEOF
