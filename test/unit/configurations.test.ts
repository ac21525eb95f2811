import assert from 'node:assert/strict';
import { builtOutput } from '../../src/core/configs/evaluate';
import { NixShellError } from '../../src/core/errors';
import {
  AmbiguousConfiguration,
  configurationAttr,
  configurationRef,
  findConfiguration,
  requireConfiguration,
  systemAttr,
  vmAttr,
  type SystemConfiguration,
} from '../../src/core/configs/kinds';
import { vmPlatformWarning } from '../../src/core/configs/vm';

const flakeDir = '/src/systems';
const laptop: SystemConfiguration = { kind: 'nixos', name: 'laptop', flakeDir };
const mac: SystemConfiguration = { kind: 'darwin', name: 'mac', flakeDir };
const alice: SystemConfiguration = { kind: 'home', name: 'alice@laptop', flakeDir };
const laptopHome: SystemConfiguration = { kind: 'home', name: 'laptop', flakeDir };

describe('system configurations', () => {
  it('names what each kind switches to, as the rebuild tools build it', () => {
    assert.equal(systemAttr(laptop), 'nixosConfigurations.laptop.config.system.build.toplevel');
    assert.equal(systemAttr(mac), 'darwinConfigurations.mac.system');
    assert.equal(systemAttr(alice), 'homeConfigurations."alice@laptop".activationPackage');
    assert.equal(vmAttr(laptop), 'nixosConfigurations.laptop.config.system.build.vm');
  });

  it('quotes names nix would not read as identifiers', () => {
    assert.equal(configurationAttr({ kind: 'nixos', name: 'web-1' }), 'nixosConfigurations.web-1');
    assert.equal(configurationAttr({ kind: 'nixos', name: '1st' }), 'nixosConfigurations."1st"');
    assert.equal(
      configurationAttr({ kind: 'home', name: 'a "b"' }),
      'homeConfigurations."a \\"b\\""',
    );
  });

  it('finds a configuration by name, or by output and name when kinds share one', () => {
    const all = [laptop, mac, alice, laptopHome];
    assert.equal(findConfiguration(all, 'mac'), mac);
    assert.equal(findConfiguration(all, 'alice@laptop'), alice);
    assert.equal(findConfiguration(all, 'homeConfigurations.laptop'), laptopHome);
    assert.equal(findConfiguration(all, 'server'), undefined);
    assert.throws(
      () => findConfiguration(all, 'laptop'),
      (error: unknown) =>
        error instanceof AmbiguousConfiguration &&
        error.candidates.join() === 'nixosConfigurations.laptop,homeConfigurations.laptop',
    );
  });

  it('names what it cannot find with what there is, and where a configuration is', () => {
    assert.equal(requireConfiguration([laptop, mac], 'mac', 'systems'), mac);
    assert.throws(
      () => requireConfiguration([laptop, mac], 'server', 'systems'),
      (error: unknown) =>
        error instanceof NixShellError &&
        error.kind === 'no-environment' &&
        error.message === 'no configuration server in systems (it has: laptop, mac)',
    );
    assert.throws(
      () => requireConfiguration([], 'server', 'systems'),
      /no configuration server in systems \(it has: none\)/,
    );
    assert.throws(
      () => requireConfiguration([laptop, laptopHome], 'laptop', 'systems'),
      AmbiguousConfiguration,
    );
    assert.equal(
      configurationRef(alice, '/src'),
      'systems/flake.nix#homeConfigurations."alice@laptop"',
    );
    assert.equal(configurationRef(laptop, flakeDir), 'flake.nix#nixosConfigurations.laptop');
  });

  it("reads nix build --json's output path", () => {
    const json = '[{"drvPath":"/nix/store/a-vm.drv","outputs":{"out":"/nix/store/b-vm"}}]';
    assert.equal(builtOutput(json), '/nix/store/b-vm');
    assert.equal(builtOutput('[{"outputs":{"bin":"/nix/store/c"}}]'), '/nix/store/c');
    assert.equal(builtOutput('not json'), undefined);
    assert.equal(builtOutput('[]'), undefined);
  });

  it('warns where a VM cannot run as it should', async () => {
    assert.match(
      (await vmPlatformWarning('darwin')) ?? '',
      /runs on Linux with KVM; this machine runs darwin/,
    );
    assert.match(
      (await vmPlatformWarning('linux', '/nonexistent/kvm')) ?? '',
      /\/nonexistent\/kvm is missing or not writable for you: the VM will run without KVM/,
    );
    // /dev/null stands for a device the user can open.
    assert.equal(await vmPlatformWarning('linux', '/dev/null'), undefined);
  });
});
