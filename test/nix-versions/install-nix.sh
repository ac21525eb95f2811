#!/usr/bin/env bash
# Installs a second, modern Nix beside the system's (Debian 12's 2.8) for the real-nix suites:
# Debian 13's nix-bin and the libraries it needs, downloaded with a private apt configuration
# (the system's sources and lists are never touched), unpacked with dpkg -x into a cache
# outside the clone, keyed by version, and patched to use the unpacked loader and libraries.
# Both versions use store schema 10, so they share /nix/store.
# Prints the directory holding nix, nix-shell, nix-store, nix-instantiate on stdout's last line.
set -euo pipefail

NIX_VERSION=2.26.3
SUITE=trixie
cache_root="${NIXSHELL_NIX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nixshell-nix}"
# Absolute: the patched binary names its loader by this path.
cache_root=$(realpath -m "$cache_root")
dir="$cache_root/$NIX_VERSION"

if [ -f "$dir/.complete" ]; then
  echo "$dir/bin"
  exit 0
fi

echo "installing Nix $NIX_VERSION into $dir (one-off, under a minute)" >&2

# Under `npm test` the outer npm's variables must not reach the installs.
source "$(dirname "$0")/../support/without-npm-env.sh"

command -v patchelf >/dev/null || {
  echo "install-nix: patchelf is missing (apt-get install patchelf)" >&2
  exit 1
}

rm -rf "$dir.partial"
mkdir -p "$dir.partial"/{apt/lists/partial,apt/cache/archives/partial,debs,root,bin}
apt_dir="$dir.partial/apt"
# The machine's own Debian mirror (or NIXSHELL_DEBIAN_MIRROR), from its apt sources.
mirror="${NIXSHELL_DEBIAN_MIRROR:-$(
  cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    grep -oE '(https?|file)://[^ ]*/debian/?( |$)' | head -n 1 | tr -d ' ' || true
)}"
if [ -z "$mirror" ]; then
  echo "install-nix: no Debian mirror in the apt sources; set NIXSHELL_DEBIAN_MIRROR" >&2
  exit 1
fi
cat >"$apt_dir/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/} $SUITE main
SOURCES
touch "$apt_dir/status"
# The dpkg status is empty, so apt resolves every dependency as if nothing were installed:
# the unpacked tree is self-contained and never mixes with the system's libraries.
apt_options=(
  -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::State::status=$apt_dir/status"
  -o "Dir::Cache=$apt_dir/cache"
  -o "APT::Architecture=amd64"
  -o "APT::Get::Download-Only=true"
  -o "Debug::NoLocking=true"
  -o "APT::Sandbox::User=$(id -un)"
  -qq
)
apt-get "${apt_options[@]}" update >&2
# The closure of nix-bin's run-time dependencies (Depends and Pre-Depends), as apt resolves it.
packages=$(apt-cache "${apt_options[@]}" depends --recurse --no-recommends --no-suggests \
  --no-conflicts --no-breaks --no-replaces --no-enhances "nix-bin=$NIX_VERSION*" |
  grep -v '^ ' | grep -v '^<' | sort -u)
# Only the shared libraries matter (and the loader, from libc6); tools such as bash or perl
# from the closure are not used.
(cd "$dir.partial/debs" && apt-get "${apt_options[@]}" download $packages >&2)
for deb in "$dir.partial"/debs/*.deb; do
  dpkg -x "$deb" "$dir.partial/root"
done

root="$dir.partial/root"
final_root="$dir/root"
loader=$final_root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
[ -e "$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" ] || {
  echo "install-nix: no loader in the unpacked libc6" >&2
  exit 1
}
rpath="$final_root/usr/lib/x86_64-linux-gnu:$final_root/lib/x86_64-linux-gnu"
# Debian links nix's own libraries into the one binary (the other commands are links to it), so
# only that binary needs the unpacked loader; its libraries find each other through its rpath.
patchelf --set-interpreter "$loader" --force-rpath --set-rpath "$rpath" "$root/usr/bin/nix"
# A bin directory with the nix commands only: it goes first on PATH in the tests, and must not
# bring the unpacked bash, perl or coreutils with it.
for tool in "$root"/usr/bin/nix*; do
  name=$(basename "$tool")
  ln -s "$final_root/usr/bin/$name" "$dir.partial/bin/$name"
done
rm -rf "$apt_dir" "$dir.partial/debs"

rm -rf "$dir"
mv "$dir.partial" "$dir"
version=$("$dir/bin/nix" --version)
case "$version" in
  *" $NIX_VERSION") ;;
  *)
    echo "install-nix: $dir/bin/nix reports '$version'" >&2
    exit 1
    ;;
esac
touch "$dir/.complete"
echo "$dir/bin"
