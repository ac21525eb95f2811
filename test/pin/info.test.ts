// What the status bar, `pin show` and the update message say about a pin.
import assert from 'node:assert/strict';
import { NixShellError } from '../../src/core/errors';
import {
  describeChange,
  describeOriginal,
  latestReleaseBranches,
  lockInfo,
  originalFromSpec,
  pinLabel,
  pinSources,
} from '../../src/core/pin';
import { sampleLock } from '../support/pinSamples';

const rev = 'ddd77820cac22534a0713aac63476fc3ae9b7c35';
const later = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';

describe('pin display', () => {
  it('labels a lock with release and short rev, dated in UTC, aged from "now"', () => {
    const info = lockInfo(sampleLock, new Date('2024-09-13T11:59:00Z'));
    assert.deepEqual(info, {
      source: 'lock',
      release: '24.05',
      rev,
      shortRev: 'ddd7782',
      lastModified: 1718452800,
      date: '2024-06-15',
      ageDays: 89,
      description: 'github:NixOS/nixpkgs/nixos-24.05',
      url: sampleLock.locked.url,
    });
    assert.equal(pinLabel(info), 'nixpkgs 24.05 · ddd7782');
    const withoutRelease = { ...sampleLock };
    delete withoutRelease.release;
    assert.equal(pinLabel(lockInfo(withoutRelease)), 'nixpkgs · ddd7782');
  });

  it('describes a change as release · date · rev → release · date · rev', () => {
    const before = lockInfo(sampleLock);
    const after = lockInfo({
      ...sampleLock,
      locked: {
        ...sampleLock.locked,
        rev: later,
        lastModified: Date.parse('2024-07-01T09:00:00Z') / 1000,
      },
    });
    assert.equal(
      describeChange(before, after),
      '24.05 · 2024-06-15 · ddd7782 → 24.05 · 2024-07-01 · 1a2b3c4',
    );
  });

  it('describes every kind of original as a flake-style reference', () => {
    assert.equal(
      describeOriginal({ type: 'github', owner: 'NixOS', repo: 'nixpkgs', rev }),
      `github:NixOS/nixpkgs/${rev}`,
    );
    assert.equal(
      describeOriginal({ type: 'github', owner: 'NixOS', repo: 'nixpkgs' }),
      'github:NixOS/nixpkgs',
    );
    assert.equal(describeOriginal({ type: 'channel', name: 'nixos-24.05' }), 'channel:nixos-24.05');
    assert.equal(
      describeOriginal({ type: 'git', url: 'https://example.com/n.git', ref: 'main' }),
      'git+https://example.com/n.git?ref=main',
    );
  });

  it('picks the two newest nixos-YY.MM branches', () => {
    const branches = [
      'master',
      'nixos-23.11',
      'nixos-24.05',
      'nixos-24.05-small',
      'nixos-24.11',
      'nixos-unstable',
      'nixos-9.99',
    ];
    assert.deepEqual(latestReleaseBranches(branches), ['nixos-24.11', 'nixos-24.05']);
  });
});

describe('pin sources and specs', () => {
  it('takes base URLs from the environment, then the settings, then the defaults', () => {
    assert.deepEqual(pinSources({}, {}), {
      githubUrl: 'https://github.com',
      channelsUrl: 'https://channels.nixos.org',
    });
    assert.deepEqual(
      pinSources(
        { githubUrl: 'https://ghe.example/' },
        { NIXSHELL_CHANNELS_URL: 'http://127.0.0.1:1' },
      ),
      {
        githubUrl: 'https://ghe.example',
        channelsUrl: 'http://127.0.0.1:1',
      },
    );
    assert.equal(
      pinSources({ githubUrl: 'https://ghe.example' }, { NIXSHELL_GITHUB_URL: 'http://m' })
        .githubUrl,
      'http://m',
    );
  });

  it('turns --branch/--channel/--rev and --from into an original', () => {
    assert.deepEqual(originalFromSpec({ kind: 'branch', branch: 'nixos-24.05' }), {
      type: 'github',
      owner: 'NixOS',
      repo: 'nixpkgs',
      ref: 'nixos-24.05',
    });
    assert.deepEqual(originalFromSpec({ kind: 'rev', rev: 'ddd7782' }, 'github:me/pkgs'), {
      type: 'github',
      owner: 'me',
      repo: 'pkgs',
      rev: 'ddd7782',
    });
    assert.deepEqual(
      originalFromSpec({ kind: 'branch', branch: 'main' }, 'git+file:///srv/nixpkgs'),
      {
        type: 'git',
        url: 'file:///srv/nixpkgs',
        ref: 'main',
      },
    );
    assert.deepEqual(originalFromSpec({ kind: 'channel', channel: 'nixos-24.05' }), {
      type: 'channel',
      name: 'nixos-24.05',
    });
    for (const [spec, from] of [
      [{ kind: 'rev', rev: 'not-hex' }, undefined],
      [{ kind: 'rev', rev: 'ddd7782' }, 'git+https://example.com/x.git'],
      [{ kind: 'branch', branch: 'main' }, 'gitlab:a/b'],
      [{ kind: 'branch', branch: 'main' }, 'github:a/b/c'],
    ] as const) {
      assert.throws(
        () => originalFromSpec(spec, from),
        NixShellError,
        `${JSON.stringify(spec)} ${from ?? ''}`,
      );
    }
  });
});
