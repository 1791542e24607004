#!/usr/bin/env bash
# Installs what earshot needs on Debian 12: build tools and libraries from
# Debian's packages; with --python also a virtual environment (.venv) with the
# PyPI packages used to regenerate golden references and run peer benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git clang-format
  libsndfile1-dev libsamplerate0-dev libpng-dev libeigen3-dev
  libflatbuffers-dev flatbuffers-compiler libtomlplusplus-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
  # earshot generate guitarists: FluidSynth and General MIDI SoundFonts (the
  # default, and another for held-out "recordings made elsewhere")
  libfluidsynth-dev fluid-soundfont-gm timgm6mb-soundfont
  # scripts/golden/make_digitize_golden.py (Debian's python3)
  python3-numpy
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--python" ]]; then
  if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c "import librosa, ai_edge_litert, tflite_micro" 2>/dev/null; then
    dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q "install ok installed" || {
      SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    }
    echo "setup: creating .venv with librosa, ai-edge-litert and tflite-micro (PyPI)"
    /usr/bin/python3 -m venv .venv
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -r scripts/requirements.txt
  fi
fi
