// The bench's synthetic projects, generated into a temporary directory: a Nix file project and
// a flake, each large (a shell that imports `importedFiles` local .nix files, every one a cache
// input) and small (one file), and a file project on a channel the size of nixpkgs. They use
// the test stand-in for nixpkgs (test/fixtures/_lib), so setup.sh, a setup hook and a package
// on PATH make the capture do what it does for real.
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { fixturesDir, nixTool } from '../support/nixEnv';

export const importedFiles = 1500;
/** The package files of the nixpkgs-sized channel, every one evaluated by its project's shell. */
export const channelFiles = 2000;

export interface BenchProject {
  readonly name: string;
  readonly kind: 'file' | 'flake';
  readonly dir: string;
  /** The .nix file (file projects) or the flake's directory. */
  readonly target: string;
  /** What the project needs in the environment besides the bench's own (its NIX_PATH). */
  readonly env?: Readonly<Record<string, string>>;
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

/**
 * A project whose shell evaluates about as much as one on real nixpkgs: `<benchpkgs>` is a
 * store path, as a channel is, holding the stand-in nixpkgs and `channelFiles` package files
 * that each compute a little; the shell evaluates them all. Evaluation reads thousands of
 * files, none of them a cache input (they are in the store), and takes a few hundred ms.
 */
async function channelProject(root: string, lib: string, env: Record<string, string>) {
  const channel = path.join(root, 'benchpkgs');
  await cp(lib, channel, { recursive: true });
  await mkdir(path.join(channel, 'pkgs'));
  await Promise.all(
    Array.from({ length: channelFiles }, (_, i) =>
      writeFile(
        path.join(channel, 'pkgs', `p${i}.nix`),
        `{ n }: let xs = builtins.genList (i: i * n) 1000; in { value = builtins.foldl' builtins.add 0 xs; name = "pkg-\${toString n}"; }\n`,
      ),
    ),
  );
  const { stdout: storePath } = await execa(nixTool('nix-store'), ['--add', channel], { env });
  const name = 'channel-file';
  const dir = path.join(root, name);
  await mkdir(dir);
  const file = path.join(dir, 'shell.nix');
  const catalogue = `(builtins.genList (n: import (<benchpkgs/pkgs> + "/p\${toString n}.nix") { inherit n; }) ${channelFiles})`;
  await writeFile(file, `let pkgs = import <benchpkgs> { }; in\n${shellBody(catalogue)}\n`);
  return {
    name,
    kind: 'file' as const,
    dir,
    target: file,
    env: { NIX_PATH: `benchpkgs=${storePath.trim()}` },
  };
}

/** The five projects, plus the stand-in nixpkgs they share, under `root`. */
export async function benchProjects(
  root: string,
  env: Record<string, string>,
): Promise<BenchProject[]> {
  const lib = path.join(root, 'lib');
  await cp(path.join(fixturesDir, '_lib'), lib, { recursive: true });
  return [
    await fileProject(root, lib, 'large-file', importedFiles),
    await fileProject(root, lib, 'small-file', 0),
    await flakeProject(root, lib, 'large-flake', importedFiles),
    await flakeProject(root, lib, 'small-flake', 0),
    await channelProject(root, lib, env),
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
