// Polling with a short, backing-off interval instead of fixed sleeps: the services' own start and
// election time is all a run should wait.

export interface WaitOptions {
  timeoutMs: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Calls `check` until it returns a value other than undefined (done) or throws (fatal), or the
 * timeout passes; then resolves with { ok: false }.
 */
export async function waitFor<T>(check: () => Promise<T | undefined>, opts: WaitOptions): Promise<{ ok: true; value: T } | { ok: false }> {
  const deadline = Date.now() + opts.timeoutMs;
  let delay = opts.firstDelayMs ?? 50;
  for (;;) {
    const value = await check();
    if (value !== undefined) return { ok: true, value };
    if (Date.now() >= deadline) return { ok: false };
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
    // Capped low: a late poll adds to every step of a start sequence, and a poll costs one round trip.
    delay = Math.min(delay * 1.5, opts.maxDelayMs ?? 200);
  }
}
