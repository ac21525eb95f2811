# A line comment with "quotes" and ${interpolation}
/* A block comment
   spanning { lines } */
/** A doc comment */
{
  # between bindings
  a = /* inline */ 1; # trailing
  s = "/* not a comment */";
  t = ''# not a comment either'';
}
