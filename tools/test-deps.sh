#!/usr/bin/env bash
# What `make test` needs beyond the Python venv, installed only when missing (idempotent):
#   Debian's chromium        the browser tests (Playwright drives it; it never downloads a browser)
#   PostgreSQL 15            the shared-gradebook tests start a throwaway cluster on loopback
#   configurable-http-proxy  the JupyterHub round trip starts the hub's proxy on loopback
# Installing needs root (or password-less sudo) and apt-get; without them it says what to install.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
command -v configurable-http-proxy >/dev/null 2>&1 || missing+=(configurable-http-proxy)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

explain() {
  echo "make test: missing ${missing[*]}, and $1." >&2
  echo "  Install them as root:  apt-get update && apt-get install -y chromium postgresql-15 nodejs npm" >&2
  echo "                         npm install -g configurable-http-proxy@5.3.0" >&2
  echo "  then run make test again." >&2
  exit 2
}

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    explain "this user is not root and cannot use sudo without a password"
  fi
fi
command -v apt-get >/dev/null 2>&1 || explain "this machine has no apt-get (the tests expect Debian's packages)"

echo "make test: installing ${missing[*]} (once)"
apt_packages=()
for item in "${missing[@]}"; do
  case "$item" in
    configurable-http-proxy) command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm) ;;
    *) apt_packages+=("$item") ;;
  esac
done
if [ ${#apt_packages[@]} -gt 0 ]; then
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${apt_packages[@]}"
fi
if [[ " ${missing[*]} " == *" configurable-http-proxy "* ]]; then
  "${SUDO[@]}" npm install -g --no-fund --no-audit configurable-http-proxy@5.3.0
fi
