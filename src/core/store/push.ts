import { evaluationError } from '../capture/failure';
import { runNix } from '../capture/run';
import { NixShellError } from '../errors';
import { nixCommandFlags, nixLogFlags } from '../nix/command';
import { pathInfos } from './pathInfo';
import { shellInputs, withAcceptedFlakeConfig, type NixInvocation } from './shellDerivation';

export interface PushResult {
  /** Store paths the cache did not have and now has. */
  readonly paths: number;
  /** Their NAR size: what they take unpacked (the cache may compress them). */
  readonly bytes: number;
  /** Every path of the closure, copied or already there. */
  readonly closure: number;
  readonly warnings: string[];
}

/**
 * Copies what entering needs to a store URL `nix copy` accepts: the shell's inputs, built
 * first where they are not yet, with their closures, plus `extraPaths` (the environment's own
 * store paths, such as a flake's `-env`). With a key, a binary cache signs what it receives
 * (its `secret-key` parameter); any other store gets paths signed locally first.
 */
export async function pushEnvironment(
  invocation: NixInvocation,
  to: string,
  options: { signKey?: string | undefined; extraPaths?: readonly string[] } = {},
): Promise<PushResult> {
  invocation = await withAcceptedFlakeConfig(invocation);
  const { nix, env, context } = invocation;
  const settings = invocation.spec.options ?? [];
  const inputs = await shellInputs(invocation);
  context.onProgress?.('building what the environment needs');
  const outputs: string[] = [];
  const built = await runNix(
    nix.nixStore,
    ['--realise', ...nixLogFlags, ...settings, ...inputs],
    {
      cwd: '/',
      env,
      collectStdout: false,
      onStdoutLine: (line) => outputs.push(line.trim()),
      // The outputs are copied at once; a root would only keep them from a later collection.
      divertStderr: (line) => line.includes("you did not specify '--add-root'"),
    },
    context,
  );
  if (built.result.exitCode !== 0) throw evaluationError(built);
  const roots = [
    ...new Set([...outputs.filter((p) => p.startsWith('/')), ...(options.extraPaths ?? [])]),
  ];
  const closure = await pathInfos(invocation, roots, undefined, ['--recursive']);
  const present = await pathInfos(invocation, [...closure.keys()], to);
  const missing = [...closure.keys()].filter((p) => !present.has(p));
  const destination = options.signKey
    ? await signedDestination(invocation, to, options.signKey, roots)
    : to;
  context.onProgress?.(`copying ${missing.length} paths`);
  const copied = await runNix(
    nix.nix,
    [...nixCommandFlags, 'copy', ...nixLogFlags, ...settings, '--to', destination, ...roots],
    { cwd: '/', env, collectStdout: false },
    context,
  );
  if (copied.result.exitCode !== 0) throw copyError(to, copied.errors, copied.result.stderrTail);
  return {
    paths: missing.length,
    bytes: missing.reduce((sum, p) => sum + (closure.get(p)?.narSize ?? 0), 0),
    closure: closure.size,
    warnings: [...built.warnings, ...copied.warnings],
  };
}

/** Binary caches (`file://`, `http(s)://`, `s3://`) sign on upload with `secret-key`. */
const binaryCache = /^(file|https?|s3):\/\//;

async function signedDestination(
  invocation: NixInvocation,
  to: string,
  keyFile: string,
  roots: readonly string[],
): Promise<string> {
  if (binaryCache.test(to)) {
    return `${to}${to.includes('?') ? '&' : '?'}secret-key=${keyFile}`;
  }
  const { nix, env, context } = invocation;
  const signed = await runNix(
    nix.nix,
    [
      ...nixCommandFlags,
      'store',
      'sign',
      ...nixLogFlags,
      '--key-file',
      keyFile,
      '--recursive',
      ...roots,
    ],
    { cwd: '/', env, collectStdout: false },
    context,
  );
  if (signed.result.exitCode !== 0) {
    throw new NixShellError('copy-failed', `could not sign the paths with ${keyFile}`, {
      details: signed.errors.join('\n') || signed.result.stderrTail,
    });
  }
  return to;
}

function copyError(to: string, errors: readonly string[], tail: string): NixShellError {
  return new NixShellError(
    'copy-failed',
    `nix copy to ${to} failed: ${errors[0] ?? 'see the log'}`,
    {
      details: errors.join('\n') || tail,
    },
  );
}
