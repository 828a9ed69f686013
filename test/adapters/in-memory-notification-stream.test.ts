import { InMemoryNotificationStream, ManualClock } from '@pushline/adapters/memory';
import { describe, expect, it } from 'vitest';
import { describeNotificationStreamContract } from '../contracts/notification-stream.contract.js';

const RETENTION_MS = 60_000;

describeNotificationStreamContract('InMemoryNotificationStream', () => {
  const clock = new ManualClock(1_764_000_000_000);
  return Promise.resolve({
    stream: new InMemoryNotificationStream({ clock, retentionMs: RETENTION_MS }),
    clock,
    retentionMs: RETENTION_MS,
    dispose: () => Promise.resolve(),
  });
});

describe('InMemoryNotificationStream', () => {
  it('keeps at most maxPerUser notifications, and says TOO_OLD before them', async () => {
    const stream = new InMemoryNotificationStream({ clock: new ManualClock(0), maxPerUser: 2 });
    let epoch = '';
    for (const id of ['a', 'b', 'c']) epoch = (await stream.append('u', { id, data: id })).epoch;
    expect(await stream.readSince('u', { epoch, seq: 0 })).toEqual({
      recovered: false,
      epoch,
      seq: 3,
      reason: 'TOO_OLD',
    });
    const read = await stream.readSince('u', { epoch, seq: 1 });
    expect(read.recovered && read.notifications.map((n) => n.id)).toEqual(['b', 'c']);
  });

  it('gives another instance (a restarted server) another epoch', async () => {
    const clock = new ManualClock(0);
    const before = await new InMemoryNotificationStream({ clock }).append('u', { id: 'a', data: 1 });
    const after = new InMemoryNotificationStream({ clock });
    const read = await after.readSince('u', { epoch: before.epoch, seq: 1 });
    expect(read).toEqual({ recovered: false, epoch: read.epoch, seq: 0, reason: 'STREAM_RESET' });
    expect(read.epoch).not.toBe(before.epoch);
  });
});
