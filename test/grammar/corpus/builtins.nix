[
  (import ./default.nix)
  (map toString [ 1 ])
  (throw "x")
  (abort "y")
  (derivation { name = "d"; builder = "/bin/sh"; system = "x86_64-linux"; })
  (baseNameOf ./a/b)
  (dirOf "/a/b")
  (isNull null)
  (removeAttrs { a = 1; } [ "a" ])
  (fetchTarball https://example.org/x.tar.gz)
  (builtins.attrNames { })
  (lib.map f xs)
  ({ map, ... }: map)
  { map = 1; }.map
  true false null
]
