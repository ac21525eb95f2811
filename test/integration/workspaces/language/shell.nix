# The language suite's project, without nixpkgs. Its shellHook puts ./bin on PATH, where the
# tests put a fake nixd (test/lsp/fakeNixd.ts) and where a fake nixfmt lives: neither is on the
# editor's PATH. NIXD_FIXTURE_RECORD tells the fake nixd where to record what it sees, so a
# record exists only if the server got this environment.
{ inNixShell ? false }:
derivation {
  name = "language-shell";
  system = builtins.currentSystem;
  builder = "/bin/bash";
  args = [ "-c" "source $stdenv/setup; echo > $out" ];
  stdenv = ./stdenv;
  outputs = [ "out" ];
  LSP_FIXTURE_GENERATION = "one";
  shellHook = ''
    export PATH="$PWD/bin:$PATH"
    export NIXD_FIXTURE_RECORD="$PWD/.nixd-record.jsonl"
    unset UNSET_ME
  '';
}
