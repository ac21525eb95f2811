{
  missingSemicolon = 1
  nextLine = "a new binding still starts here";
  unclosed = [ 1 2
}
// {
  next = "still highlighted";
}
