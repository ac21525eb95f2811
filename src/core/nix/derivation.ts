import { readFile } from 'node:fs/promises';
import { NixShellError } from '../errors';

/** What a derivation needs before its builder can run: the outputs of others, and sources. */
export interface DerivationInputs {
  /** Each input derivation with the outputs it uses. */
  readonly inputDrvs: ReadonlyArray<{ readonly drvPath: string; readonly outputs: string[] }>;
  readonly inputSrcs: readonly string[];
}

type ATerm = string | ATerm[];

/**
 * Reads a `.drv` file's inputs from its ATerm text (`Derive([outputs],[inputDrvs],[inputSrcs],…)`):
 * the format the store itself keeps, the same on every nix version, and read without a process
 * (`nix show-derivation` was renamed, and its JSON changed shape, across versions).
 */
export async function readDerivationInputs(drvPath: string): Promise<DerivationInputs> {
  const text = await readFile(drvPath, 'utf8');
  const parsed = text.startsWith('Derive(') ? parseATerm(text.slice('Derive'.length)) : undefined;
  const [, inputDrvs, inputSrcs] = Array.isArray(parsed) ? parsed : [];
  if (!Array.isArray(inputDrvs) || !Array.isArray(inputSrcs)) {
    throw new NixShellError('unsupported', `${drvPath} is not a derivation this version can read`);
  }
  return {
    inputDrvs: inputDrvs.flatMap((item) => {
      const [drv, outputs] = Array.isArray(item) ? item : [];
      return typeof drv === 'string' && Array.isArray(outputs)
        ? [{ drvPath: drv, outputs: outputs.filter((o): o is string => typeof o === 'string') }]
        : [];
    }),
    inputSrcs: inputSrcs.filter((src): src is string => typeof src === 'string'),
  };
}

/** What building a derivation asks of the machine: its platform, features, and a fixed output. */
export interface DerivationBuildNeeds {
  readonly system: string;
  readonly requiredSystemFeatures: readonly string[];
  /** A fixed-output derivation: its builder fetches its output (from the network, typically). */
  readonly fixedOutput: boolean;
}

/**
 * A `.drv` file's platform and `requiredSystemFeatures` (an attribute, or a field of
 * `__json` with structured attrs), and whether its output hash is fixed.
 */
export async function readDerivationBuildNeeds(drvPath: string): Promise<DerivationBuildNeeds> {
  const text = await readFile(drvPath, 'utf8');
  const parsed = text.startsWith('Derive(') ? parseATerm(text.slice('Derive'.length)) : undefined;
  const [outputs, , , system, , , env] = Array.isArray(parsed) ? parsed : [];
  if (!Array.isArray(outputs) || typeof system !== 'string' || !Array.isArray(env)) {
    throw new NixShellError('unsupported', `${drvPath} is not a derivation this version can read`);
  }
  const variables = new Map(
    env.flatMap((pair) =>
      Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string'
        ? [[pair[0], pair[1]] as const]
        : [],
    ),
  );
  let features: unknown = variables.get('requiredSystemFeatures')?.split(/\s+/);
  const json = variables.get('__json');
  if (json !== undefined) {
    try {
      features = (JSON.parse(json) as { requiredSystemFeatures?: unknown }).requiredSystemFeatures;
    } catch {
      features = undefined;
    }
  }
  return {
    system,
    requiredSystemFeatures: Array.isArray(features)
      ? features.filter((f): f is string => typeof f === 'string' && f !== '')
      : [],
    // Each output is (name, path, hashAlgo, hash): a fixed one carries its hash.
    fixedOutput: outputs.some(
      (output) => Array.isArray(output) && typeof output[3] === 'string' && output[3] !== '',
    ),
  };
}

/** What `nix-store --realise` takes to build exactly those inputs: `drv!out`, and sources. */
export function realisableInputs(inputs: DerivationInputs): string[] {
  return [
    ...inputs.inputDrvs.map(({ drvPath, outputs }) => `${drvPath}!${outputs.join(',')}`),
    ...inputs.inputSrcs,
  ];
}

/** Tuples `(…)` and lists `[…]` both become arrays; strings keep nix's escapes decoded. */
export function parseATerm(text: string): ATerm {
  let at = 0;
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
  const value = (): ATerm => {
    const char = text[at];
    if (char === '"') {
      let result = '';
      for (at++; at < text.length && text[at] !== '"'; at++) {
        if (text[at] === '\\') {
          at++;
          const escaped = text[at] ?? '';
          result += escapes[escaped] ?? escaped;
        } else {
          result += text.charAt(at);
        }
      }
      at++;
      return result;
    }
    if (char === '(' || char === '[') {
      const close = char === '(' ? ')' : ']';
      const items: ATerm[] = [];
      at++;
      while (at < text.length && text[at] !== close) {
        items.push(value());
        if (text[at] === ',') at++;
      }
      at++;
      return items;
    }
    throw new NixShellError('unsupported', `unexpected ${char ?? 'end'} in a derivation at ${at}`);
  };
  return value();
}
