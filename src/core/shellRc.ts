import { shellStateScript, type ShellState } from './capture/shellDump';
import type { Mutation } from './env/mutations';
import { shellQuote } from './shellQuote';

export interface ShellRcOptions {
  readonly label: string;
  readonly mutations: readonly Mutation[];
  readonly shell: ShellState;
  /** VS Code's bash shell integration, which a terminal started with its own rc misses. */
  readonly shellIntegrationScript?: string | undefined;
}

/**
 * The rc file of a bash that is the project's Nix shell, as `nix-shell` starts it: the user's
 * ~/.bashrc first, then the environment (again, so that an rc file that put its own entries
 * first on PATH cannot hide the project's tools), then the shell's variables, functions and
 * aliases. Sourcing it twice changes nothing. Tests are written `[[ ]]`, a keyword: the
 * user's rc or the shell's functions may define one named `[`.
 */
export function shellRc(options: ShellRcOptions): string {
  const lines = [
    `# Nix Shell: the rc of "Nix shell" terminals of ${options.label}. Generated; do not edit.`,
    "# As nix-shell does for an interactive shell: the user's ~/.bashrc first.",
    'if [[ -r ~/.bashrc ]]; then . ~/.bashrc; fi',
    // mutatedValue (env/mutations.ts) in bash: nix's entries before the current ones,
    // shadowing them, or after them where the current value lacks them.
    '__nixshell_extend() {',
    '  local name=$1 ours=$2 where=$3 entry kept= added= parts',
    // What the variable means when unset (the XDG defaults), kept beside nix's entries.
    '  IFS=: builtin read -r -a parts <<< "${!name-${4-}}"',
    '  if [[ $where = before ]]; then',
    '    for entry in "${parts[@]}"; do',
    '      case ":$ours:" in *":$entry:"*) ;; *) [[ -n $entry ]] && kept=${kept:+$kept:}$entry ;; esac',
    '    done',
    '    builtin export "$name=$ours${kept:+:$kept}"',
    '  else',
    '    for entry in "${parts[@]}"; do [[ -n $entry ]] && kept=${kept:+$kept:}$entry; done',
    '    IFS=: builtin read -r -a parts <<< "$ours"',
    '    for entry in "${parts[@]}"; do',
    '      case ":$kept:" in *":$entry:"*) ;; *) added=${added:+$added:}$entry ;; esac',
    '    done',
    '    builtin export "$name=$kept${kept:+${added:+:}}$added"',
    '  fi',
    '}',
    ...options.mutations.map(mutationLine),
    'builtin unset -f __nixshell_extend',
    shellStateScript(options.shell).trimEnd(),
  ];
  if (options.shellIntegrationScript) {
    const script = shellQuote(options.shellIntegrationScript);
    lines.push(
      "# VS Code's shell integration, which a terminal started with its own rc file misses.",
      `if [[ \${TERM_PROGRAM:-} = vscode && -r ${script} ]]; then . ${script}; fi`,
    );
  }
  return `${lines.filter((line) => line !== '').join('\n')}\n`;
}

function mutationLine(mutation: Mutation): string {
  switch (mutation.kind) {
    case 'set':
      return `builtin export ${mutation.name}=${shellQuote(mutation.value)}`;
    case 'unset':
      return `builtin unset ${mutation.name}`;
    case 'prepend':
    case 'append': {
      const where = mutation.kind === 'prepend' ? 'before' : 'after';
      const whenUnset = mutation.whenUnset ? ` ${shellQuote(mutation.whenUnset)}` : '';
      return `__nixshell_extend ${mutation.name} ${shellQuote(mutation.value)} ${where}${whenUnset}`;
    }
  }
}
