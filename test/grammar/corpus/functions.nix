{ pkgs ? import <nixpkgs> { config = { }; overlays = [ ]; }
, lib ? pkgs.lib
, enable ? builtins.getEnv "ENABLE" == "1"
, ...
}@args:

let
  inc = x: x + 1;
  add = a: b: a + b;
  named = attrs@{ a, b ? 2, ... }: a + b;
  trailing = { c, d }@rest: c;
  multi =
    {
      first,
      second ? { nested = true; },
      ...
    }:
    first;
in
inc (add 1 2)
