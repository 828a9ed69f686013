// FrameGuard reads client frame headers across arbitrary chunk boundaries: it must report the
// first binary frame, the first frame over the frame limit and the first message over the
// message limit, exactly where a reference model says, however the byte stream is split.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameGuard, type FrameViolation } from '../../../apps/local/src/frame-guard.js';

const FRAME_LIMIT = 100;
const MESSAGE_LIMIT = 250;

interface Frame {
  readonly opcode: number;
  readonly fin: boolean;
  readonly length: number;
  readonly longForm: boolean;
}

/** A client frame: masked, with a 7-, 16- or 64-bit length. */
function encode({ opcode, fin, length, longForm }: Frame): Buffer {
  const head: number[] = [(fin ? 0x80 : 0) | opcode];
  if (longForm) head.push(0x80 | 127, 0, 0, 0, 0, 0, 0, (length >> 8) & 0xff, length & 0xff);
  else if (length < 126) head.push(0x80 | length);
  else head.push(0x80 | 126, (length >> 8) & 0xff, length & 0xff);
  return Buffer.concat([Buffer.from([...head, 1, 2, 3, 4]), Buffer.alloc(length, 0x61)]);
}

/** One message as frames, with pings between fragments. */
const message = fc
  .record({
    binary: fc.boolean(),
    sizes: fc.array(fc.integer({ min: 0, max: 140 }), { minLength: 1, maxLength: 4 }),
    pings: fc.array(fc.integer({ min: 0, max: 125 }), { maxLength: 2 }),
    longForm: fc.boolean(),
  })
  .map(({ binary, sizes, pings, longForm }) => {
    const frames: Frame[] = [];
    sizes.forEach((length, i) => {
      frames.push({ opcode: i === 0 ? (binary ? 2 : 1) : 0, fin: i === sizes.length - 1, length, longForm });
      const ping = pings[i];
      if (ping !== undefined && i < sizes.length - 1)
        frames.push({ opcode: 9, fin: true, length: ping, longForm: false });
    });
    return frames;
  });

/** The reference: the first violation in frame order. */
function expected(frames: readonly Frame[]): FrameViolation | undefined {
  let total = 0;
  let binary = false;
  for (const frame of frames) {
    if (frame.opcode >= 8) continue;
    if (frame.opcode !== 0) {
      total = 0;
      binary = frame.opcode === 2;
    }
    if (binary) return 'binary';
    if (frame.length > FRAME_LIMIT) return 'frameTooLarge';
    total += frame.length;
    if (total > MESSAGE_LIMIT) return 'messageTooLarge';
  }
  return undefined;
}

describe('FrameGuard', () => {
  it('reports the first violation of the stream, wherever chunks split it', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        (messages, cuts) => {
          const frames = messages.flat();
          const stream = Buffer.concat(frames.map(encode));
          const guard = new FrameGuard(FRAME_LIMIT, MESSAGE_LIMIT);
          let seen: FrameViolation | undefined;
          let offset = 0;
          let cut = 0;
          while (offset < stream.length && seen === undefined) {
            const size = cuts[cut % cuts.length] ?? 1;
            cut += 1;
            seen = guard.write(stream.subarray(offset, offset + size));
            offset += size;
          }
          expect(seen).toBe(expected(frames));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('stops reading after the first violation', () => {
    const guard = new FrameGuard(FRAME_LIMIT, MESSAGE_LIMIT);
    const binary = encode({ opcode: 2, fin: true, length: 1, longForm: false });
    expect(guard.write(binary)).toBe('binary');
    expect(guard.write(binary)).toBeUndefined();
  });
});
