import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnvDump } from '../env/dump';
import type { Environment } from '../env/mutations';
import { outputRewriter } from '../env/outputs';
import { passAsFileNames } from '../env/variables';
import { NixShellError } from '../errors';
import { nixLogFlags } from '../nix/command';
import type { NixInstallation } from '../nix/installation';
import { targetRoot, type TargetSpec } from '../target';
import { findBash } from './bash';
import { shellQuote } from './devEnv';
import { runNix, withDumpFile, type StepContext } from './run';
import { evaluationError } from './failure';

export interface NixShellCapture {
  readonly env: Record<string, string>;
  readonly readFiles: readonly string[];
  readonly dropped: readonly string[];
}

/**
 * The fallback: `nix-shell FILE --run 'env -0 > DUMP'`, for derivations print-dev-env cannot
 * handle. nix-shell runs the shellHook itself; its output goes to the log, and the
 * environment comes from the dump file, never from stdout.
 */
export async function captureWithNixShell(
  spec: TargetSpec,
  nix: NixInstallation,
  base: Environment,
  context: StepContext,
): Promise<NixShellCapture> {
  const target = spec.target;
  if (target.kind !== 'file') throw new Error('nix-shell only captures Nix files');
  const root = targetRoot(target);
  const bash = await findBash(undefined, base);
  let attrsJson: string | undefined;
  const { value: run, dump } = await withDumpFile(async (dumpFile) => {
    const attrsFile = `${dumpFile}.attrs.json`;
    const command = [
      // Without a stdenv, nix-shell leaves PATH a shell variable, unexported.
      'export PATH',
      `env -0 > ${shellQuote(dumpFile)}`,
      `if [ -n "\${NIX_ATTRS_JSON_FILE:-}" ]; then cp "$NIX_ATTRS_JSON_FILE" ${shellQuote(attrsFile)}; fi`,
    ].join('; ');
    const nixRun = await runNix(
      nix.nixShell,
      [
        target.file,
        ...spec.args,
        ...(target.attr ? ['-A', target.attr] : []),
        ...nixLogFlags,
        '--run',
        command,
      ],
      // An absolute NIX_BUILD_SHELL: otherwise nix-shell looks up <nixpkgs>.bashInteractive.
      { cwd: root, env: { ...base, NIX_BUILD_SHELL: bash }, collectStdout: false },
      context,
    );
    attrsJson = await readFile(attrsFile, 'utf8').catch(() => undefined);
    return nixRun;
  });
  if (!dump) {
    if (run.result.exitCode === 0) {
      throw new NixShellError(
        'hook-failed',
        'the shellHook exited before the environment could be read',
      );
    }
    throw evaluationError(run);
  }
  const { env, dropped } = parseEnvDump(dump);
  // nix-shell puts the directory of NIX_BUILD_SHELL first on PATH; it is not part of the env.
  const entries = (env['PATH'] ?? '').split(':');
  if (entries[0] === path.dirname(bash)) env['PATH'] = entries.slice(1).join(':');
  for (const name of passAsFileNames(env)) delete env[name];
  // nix-shell ran the hook with the store paths; point them at <root>/outputs afterwards.
  const rewrite = outputRewriter(env, root, structuredOutputs(attrsJson));
  for (const [name, value] of Object.entries(env)) env[name] = rewrite(value);
  return { env, readFiles: [...run.readFiles, target.file], dropped };
}

/** Output names of a `__structuredAttrs` derivation, from the attributes file nix-shell wrote. */
function structuredOutputs(attrsJson: string | undefined): string[] {
  if (!attrsJson) return [];
  try {
    const attrs = JSON.parse(attrsJson) as { outputs?: unknown };
    return attrs.outputs && typeof attrs.outputs === 'object' ? Object.keys(attrs.outputs) : [];
  } catch {
    return [];
  }
}
