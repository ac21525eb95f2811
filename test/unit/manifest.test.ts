import assert from 'node:assert/strict';
import { generatedContributions, renderManifest } from '../../scripts/manifest';
import { commandTable } from '../../src/vscode/tables/commands';
import { settingsTable } from '../../src/vscode/tables/settings';

describe('the manifest', () => {
  it('is what the command and settings tables generate (run `npm run manifest`)', async () => {
    const { current, generated } = await renderManifest();
    assert.equal(current, generated);
  });

  it('contributes every command and setting, with the Nix category', () => {
    const contributions = generatedContributions() as {
      commands: { command: string; category: string }[];
      configuration: { properties: Record<string, { default: unknown }> };
    };
    assert.deepEqual(
      contributions.commands.map((c) => c.command),
      Object.keys(commandTable),
    );
    assert.ok(contributions.commands.every((c) => c.category === 'Nix'));
    for (const [name, spec] of Object.entries(settingsTable)) {
      assert.deepEqual(
        contributions.configuration.properties[`nixShell.${name}`]?.default,
        spec.default,
      );
    }
  });
});
