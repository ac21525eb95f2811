import path from 'node:path';
import * as z from 'zod/mini';
import { readJsonFile } from '../fs';

const attrs = z.record(z.string(), z.unknown());

const flakeLockSchema = z.object({
  version: z.number(),
  root: z.string(),
  nodes: z.record(
    z.string(),
    z.object({
      // A node id, or a `follows` path of input names starting at the root.
      inputs: z.optional(z.record(z.string(), z.union([z.string(), z.array(z.string())]))),
      locked: z.optional(attrs),
      original: z.optional(attrs),
    }),
  ),
});

type FlakeLock = z.infer<typeof flakeLockSchema>;

/** A flake input as flake.lock records it: fetchTree attributes, locked and as written. */
export interface FlakeInput {
  readonly locked: FetchAttrs;
  readonly original: FetchAttrs;
}

export interface FetchAttrs {
  readonly type?: string;
  readonly owner?: string;
  readonly repo?: string;
  readonly host?: string;
  readonly ref?: string;
  readonly rev?: string;
  readonly url?: string;
  readonly id?: string;
  readonly path?: string;
  readonly narHash?: string;
  readonly lastModified?: number;
}

function fetchAttrs(value: Record<string, unknown> | undefined): FetchAttrs {
  const result: Record<string, string | number> = {};
  for (const [key, item] of Object.entries(value ?? {}))
    if (typeof item === 'string' || typeof item === 'number') result[key] = item;
  return result;
}

/** The flake.lock in `dir`, or undefined when it is absent or not a flake.lock (never throws). */
export async function readFlakeLock(dir: string): Promise<FlakeLock | undefined> {
  const parsed = flakeLockSchema.safeParse(await readJsonFile(path.join(dir, 'flake.lock')));
  return parsed.success ? parsed.data : undefined;
}

/**
 * The node an input of `nodeId` resolves to. An array is a `follows` path walked from the
 * root node (`inputs.nixpkgs.follows = "foo/nixpkgs"` is `["foo", "nixpkgs"]`), whose steps
 * may themselves follow; a depth limit guards against cycles in a hand-edited file.
 */
function inputNode(lock: FlakeLock, nodeId: string, input: string, depth = 0): string | undefined {
  if (depth > 32) return undefined;
  const target = lock.nodes[nodeId]?.inputs?.[input];
  if (typeof target === 'string') return target;
  if (!target) return undefined;
  let current: string | undefined = lock.root;
  for (const step of target) {
    if (current === undefined) return undefined;
    current = inputNode(lock, current, step, depth + 1);
  }
  return current;
}

/** The root flake's `nixpkgs` input, following `follows`. */
export function flakeNixpkgs(lock: FlakeLock, input = 'nixpkgs'): FlakeInput | undefined {
  const id = inputNode(lock, lock.root, input);
  const node = id === undefined ? undefined : lock.nodes[id];
  if (!node?.locked) return undefined;
  return { locked: fetchAttrs(node.locked), original: fetchAttrs(node.original) };
}

/** A flake reference for people: `github:NixOS/nixpkgs/nixos-24.05`, `nixpkgs`, `git+file:…`. */
export function describeFlakeRef(attrs: FetchAttrs): string {
  const ref = attrs.ref ?? attrs.rev;
  switch (attrs.type) {
    case 'github':
    case 'gitlab':
    case 'sourcehut':
      return `${attrs.type}:${attrs.owner ?? '?'}/${attrs.repo ?? '?'}${ref ? `/${ref}` : ''}`;
    case 'indirect':
      return `${attrs.id ?? '?'}${ref ? `/${ref}` : ''}`;
    case 'git':
    case 'hg':
      return `${attrs.type}+${attrs.url ?? '?'}${attrs.ref ? `?ref=${attrs.ref}` : ''}`;
    case 'path':
      return `path:${attrs.path ?? '?'}`;
    default:
      return attrs.url ?? attrs.type ?? 'unknown';
  }
}
