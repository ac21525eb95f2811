import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvDump } from '../env/dump';
import { NixShellError } from '../errors';
import { shellQuote } from '../shellQuote';

/**
 * What a Nix shell holds besides its environment: the functions setup.sh, setup hooks and the
 * shellHook define (`genericBuild`, `buildPhase`, a project's `build`), its aliases, and its
 * shell variables (stdenv's hook arrays, which those functions read). Terminals get them from
 * a bash rc; variables go through the environment as usual.
 */
export interface ShellState {
  /** `declare -f` output: every function, re-readable by bash. */
  readonly functions: string;
  readonly functionNames: string[];
  /** Functions the shell exported (`export -f`), which child bash processes see too. */
  readonly exportedFunctions: string[];
  /** `alias -p` output. */
  readonly aliases: string;
  readonly aliasNames: string[];
  /** `declare -p` of the shell's own (unexported) variables, arrays included. */
  readonly variables: string;
}

export interface ShellDump {
  readonly env: Record<string, string>;
  /** Entries that cannot be represented (invalid UTF-8, invalid names), for the log. */
  readonly dropped: readonly string[];
  readonly shell: ShellState;
}

/**
 * Variables bash itself keeps (read-only, dynamic, or about this one process), which are
 * never the project's. Prefix `BASH` covers the rest of bash's own.
 */
const bashOwnVariables = [
  'BASH*',
  'COLUMNS',
  'COMP_WORDBREAKS',
  'DIRSTACK',
  'EPOCHREALTIME',
  'EPOCHSECONDS',
  'EUID',
  'FUNCNAME',
  'GROUPS',
  'HISTCMD',
  'HISTFILE',
  'HISTFILESIZE',
  'HISTSIZE',
  'HOSTNAME',
  'HOSTTYPE',
  'IFS',
  'LINENO',
  'LINES',
  'MACHTYPE',
  'MAILCHECK',
  'OLDPWD',
  'OPTARG',
  'OPTERR',
  'OPTIND',
  'OSTYPE',
  'PIPESTATUS',
  'PPID',
  'PS1',
  'PS2',
  'PS4',
  'PWD',
  'RANDOM',
  'SECONDS',
  'SHELLOPTS',
  'SHLVL',
  'SRANDOM',
  'UID',
  '_',
  // nix-shell's own plumbing: the temporary directory it deletes on exit.
  '_nix_shell_*',
  // Ours, below.
  '__nixshell_*',
];

const bashOwnPattern = new RegExp(
  `^(?:${bashOwnVariables.map((glob) => glob.replace(/\*/g, '.*')).join('|')})$`,
);

export function isBashOwnVariable(name: string): boolean {
  return bashOwnPattern.test(name);
}

const dumpFiles = {
  env: 'env',
  functions: 'functions',
  functionList: 'function-list',
  aliases: 'aliases',
  variables: 'variables',
} as const;

/**
 * Bash that writes the shell's complete state into `dir`, run where the shell is finished
 * (after the shellHook). Only bash builtins, called as `builtin`, and tests as `[[`, a keyword,
 * so that nothing the environment put on PATH (or no PATH at all, or a `env` without `-0`) and
 * no function the hook defined (`[` included) can change what is written. Works on bash 3.2.
 *
 * Lists are read with `mapfile`: a `read` loop costs three system calls per line (a read and
 * two seeks back), which made the dump of a stdenv shell take 10 ms. Bash before 4 has no
 * `mapfile`, and reads them line by line. Which names are exported is marked with a variable per name (`printf -v`), not
 * looked up in one long string, which bash matches in time proportional to its length.
 */
