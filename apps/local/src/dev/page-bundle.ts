import { buildSync } from 'esbuild';

/** A file built in memory for the demo page. */
export interface BundledFile {
  readonly contentType: string;
  readonly content: Uint8Array;
}

/**
 * Bundles each browser entry (URL path → TypeScript file) with esbuild, once, in memory: the
 * demo page's script and the `@pushline/client` it imports, as an app's build would, with no
 * build step for whoever runs `pnpm dev`. A type or import error fails the stack's start.
 */
export function bundlePageScripts(
  entries: Readonly<Record<string, string>>,
): ReadonlyMap<string, BundledFile> {
  const files = new Map<string, BundledFile>();
  for (const [path, entry] of Object.entries(entries)) {
    // buildSync runs esbuild once and waits for it: the async API would leave esbuild's service
    // process running, and the dev stack's stop reports any child process still alive.
    const result = buildSync({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      sourcemap: 'inline',
      write: false,
      logLevel: 'silent',
    });
    const [output] = result.outputFiles;
    if (output === undefined) throw new Error(`esbuild wrote nothing for ${entry}`);
    files.set(path, { contentType: 'text/javascript; charset=utf-8', content: output.contents });
  }
  return files;
}
