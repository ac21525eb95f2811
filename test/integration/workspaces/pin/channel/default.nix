# Stands in for the user's nixpkgs channel on NIX_PATH: not the pin.
{ ... }: { marker = "channel"; }
