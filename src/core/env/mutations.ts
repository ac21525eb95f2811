import { ruleFor, searchPathDefaults, searchPathEntries, splitSearchPath } from './variables';

export type Environment = Readonly<Record<string, string>>;

/**
 * One change a Nix environment makes to the user's environment. This is what is cached and what
 * every consumer applies: terminals, tasks, debuggers, the extension host and the CLI. A search
 * path may get both a `prepend` and an `append`, as nix-shell gives `nix:user:hook-appended`.
 */
export type Mutation =
  | { readonly kind: 'set'; readonly name: string; readonly value: string }
  | {
      readonly kind: 'prepend' | 'append';
      readonly name: string;
      /** Nix's entries, joined with `:`, to go before (or after) the existing value. */
      readonly value: string;
      /** What to keep beside nix's entries when the variable is unset (the XDG defaults). */
      readonly whenUnset?: string;
    }
  | { readonly kind: 'unset'; readonly name: string };

export type SearchPathMutation = Extract<Mutation, { kind: 'prepend' | 'append' }>;

/**
 * The mutations that turn `base` (the environment nix was started with) into `result` (the
 * environment after nix and the shellHook), following the variable rules.
 */
export function diffEnvironments(base: Environment, result: Environment): Mutation[] {
  const names = new Set([...Object.keys(base), ...Object.keys(result)]);
  const mutations: Mutation[] = [];
  for (const name of [...names].sort()) {
    const before = base[name];
    const after = result[name];
    const rule = ruleFor(name, after);
    if (rule === 'ignore' || before === after) continue;
    if (after === undefined) mutations.push({ kind: 'unset', name });
    else if (rule === 'search-path') mutations.push(...searchPathMutations(name, before, after));
    else mutations.push({ kind: 'set', name, value: after });
  }
  return mutations;
}

/**
 * How a search path changed, in nix-shell's order. nixpkgs' setup hooks append to a value the
 * user already has (`addToSearchPath`), setup puts its PATH before the user's, and a shellHook
 * may add on either side: where the user's entries are still there, in order and together,
 * what stands before them is prepended and what stands after is appended. Where a hook broke
 * them up, the value is set as it is.
 */
function searchPathMutations(name: string, before: string | undefined, after: string): Mutation[] {
  const user = splitSearchPath(before, name);
  const result = splitSearchPath(after, name);
  if (user.length === 0) {
    if (result.length === 0) return [];
    const whenUnset = before === undefined ? searchPathDefaults[name] : undefined;
    return [
      {
        kind: 'prepend',
        name,
        value: unique(result).join(':'),
        ...(whenUnset ? { whenUnset } : {}),
      },
    ];
  }
  const at = indexOfRun(result, user);
  if (at === -1) return [{ kind: 'set', name, value: after }];
  const front = unique(result.slice(0, at));
  const back = unique(result.slice(at + user.length)).filter((entry) => !front.includes(entry));
  return [
    ...(front.length > 0 ? [{ kind: 'prepend' as const, name, value: front.join(':') }] : []),
    ...(back.length > 0 ? [{ kind: 'append' as const, name, value: back.join(':') }] : []),
  ];
}

/** Where `run` stands in `entries` as a contiguous run (its last occurrence), or -1. */
function indexOfRun(entries: readonly string[], run: readonly string[]): number {
  for (let at = entries.length - run.length; at >= 0; at--) {
    if (run.every((entry, i) => entries[at + i] === entry)) return at;
  }
  return -1;
}

/** The environment a new process gets: `env` with the mutations applied, in order. */
export function applyMutations(
  env: Environment,
  mutations: readonly Mutation[],
): Record<string, string> {
  const next: Record<string, string> = { ...env };
  for (const mutation of mutations) {
    const value = mutatedValue(next[mutation.name], mutation);
    if (value === undefined) delete next[mutation.name];
    else next[mutation.name] = value;
  }
  return next;
}

/**
 * The value one mutation gives a variable that currently holds `current`. No entry is added
 * twice, so applying a search path twice changes nothing.
 */
export function mutatedValue(current: string | undefined, mutation: Mutation): string | undefined {
  switch (mutation.kind) {
    case 'set':
      return mutation.value;
    case 'unset':
      return undefined;
    case 'prepend':
    case 'append': {
      const ours = splitSearchPath(mutation.value, mutation.name);
      const theirs =
        current === undefined
          ? splitSearchPath(mutation.whenUnset)
          : searchPathEntries(current, mutation.name).filter((entry) => entry !== '');
      // Only an entry's first place counts in a lookup: nix's entries go in front of the
      // current ones and shadow them, or after them where the current value lacks them.
      return mutation.kind === 'prepend'
        ? [...ours, ...theirs.filter((entry) => !ours.includes(entry))].join(':')
        : [...theirs, ...ours.filter((entry) => !theirs.includes(entry))].join(':');
    }
  }
}

export interface MutationSummary {
  readonly set: number;
  readonly prepended: number;
  readonly appended: number;
  readonly unset: number;
  readonly total: number;
}

export function summarize(mutations: readonly Mutation[]): MutationSummary {
  const count = (kind: Mutation['kind']) => mutations.filter((m) => m.kind === kind).length;
  return {
    set: count('set'),
    prepended: count('prepend'),
    appended: count('append'),
    unset: count('unset'),
    total: new Set(mutations.map((m) => m.name)).size,
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
