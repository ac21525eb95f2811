import { NixShellError } from '../errors';
import { redact } from '../redact';

/** fetch() with our error kinds: cancelled on abort, fetch-failed with the network's reason. */
export async function httpRequest(
  url: string,
  init: RequestInit & { signal?: AbortSignal | undefined },
  timeoutMs = 60_000,
): Promise<Response> {
  const signals = [AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])];
  try {
    return await fetch(url, { ...init, signal: AbortSignal.any(signals) });
  } catch (error) {
    if (init.signal?.aborted) throw new NixShellError('cancelled', `${redact(url)} was cancelled`);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new NixShellError('fetch-failed', `${redact(url)}: ${reason}`, {
      cause: error,
    });
  }
}

/** Best-effort steps swallow errors; a cancellation must still stop the operation. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new NixShellError('cancelled', 'cancelled');
}

export function httpStatusError(url: string, response: Response): NixShellError {
  return new NixShellError(
    'fetch-failed',
    `${redact(url)}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
  );
}
