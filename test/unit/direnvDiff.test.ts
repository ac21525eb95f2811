import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { decodeDirenvDiff, withoutDirenv } from '../../src/core/env/direnvDiff';

/** direnv's gzenv: JSON, zlib, base64 with the URL alphabet and padding (Go's URLEncoding). */
function gzenv(value: unknown): string {
  return deflateSync(Buffer.from(JSON.stringify(value))).toString('base64url');
}

function padded(value: string): string {
  return value + '='.repeat((4 - (value.length % 4)) % 4);
}

describe('DIRENV_DIFF', () => {
  it('decodes a value made by an independent encoder (Python: zlib.compress, urlsafe_b64encode)', () => {
    // python3 -c 'import base64,zlib,json; print(base64.urlsafe_b64encode(zlib.compress(json.dumps(
    //   {"p":{"PATH":"/usr/bin:/bin","GONE":"was here"},
    //    "n":{"PATH":"/proj/bin:/usr/bin:/bin","FOO":"bar \u00e9","DIRENV_DIR":"-/proj"}}).encode())).decode())'
    const sample =
      'eJyrVipQslKoVgpwDPEAMpT0S4uL9JMy86xAhJKOgpK7v58rSKI8sVghI7UoVakWKJiHqqegKD8Logldt5u_P0hFUmKRQkypgUGqJUjQxTPI1S8sHkiB5HTB2pVqawGdvicG';
    assert.deepEqual(decodeDirenvDiff(sample), {
      previous: { PATH: '/usr/bin:/bin', GONE: 'was here' },
      next: { PATH: '/proj/bin:/usr/bin:/bin', FOO: 'bar é', DIRENV_DIR: '-/proj' },
    });
  });

  it('undoes what direnv 2.32.1 itself recorded (`direnv export json`)', () => {
    // In /tmp/tmp.4sAgkleNKr/proj, an .envrc of `export FOO="from envrc"`, `PATH_add bin` and
    // `unset GONE`, allowed, then `env -i HOME=/home/u PATH=/usr/bin:/bin GONE=was direnv
    // export json`. The editor extension sets what direnv unsets to '' (it cannot unset).
    const proj = '/tmp/tmp.4sAgkleNKr/proj';
    const exported = {
      DIRENV_DIFF:
        'eJx0kUuvmlAURv9Ks8dwKYVchKSDc3lXHoI8nRDlVUUBz1FQjP-9oYlpOnCw92jlG6z1gB6kB-iuo4IE45YABSsUGCABcyWY2e1baX7wpKCdScX0VSfKFNMHCWjmcurn--AJqptj6Swx0-PuANQL1ExrXn4HMh9lO-D8Hx-jQDbUNUhQ_rrbE2bdr7Xqea7GnZJ-qtO4qMvvBJuTzh1rZNOHc9YlGpsHvEDSxLZyXshbTkQ_VmTHyfKyu9DsIinE-2Kws3uuVVGCc67YGCz-aj6vDs0H6YC28r72_JwUiSI4PnepLSNSsrbPMHvbacYt0kMx2kytENm-ePaUshGaNS_G3TjpZXj-ralt2Sy3pAjNuB8H1q3M0TXSeB84gv4pyqtqoSOkZBlr-X4X_gQKNNcFCSrcnb69FLzEv3P1N8b_VZ5_AgAA__8MeI_3',
      DIRENV_DIR: `-${proj}`,
      DIRENV_FILE: `${proj}/.envrc`,
      DIRENV_WATCHES:
        'eJyMzr1OBSEQQOF3mXpzgYWdge0srIzG3lgAM-jq_oXF1cT47sYXMLc47cn39A2Psb3CCKot-18Xd9y8vM_ycFfVXrc3dZH1rBk6uN-4TYvAaCigQRcsdXD7NR3tgLHVD_np_r1xbFHxVGU9VZzn7VMR9qQDek7kS49WowzGeUqhFEnekKasdUIWpwv1OfIwOHYWiTN7G69CPf8GAAD__1LRRoU=',
      FOO: 'from envrc',
      GONE: '',
      PATH: `${proj}/bin:/usr/bin:/bin`,
    };
    const host = { HOME: '/home/u', ...exported };
    assert.deepEqual(withoutDirenv(host), {
      env: { HOME: '/home/u', PATH: '/usr/bin:/bin', GONE: 'was' },
      undone: 3,
    });
  });

  it('round-trips values with padding, URL-alphabet characters and odd bytes', () => {
    const diff = { p: { A: 'x'.repeat(7) }, n: { A: '~?>>\n"quoted" \u{1F600}', B: '' } };
    const encoded = padded(gzenv(diff));
    assert.match(encoded, /^[A-Za-z0-9_=-]+$/);
    assert.deepEqual(decodeDirenvDiff(encoded), { previous: diff.p, next: diff.n });
    assert.deepEqual(decodeDirenvDiff(`${encoded}\n`)?.next, diff.n);
  });

  it('reads a diff with an empty side (`null` from Go) and refuses what is not one', () => {
    assert.deepEqual(decodeDirenvDiff(gzenv({ p: null, n: { X: '1' } })), {
      previous: {},
      next: { X: '1' },
    });
    assert.equal(decodeDirenvDiff('not a diff'), undefined);
    assert.equal(decodeDirenvDiff(gzenv({ p: { X: 1 } })), undefined);
    assert.equal(decodeDirenvDiff(gzenv([1, 2])), undefined);
  });

  it('gives back the environment from before direnv: set taken away, changed and removed restored', () => {
    const before = { PATH: '/usr/bin', HOME: '/home/u', GONE: 'kept by the user' };
    const after: Record<string, string> = {
      PATH: '/proj/bin:/usr/bin',
      HOME: '/home/u',
      FOO: 'from .envrc',
      DIRENV_DIR: '-/proj',
      DIRENV_FILE: '/proj/.envrc',
      DIRENV_WATCHES: 'eJw',
    };
    after['DIRENV_DIFF'] = gzenv({
      p: { PATH: before.PATH, GONE: before.GONE },
      n: {
        PATH: after['PATH'],
        FOO: after['FOO'],
        DIRENV_DIR: after['DIRENV_DIR'],
        DIRENV_FILE: after['DIRENV_FILE'],
        DIRENV_WATCHES: after['DIRENV_WATCHES'],
      },
    });
    assert.deepEqual(withoutDirenv(after), { env: before, undone: 3 });
  });

  it('leaves an environment without a readable DIRENV_DIFF as it is', () => {
    assert.deepEqual(withoutDirenv({ A: '1' }), { env: { A: '1' }, undone: 0 });
    assert.deepEqual(withoutDirenv({ A: '1', DIRENV_DIFF: 'garbage' }), {
      env: { A: '1', DIRENV_DIFF: 'garbage' },
      undone: 0,
    });
  });
});
