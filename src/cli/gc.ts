// `nixshell roots` and `nixshell gc`: the environments kept alive, and collecting the rest.
import path from 'node:path';
import { EnvironmentCache } from '../core/cache/store';
import { defaultCacheDir } from '../core/cacheHome';
import { baseEnvironment } from '../core/engine';
import { locateNix } from '../core/nix/installation';
import { collectGarbage, type GcResult } from '../core/store/gc';
import type { StoreAccess } from '../core/store/pathInfo';
import { formatBytes } from '../core/store/plan';
import { keptEnvironments, type KeptEnvironment } from '../core/store/roots';
import { extractNixArgs, parseArgsOrUsage, usageError } from './args';

const help = 'nixshell gc --help';

export const gcUsage = `Usage:
  nixshell roots [--json]
  nixshell gc [--dry-run] [--older-than DAYS] [--delete-old] [--only-dropped] [--json]

roots lists the environments kept alive against nix's garbage collector: project folder,
target, closure size and when each was last entered.
gc drops the environments of projects whose folder is gone or that were not entered for DAYS
(default 90), then runs nix's garbage collector (nix-store --gc). A live project's environment
stays: its next entry is still a cache hit.

Options:
  --dry-run            say what would go; change nothing
  --older-than DAYS    drop environments not entered for DAYS (default 90)
  --delete-old         also delete old profile generations, as nix-collect-garbage -d does
  --only-dropped       delete only what the dropped environments held (nix-store --delete),
                       not everything unreachable in the store
  --json               print JSON
  --option NAME VALUE  a nix setting (repeatable)
  --cache-dir DIR      where captured environments are kept
  --nix PATH           the nix executable or its directory (default: on PATH)`;

interface GcCommandLine {
  readonly command: 'roots' | 'gc';
  readonly json: boolean;
  readonly dryRun: boolean;
  readonly deleteOld: boolean;
  readonly onlyDropped: boolean;
  readonly olderThanDays: number;
  readonly cacheDir: string;
  readonly nix: string | undefined;
  readonly nixOptions: string[];
}

function parse(argv: readonly string[]): GcCommandLine | 'help' {
  const { rest, nixArgs, nixOptions } = extractNixArgs(argv);
  if (nixArgs.length > 0) throw usageError(`${nixArgs[0] ?? ''} is for evaluation`, help);
  const { values, positionals } = parseArgsOrUsage(
    {
      args: rest,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'delete-old': { type: 'boolean', default: false },
        'only-dropped': { type: 'boolean', default: false },
        'older-than': { type: 'string', default: '90' },
        'cache-dir': { type: 'string' },
        nix: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    help,
  );
  if (values.help) return 'help';
  const [command, ...extra] = positionals;
  if (command !== 'roots' && command !== 'gc') throw usageError(`unknown command ${command}`);
  if (extra.length > 0) throw usageError(`unexpected argument ${extra[0] ?? ''}`, help);
  const olderThanDays = Number(values['older-than']);
  if (!Number.isFinite(olderThanDays) || olderThanDays < 0) {
    throw usageError('--older-than takes a number of days', help);
  }
  if (values['delete-old'] && values['only-dropped']) {
    throw usageError('--delete-old needs a full collection, not --only-dropped', help);
  }
  return {
    command,
    json: values.json,
    dryRun: values['dry-run'],
    deleteOld: values['delete-old'],
    onlyDropped: values['only-dropped'],
    olderThanDays,
    cacheDir: path.resolve(values['cache-dir'] ?? defaultCacheDir()),
    nix: values.nix,
    nixOptions,
  };
}

export async function runGcCommand(argv: readonly string[], signal: AbortSignal): Promise<void> {
  const line = parse(argv);
  if (line === 'help') {
    process.stdout.write(`${gcUsage}\n`);
    return;
  }
  const env = baseEnvironment(process.env);
  const store: StoreAccess = {
    nix: await locateNix(line.nix, env['PATH']),
    env,
    context: { signal, evaluationTimeoutMs: 0 },
    spec: { options: line.nixOptions },
  };
  const cache = new EnvironmentCache(line.cacheDir);
  if (line.command === 'roots') {
    const kept = await keptEnvironments(cache, store);
    if (line.json) process.stdout.write(`${JSON.stringify(kept.map(withoutClosure), null, 2)}\n`);
    else
      process.stdout.write(
        kept.map((environment) => describe(environment)).join('\n') || 'no environments kept\n',
      );
    return;
  }
  const result = await collectGarbage(cache, store, line);
  if (line.json) {
    process.stdout.write(`${JSON.stringify(summary(result), null, 2)}\n`);
    return;
  }
  process.stdout.write(report(result, line.dryRun));
}

function withoutClosure({ closure: _closure, ...rest }: KeptEnvironment) {
  return rest;
}

function describe(environment: KeptEnvironment, reason?: string): string {
  const where = environment.project ?? '(project not recorded)';
  const target = environment.target ? ` ${environment.target}` : '';
  const gone = environment.projectExists ? '' : ' (folder gone)';
  return (
    `${where}${target}${gone}\n` +
    `  ${formatBytes(environment.closureSize)}, last used ${environment.lastUsed.slice(0, 10)}` +
    `${reason ? `: ${reason}` : ''}\n`
  );
}

function summary(result: GcResult) {
  return {
    dropped: result.dropped.map(withoutClosure),
    kept: result.kept.map(withoutClosure),
    deletedPaths: result.deletedPaths,
    freedBytes: result.freedBytes,
  };
}

function report(result: GcResult, dryRun: boolean): string {
  const lines = result.dropped.map((environment) => describe(environment, environment.reason));
  const heading = dryRun ? 'would drop' : 'dropped';
  const keptLine = `kept ${result.kept.length} environment(s) of live projects\n`;
  const freed =
    result.deletedPaths === null
      ? 'nothing deleted (dry run)\n'
      : `deleted ${result.deletedPaths} store paths, freed ${formatBytes(result.freedBytes ?? 0)}\n`;
  return `${heading} ${result.dropped.length} environment(s)\n${lines.join('')}${keptLine}${freed}`;
}
