// Generates package.json's `contributes.commands`, `.configuration` and the palette menu from
// the typed tables in src/vscode/tables, and the lock file's JSON Schema that it contributes
// (scripts/lockSchema.ts), so the manifest can never drift from the code.
// `--check` exits 1 when either is out of date (the unit and pin tests check them too).
import { readFile, writeFile } from 'node:fs/promises';
import { lockSchemaPath, renderLockSchema } from './lockSchema';
import { commandCategory, commandTable } from '../src/vscode/tables/commands';
import { settingsSection, settingsTable } from '../src/vscode/tables/settings';

const manifestPath = new URL('../package.json', import.meta.url);

export function generatedContributions(): Record<string, unknown> {
  const commands = Object.entries(commandTable).map(([command, spec]) => ({
    command,
    title: spec.title,
    category: commandCategory,
    ...('icon' in spec ? { icon: spec.icon } : {}),
  }));
  const commandPalette = Object.entries(commandTable).flatMap(([command, spec]) =>
    'palette' in spec ? [{ command, when: spec.palette }] : [],
  );
  const explorerContext = Object.entries(commandTable).flatMap(([command, spec]) =>
    'explorer' in spec ? [{ command, when: spec.explorer, group: 'nixShell' }] : [],
  );
  const properties = Object.fromEntries(
    Object.entries(settingsTable).map(([name, spec]) => [
      `${settingsSection}.${name}`,
      {
        ...spec.schema,
        default: spec.default,
        scope: spec.scope,
        markdownDescription: spec.description,
      },
    ]),
  );
  return {
    commands,
    menus: { commandPalette, 'explorer/context': explorerContext },
    configuration: { title: 'Nix Shell', properties },
  };
}

export async function renderManifest(): Promise<{ current: string; generated: string }> {
  const current = await readFile(manifestPath, 'utf8');
  const manifest = JSON.parse(current) as { contributes?: Record<string, unknown> };
  const contributes = { ...(manifest.contributes ?? {}), ...generatedContributions() };
  const generated = `${JSON.stringify({ ...manifest, contributes }, null, 2)}\n`;
  return { current, generated };
}

if (process.argv[1]?.endsWith('manifest.ts')) {
  const outputs = [
    { path: manifestPath, ...(await renderManifest()) },
    { path: lockSchemaPath, ...(await renderLockSchema()) },
  ];
  for (const { path, current, generated } of outputs) {
    if (current === generated) continue;
    const name = path.pathname.split('/').slice(-2).join('/');
    if (process.argv.includes('--check')) {
      console.error(`${name} is out of date: run npm run manifest`);
      process.exitCode = 1;
    } else {
      await writeFile(path, generated);
      console.log(`${name} updated`);
    }
  }
}
