#!/usr/bin/env bash
# `npm test`: installs what is missing (scripts/setup.sh), then runs every check and test
# (scripts/test.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

# In CI the VS Code harness goes into an empty cache on every run, so that an install that only
# works on a warm cache can never pass there.
if [ "${CI:-}" = true ] && [ -z "${NIXSHELL_HARNESS_CACHE:-}" ]; then
  NIXSHELL_HARNESS_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/nixshell-harness-ci-XXXXXX")
  export NIXSHELL_HARNESS_CACHE
  trap 'rm -rf "$NIXSHELL_HARNESS_CACHE"' EXIT
fi

bash scripts/setup.sh
tsx scripts/test.ts
