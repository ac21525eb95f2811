import * as vscode from 'vscode';

/** A quick pick shown at once while its items are still being listed. */
export interface ListingPick<T extends vscode.QuickPickItem> {
  readonly pick: vscode.QuickPick<T>;
  /** Aborted when the pick closes or is disposed: stops the listing (a `nix eval`) behind it. */
  readonly signal: AbortSignal;
  /** The accepted item; undefined when the pick was closed without one. */
  readonly chosen: Promise<T | undefined>;
  dispose(): void;
}

/**
 * Shows a quick pick before its items are known (busy until the caller says otherwise), so a
 * slow listing never hides that something is coming; closing it cancels the listing.
 */
export function showListingPick<T extends vscode.QuickPickItem>(
  placeholder: string,
  items: readonly T[] = [],
): ListingPick<T> {
  const pick = vscode.window.createQuickPick<T>();
  pick.placeholder = placeholder;
  pick.items = items;
  pick.busy = true;
  pick.show();
  const listing = new AbortController();
  const chosen = new Promise<T | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]));
    pick.onDidHide(() => {
      listing.abort();
      resolve(undefined);
    });
  });
  return {
    pick,
    signal: listing.signal,
    chosen,
    dispose: () => {
      listing.abort();
      pick.dispose();
    },
  };
}
