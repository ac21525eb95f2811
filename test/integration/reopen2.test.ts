import assert from 'node:assert/strict';
import {
  activateExtension,
  nixCalls,
  terminalEnvironment,
  waitForState,
  workspaceFolder,
} from './support';

describe('reopening the project', () => {
  it('applies the cached environment at activation, before any nix process', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    // activate() resolves once cached environments are applied.
    assert.equal(api.getStatus(folder)?.state, 'active');
    assert.equal(process.env['GREETING'], 'hello again');
    assert.deepEqual(nixCalls(), []);
    await waitForState(api, folder, 'active');
  });

  it('starts no nix process at all when nothing changed', async () => {
    const api = await activateExtension();
    // An evaluation the reopening set off would be running or scheduled until then.
    await api.whenIdle(workspaceFolder().uri);
    assert.deepEqual(nixCalls(), []);
    const terminal = await terminalEnvironment(workspaceFolder().uri, 'reopened');
    assert.equal(terminal['GREETING'], 'hello again');
  });
});
