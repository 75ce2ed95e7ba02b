# Sourced by scripts/serve and scripts/test: makes .venv with the project installed.
# Needs only Python 3.11+ on PATH; reinstalls when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

extras="${1:-}"
python_bin="${PYTHON:-python3}"
"$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "Backfit needs Python 3.11 or newer (found $("$python_bin" --version))." >&2
  exit 1
}
[ -x .venv/bin/python ] || "$python_bin" -m venv .venv
stamp=".venv/.backfit-installed${extras:+-$extras}"
wanted="$(cat pyproject.toml | "$python_bin" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
  echo "$wanted" > "$stamp"
fi
