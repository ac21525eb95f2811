/**
 * NixOS, nix-darwin and home-manager configurations: what the CLI and the editor use of them.
 * Both front ends import from here, never from the files behind it.
 */
export { compareWithRunning, type Comparison } from './compare';
export { discoverInFolder } from './discover';
export { checkConfiguration, type CheckResult, type ConfigurationContext } from './evaluate';
export {
  AmbiguousConfiguration,
  configurationAttr,
  configurationKinds,
  configurationRef,
  qualifiedName,
  requireConfiguration,
  type SystemConfiguration,
} from './kinds';
export { assertHasVm, buildVm, vmPlatformWarning } from './vm';