export function shellDumpScript(dir: string): string {
  const file = (name: keyof typeof dumpFiles) => shellQuote(path.join(dir, dumpFiles[name]));
  const bashOwn = bashOwnVariables.join('|');
  /** The lines of `list` into the array `__nixshell_lines`. */
  const readLines = (list: string) =>
    `__nixshell_lines=(); builtin mapfile -t __nixshell_lines < ${list} 2>/dev/null || ` +
    `while IFS= builtin read -r __nixshell_name; do __nixshell_lines[\${#__nixshell_lines[@]}]="$__nixshell_name"; done < ${list}`;
  return [
    'builtin set +eu',
    // Without a stdenv, nix-shell leaves PATH a shell variable; the shell still searches it.
    'builtin export PATH',
    // Listed before the dump adds variables of its own.
    `builtin compgen -v > ${file('variables')}.names`,
    `builtin compgen -e > ${file('env')}.names`,
    readLines(`${file('env')}.names`),
    `for __nixshell_name in "\${__nixshell_lines[@]}"; do`,
    `  builtin printf -v "__nixshell_exported_$__nixshell_name" 1`,
    `  builtin printf '%s=%s\\0' "$__nixshell_name" "\${!__nixshell_name}"`,
    `done > ${file('env')}`,
    `builtin declare -F > ${file('functionList')}`,
    readLines(file('functionList')),
    '__nixshell_functions=()',
    `for __nixshell_name in "\${__nixshell_lines[@]}"; do`,
    `  __nixshell_name=\${__nixshell_name#declare -f* }`,
    `  case "$__nixshell_name" in _nix_shell_*) builtin continue ;; esac`,
    `  __nixshell_functions[\${#__nixshell_functions[@]}]="$__nixshell_name"`,
    `done`,
    `if [[ \${#__nixshell_functions[@]} -gt 0 ]]; then builtin declare -f "\${__nixshell_functions[@]}"; fi > ${file('functions')}`,
    `builtin alias -p > ${file('aliases')}`,
    '__nixshell_keep=()',
    readLines(`${file('variables')}.names`),
    `for __nixshell_name in "\${__nixshell_lines[@]}"; do`,
    `  __nixshell_flag="__nixshell_exported_$__nixshell_name"`,
    `  [[ -n "\${!__nixshell_flag}" ]] && builtin continue`,
    `  case "$__nixshell_name" in ${bashOwn}) builtin continue ;; esac`,
    `  __nixshell_keep[\${#__nixshell_keep[@]}]="$__nixshell_name"`,
    `done`,
    `if [[ \${#__nixshell_keep[@]} -gt 0 ]]; then builtin declare -p "\${__nixshell_keep[@]}"; fi > ${file('variables')}`,
  ].join('\n');
}

/**
 * Reads what `shellDumpScript` wrote. Fails closed: a shell that died before its dump, or a
 * dump without PATH, must never become an environment (it would unset every variable).
 */
export function readShellDump(dir: string, whatRan: string): Promise<ShellDump> {
  return new Promise((resolve) => resolve(parseShellDump(dir, whatRan)));
}

function parseShellDump(dir: string, whatRan: string): ShellDump {
  // Five small files, read synchronously: a promise-based read is four thread-pool trips each.
  const read = (name: keyof typeof dumpFiles) => {
    try {
      return readFileSync(path.join(dir, dumpFiles[name]));
    } catch {
      return undefined;
    }
  };
  const env = read('env');
  const functions = read('functions');
  const functionList = read('functionList');
  const aliases = read('aliases');
  const variables = read('variables');
  if (!env || !functions || !functionList || !aliases || !variables) {
    throw new NixShellError(
      'hook-failed',
      `${whatRan} exited before the environment could be read`,
    );
  }
  const parsed = parseEnvDump(env);
  if (parsed.env['PATH'] === undefined) {
    throw new NixShellError(
      'hook-failed',
      `${whatRan} left no PATH; the environment was not applied`,
    );
  }
  const declared = parseFunctionList(functionList.toString('utf8'));
  const aliasText = aliases.toString('utf8');
  return {
    env: parsed.env,
    dropped: parsed.dropped,
    shell: {
      functions: functions.toString('utf8'),
      functionNames: declared.map((f) => f.name),
      exportedFunctions: declared.filter((f) => f.exported).map((f) => f.name),
      aliases: aliasText,
      aliasNames: [...aliasText.matchAll(/^alias (?:-- )?([^=\s]+)=/gm)].map((m) => m[1] ?? ''),
      variables: variables.toString('utf8'),
    },
  };
}

/** `declare -F` lines: `declare -f NAME`, or `declare -fx NAME` for exported functions. */
function parseFunctionList(text: string): { name: string; exported: boolean }[] {
  const functions: { name: string; exported: boolean }[] = [];
  for (const line of text.split('\n')) {
    const match = /^declare -f(x?) (.+)$/.exec(line);
    if (match?.[2] && !match[2].startsWith('_nix_shell_')) {
      functions.push({ name: match[2], exported: match[1] === 'x' });
    }
  }
  return functions;
}

/**
 * Bash that defines a captured shell's variables, functions and aliases in another bash (a
 * terminal's rc, `eval "$(nixshell env --functions)"`). Everything in it was written by bash's
 * own `declare -p`, `declare -f` and `alias -p`, so it reads back as it was. Read-only flags
 * are dropped, so that sourcing it twice does not fail.
 */
export function shellStateScript(shell: ShellState): string {
  const variables = shell.variables.replace(/^declare -([A-Za-z-]+) /gm, (_, flags: string) => {
    const kept = flags.replace(/[r-]/g, '');
    return `declare -${kept || '-'} `;
  });
  const exported =
    shell.exportedFunctions.length > 0
      ? `export -f ${shell.exportedFunctions.map(shellQuote).join(' ')}\n`
      : '';
  return [variables, shell.functions, exported, shell.aliases]
    .filter((part) => part.trim() !== '')
    .map((part) => (part.endsWith('\n') ? part : `${part}\n`))
    .join('');
}
