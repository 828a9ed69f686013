// The standalone server's delivery metrics: one Prometheus counter per outcome, a latency
// histogram, served on GET /metrics behind the API key, counted by real deliveries.
import { DELIVERY_METRICS, DELIVERY_OUTCOMES, MAX_PAYLOAD_BYTES } from '@pushline/core';
import { loadConfig, type PushlineServer, startServer } from '@pushline/server';
import {
  LATENCY_BUCKETS_SECONDS,
  PROMETHEUS_CONTENT_TYPE,
  PROMETHEUS_COUNTERS,
  PROMETHEUS_LATENCY,
  ServerMetrics,
} from '@pushline/server/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, TestClient } from '../../../bench/support/ws-client.js';

const API_KEY = 'metrics-test-api-key-0123456789';
const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

const servers: PushlineServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Samples of a Prometheus text page: `name{labels}` to value. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    found.set(match[1]!, Number(match[2]));
  }
  return found;
}

async function scrape(server: PushlineServer, apiKey: string | null = API_KEY): Promise<Response> {
  return fetch(`${server.httpUrl}/metrics`, {
    headers: apiKey === null ? {} : { authorization: `Bearer ${apiKey}` },
  });
}

describe('standalone server: delivery metrics', () => {
  it('has exactly one counter per outcome, named after its CloudWatch metric', () => {
    const names = DELIVERY_OUTCOMES.map((outcome) => PROMETHEUS_COUNTERS[outcome]);
    expect(new Set(names).size).toBe(DELIVERY_OUTCOMES.length);
    expect(PROMETHEUS_COUNTERS.TRANSIENT_FAILURE).toBe('pushline_pushes_throttled_total');
    expect(PROMETHEUS_LATENCY).toBe('pushline_enqueue_to_push_latency_seconds');
    for (const outcome of DELIVERY_OUTCOMES) {
      const metrics = new ServerMetrics();
      metrics.count(outcome, 2);
      const counted = [...samples(metrics.render())].filter(
        ([name, value]) => name.endsWith('_total') && value > 0,
      );
      expect(counted).toEqual([[PROMETHEUS_COUNTERS[outcome], 2]]);
      expect(PROMETHEUS_COUNTERS[outcome]).toContain(
        DELIVERY_METRICS[outcome].replace(/(?<=[a-z])([A-Z])/g, '_$1').toLowerCase(),
      );
    }
  });

  it('renders the text format: HELP and TYPE for each family, a cumulative histogram', () => {
    const metrics = new ServerMetrics();
    metrics.observeLatency(3);
    metrics.observeLatency(40);
    metrics.observeLatency(60_000);
    const text = metrics.render();
    expect(text.endsWith('\n')).toBe(true);
    for (const name of [...Object.values(PROMETHEUS_COUNTERS), PROMETHEUS_LATENCY]) {
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toMatch(new RegExp(`# TYPE ${name} (counter|histogram)\n`));
    }
    const page = samples(text);
    expect(page.get(`${PROMETHEUS_LATENCY}_bucket{le="0.001"}`)).toBe(0);
    expect(page.get(`${PROMETHEUS_LATENCY}_bucket{le="0.005"}`)).toBe(1);
    expect(page.get(`${PROMETHEUS_LATENCY}_bucket{le="0.05"}`)).toBe(2);
    expect(page.get(`${PROMETHEUS_LATENCY}_bucket{le="${String(LATENCY_BUCKETS_SECONDS.at(-1))}"}`)).toBe(2);
    expect(page.get(`${PROMETHEUS_LATENCY}_bucket{le="+Inf"}`)).toBe(3);
    expect(page.get(`${PROMETHEUS_LATENCY}_count`)).toBe(3);
    expect(page.get(`${PROMETHEUS_LATENCY}_sum`)).toBeCloseTo(60.043, 6);
  });

  it('serves GET /metrics only with the API key, and counts what the server delivered and resumed', async () => {
    const config = loadConfig({
      PUSHLINE_PORT: '0',
      PUSHLINE_TOKEN_SECRET: SECRET,
      PUSHLINE_API_KEY: API_KEY,
    });
    const server = await startServer(config, { logLevel: 'SILENT' });
    servers.push(server);
    expect((await scrape(server, null)).status).toBe(401);
    expect((await scrape(server, 'wrong-key')).status).toBe(401);

    const tokenResponse = await fetch(`${server.httpUrl}/token`, {
      method: 'POST',
      body: JSON.stringify({ userId: 'alice' }),
    });
    const { token } = (await tokenResponse.json()) as { token: string };
    const client = await TestClient.connect(`${server.url}?token=${token}`);
    clients.push(client);
    const notify = (data: unknown): Promise<Response> =>
      fetch(`${server.httpUrl}/notify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}` },
        body: JSON.stringify({ userId: 'alice', data }),
      });
    expect((await notify({ n: 1 })).status).toBe(202);
    expect((await notify({ n: 2 })).status).toBe(202);
    expect((await notify('x'.repeat(MAX_PAYLOAD_BYTES))).status).toBe(413);
    await client.waitForFrames(2);
    expect(await client.request({ action: 'resume', epoch: 'an-epoch-long-gone', seq: 1 })).toMatchObject({
      type: 'resumed',
      recovered: false,
      reason: 'STREAM_RESET',
    });
    expect(await client.request({ action: 'resume' })).toMatchObject({ type: 'resumed', recovered: true });

    let page = new Map<string, number>();
    await eventually(
      async () => {
        const response = await scrape(server);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
        page = samples(await response.text());
        return page.get(PROMETHEUS_COUNTERS.PUSHED) === 2;
      },
      5000,
      'two pushes counted',
    );
    expect(page.get(PROMETHEUS_COUNTERS.ACCEPTED)).toBe(2);
    expect(page.get(PROMETHEUS_COUNTERS.PAYLOAD_TOO_LARGE)).toBe(1);
    expect(page.get(PROMETHEUS_COUNTERS.CONNECTION_GONE)).toBe(0);
    expect(page.get(PROMETHEUS_COUNTERS.DEAD_LETTERED)).toBe(0);
    expect(page.get(PROMETHEUS_COUNTERS.RESUME_RECOVERED)).toBe(1);
    expect(page.get(PROMETHEUS_COUNTERS.RESUME_NOT_RECOVERED)).toBe(1);
    expect(page.get(`${PROMETHEUS_LATENCY}_count`)).toBe(2);
  });
});
