import path from 'node:path';
import { baseEnvironment } from '../core/engine';
import { NixShellError } from '../core/errors';
import { streamLogger } from '../core/logger';
import { locateNix } from '../core/nix/installation';
import {
  currentPin,
  describeChange,
  importFiles,
  importPin,
  lockFileName,
  lockInfo,
  namingLockFile,
  originalFromSpec,
  pinDetails,
  pinLabel,
  pinNixpkgs,
  pinSources,
  readLock,
  updateFlakePin,
  updatePin,
  verifyPin,
  type ImportSource,
  type PinContext,
  type PinSpec,
} from '../core/pin';
import { parseArgsOrUsage, usageError } from './args';

/** A usage error of `nixshell pin`, pointing at its own help. */
const pinUsageError = (message: string) => usageError(message, 'nixshell pin --help');

export const pinUsage = `Usage:
  nixshell pin [DIR] (--branch B | --channel C | --rev R) [--from github:OWNER/REPO | --from git+URL]
  nixshell pin update [DIR] [--dry-run]
  nixshell pin show [DIR] [--json]
  nixshell pin verify [DIR]
  nixshell pin import [DIR] --from niv|npins|flake

Pins nixpkgs in DIR/${lockFileName} (and writes DIR/nixpkgs.nix for \`import ./nixpkgs.nix {}\`).

Options:
  --branch B       follow a branch (update moves to its newest commit)
  --channel C      follow a channel such as nixos-24.05 (through its release redirect)
  --rev R          an exact commit, never moved by update (with --branch: that commit of it)
  --from SOURCE    github:OWNER/REPO (default github:NixOS/nixpkgs) or git+URL;
                   for import: niv, npins or flake
  --dry-run        (update) show the change without writing it
  --json           (show) print JSON
  --nix PATH       the nix executable or its directory (default: on PATH)
  --verbose        log what is run to stderr
Environment: NIXSHELL_GITHUB_URL and NIXSHELL_CHANNELS_URL replace https://github.com and
https://channels.nixos.org (mirrors, GitHub Enterprise).`;

const pinSubcommands = ['update', 'show', 'verify', 'import'] as const;
type PinSubcommand = (typeof pinSubcommands)[number] | 'pin';

interface PinOptions {
  readonly branch: string | undefined;
  readonly channel: string | undefined;
  readonly rev: string | undefined;
  readonly from: string | undefined;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly nix: string | undefined;
}

