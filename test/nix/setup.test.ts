// Root hook for the tests that run real nix: the CLI is bundled from the current sources once.
// Their scratch directories go with the run's TMPDIR (test/support/runTmpdir.ts).
import { buildCli } from '../support/cliRunner';

before(async function () {
  this.timeout(120_000);
  await buildCli();
});
