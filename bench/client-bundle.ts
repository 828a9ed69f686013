// Bundle size of @pushline/client beside the peers' browser clients, measured in the same run the
// same way (issue 13): esbuild --bundle --minify --format=esm --platform=browser
// --target=es2020 of a one-line usage, then gzip -9. Run: `pnpm bench:client-bundle`.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** One line of real usage per client, so tree shaking keeps what an app would ship. */
export const USAGES: Record<string, string> = {
  '@pushline/client': `import { PushlineClient } from '@pushline/client'; new PushlineClient({ url: 'wss://x.example/p', token: () => fetch('/token').then((r) => r.text()) }).on('notification', console.log);`,
  'socket.io-client': `import { io } from 'socket.io-client'; io('wss://x.example').on('notification', console.log);`,
  centrifuge: `import { Centrifuge } from 'centrifuge'; new Centrifuge('wss://x.example/connection/websocket').on('publication', console.log).connect();`,
  'pusher-js': `import Pusher from 'pusher-js'; new Pusher('key', { cluster: 'eu' }).subscribe('c').bind('n', console.log);`,
};

/** The six-KiB budget of issue 13. */
export const CLIENT_BUDGET_BYTES = 6 * 1024;

export interface BundleSize {
  name: string;
  minifiedBytes: number;
  gzippedBytes: number;
}

/** Minified and gzip -9 sizes of each usage. */
export async function measureClientBundles(): Promise<BundleSize[]> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const sizes: BundleSize[] = [];
  for (const [name, contents] of Object.entries(USAGES)) {
    const result = await build({
      stdin: { contents, resolveDir: root, loader: 'ts' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    sizes.push({ name, minifiedBytes: code.length, gzippedBytes: gzipSync(code, { level: 9 }).length });
  }
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await measureClientBundles();
  const kib = (bytes: number) => (bytes / 1024).toFixed(1);
  console.log('client                 minified KiB   min+gzip KiB');
  for (const size of sizes)
    console.log(
      `${size.name.padEnd(22)} ${kib(size.minifiedBytes).padStart(12)} ${kib(size.gzippedBytes).padStart(14)}`,
    );
  const ours = sizes[0]!;
  const verdict = ours.gzippedBytes <= CLIENT_BUDGET_BYTES ? 'within' : 'OVER';
  console.log(
    `@pushline/client: ${ours.gzippedBytes} bytes min+gzip, ${verdict} the ${CLIENT_BUDGET_BYTES}-byte budget`,
  );
  if (ours.gzippedBytes > CLIENT_BUDGET_BYTES) process.exitCode = 1;
}
