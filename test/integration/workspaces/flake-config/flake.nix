{
  description = "A flake whose nixConfig names a team cache (test/integration/flakeconfig.test.ts)";

  nixConfig.extra-substituters = [ "file:///tmp/nixshell-flake-config-cache" ];

  outputs =
    { self }:
    let
      shell =
        system:
        derivation {
          name = "flake-config-shell";
          inherit system;
          outputs = [ "out" ];
          builder = "/bin/bash";
          args = [
            "-c"
            "echo > $out; exit 0"
          ];
          FLAKE_CONFIG_SHELL = "yes";
        };
    in
    {
      devShells = builtins.listToAttrs (
        map
          (system: {
            name = system;
            value.default = shell system;
          })
          [
            "x86_64-linux"
            "aarch64-linux"
          ]
      );
    };
}
