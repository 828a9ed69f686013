import { TokenBucket } from '@pushline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('TokenBucket', () => {
  it('allows a burst, then one token per 1/rate seconds', () => {
    const bucket = new TokenBucket(2, 3, 0);
    expect([0, 0, 0, 0].map((t) => bucket.tryTake(t))).toEqual([true, true, true, false]);
    expect(bucket.tryTake(499)).toBe(false);
    expect(bucket.tryTake(500)).toBe(true);
    expect(bucket.tryTake(500)).toBe(false);
  });

  it('never saves up more than the burst', () => {
    const bucket = new TokenBucket(10, 2, 0);
    const taken = [60_000, 60_000, 60_000].map((t) => bucket.tryTake(t));
    expect(taken).toEqual([true, true, false]);
  });

  it('refills nothing when the clock steps back', () => {
    const bucket = new TokenBucket(1, 1, 10_000);
    expect(bucket.tryTake(10_000)).toBe(true);
    expect(bucket.tryTake(5_000)).toBe(false);
    expect(bucket.tryTake(10_999)).toBe(false);
    expect(bucket.tryTake(11_000)).toBe(true);
  });

  it('refuses a rate or burst that cannot work', () => {
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, 0)).toThrow(RangeError);
  });

  it('never lets more than burst + rate × elapsed frames through', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { maxLength: 300 }),
        (rate, burst, gaps) => {
          const bucket = new TokenBucket(rate, burst, 0);
          let now = 0;
          let taken = 0;
          for (const gap of gaps) {
            now += gap;
            if (bucket.tryTake(now)) taken += 1;
          }
          expect(taken).toBeLessThanOrEqual(burst + Math.floor((rate * now) / 1000));
        },
      ),
      { numRuns: 200 },
    );
  });
});
