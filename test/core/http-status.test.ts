import { CLIENT_ERROR_CODES, HTTP_STATUS_OF_ERROR, httpStatusOf } from '@pushline/core';
import { describe, expect, it } from 'vitest';

describe('httpStatusOf', () => {
  it('answers each code with its status', () => {
    expect(httpStatusOf('UNAUTHORIZED')).toBe(401);
    expect(httpStatusOf('BAD_REQUEST')).toBe(400);
    expect(httpStatusOf('EXPORT_NOT_FOUND')).toBe(404);
    expect(httpStatusOf('NOT_FOUND')).toBe(404);
    expect(httpStatusOf('PAYLOAD_TOO_LARGE')).toBe(413);
    expect(httpStatusOf('RATE_LIMITED')).toBe(429);
    expect(httpStatusOf('TRANSIENT_FAILURE')).toBe(503);
  });

  it('maps every client-visible code to an error status', () => {
    for (const code of CLIENT_ERROR_CODES) expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
  });

  it('answers 500 for a code it does not know, including inherited property names', () => {
    expect(httpStatusOf('SOMETHING_ELSE')).toBe(500);
    expect(httpStatusOf('toString')).toBe(500);
    expect(httpStatusOf('__proto__')).toBe(500);
  });

  it('uses only 4xx and 5xx statuses', () => {
    for (const status of Object.values(HTTP_STATUS_OF_ERROR)) {
      expect(status >= 400 && status < 600).toBe(true);
    }
  });
});
