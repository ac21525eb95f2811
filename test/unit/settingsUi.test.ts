// The Settings UI edits a setting in place only when its schema has one type it knows; a union
// such as `["string", "null"]` gets "Edit in settings.json" instead, which is where a message's
// "Open Settings" would then land.
import assert from 'node:assert/strict';
import { settingsTable } from '../../src/vscode/tables/settings';

/**
 * Settings whose value is structured JSON, where settings.json is the place: a free-form object
 * passed through, and a list of cache URL and key pairs.
 */
const jsonOnly = new Set(['languageServerSettings', 'binaryCaches']);

describe('the settings in the Settings UI', () => {
  for (const [name, spec] of Object.entries(settingsTable)) {
    if (jsonOnly.has(name)) continue;
    it(`nixShell.${name} is edited in place`, () => {
      const schema = spec.schema as { type?: unknown; items?: { type?: unknown } };
      assert.ok(
        ['string', 'number', 'boolean', 'array'].includes(schema.type as string),
        `type ${JSON.stringify(schema.type)}`,
      );
      if (schema.type === 'array') assert.equal(schema.items?.type, 'string');
      assert.notEqual(spec.default, null);
    });
  }
});
