# A project that uses <nixpkgs> without pinning it in the file: what most shell.nix files do.
let
  pkgs = import <nixpkgs> { };
in
derivation {
  name = "pin-shell";
  system = builtins.currentSystem;
  builder = "/bin/bash";
  args = [ "-c" "echo > $out" ];
  outputs = [ "out" ];
  MARKER = pkgs.marker;
}
