import path from 'node:path';
import { isExecutableFile } from '../../core/fs';

/** Where a tool was found: in the directories the project's environment adds, or the editor's. */
export type Origin = 'project' | 'editor';

export interface Located<Name extends string> {
  readonly name: Name;
  readonly file: string;
  readonly from: Origin;
}

/**
 * Finds the first of `names` (in order of preference) on the project environment's own PATH
 * entries, then on the editor's PATH. The project's PATH usually ends with the editor's (Nix
 * prepends), so searching it whole would let a tool the editor has shadow one the project
 * chose: the project's `nil` must win over a globally installed `nixd`.
 */
export function locateFirst<Name extends string>(
  names: readonly Name[],
  projectPath: string | undefined,
  editorPath: string | undefined,
): Located<Name> | undefined {
  const editorEntries = searchPathEntries(editorPath);
  const projectOnly = searchPathEntries(projectPath).filter((dir) => !editorEntries.includes(dir));
  for (const [dirs, from] of [
    [projectOnly, 'project'],
    [editorEntries, 'editor'],
  ] as const) {
    for (const name of names) {
      const file = findExecutable(name, dirs);
      if (file) return { name, file, from };
    }
  }
  return undefined;
}

/** The first `dir/name` that is an executable file. */
function findExecutable(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}

/** PATH's directories, absolute ones only: a relative entry would depend on the cwd. */
function searchPathEntries(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(path.delimiter).filter((dir) => path.isAbsolute(dir)))];
}
