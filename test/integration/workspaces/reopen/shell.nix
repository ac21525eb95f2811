# A project reopened in a second session: its environment comes from the cache.
derivation {
  name = "reopen-shell";
  system = builtins.currentSystem;
  builder = "/bin/bash";
  args = [ "-c" "source $stdenv/setup; echo > $out" ];
  stdenv = ./stdenv;
  outputs = [ "out" ];
  GREETING = "hello again";
}
