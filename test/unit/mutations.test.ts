import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyMutations,
  diffEnvironments,
  mutatedValue,
  summarize,
  type Environment,
} from '../../src/core/env/mutations';
import { ruleFor } from '../../src/core/env/variables';

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const value = fc.string({ unit: 'binary', maxLength: 40 }).filter((v) => !v.includes('\0'));
const environment = fc.dictionary(name, value, { maxKeys: 12 });
const entry = fc.stringMatching(/^\/[a-z]{1,6}(\/[a-z]{1,6})?$/);
const searchPath = fc.array(entry, { maxLength: 5 }).map((entries) => entries.join(':'));

describe('environment mutations', () => {
  it('turn the base into the result for every variable the rules take', () => {
    fc.assert(
      fc.property(environment, environment, (base, result) => {
        const applied = applyMutations(base, diffEnvironments(base, result));
        for (const key of new Set([...Object.keys(base), ...Object.keys(result)])) {
          const rule = ruleFor(key, result[key]);
          if (rule === 'take') assert.equal(applied[key], result[key], key);
          if (rule === 'ignore') assert.equal(applied[key], base[key], key);
        }
      }),
    );
  });

  // Where a directory stands more than once on a search path, only its first place counts: the
  // applied value must find every program where nix-shell's value finds it.
  const lookupOrder = (value: string | undefined) => [
    ...new Set((value ?? '').split(':').filter(Boolean)),
  ];

  it("prepend search paths: nix's entries first, once each, then the user's", () => {
    fc.assert(
      fc.property(searchPath, searchPath, (user, nix) => {
        const base = { PATH: user };
        const result = { PATH: [nix, user].filter(Boolean).join(':') };
        const mutations = diffEnvironments(base, result);
        const applied = applyMutations(base, mutations).PATH;
        assert.deepEqual(lookupOrder(applied), lookupOrder(result.PATH));
        for (const m of mutations) assert.equal(m.kind, 'prepend');
      }),
      { numRuns: 500 },
    );
  });

  it("append search paths after the user's value, as nixpkgs' addToSearchPath does", () => {
    fc.assert(
      fc.property(searchPath, searchPath, searchPath, (user, front, back) => {
        fc.pre(user !== '');
        const base = { PKG_CONFIG_PATH: user };
        const result = { PKG_CONFIG_PATH: [front, user, back].filter(Boolean).join(':') };
        const applied = applyMutations(base, diffEnvironments(base, result)).PKG_CONFIG_PATH;
        assert.deepEqual(lookupOrder(applied), lookupOrder(result.PKG_CONFIG_PATH));
      }),
      { numRuns: 1000 },
    );
  });

  it("gives nix-shell's order: setup before the user's PATH, what a hook appended after", () => {
    const mutations = diffEnvironments(
      { PATH: '/usr/bin:/bin', PYTHONPATH: '/home/u/py' },
      {
        PATH: '/nix/store/x/bin:/usr/bin:/bin:/proj/scripts',
        PYTHONPATH: '/home/u/py:/nix/store/y/lib/python',
      },
    );
    assert.deepEqual(mutations, [
      { kind: 'prepend', name: 'PATH', value: '/nix/store/x/bin' },
      { kind: 'append', name: 'PATH', value: '/proj/scripts' },
      { kind: 'append', name: 'PYTHONPATH', value: '/nix/store/y/lib/python' },
    ]);
    const applied = applyMutations({ PATH: '/usr/bin:/bin', PYTHONPATH: '/home/u/py' }, mutations);
    assert.equal(applied.PATH, '/nix/store/x/bin:/usr/bin:/bin:/proj/scripts');
    assert.equal(applied.PYTHONPATH, '/home/u/py:/nix/store/y/lib/python');
  });

  it('sets a search path whose user entries a hook broke up, as it stands', () => {
    const mutations = diffEnvironments(
      { PATH: '/usr/bin:/bin' },
      { PATH: '/proj/bin:/nix/store/x/bin:/bin:/usr/bin' },
    );
    assert.deepEqual(mutations, [
      { kind: 'set', name: 'PATH', value: '/proj/bin:/nix/store/x/bin:/bin:/usr/bin' },
    ]);
  });

  it("drops nix's junk PATH entries: empty, '.' and /path-not-set", () => {
    const mutations = diffEnvironments({ PATH: '/bin' }, { PATH: '.:/nix/a::/path-not-set:/bin' });
    assert.deepEqual(mutations, [{ kind: 'prepend', name: 'PATH', value: '/nix/a' }]);
  });

  it('keeps the XDG defaults when the user has no XDG_DATA_DIRS', () => {
    const [mutation] = diffEnvironments({}, { XDG_DATA_DIRS: '/nix/store/a/share' });
    assert.ok(mutation);
    assert.deepEqual(mutation, {
      kind: 'prepend',
      name: 'XDG_DATA_DIRS',
      value: '/nix/store/a/share',
      whenUnset: '/usr/local/share:/usr/share',
    });
    assert.equal(
      mutatedValue(undefined, mutation),
      '/nix/store/a/share:/usr/local/share:/usr/share',
    );
    assert.equal(mutatedValue('/opt/share', mutation), '/nix/store/a/share:/opt/share');
  });

  it('reports variables the hook unset', () => {
    assert.deepEqual(diffEnvironments({ GOPATH: '/go', PATH: '/bin' }, { PATH: '/bin' }), [
      { kind: 'unset', name: 'GOPATH' },
    ]);
  });

  it('ignores builder and session values, and the certificate placeholder', () => {
    const base: Environment = {
      HOME: '/home/u',
      TMPDIR: '/tmp/u',
      SHELL: '/bin/zsh',
      TERM: 'xterm',
    };
    const result: Environment = {
      HOME: '/homeless-shelter',
      TMPDIR: '/tmp/nix-build-x',
      SHELL: '/usr/sbin/nologin',
      TERM: 'dumb',
      PWD: '/proj',
      SHLVL: '2',
      SSL_CERT_FILE: '/no-cert-file.crt',
      NIX_LOG_FD: '2',
      'BASH_FUNC_x%%': '() { :; }',
      FOO: 'bar',
    };
    assert.deepEqual(diffEnvironments(base, result), [{ kind: 'set', name: 'FOO', value: 'bar' }]);
  });

  it('keeps a real SSL_CERT_FILE', () => {
    assert.deepEqual(diffEnvironments({}, { SSL_CERT_FILE: '/etc/ssl/ca.pem' }), [
      { kind: 'set', name: 'SSL_CERT_FILE', value: '/etc/ssl/ca.pem' },
    ]);
  });

  it('counts what changed', () => {
    const counts = summarize([
      { kind: 'set', name: 'A', value: '1' },
      { kind: 'prepend', name: 'PATH', value: '/x' },
      { kind: 'unset', name: 'B' },
      { kind: 'set', name: 'C', value: '' },
    ]);
    assert.deepEqual(counts, { set: 2, prepended: 1, appended: 0, unset: 1, total: 4 });
  });
});
