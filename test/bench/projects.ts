// The bench's synthetic projects, generated into a temporary directory: a Nix file project and
// a flake, each large (a shell that imports `importedFiles` local .nix files, every one a cache
// input) and small (one file). They use the test stand-in for nixpkgs (test/fixtures/_lib), so
// setup.sh, a setup hook and a package on PATH make the capture do what it does for real.
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fixturesDir } from '../support/nixEnv';

export const importedFiles = 1500;

export interface BenchProject {
  readonly name: string;
  readonly kind: 'file' | 'flake';
  readonly dir: string;
  /** The .nix file (file projects) or the flake's directory. */
  readonly target: string;
}

/** The shell's body, for a `pkgs` in scope and `parts` the imported files' values. */
function shellBody(parts: string): string {
  return `pkgs.mkShell {
    packages = [ (pkgs.writeShellScriptBin "greet" "echo hello") ];
    TOTAL = toString (builtins.foldl' builtins.add 0 (map (p: p.value) ${parts}));
    shellHook = "export HOOKED=1";
  }`;
}

const importParts = (count: number) =>
  count === 0 ? '[ ]' : `(builtins.genList (i: import (./nix + "/p\${toString i}.nix")) ${count})`;

async function writeParts(dir: string, count: number): Promise<void> {
  if (count === 0) return;
  await mkdir(path.join(dir, 'nix'));
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      writeFile(path.join(dir, 'nix', `p${i}.nix`), `{ value = ${i}; name = "part-${i}"; }\n`),
    ),
  );
}

async function fileProject(root: string, lib: string, name: string, count: number) {
  const dir = path.join(root, name);
  await mkdir(dir);
  await writeParts(dir, count);
  const file = path.join(dir, 'shell.nix');
  await writeFile(file, `let pkgs = import ${lib} { }; in\n${shellBody(importParts(count))}\n`);
  return { name, kind: 'file' as const, dir, target: file };
}

async function flakeProject(root: string, lib: string, name: string, count: number) {
  const dir = path.join(root, name);
  await mkdir(dir);
  await writeParts(dir, count);
  await writeFile(
    path.join(dir, 'flake.nix'),
    `{
  inputs.helpers = { url = "path:${lib}"; flake = false; };
  outputs = { self, helpers }:
    let system = "${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux";
        pkgs = import helpers { inherit system; };
    in { devShells.\${system}.default = ${shellBody(importParts(count))}; };
}
`,
  );
  return { name, kind: 'flake' as const, dir, target: dir };
}

/** The four projects, plus the stand-in nixpkgs they share, under `root`. */
export async function benchProjects(root: string): Promise<BenchProject[]> {
  const lib = path.join(root, 'lib');
  await cp(path.join(fixturesDir, '_lib'), lib, { recursive: true });
  return [
    await fileProject(root, lib, 'large-file', importedFiles),
    await fileProject(root, lib, 'small-file', 0),
    await flakeProject(root, lib, 'large-flake', importedFiles),
    await flakeProject(root, lib, 'small-flake', 0),
  ];
}

/** `count` more small file projects in `dir`, on the stand-in nixpkgs of `benchRoot`. */
export async function smallFileProjects(
  dir: string,
  count: number,
  benchRoot: string,
): Promise<BenchProject[]> {
  await mkdir(dir, { recursive: true });
  const lib = path.join(benchRoot, 'lib');
  const projects: BenchProject[] = [];
  for (let i = 0; i < count; i++) projects.push(await fileProject(dir, lib, `folder-${i}`, 0));
  return projects;
}
