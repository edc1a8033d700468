#!/usr/bin/env bash
# Installs the PostgreSQL and Redis servers the reference MCP server's tests start
# (test/support/services.ts), and openssl, which makes the test CA for the TLS test.
# Idempotent: does nothing when all three are already installed.
# Debian/Ubuntu only; runs as root (or with sudo available), never asks a question.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

have_postgres() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null 2>&1
}
have_redis() { command -v redis-server >/dev/null 2>&1; }
have_openssl() { command -v openssl >/dev/null 2>&1; }

# Parallel test workers may call this at the same time: one installs, the others wait and then
# find everything installed.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/mcp-ops-install-test-services.lock"
  flock 9
fi

packages=()
have_postgres || packages+=(postgresql)
have_redis || packages+=(redis-server)
have_openssl || packages+=(openssl)
if [ "${#packages[@]}" -eq 0 ]; then
  echo "install-test-services: postgresql, redis-server and openssl already installed"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-services: apt-get not found; install ${packages[*]} with your package manager" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
    echo "install-test-services: not root and no sudo; install ${packages[*]} first" >&2
    exit 1
  fi
fi

echo "install-test-services: installing ${packages[*]}"
start=$(date +%s)
"${sudo[@]}" apt-get update -qq </dev/null
# policy-rc.d 101 keeps the packages' post-install scripts from starting system-wide services:
# the tests start their own throwaway servers on free ports.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  created_policy=1
fi
trap '[ "$created_policy" -eq 1 ] && "${sudo[@]}" rm -f "$policy"' EXIT
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" </dev/null >/dev/null
echo "install-test-services: done in $(( $(date +%s) - start )) s"
