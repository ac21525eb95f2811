// Per-project nixpkgs pinning (nixpkgs.lock.json): the engine behind the Pin commands and
// `nixshell pin`. Editor-independent, like all of src/core.
export {
  lockFileName,
  lockVersion,
  namingLockFile,
  parseLock,
  readLock,
  serializeLock,
  writeLock,
  type NixpkgsLock,
  type PinLocked,
  type PinOriginal,
} from './lockFile';
export { shimFileName, shimMarker, shimText, ensureShim, type ShimOutcome } from './shim';
export { defaultPinSources, pinSources, type PinContext, type PinSources } from './context';
export { resolvePin } from './resolve';
export {
  commitUpdate,
  pinNixpkgs,
  pinnedStorePath,
  pinnedStorePathIfPresent,
  realisePin,
  updatePin,
  verifyPin,
  type PinUpdate,
} from './pin';
export { importPin, importFiles, type ImportSource } from './importers';
export { currentPin, describeOriginal, lockInfo } from './info';
export { describeChange, pinDetails, pinLabel, type PinInfo } from './pinText';
export { updateFlakePin } from './flakeUpdate';
export { latestReleaseBranches, listBranches } from './git';
export { defaultFrom, originalFromSpec, type PinSpec } from './original';
export { fixedSourcePath, toSriSha256 } from './hashes';
