# Sourced by the other scripts: finds uv, installing it with pip when it is missing.
# uv reads .python-version (3.12) and the lock file; it never downloads a Python here.
find_uv() {
  if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then
    UV="uv"
  elif python3 -m uv --version >/dev/null 2>&1; then
    UV="python3 -m uv"
  else
    echo "Installing uv with pip…" >&2
    python3 -m pip install --quiet uv 2>/dev/null || python3 -m pip install --quiet --user uv
    UV="python3 -m uv"
  fi
  export UV_PYTHON_DOWNLOADS=never
}
find_uv
