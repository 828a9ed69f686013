// Which URLs the demo page may fetch with the user's bearer token: its own REST API's export
// downloads, nothing else. A notification's `url` is data from whoever sent the notification;
// following it with the token attached would hand the token to any host it names.

const EXPORT_PATH = /^\/exports\/[A-Za-z0-9._~%-]+$/;

/**
 * The same-origin export path `url` names (`/exports/<id>`), or `null` for anything else:
 * another origin, another path, a query, a fragment, credentials, or text that is not a URL.
 *
 * @param url - the `url` field of an `export.ready` notification
 * @param origin - the page's origin, e.g. `http://127.0.0.1:3000`
 */
export function exportPathOf(url: unknown, origin: string): string | null {
  if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//')) return null;
  let parsed: URL;
  try {
    parsed = new URL(url, origin);
  } catch {
    return null;
  }
  if (parsed.origin !== new URL(origin).origin || parsed.username !== '' || parsed.password !== '')
    return null;
  if (parsed.search !== '' || parsed.hash !== '' || url.includes('\\')) return null;
  return EXPORT_PATH.test(parsed.pathname) && parsed.pathname === url ? parsed.pathname : null;
}
