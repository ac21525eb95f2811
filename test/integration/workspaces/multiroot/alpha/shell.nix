import ../shell-for.nix { name = "alpha"; }
