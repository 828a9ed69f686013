// The demo page, on @pushline/client: the dev stack bundles this file with esbuild when it starts
// and serves it as /app.js. It signs in with the dev token endpoint, lets the client connect
// (with ?token= or the authorize action), reconnect and resume, and shows what the client
// reports: its state, each notification once with its seq (marked when a resume recovered it),
// a reset, and every frame on the wire. It starts an export and downloads it when the
// "export.ready" notification arrives.
import {
  type ClientState,
  type Notification,
  type Position,
  PushlineClient,
  type Reset,
  type Transport,
  webSocketTransport,
} from '@pushline/client';
import { exportPathOf } from './export-link.js';

interface PageConfig {
  wsUrl: string;
}

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no #${id}`);
  return found;
}

const ui = {
  signIn: element('sign-in', HTMLFormElement),
  userId: element('user-id', HTMLInputElement),
  inBand: element('in-band', HTMLInputElement),
  disconnect: element('disconnect', HTMLButtonElement),
  state: element('state', HTMLElement),
  user: element('user', HTMLElement),
  ping: element('ping', HTMLButtonElement),
  export: element('export', HTMLButtonElement),
  downloads: element('downloads', HTMLUListElement),
  notifications: element('notifications', HTMLOListElement),
  frames: element('frames', HTMLOListElement),
};

const config = (await (await fetch('/config.json')).json()) as PageConfig;

let client: PushlineClient | undefined;
/** The token last handed to the client; the export requests send it as a bearer token. */
let token = '';

function log(kind: 'in' | 'out' | 'note', text: string): void {
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = text;
  ui.frames.append(item);
  item.scrollIntoView({ block: 'nearest' });
}

/** The token never reaches the frame log: an authorize frame shows it elided. */
function redacted(data: string): string {
  return token === '' ? data : data.replaceAll(token, '…');
}

/** The browser's WebSocket, with every frame in and out written to the frame log. */
function loggedTransport(): Transport {
  const inner = webSocketTransport(WebSocket);
  return {
    open(url, sink) {
      const socket = inner.open(url, {
        opened: () => {
          sink.opened();
        },
        message: (data) => {
          log('in', data);
          sink.message(data);
        },
        closed: (refused) => {
          log('note', refused ? 'socket refused' : 'socket closed');
          sink.closed(refused);
        },
      });
      return {
        send: (data) => {
          log('out', redacted(data));
          socket.send(data);
        },
        close: () => {
          socket.close();
        },
      };
    },
  };
}

async function fetchToken(userId: string): Promise<string> {
  // Offline, a fetch fails at once, and the client stops after a few failed token() calls: the
  // page waits for the network instead (the client retries as soon as it is back, on `online`).
  if (!navigator.onLine)
    await new Promise((resolve) => {
      addEventListener('online', resolve, { once: true });
    });
  const response = await fetch('/token', { method: 'POST', body: JSON.stringify({ userId }) });
  if (!response.ok) throw new Error(`sign-in failed: HTTP ${String(response.status)}`);
  const body = (await response.json()) as { token: string };
  return body.token;
}

function showState(state: ClientState): void {
  ui.state.textContent = state;
  ui.state.dataset.state = state;
  const ready = state === 'ready';
  ui.ping.disabled = !ready;
  ui.export.disabled = !ready;
  ui.disconnect.disabled = state === 'closed';
  log('note', `state: ${state}`);
}

function showNotification(notification: Notification): void {
  const item = document.createElement('li');
  item.dataset.id = notification.id;
  if (notification.seq !== undefined) item.dataset.seq = String(notification.seq);
  item.textContent = `${notification.seq === undefined ? '-' : String(notification.seq)} ${notification.id} ${JSON.stringify(notification.data)}`;
  if (notification.recovered === true) {
    item.dataset.recovered = 'true';
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = 'recovered';
    item.append(' ', badge);
  }
  ui.notifications.append(item);
  const data = notification.data as { kind?: unknown; exportId?: unknown; url?: unknown } | null;
  if (data?.kind === 'export.ready') showDownload(String(data.exportId), data.url);
}

