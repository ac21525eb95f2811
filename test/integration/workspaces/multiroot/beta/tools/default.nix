# A second environment in beta, below its shell.nix in discovery: entered only when chosen.
import ../../shell-for.nix { name = "beta-tools"; }
