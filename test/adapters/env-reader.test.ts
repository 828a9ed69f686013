import { EnvReader } from '@pushline/adapters/system';
import { loadConfig } from '@pushline/server';
import { loadDevConfig } from '@pushline/local/dev';
import { describe, expect, it } from 'vitest';

describe('EnvReader', () => {
  it('reads trimmed values, treats blank as unset, and checks integers and choices', () => {
    const vars = new EnvReader({ A: '  x ', B: '', N: '42', M: 'blue' });
    expect(vars.string('A')).toBe('x');
    expect(vars.string('B')).toBeNull();
    expect(vars.integer('N', 1, 0, 100)).toBe(42);
    expect(vars.integer('MISSING', 7, 0, 100)).toBe(7);
    expect(vars.oneOf('M', ['red', 'blue'], 'red')).toBe('blue');
    expect(() => {
      vars.throwIfInvalid();
    }).not.toThrow();
  });

  it('names every invalid variable in one error', () => {
    const vars = new EnvReader({ N: '3.5', M: 'green' });
    expect(vars.integer('N', 1, 0, 10)).toBe(1);
    expect(vars.oneOf('M', ['red', 'blue'], 'red')).toBe('red');
    vars.problem('X is required');
    expect(() => {
      vars.throwIfInvalid();
    }).toThrow(
      "invalid configuration:\n  - N must be an integer from 0 to 10, got '3.5'\n  - M must be one of red, blue, got 'green'\n  - X is required",
    );
  });

  it('serves the apps: the standalone server and pnpm dev name every bad variable', () => {
    const message = (load: () => unknown): string => {
      try {
        load();
        return '';
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    };
    const server = message(() => loadConfig({ PUSHLINE_PORT: 'x', PUSHLINE_MODE: 'production' }));
    expect(server).toContain("PUSHLINE_PORT must be an integer from 0 to 65535, got 'x'");
    expect(server).toContain('PUSHLINE_JWKS_URL or PUSHLINE_TOKEN_SECRET is required');
    expect(server).toContain('PUSHLINE_API_KEY is required');
    const dev = message(() => loadDevConfig({ PUSHLINE_WS_PORT: '70000', PUSHLINE_LOG_LEVEL: 'loud' }));
    expect(dev).toContain("PUSHLINE_WS_PORT must be an integer from 0 to 65535, got '70000'");
    expect(dev).toContain("PUSHLINE_LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR, SILENT, got 'LOUD'");
    expect(loadDevConfig({ PUSHLINE_LOG_LEVEL: 'warn' }).logLevel).toBe('WARN');
  });
});
