# A sample project for `npm run demo`. Real projects say `with import <nixpkgs> {}; mkShell { … }`;
# this one needs no nixpkgs (and no network): a plain derivation with a tiny stand-in stdenv.
{ inNixShell ? false }:
derivation {
  name = "hello-shell";
  system = builtins.currentSystem;
  builder = "/bin/bash";
  args = [ "-c" "source $stdenv/setup; echo > $out" ];
  stdenv = ./nix/stdenv;
  outputs = [ "out" ];

  GREETING = "Hello from the Nix shell";
  PROJECT_MOTTO = ''
    Reproducible,
    and multi-line.
  '';

  shellHook = ''
    export PATH="$PWD/bin:$PATH"
    echo "Welcome to the hello project"
  '';
}
