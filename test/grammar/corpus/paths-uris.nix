{
  src = ./.;
  rel = ../a/b.nix;
  abs = /etc/nixos/configuration.nix;
  home = ~/.config/nixpkgs;
  interpolated = ./${name}.nix;
  deeper = ./modules/${name}/default.nix;
  nixpkgs = <nixpkgs>;
  lib = import <nixpkgs/lib>;
  url = https://example.org/x.tar.gz;
  fragment = https://example.org/x#this-is-a-comment
    ;
  pathHash = ./foo#also-a-comment
    ;
  division = a / b;
  noSpaces = a/b;
  update = a // b;
  uriNotLambda = x:x;
  lambda = x: x;
  less = a < b;
}
