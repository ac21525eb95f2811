/**
 * Loads the generated grammars into vscode-textmate (the engine VS Code uses) and tokenizes text,
 * for the grammar tests and the snapshot script.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { IGrammar, IOnigLib, IRawGrammar, StateStack } from 'vscode-textmate';

// Both packages are CommonJS bundles whose named exports Node's ESM loader cannot see.
const requireCjs = createRequire(import.meta.url);
const textmate = requireCjs('vscode-textmate') as typeof import('vscode-textmate');
const oniguruma = requireCjs('vscode-oniguruma') as typeof import('vscode-oniguruma');

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CORPUS_DIR = path.join(ROOT, 'test/grammar/corpus');

const GRAMMAR_FILES: Record<string, string> = {
  'source.nix': 'syntaxes/nix.tmLanguage.json',
  'markdown.nix.codeblock': 'syntaxes/nix.markdown.tmLanguage.json',
};

export function readGrammarFile(scopeName: string): IRawGrammar {
  const file = GRAMMAR_FILES[scopeName];
  if (file === undefined) throw new Error(`no grammar file for ${scopeName}`);
  const fullPath = path.join(ROOT, file);
  return textmate.parseRawGrammar(readFileSync(fullPath, 'utf8'), fullPath);
}

let onigLib: Promise<IOnigLib> | undefined;

/** The WASM module can only be loaded once per process, so every registry shares it. */
export function loadOniguruma(): Promise<IOnigLib> {
  onigLib ??= (async () => {
    const wasm = readFileSync(path.join(ROOT, 'node_modules/vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm);
    return {
      createOnigScanner: (sources) => oniguruma.createOnigScanner(sources),
      createOnigString: (text) => oniguruma.createOnigString(text),
    };
  })();
  return onigLib;
}

export interface RegistryOptions {
  /** Extra grammars by scope name, as TextMate JSON text (e.g. a stand-in Markdown host). */
  extraGrammars?: Record<string, string>;
  /** Injection grammars by the scope name they are injected into, like VS Code's `injectTo`. */
  injections?: Record<string, string[]>;
}

export async function loadGrammar(scopeName: string, options: RegistryOptions = {}) {
  const registry = new textmate.Registry({
    onigLib: loadOniguruma(),
    loadGrammar: (name) => {
      const extra = options.extraGrammars?.[name];
      const raw =
        extra !== undefined
          ? textmate.parseRawGrammar(extra, `${name}.json`)
          : name in GRAMMAR_FILES
            ? readGrammarFile(name)
            : null;
      return Promise.resolve(raw);
    },
    getInjections: (name) => options.injections?.[name],
  });
  const grammar = await registry.loadGrammar(scopeName);
  if (grammar === null) throw new Error(`grammar ${scopeName} did not load`);
  return grammar;
}

export interface Token {
  text: string;
  start: number;
  end: number;
  scopes: string[];
}

export interface TokenizedLine {
  text: string;
  tokens: Token[];
}

export function tokenize(grammar: IGrammar, source: string): TokenizedLine[] {
  let state: StateStack = textmate.INITIAL;
  return source.split(/\r?\n/).map((text) => {
    const result = grammar.tokenizeLine(text, state);
    state = result.ruleStack;
    const tokens = result.tokens.map(({ startIndex, endIndex, scopes }) => ({
      text: text.slice(startIndex, endIndex),
      start: startIndex,
      end: Math.min(endIndex, text.length),
      scopes,
    }));
    return { text, tokens };
  });
}

/**
 * One `> source line` per line, then one row per token: its text and its scopes below the root.
 * Plain whitespace is left out so the snapshot stays readable.
 */
export function formatSnapshot(lines: TokenizedLine[]): string {
  const out: string[] = [];
  for (const { text, tokens } of lines) {
    out.push(`> ${text}`.trimEnd());
    for (const token of tokens) {
      const inner = token.scopes.slice(1);
      if (inner.length === 0 && token.text.trim() === '') continue;
      out.push(`  ${JSON.stringify(token.text)} ${inner.join(' ') || '-'}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((file) => file.endsWith('.nix'))
    .sort();
}

export function readCorpus(file: string): string {
  return readFileSync(path.join(CORPUS_DIR, file), 'utf8');
}

export function snapshotPath(corpusFile: string): string {
  return path.join(CORPUS_DIR, `${corpusFile}.snap`);
}