/** A `nixshell pin …` command line; `help` for `--help`, whose usage the caller prints. */
export function parsePin(
  argv: readonly string[],
): { subcommand: 'help' } | { subcommand: PinSubcommand; dir: string; options: PinOptions } {
  const { values, positionals } = parseArgsOrUsage(
    {
      args: [...argv],
      allowPositionals: true,
      options: {
        branch: { type: 'string' },
        channel: { type: 'string' },
        rev: { type: 'string' },
        from: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        nix: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    'nixshell pin --help',
  );
  if (values.help) return { subcommand: 'help' };
  // positionals[0] is "pin"; a directory named like a subcommand is given as ./update.
  const rest = positionals.slice(1);
  const subcommand = pinSubcommands.find((name) => name === rest[0]) ?? 'pin';
  if (subcommand !== 'pin') rest.shift();
  const [dir, ...extra] = rest;
  if (extra.length > 0) throw pinUsageError(`unexpected argument ${extra[0] ?? ''}`);
  const options: PinOptions = {
    branch: values.branch,
    channel: values.channel,
    rev: values.rev,
    from: values.from,
    dryRun: values['dry-run'],
    json: values.json,
    verbose: values.verbose,
    nix: values.nix,
  };
  const given = (names: (keyof PinOptions)[]) => names.filter((name) => options[name]);
  const misplaced = {
    pin: given(['dryRun', 'json']),
    update: given(['branch', 'channel', 'rev', 'from', 'json']),
    show: given(['branch', 'channel', 'rev', 'from', 'dryRun']),
    verify: given(['branch', 'channel', 'rev', 'from', 'dryRun', 'json']),
    import: given(['branch', 'channel', 'rev', 'dryRun', 'json']),
  }[subcommand];
  if (misplaced.length > 0) {
    throw pinUsageError(
      `pin${subcommand === 'pin' ? '' : ` ${subcommand}`} takes no ${misplaced[0] ?? ''} option`,
    );
  }
  return { subcommand, dir: path.resolve(dir ?? '.'), options };
}

function pinSpec(options: PinOptions): PinSpec {
  const { branch, channel, rev, from } = options;
  if (channel !== undefined) {
    if (branch !== undefined || rev !== undefined || from !== undefined)
      throw pinUsageError('--channel takes no --branch, --rev or --from');
    return { kind: 'channel', channel };
  }
  if (branch !== undefined)
    return { kind: 'branch', branch, ...(rev !== undefined ? { rev } : {}) };
  if (rev !== undefined) return { kind: 'rev', rev };
  throw pinUsageError('pin needs --branch, --channel or --rev');
}

async function pinContext(options: PinOptions): Promise<PinContext> {
  return {
    nix: await locateNix(options.nix, process.env['PATH']),
    env: baseEnvironment(process.env),
    sources: pinSources({}, process.env),
    logger: streamLogger((line) => process.stderr.write(line), options.verbose ? 'debug' : 'warn'),
  };
}

export async function runPin(argv: readonly string[]): Promise<void> {
  const parsed = parsePin(argv);
  if (parsed.subcommand === 'help') {
    process.stdout.write(`${pinUsage}\n`);
    return;
  }
  const { subcommand, dir, options } = parsed;
  try {
    await runPinSubcommand(subcommand, dir, options);
  } catch (thrown) {
    throw namingLockFile(thrown, dir);
  }
}

async function runPinSubcommand(
  subcommand: PinSubcommand,
  dir: string,
  options: PinOptions,
): Promise<void> {
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  switch (subcommand) {
    case 'pin': {
      const original = originalFromSpec(pinSpec(options), options.from);
      const info = lockInfo(await pinNixpkgs(dir, original, await pinContext(options)));
      out(
        `pinned ${pinLabel(info)} (${info.description}, ${info.date}) in ${path.join(dir, lockFileName)}`,
      );
      return;
    }
    case 'update': {
      // A flake's pin is flake.lock's nixpkgs input: nix itself updates it.
      if (!(await readLock(dir)) && (await currentPin(dir, new Date(), 'flake.lock'))) {
        if (options.dryRun) throw pinUsageError('a flake has no dry run: nix updates flake.lock');
        const before = await currentPin(dir, new Date(), 'flake.lock');
        await updateFlakePin(dir, await pinContext(options));
        const after = await currentPin(dir, new Date(), 'flake.lock');
        out(
          before && after && before.rev !== after.rev
            ? describeChange(before, after)
            : 'already up to date',
        );
        return;
      }
      const update = await updatePin(dir, await pinContext(options), { dryRun: options.dryRun });
      if (!update.changed) {
        out('already up to date');
        return;
      }
      out(describeChange(lockInfo(update.before), lockInfo(update.after)));
      if (options.dryRun) out(`dry run: ${lockFileName} not written`);
      return;
    }
    case 'show': {
      const info = await currentPin(dir);
      if (!info) {
        throw new NixShellError(
          'no-environment',
          `no nixpkgs pin in ${dir} (no ${lockFileName}, and no flake.lock with a nixpkgs input)`,
        );
      }
      const file = path.join(dir, info.source === 'lock' ? lockFileName : 'flake.lock');
      if (options.json) out(JSON.stringify({ label: pinLabel(info), file, ...info }, null, 2));
      else for (const line of pinDetails(info, file)) out(line);
      return;
    }
    case 'verify': {
      const { storePath } = await verifyPin(dir, await pinContext(options));
      out(`ok: ${lockFileName} matches what the server gives (${storePath})`);
      return;
    }
    case 'import': {
      const from = options.from as ImportSource | undefined;
      if (from === undefined || !Object.hasOwn(importFiles, from))
        throw pinUsageError('pin import needs --from niv, --from npins or --from flake');
      const info = lockInfo(await importPin(dir, from, await pinContext(options)));
      out(`imported ${pinLabel(info)} (${info.description}) from ${importFiles[from]}`);
      return;
    }
  }
}
