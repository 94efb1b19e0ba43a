#!/usr/bin/env bash
# `npm test`: type-check, lint, formatting (prettier --check), then every test. As root, the tests run in a network namespace of
# their own that holds nothing but `lo` (network discipline: a probe aimed at a wrong address
# fails at once instead of leaving the machine); the lab tests build their hosts inside it.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit -p .
npx eslint .
npx prettier --check --log-level warn .
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && [ -z "${SANSANG_ISOLATED:-}" ]; then
  exec unshare --net --mount --propagation private -- env SANSANG_ISOLATED=1 bash -c 'ip link set lo up && mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns && exec node_modules/.bin/vitest run "$@"' vitest "$@"
fi
exec node_modules/.bin/vitest run "$@"
