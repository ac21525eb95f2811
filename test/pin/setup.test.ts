// Root hook for the pin tests: every scratch directory (fixtures, projects, nix caches) is
// removed at the end. The CLI is bundled lazily by the first CLI test (test/support/pinEnv.ts).
import { removeScratchDirs } from '../support/scratch';

after(async () => {
  await removeScratchDirs();
});
