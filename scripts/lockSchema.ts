// Generates schemas/nixpkgs.lock.schema.json, which editors validate nixpkgs.lock.json with
// (package.json's jsonValidation), from the zod schema readLock uses: the two cannot disagree.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import * as z from 'zod/mini';
import { lockSchema } from '../src/core/pin/lockFile';

export const lockSchemaPath = new URL('../schemas/nixpkgs.lock.schema.json', import.meta.url);
const manifestPath = new URL('../package.json', import.meta.url);

/** Where the schema is published: the file in the repository's default branch. */
async function schemaId(): Promise<string> {
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
    repository: { url: string };
  };
  const repo = /github\.com\/([^/]+\/[^/]+?)(?:\.git)?$/.exec(manifest.repository.url)?.[1];
  if (!repo) throw new Error(`package.json: ${manifest.repository.url} is not a GitHub repository`);
  return `https://raw.githubusercontent.com/${repo}/main/schemas/nixpkgs.lock.schema.json`;
}

export async function renderLockSchema(): Promise<{ current: string; generated: string }> {
  const current = await readFile(lockSchemaPath, 'utf8').catch(() => '');
  const { $schema, title, description, ...body } = z.toJSONSchema(lockSchema, {
    target: 'draft-07',
  });
  // What a reader (and an editor's hover) meets first: what the file is.
  const document = { $schema, $id: await schemaId(), title, description, ...body };
  const file = fileURLToPath(lockSchemaPath);
  const generated = await prettier.format(JSON.stringify(document), {
    ...(await prettier.resolveConfig(file)),
    filepath: file,
  });
  return { current, generated };
}
