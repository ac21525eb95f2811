import ../shell-for.nix { name = "beta"; }
