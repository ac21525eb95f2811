/**
 * What the language server is told about its settings. nixd asks `workspace/configuration`
 * for the section `nixd` (after `initialized` and after each `workspace/didChangeConfiguration`),
 * nil for `nil`; `nixShell.languageServerSettings` holds both, as Nix IDE's `nix.serverSettings`
 * does. No `vscode` here: it is unit-tested in plain Node.
 */

export type ServerKind = 'nixd' | 'nil';

export type SettingsObject = Readonly<Record<string, unknown>>;

export interface InjectedSettings {
  /** The pinned nixpkgs, for nixd's package and option completion. */
  readonly nixpkgsExpr?: string | undefined;
}

/**
 * The user's settings with what Nix Shell knows added: nixd gets `nixpkgs.expr` pointing at
 * the pinned nixpkgs, unless the user set one (theirs wins).
 */
export function effectiveSettings(
  kind: ServerKind,
  user: SettingsObject,
  injected: InjectedSettings,
): Record<string, unknown> {
  // A JSON copy: settings are JSON, and VS Code hands them out as read-only proxies, which
  // structuredClone refuses.
  const settings = JSON.parse(JSON.stringify(isObject(user) ? user : {})) as Record<
    string,
    unknown
  >;
  if (kind === 'nixd' && injected.nixpkgsExpr !== undefined) {
    const nixd = objectAt(settings, 'nixd');
    const nixpkgs = objectAt(nixd, 'nixpkgs');
    nixpkgs['expr'] ??= injected.nixpkgsExpr;
  }
  return settings;
}

/**
 * The answer to `workspace/configuration`: one value per item, in order. A section is a
 * dotted path (`nixd`, `nixd.formatting`); no section means everything; a missing one is null.
 */
export function configurationAnswers(
  items: readonly { readonly section?: string | undefined }[],
  settings: SettingsObject,
): unknown[] {
  return items.map((item) => {
    if (!item.section) return settings;
    let value: unknown = settings;
    for (const key of item.section.split('.')) {
      value = isObject(value) ? value[key] : undefined;
    }
    return value ?? null;
  });
}

function objectAt(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = parent[key];
  if (isObject(existing)) return existing;
  const created: Record<string, unknown> = {};
  parent[key] = created;
  return created;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
