#!/usr/bin/env bash
# `npm test`: installs what the tests need when it is missing (as root; otherwise it says the one
# command that does), then type-check, lint, formatting (prettier --check), and every test. As
# root, the tests run in a network namespace of their own that holds nothing but `lo` (network
# discipline: a probe aimed at a wrong address fails at once instead of leaving the machine); the
# lab tests build their hosts inside it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${SANSANG_ISOLATED:-}" ]; then
  # The Debian programs the tests call (test/packages.txt: program, package).
  missing=()
  while read -r program package; do
    case "$program" in '' | '#'*) continue ;; esac
    command -v "$program" >/dev/null 2>&1 || missing+=("$package")
  done <test/packages.txt
  if [ ${#missing[@]} -gt 0 ]; then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "npm test: installing the Debian packages the tests need: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "npm test: the tests need Debian packages that are not installed. Install them with:" >&2
      echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
      exit 1
    fi
  fi
  [ -x node_modules/.bin/vitest ] || { echo "npm test: installing the npm packages (npm ci)"; npm ci --no-audit --no-fund; }
fi

npx tsc --noEmit -p .
npx eslint .
npx prettier --check --log-level warn .
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && [ -z "${SANSANG_ISOLATED:-}" ]; then
  exec unshare --net --mount --propagation private -- env SANSANG_ISOLATED=1 bash -c 'ip link set lo up && mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns && exec node_modules/.bin/vitest run "$@"' vitest "$@"
fi
exec node_modules/.bin/vitest run "$@"
