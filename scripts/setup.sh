#!/usr/bin/env bash
# Installs what the tests and the demo need on a Debian machine, skipping what is there:
#  - apt: nix (Debian's nix-bin), chromium, openssh-server, and the tools code-server's native
#    modules build with;
#  - npm: the project's dependencies (npm ci), when node_modules is missing or stale;
#  - the VS Code harnesses (code-server and the Node it needs), cached outside the clone by
#    version: the current one, and the oldest that package.json's engines.vscode allows;
#  - a second, modern Nix for the real-nix suites (test/nix-versions/install-nix.sh), likewise.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v nix >/dev/null 2>&1 || packages+=(nix-bin)
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v git >/dev/null 2>&1 || packages+=(git)
command -v make >/dev/null 2>&1 || packages+=(make)
command -v g++ >/dev/null 2>&1 || packages+=(g++)
command -v python3 >/dev/null 2>&1 || packages+=(python3)
dpkg -s libkrb5-dev >/dev/null 2>&1 || packages+=(libkrb5-dev)
command -v patchelf >/dev/null 2>&1 || packages+=(patchelf)
# A real sshd for the ssh:// and ssh-ng:// binary cache tests (test/support/sshServer.ts).
[ -x /usr/sbin/sshd ] || packages+=(openssh-server)
if [ ${#packages[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "setup: installing ${packages[*]} with apt" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# npm ci when node_modules was not installed from this very lock file.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.installed-from 2>/dev/null)" != "$lock_hash" ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >node_modules/.installed-from
fi

bash test/harness/install.sh current >/dev/null
bash test/harness/install.sh oldest >/dev/null
bash test/nix-versions/install-nix.sh >/dev/null
