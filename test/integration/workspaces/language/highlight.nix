{ pkgs ? import <nixpkgs> { }, ... }@args:
let
  name = "world";
in
{
  greeting = "hello ${name}";
  script = ''
    echo ''${HOME} ${name}
  '';
  src = ./src;
  url = https://example.org/source.tar.gz;
}
