/** Why the guard wants a socket closed. */
export type FrameViolation = 'binary' | 'frameTooLarge' | 'messageTooLarge';

/**
 * Reads the headers of the WebSocket frames a client sends, without unmasking payloads, to
 * enforce what `ws` cannot: API Gateway's 32 KB limit per frame besides its 128 KB limit per
 * message (`ws`'s `maxPayload` bounds only the message), and its refusal of binary data
 * (close 1003). It sees each chunk before `ws` does, so a violation is known before a message
 * reaches a route. After the first violation it stops reading.
 */
export class FrameGuard {
  private readonly header: number[] = [];
  private payloadLeft = 0;
  private messageBytes = 0;
  private messageIsBinary = false;
  private stopped = false;

  constructor(
    private readonly frameLimit: number,
    private readonly messageLimit: number,
  ) {}

  /** Consumes one chunk of the client's byte stream; returns the first violation in it, if any. */
  write(chunk: Buffer): FrameViolation | undefined {
    if (this.stopped) return undefined;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.payloadLeft > 0) {
        const take = Math.min(this.payloadLeft, chunk.length - offset);
        this.payloadLeft -= take;
        offset += take;
        continue;
      }
      this.header.push(chunk[offset] ?? 0);
      offset += 1;
      const violation = this.headerComplete();
      if (violation !== undefined) {
        this.stopped = true;
        return violation;
      }
    }
    return undefined;
  }

  private headerComplete(): FrameViolation | undefined {
    const h = this.header;
    if (h.length < 2) return undefined;
    const b0 = h[0] ?? 0;
    const b1 = h[1] ?? 0;
    const len7 = b1 & 0x7f;
    const extended = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const mask = (b1 & 0x80) !== 0 ? 4 : 0;
    if (h.length < 2 + extended + mask) return undefined;
    let length = len7;
    if (extended === 2) length = ((h[2] ?? 0) << 8) | (h[3] ?? 0);
    if (extended === 8) {
      length = 0;
      for (let i = 2; i < 10; i++) length = length * 256 + (h[i] ?? 0);
    }
    h.length = 0;
    this.payloadLeft = length;
    const opcode = b0 & 0x0f;
    if (opcode >= 0x8) return undefined;
    if (opcode === 0x1 || opcode === 0x2) {
      this.messageBytes = 0;
      this.messageIsBinary = opcode === 0x2;
    }
    if (this.messageIsBinary) return 'binary';
    if (length > this.frameLimit) return 'frameTooLarge';
    this.messageBytes += length;
    if (this.messageBytes > this.messageLimit) return 'messageTooLarge';
    return undefined;
  }
}
