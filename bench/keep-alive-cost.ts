// Keep-alive cost on AWS per connection-hour (issue 13): @pushline/client's default interval
// (a ping after 8 minutes without sending) against a 5-minute ping, on the Lambda ping route
// on a two-way MOCK route and on a one-way MOCK route, beside the connection minutes. Run: `pnpm bench:keep-alive`.
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS } from './support/client-simulation.js';
import { KEEP_ALIVE_ROUTES, keepAliveCost } from './cost.js';

export interface KeepAliveRow {
  route: string;
  intervalMs: number;
  /** USD per million connection-hours. */
  keepAlive: number;
  connectionMinutes: number;
  /** USD a month for 10,000 connections that stay up (730 hours). */
  monthlyFor10k: number;
}

export function keepAliveRows(): KeepAliveRow[] {
  const rows: KeepAliveRow[] = [];
  for (const intervalMs of [300_000, DEFAULT_SETTINGS.keepAliveMs])
    for (const [route, each] of Object.entries(KEEP_ALIVE_ROUTES)) {
      const { keepAlive, connectionMinutes } = keepAliveCost(intervalMs, each);
      rows.push({
        route,
        intervalMs,
        keepAlive,
        connectionMinutes,
        monthlyFor10k: ((keepAlive + connectionMinutes) * 10_000 * 730) / 1e6,
      });
    }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(
    'route                    interval   keep-alive $/M conn-h   + connection minutes $/M   10,000 always-on, $/month',
  );
  for (const row of keepAliveRows())
    console.log(
      `${row.route.padEnd(24)} ${`${row.intervalMs / 60_000} min`.padStart(8)} ${row.keepAlive.toFixed(2).padStart(23)} ${row.connectionMinutes.toFixed(2).padStart(26)} ${row.monthlyFor10k.toFixed(0).padStart(27)}`,
    );
}
