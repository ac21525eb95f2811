import assert from 'node:assert/strict';
import { activateExtension, nixCalls, waitForState, workspaceFolder } from './support';

describe('the first session on a project', () => {
  it('enters on open (nixShell.enterOnOpen), and evaluates with nix', async () => {
    const api = await activateExtension();
    await waitForState(api, workspaceFolder().uri, 'active');
    assert.equal(process.env['GREETING'], 'hello again');
    assert.ok(nixCalls().length > 0);
  });
});
