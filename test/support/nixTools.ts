import { mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { locateNix, nixVersion, versionAtLeast } from '../../src/core/nix/installation';
import { nixTestEnv, nixTool, testNixBin } from './nixEnv';
import { scratchDir } from './scratch';

/** Runs a nix tool with exactly `env` (nothing inherited), failing loudly on a non-zero exit. */
export async function runNixTool(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
  cwd = '/',
): Promise<string> {
  const result = await execa(file, args, {
    env,
    extendEnv: false,
    cwd,
    reject: false,
    stdin: 'ignore',
  });
  if (result.exitCode !== 0) {
    throw new Error(`${file} ${args.join(' ')} failed (${result.exitCode}):\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * The attributes a derivation passes to its builder, as nix wrote them into its `.drv`: the
 * ground truth for what each variable of the environment must hold. Read from the `.drv`
 * itself rather than `nix derivation show`, whose JSON cannot hold a value that is not UTF-8
 * on Nix ≥2.19. `installable` is a flake `ref#attr`, or `-f FILE` and its arguments.
 */
export async function derivationEnv(
  installable: readonly string[],
  env: Record<string, string>,
): Promise<Record<string, string>> {
  const last = installable.at(-1) ?? '';
  const evalArgs = last.includes('#')
    ? [...installable.slice(0, -1), `${last}.drvPath`]
    : [...installable, 'drvPath'];
  const drvPath = await runNixTool(nixTool('nix'), ['eval', '--raw', ...evalArgs], env);
  return derivationFileEnv(await readFile(drvPath.trim(), 'utf8'));
}

/** The `env` of a `.drv` file: the seventh field of `Derive(…)`, a list of name/value pairs. */
export function derivationFileEnv(aterm: string): Record<string, string> {
  let at = 0;
  const value = (): unknown => {
    if (aterm.startsWith('Derive', at)) {
      at += 'Derive'.length;
      return value();
    }
    const open = aterm[at];
    if (open === '"') {
      let text = '';
      for (at++; aterm[at] !== '"'; at++) {
        if (aterm[at] === '\\') {
          at++;
          const escaped = aterm[at] ?? '';
          text += ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[escaped] ?? escaped;
        } else {
          text += aterm[at] ?? '';
        }
        if (at >= aterm.length) throw new Error('unterminated string in .drv');
      }
      at++;
      return text;
    }
    if (open === '[' || open === '(') {
      const close = open === '[' ? ']' : ')';
      const items: unknown[] = [];
      for (at++; aterm[at] !== close;) {
        items.push(value());
        if (aterm[at] === ',') at++;
        if (at >= aterm.length) throw new Error('unterminated list in .drv');
      }
      at++;
      return items;
    }
    throw new Error(`unexpected ${JSON.stringify(open)} at ${at} in .drv`);
  };
  const fields = value() as unknown[];
  return Object.fromEntries(fields[6] as [string, string][]);
}

/** The attributes of the derivation a Nix file evaluates to, as nix-shell calls it. */
export function fileDerivationEnv(
  file: string,
  env: Record<string, string>,
): Promise<Record<string, string>> {
  return derivationEnv(['--impure', '-f', file, '--arg', 'inNixShell', 'true'], env);
}

/** Parses `env -0` output; every byte of every value is kept. */
export function parseEnvZero(bytes: Buffer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of bytes.toString('utf8').split('\0')) {
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return env;
}

/** A shell as the user sees it: exported variables, defined functions and aliases. */
export interface ShellGroundTruth {
  readonly env: Record<string, string>;
  readonly functions: string[];
  readonly aliases: string[];
}

export interface NixShellDump extends ShellGroundTruth {
  /** The directory nix-shell put first on PATH: the one holding NIX_BUILD_SHELL. */
  readonly buildShellDir: string;
}

/** Bash that dumps the shell it runs in, the plain way: `env -0`, `declare -F`, `alias -p`. */
function groundTruthDump(dir: string): string {
  return `env -0 > '${dir}/env'; declare -F > '${dir}/functions'; alias -p > '${dir}/aliases'`;
}

async function readGroundTruth(dir: string): Promise<ShellGroundTruth> {
  const [env, functions, aliases] = await Promise.all(
    ['env', 'functions', 'aliases'].map((name) => readFile(path.join(dir, name))),
  );
  return {
    env: parseEnvZero(env ?? Buffer.alloc(0)),
    functions: (functions?.toString('utf8') ?? '')
      .split('\n')
      .map((line) => line.replace(/^declare -fx? /, ''))
      .filter((name) => name !== '' && !name.startsWith('_nix_shell_')),
    aliases: [...(aliases?.toString('utf8') ?? '').matchAll(/^alias ([^=]+)=/gm)].map(
      (match) => match[1] ?? '',
    ),
  };
}

/**
 * nix-shell's own shell for a file, run in the file's folder with `env`: what
 * `nix-shell FILE --run …` sees. NIX_BUILD_SHELL is a bash link in a directory of its own, so
 * the PATH entry nix-shell adds for it is unambiguous wherever the shellHook moves it.
 */
export async function nixShellEnvironment(
  file: string,
  env: Record<string, string>,
): Promise<NixShellDump> {
  const scratch = await scratchDir('nixshell-nix-shell-');
  const buildShellDir = path.join(scratch, 'build-shell');
  await mkdir(buildShellDir);
  await symlink('/bin/bash', path.join(buildShellDir, 'bash'));
  await runNixTool(
    nixTool('nix-shell'),
    [file, '--run', groundTruthDump(scratch)],
    { ...env, NIX_BUILD_SHELL: path.join(buildShellDir, 'bash') },
    path.dirname(file),
  );
  return { ...(await readGroundTruth(scratch)), buildShellDir };
}

/**
 * `nix develop`'s environment for a flake devShell, run in the flake's folder with `env`. Its
 * functions are the ones nix's own print-dev-env lists: `nix develop --command` execs the
 * command after its rc, and functions do not cross an exec.
 */
export async function nixDevelopEnvironment(
  flakeDir: string,
  devShell: string,
  env: Record<string, string>,
): Promise<ShellGroundTruth> {
  const scratch = await scratchDir('nixshell-nix-develop-');
  const installable = `${flakeDir}#${devShell}`;
  const command = ['--command', '/bin/bash', '-c', groundTruthDump(scratch)];
  // `nix develop` execs the command, so what it made in TMPDIR (a `nix-shell.*` directory) is
  // never removed: it goes into the scratch directory instead.
  const tmp = path.join(scratch, 'tmp');
  await mkdir(tmp);
  const developEnv = { ...env, TMPDIR: tmp };
  await runNixTool(nixTool('nix'), ['develop', installable, ...command], developEnv, flakeDir);
  const json = await runNixTool(nixTool('nix'), ['print-dev-env', '--json', installable], env);
  const { bashFunctions } = JSON.parse(json) as { bashFunctions?: Record<string, string> };
  return {
    ...(await readGroundTruth(scratch)),
    functions: Object.keys(bashFunctions ?? {}),
  };
}

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly state: string;
  readonly args: string;
}

/** Live (non-zombie) processes whose command line matches. */
export async function processesMatching(pattern: RegExp): Promise<ProcessInfo[]> {
  const { stdout } = await execa('ps', ['-eo', 'pid=,ppid=,pgid=,stat=,args=']);
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid, ppid, pgid, state, args]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      pgid: Number(pgid),
      state: state ?? '',
      args: args ?? '',
    }))
    .filter((p) => !p.state.startsWith('Z') && pattern.test(p.args));
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The invocations in a nix shim's log that evaluate an environment (not `nix --version`). */
export function evaluations(calls: readonly string[]): string[] {
  return calls.filter((line) => / print-dev-env /.test(line) || line.startsWith('nix-shell '));
}

/**
 * Whether the nix under test is at least `minimum`: for the few expectations that differ
 * between versions because nix itself changed (each use says how).
 */
export async function testNixAtLeast(minimum: string): Promise<boolean> {
  const version = await nixVersion(await locateNix(testNixBin, undefined), nixTestEnv());
  return versionAtLeast(version, minimum);
}
