// Root hooks for the tests that run real nix: the CLI is bundled from the current sources once,
// and every scratch directory (fixture copies, caches, nix's HOME) is removed at the end.
import { buildCli } from '../support/cliRunner';
import { removeScratchDirs } from '../support/scratch';

before(async function () {
  this.timeout(120_000);
  await buildCli();
});

after(async () => {
  await removeScratchDirs();
});