function showReset(reset: Reset): void {
  // What was missed cannot be replayed (another epoch, too old, too many): an app reloads its
  // state over REST here. The demo says so; the client goes on from the stream's top.
  const item = document.createElement('li');
  item.className = 'reset';
  item.dataset.reason = reset.reason;
  item.textContent = `reset (${reset.reason}): missed notifications could not be recovered; reload to see the current state. Going on after seq ${String(reset.seq)}.`;
  ui.notifications.append(item);
}

function showDownload(exportId: string, url: unknown): void {
  // The token goes only to this page's own export downloads, whatever a notification says.
  const path = exportPathOf(url, location.origin);
  if (path === null) {
    log('note', `ignored a download link that is not one of this site's exports: ${String(url)}`);
    return;
  }
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.href = path;
  link.textContent = `Download export ${exportId}`;
  link.dataset.exportId = exportId;
  link.addEventListener('click', (event) => {
    event.preventDefault();
    void download(path, exportId);
  });
  item.append(link);
  ui.downloads.append(item);
}

async function download(path: string, exportId: string): Promise<void> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    log('note', `download failed: HTTP ${String(response.status)}`);
    return;
  }
  const blob = await response.blob();
  const save = document.createElement('a');
  save.href = URL.createObjectURL(blob);
  save.download = `export-${exportId}.json`;
  save.click();
  URL.revokeObjectURL(save.href);
  log('note', `downloaded export ${exportId} (${String(blob.size)} bytes)`);
}

/** Where this tab keeps a user's position, so that a reload resumes instead of starting afresh. */
const positionKey = (userId: string): string => `pushline.position.${userId}`;

function savedPosition(userId: string): Position | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(positionKey(userId)) ?? 'null') as unknown;
    if (
      typeof value === 'object' &&
      value !== null &&
      'epoch' in value &&
      'seq' in value &&
      typeof value.epoch === 'string' &&
      Number.isSafeInteger(value.seq) &&
      (value.seq as number) >= 0
    )
      return { epoch: value.epoch, seq: value.seq as number };
  } catch {
    // Not JSON: start afresh.
  }
  return undefined;
}

function savePosition(userId: string, position: Position | undefined): void {
  if (position) sessionStorage.setItem(positionKey(userId), JSON.stringify(position));
}

async function signIn(userId: string): Promise<void> {
  let first: string;
  try {
    first = await fetchToken(userId);
  } catch (error) {
    log('note', error instanceof Error ? error.message : String(error));
    return;
  }
  client?.close();
  token = first;
  ui.user.textContent = `as ${userId}`;
  let handedOut = false;
  const saved = savedPosition(userId);
  if (saved) log('note', `resuming from seq ${String(saved.seq)}, saved before the page was reloaded`);
  const next = new PushlineClient({
    url: config.wsUrl,
    // The sign-in's token first; a fresh one whenever the client asks again (refused, expiring).
    token: async () => {
      if (!handedOut) {
        handedOut = true;
        return first;
      }
      token = await fetchToken(userId);
      return token;
    },
    authorizeAt: ui.inBand.checked ? 'in-band' : 'connect',
    transport: loggedTransport(),
    ...(saved ? { position: saved } : {}),
  });
  // The position is saved after the app has shown each notification (and after a reset or a
  // resume), so a reload of the page asks for exactly what it has not shown.
  const save = (): void => {
    savePosition(userId, next.position);
  };
  next.on('state', (state) => {
    showState(state);
    save();
  });
  next.on('notification', (notification) => {
    showNotification(notification);
    save();
  });
  next.on('reset', (reset) => {
    showReset(reset);
    save();
  });
  next.on('error', (error) => {
    log('note', `error ${error.code}: ${error.message}`);
  });
  client = next;
}

ui.signIn.addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn(ui.userId.value.trim());
});

ui.disconnect.addEventListener('click', () => {
  client?.close();
  client = undefined;
});

ui.ping.addEventListener('click', () => {
  client?.request({ action: 'ping', name: ui.userId.value }).then(
    (reply) => {
      log('note', `ping answered: ${JSON.stringify(reply)}`);
    },
    (error: unknown) => {
      log('note', `ping failed: ${error instanceof Error ? error.message : String(error)}`);
    },
  );
});

ui.export.addEventListener('click', () => {
  void (async () => {
    const response = await fetch('/exports', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as { exportId?: string };
    log(
      'note',
      response.ok
        ? `export ${String(body.exportId)} started`
        : `export failed: HTTP ${String(response.status)}`,
    );
  })();
});
