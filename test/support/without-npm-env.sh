# Sourced by the install scripts. Under `npm test` or `npm run demo`, the outer npm exports its
# own state and every setting of its npmrc files as npm_* variables (npm_config_user_agent names
# Node 20, and code-server's postinstall refuses to build from that), and puts the project's bin
# folders on PATH. An inner install must see none of it: npm reads the npmrc files itself. Only
# the network settings a user may have given as variables are kept.
for name in $(compgen -e); do
  case "$name" in
    npm_config_registry | npm_config_*proxy | npm_config_cafile | npm_config_ca | npm_config_strict_ssl) ;;
    npm_* | NODE | INIT_CWD) unset "$name" ;;
  esac
done
clean_path=
IFS=: read -r -a path_entries <<<"$PATH"
for entry in "${path_entries[@]}"; do
  case "$entry" in
    */node_modules/.bin | */node-gyp-bin) ;;
    *) clean_path="${clean_path:+$clean_path:}$entry" ;;
  esac
done
export PATH="$clean_path"
unset name clean_path path_entries entry
