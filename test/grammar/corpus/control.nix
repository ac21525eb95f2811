assert builtins.isAttrs config;
assert lib.versionAtLeast version "1.0" -> enable;
if a.b or false && !c || d != 1
then map (x: x * 2) [ 1 2.5 .5 2.5e-3 ]
else throw "nope: ${toString [ ]}" ++ lib.map f xs
