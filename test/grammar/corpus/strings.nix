let
  name = "world";
  greeting = "hello ${name}!";
  nested = "outer ${ "inner ${name} and ${toString (1 + 2)}" } done";
  braces = "${ { a = "}"; }.a }";
  escapes = "tab\t quote\" backslash\\ dollar\${name} newline\n";
  dollars = "$${name} $$${name}";
  notComments = "# not a comment /* nor this */";
  flakeRef = "github:NixOS/nixpkgs#hello";
  multi = "first line
    second ${name}
    third";
in
greeting
