import { NixShellError } from '../errors';
import { namePattern, revPattern, type PinOriginal } from './lockFile';

export type PinSpec =
  | { kind: 'branch'; branch: string; rev?: string }
  | { kind: 'channel'; channel: string }
  | { kind: 'rev'; rev: string };

export const defaultFrom = 'github:NixOS/nixpkgs';

/**
 * The `original` for `--from github:OWNER/REPO` or `--from git+URL` with a branch, a channel or
 * an exact revision. Short revisions are allowed for GitHub (resolved through the archive).
 */
export function originalFromSpec(spec: PinSpec, from: string = defaultFrom): PinOriginal {
  if (spec.kind === 'channel') return { type: 'channel', name: spec.channel };
  const rev = spec.kind === 'rev' ? spec.rev : spec.rev;
  if (rev !== undefined && !/^[0-9a-f]{4,40}$/.test(rev)) {
    throw new NixShellError('unsupported', `${rev} is not a commit id (hex digits)`);
  }
  const follow = {
    ...(spec.kind === 'branch' ? { ref: spec.branch } : {}),
    ...(rev !== undefined ? { rev } : {}),
  };
  const github = /^github:([^/]+)\/([^/]+)$/.exec(from);
  if (github) {
    const [, owner = '', repo = ''] = github;
    if (!namePattern.test(owner) || !namePattern.test(repo)) {
      throw new NixShellError('unsupported', `${from} is not github:OWNER/REPO`);
    }
    return { type: 'github', owner, repo, ...follow };
  }
  if (from.startsWith('git+')) {
    const url = from.slice('git+'.length);
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url)) {
      throw new NixShellError('unsupported', `${from} is not git+URL`);
    }
    if (rev !== undefined && !revPattern.test(rev)) {
      throw new NixShellError('unsupported', 'a git pin needs the full 40-character commit id');
    }
    return { type: 'git', url, ...follow };
  }
  throw new NixShellError('unsupported', `--from takes github:OWNER/REPO or git+URL, not ${from}`);
}
