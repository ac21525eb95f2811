rec {
  foo.bar = 1;
  "foo bar" = 2;
  ${name} = 3;
  a.${b}."c d".e = 4;
  inherit (pkgs) hello cowsay;
  inherit lib;
  packages = with pkgs; [ hello cowsay ];
  checked = assert foo.bar == 1; "ok";
  value = let x = 1; y = { z = x; }; in y.z;
  after = true;
}
