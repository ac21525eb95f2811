# A project shell as users write it, without nixpkgs: a derivation with a stdenv, a few
# variables and a shellHook.
{ inNixShell ? false, slowSetupSeconds ? "", slowBuildSeconds ? "" }:
derivation ({
  name = "basic-shell";
  system = builtins.currentSystem;
  builder = "/bin/bash";
  args = [ "-c" "source $stdenv/setup; echo > $out" ];
  stdenv = ./stdenv;
  outputs = [ "out" ];
  inherit slowSetupSeconds;
  GREETING = "hello from shell.nix";
  MULTILINE = "line one\nline \"two\" $HOME `x` é✓ a=b";
  IN_SHELL = if inNixShell then "yes" else "no";
  shellHook = ''
    export PATH="$PWD/bin:$PATH"
    export HOOK_RAN=1
    unset UNSET_ME
    greet() { echo "hello $1"; }
    alias gs='echo status'
    echo "entering the basic shell"
  '';
}
# An input that takes this long to build, for tests that stop nix in the middle of a build.
// (if slowBuildSeconds == "" then { } else {
  slowInput = derivation {
    name = "basic-slow-input";
    system = builtins.currentSystem;
    builder = "/bin/bash";
    args = [ "-c" "/bin/sleep ${slowBuildSeconds}; echo > $out" ];
  };
}))
