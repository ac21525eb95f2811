{
  script = ''
    echo "${name}" # shell comment, not Nix
    echo ''${HOME} and '''quoted''' and ''\n and ''\t
    echo ${ "nested ${''inner ${name}''}" }
    price='$5' it's fine; $${notInterpolated}
  '';
  oneLine = ''a ''$ b'';
  after = 1;
}
