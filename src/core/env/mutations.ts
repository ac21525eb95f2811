import { ruleFor, searchPathDefaults, searchPathEntries, splitSearchPath } from './variables';

export type Environment = Readonly<Record<string, string>>;

/**
 * One change a Nix environment makes to the user's environment. This is what is cached and what
 * every consumer applies: terminals, tasks, debuggers, the extension host and the CLI.
 */
export type Mutation =
  | { readonly kind: 'set'; readonly name: string; readonly value: string }
  | {
      readonly kind: 'prepend';
      readonly name: string;
      /** Nix's entries, joined with `:`, to go in front of the existing value. */
      readonly value: string;
      /** What to keep after nix's entries when the variable is unset (the XDG defaults). */
      readonly whenUnset?: string;
    }
  | { readonly kind: 'unset'; readonly name: string };

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
    if (after === undefined) {
      mutations.push({ kind: 'unset', name });
    } else if (rule === 'prepend') {
      const fresh = searchPathPrefix(name, before, after);
      if (fresh.length === 0) continue;
      const whenUnset = before === undefined ? searchPathDefaults[name] : undefined;
      mutations.push({
        kind: 'prepend',
        name,
        value: fresh.join(':'),
        ...(whenUnset ? { whenUnset } : {}),
      });
    } else {
      mutations.push({ kind: 'set', name, value: after });
    }
  }
  return mutations;
}

/**
 * The entries nix and the hook put in front of the user's search path. When the result ends
 * with the user's value (the usual case), that is everything before it, including a user entry
 * a hook moved to the front; otherwise, the entries the user's value does not have.
 */
function searchPathPrefix(name: string, before: string | undefined, after: string): string[] {
  const user = splitSearchPath(before, name);
  const result = splitSearchPath(after, name);
  const tail = result.slice(result.length - user.length);
  const endsWithUser = user.length > 0 && tail.every((entry, i) => entry === user[i]);
  if (endsWithUser) return unique(result.slice(0, result.length - user.length));
  const existing = new Set(user);
  return unique(result).filter((entry) => !existing.has(entry));
}

/** The environment a new process gets: `env` with the mutations applied. */
export function applyMutations(
  env: Environment,
  mutations: readonly Mutation[],
): Record<string, string> {
  const next: Record<string, string> = { ...env };
  for (const mutation of mutations) {
    const value = mutatedValue(env[mutation.name], mutation);
    if (value === undefined) delete next[mutation.name];
    else next[mutation.name] = value;
  }
  return next;
}

/** The value one mutation gives a variable that currently holds `current`. */
export function mutatedValue(current: string | undefined, mutation: Mutation): string | undefined {
  switch (mutation.kind) {
    case 'set':
      return mutation.value;
    case 'unset':
      return undefined;
    case 'prepend': {
      const ours = splitSearchPath(mutation.value, mutation.name);
      const theirs =
        current === undefined
          ? splitSearchPath(mutation.whenUnset)
          : searchPathEntries(current, mutation.name).filter(
              (entry) => entry !== '' && !ours.includes(entry),
            );
      return [...ours, ...theirs].join(':');
    }
  }
}

export interface MutationSummary {
  readonly set: number;
  readonly prepended: number;
  readonly unset: number;
  readonly total: number;
}

export function summarize(mutations: readonly Mutation[]): MutationSummary {
  const count = (kind: Mutation['kind']) => mutations.filter((m) => m.kind === kind).length;
  return {
    set: count('set'),
    prepended: count('prepend'),
    unset: count('unset'),
    total: mutations.length,
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
