#!/usr/bin/env bash
# `npm test`: installs what is missing (scripts/setup.sh), then runs every check and test
# (scripts/test.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

# In CI the VS Code harness and the second Nix go into empty caches on every run, so that an
# install that only works on a warm cache can never pass there.
ci_caches=()
if [ "${CI:-}" = true ] && [ -z "${NIXSHELL_HARNESS_CACHE:-}" ]; then
  NIXSHELL_HARNESS_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/nixshell-harness-ci-XXXXXX")
  export NIXSHELL_HARNESS_CACHE
  ci_caches+=("$NIXSHELL_HARNESS_CACHE")
fi
if [ "${CI:-}" = true ] && [ -z "${NIXSHELL_NIX_CACHE:-}" ]; then
  NIXSHELL_NIX_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/nixshell-nix-ci-XXXXXX")
  export NIXSHELL_NIX_CACHE
  ci_caches+=("$NIXSHELL_NIX_CACHE")
fi
trap 'rm -rf "${ci_caches[@]}"' EXIT

bash scripts/setup.sh
tsx scripts/test.ts
