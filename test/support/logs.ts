import { vi } from 'vitest';

/** Structured log lines written to `console` (where Powertools logs with `POWERTOOLS_DEV`). */
export function captureLogs(): { lines: Record<string, unknown>[]; restore(): void } {
  const lines: Record<string, unknown>[] = [];
  const keep = (text: unknown): void => {
    if (typeof text !== 'string') return;
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      // Not one of ours.
    }
  };
  const spies = (['info', 'warn', 'error', 'debug', 'log'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation(keep),
  );
  return {
    lines,
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}
