# The shell both folders use, each with its own name.
{ name, inNixShell ? false }:
derivation {
  inherit name;
  system = builtins.currentSystem;
  builder = "/bin/bash";
  args = [ "-c" "source $stdenv/setup; echo > $out" ];
  stdenv = ./_stdenv;
  outputs = [ "out" ];
  FOLDER_NAME = name;
  shellHook = ''
    export PATH="$PWD/bin:$PATH"
  '';
}
