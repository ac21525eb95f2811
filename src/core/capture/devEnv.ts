import * as z from 'zod/mini';
import type { Environment } from '../env/mutations';
import { outputRewriter } from '../env/outputs';
import { isValidName, passAsFileNames, ruleFor, splitSearchPath } from '../env/variables';
import { shellQuote } from '../shellQuote';
import { findBash } from './bash';
import { isBashOwnVariable, shellDumpScript } from './shellDump';

/** `nix print-dev-env --json`, read leniently: unknown variable types are skipped. */
const devEnvSchema = z.object({
  variables: z.record(z.string(), z.object({ type: z.string(), value: z.unknown() })),
  bashFunctions: z.optional(z.record(z.string(), z.string())),
  /** `__structuredAttrs` shells, nix ≥ 2.19: the contents of `.attrs.json` and `.attrs.sh`. */
  structuredAttrs: z.optional(z.record(z.string(), z.string())),
});

export type DevEnv = z.infer<typeof devEnvSchema>;

export function parseDevEnv(json: string): DevEnv {
  return devEnvSchema.parse(JSON.parse(json));
}

// Function names bash accepts that are also safe to write unquoted in a definition.
const functionName = /^[A-Za-z_][A-Za-z0-9_:.+-]*$/;

export interface ReplayOptions {
  /** The environment bash starts with: the user's, so PATH-like values can be joined to it. */
  readonly base: Environment;
  /** The project directory, where `outputs/<name>` live. */
  readonly root: string;
  /** Where the shell is dumped once the shellHook has run (`shellDumpScript`). */
  readonly dumpDir: string;
  /** Where a structured-attributes shell's `.attrs.json` and `.attrs.sh` are written. */
  readonly attrsDir: string;
}

/** How a capture replays a dev environment: which bash, its script, where and with what. */
export interface ReplayCommand {
  readonly bash: string;
  readonly script: (dumpDir: string) => string;
  readonly options: { readonly cwd: string; readonly env: Record<string, string> };
}

/** The replay of `devEnv` for the project at `root`, in a clean bash, as `nix develop`'s. */
export function replayCommand(devEnv: DevEnv, base: Environment, root: string): ReplayCommand {
  const env: Record<string, string> = { ...base };
  // No startup files of the user's: non-interactive bash reads BASH_ENV (ENV only in POSIX
  // mode, which this is not).
  delete env['BASH_ENV'];
  return {
    bash: findBash(devEnv, base),
    script: (dumpDir) => replayScript(devEnv, { base, root, dumpDir, attrsDir: dumpDir }),
    options: { cwd: root, env },
  };
}

/**
 * A bash script that recreates the shell `nix develop` would give (variables, arrays,
 * functions, outputs under `<root>/outputs`), runs the shellHook with its output to our log and
 * stdin closed, then dumps the shell (environment, functions, aliases, variables) to files.
 * Values are single-quoted, so nothing a value contains (`$(…)`, newlines, `declare -x EVIL=1`)
 * is ever interpreted.
 */
export function replayScript(devEnv: DevEnv, options: ReplayOptions): string {
  const variables = Object.entries(devEnv.variables).filter(
    ([name]) => isValidName(name) && !isBashOwnVariable(name),
  );
  const exported: Record<string, string> = {};
  for (const [name, { type, value }] of variables) {
    if (type === 'exported' && typeof value === 'string') exported[name] = value;
  }
  // With structured attributes, the outputs are an associative array of names and paths.
  const outputs = devEnv.variables['outputs'];
  const structuredOutputs =
    outputs?.type === 'associative' && outputs.value && typeof outputs.value === 'object'
      ? Object.fromEntries(
          Object.entries(outputs.value as Record<string, unknown>).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string',
          ),
        )
      : {};
  const rewrite = outputRewriter(
    { ...structuredOutputs, ...exported },
    options.root,
    Object.keys(structuredOutputs),
  );
  for (const name of passAsFileNames(exported)) delete exported[name];
  const lines: string[] = ['set +e'];
  // As nix develop does: the attribute files where the hook and setup look for them, with the
  // outputs where the environment points them.
  for (const [file, variable] of [
    ['.attrs.json', 'NIX_ATTRS_JSON_FILE'],
    ['.attrs.sh', 'NIX_ATTRS_SH_FILE'],
  ] as const) {
    const content = devEnv.structuredAttrs?.[file];
    if (content === undefined) continue;
    const target = shellQuote(`${options.attrsDir}/${file}`);
    lines.push(`builtin printf '%s' ${shellQuote(rewrite(content))} > ${target}`);
    // Not through `exported`: the files are the session's, and the rules leave them out.
    delete exported[variable];
    lines.push(`export ${variable}=${target}`);
  }
  for (const [name, { type, value }] of variables) {
    if (type === 'var' && typeof value === 'string') {
      if (ruleFor(name, value) !== 'ignore') lines.push(`${name}=${shellQuote(rewrite(value))}`);
    } else if (type === 'array' && Array.isArray(value)) {
      const items = value.filter((v): v is string => typeof v === 'string');
      lines.push(`declare -a ${name}=(${items.map((v) => shellQuote(rewrite(v))).join(' ')})`);
    } else if (type === 'associative' && value && typeof value === 'object') {
      const items = Object.entries(value as Record<string, unknown>)
        .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
        .map(([k, v]) => `[${shellQuote(k)}]=${shellQuote(rewrite(v))}`);
      lines.push(`declare -A ${name}=(${items.join(' ')})`);
    }
  }
  for (const [name, raw] of Object.entries(exported)) {
    const value = rewrite(raw);
    const rule = ruleFor(name, value);
    if (rule === 'ignore') continue;
    const joined = rule === 'search-path' ? joinSearchPath(name, value, options.base[name]) : value;
    lines.push(`export ${name}=${shellQuote(joined)}`);
  }
  for (const [name, body] of Object.entries(devEnv.bashFunctions ?? {})) {
    if (functionName.test(name)) lines.push(`${name} () \n{ \n${rewrite(body)}\n}`);
  }
  lines.push('eval "${shellHook:-}" </dev/null', shellDumpScript(options.dumpDir));
  return lines.join('\n') + '\n';
}

/** nix's entries first, then the user's, as `nix develop` appends the saved PATH. */
function joinSearchPath(name: string, nixValue: string, userValue: string | undefined): string {
  return [...splitSearchPath(nixValue, name), ...splitSearchPath(userValue, name)].join(':');
}
