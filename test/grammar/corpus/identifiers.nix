let
  in-tree = 1;
  letter = 2;
  x' = 3;
  x'' = 4;
  with-dash = true;
  inherit' = 5;
  trueish = null;
in
[ in-tree letter x' x'' with-dash inherit' trueish ]
