// The demo page: plain browser JavaScript, no build step. It signs in with the dev token
// endpoint, connects (with ?token= or the authorize action), shows every frame, starts an
// export and downloads it when the "export.ready" notification arrives. It reconnects with
// exponential backoff when the socket drops, and resumes after every (re)connect from the last
// position it saw, so what was sent while it had no socket is shown too, once, in order.

import { exportPathOf } from './export-link.js';
import { onNotification } from './stream-position.js';

const $ = (id) => document.getElementById(id);
const config = await (await fetch('/config.json')).json();

let socket = null;
let token = null;
let userId = null;
let wanted = false;
let attempt = 0;
let reconnectTimer = null;
/** The last stream position handled ({ epoch, seq }), kept across sockets and reloads. */
let position = null;
/** A resume is on its way: live notifications wait for its reply. */
let resuming = false;
let waiting = [];
let requests = 0;

const POSITION_KEY = 'pushline.position';

function loadPosition(user) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(POSITION_KEY) ?? 'null');
    return saved?.userId === user ? { epoch: saved.epoch, seq: saved.seq } : null;
  } catch {
    return null;
  }
}

function savePosition() {
  if (position !== null) sessionStorage.setItem(POSITION_KEY, JSON.stringify({ userId, ...position }));
}

function log(kind, text) {
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = text;
  $('frames').append(item);
  item.scrollIntoView({ block: 'nearest' });
}

function setState(state) {
  $('state').textContent = state;
  $('state').dataset.state = state;
  const open = state === 'open';
  $('ping').disabled = !open;
  $('export').disabled = !open;
  $('disconnect').disabled = !wanted;
}

function send(frame) {
  const text = JSON.stringify(frame);
  socket.send(text);
  log('out', text);
}

function connect() {
  clearTimeout(reconnectTimer);
  const inBand = $('in-band').checked;
  const url = inBand ? config.wsUrl : `${config.wsUrl}?token=${encodeURIComponent(token)}`;
  setState(attempt === 0 ? 'connecting' : 'reconnecting');
  socket = new WebSocket(url);
  socket.addEventListener('open', () => {
    attempt = 0;
    setState('open');
    if (inBand) send({ action: 'authorize', token });
    else resume();
  });
  socket.addEventListener('message', (event) => {
    log('in', event.data);
    onFrame(JSON.parse(event.data));
  });
  socket.addEventListener('close', (event) => {
    log('note', `closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`);
    setState('closed');
    if (!wanted) return;
    // Exponential backoff with jitter, capped at 30 s, so a restarting server is not stampeded.
    const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
    attempt += 1;
    log('note', `reconnecting in ${Math.round(delay)} ms`);
    reconnectTimer = setTimeout(connect, delay);
  });
}

/** Asks for what was missed since the last position (or, on a fresh page, for the position). */
function resume() {
  resuming = true;
  requests += 1;
  send(
    position === null
      ? { action: 'resume', requestId: `resume-${requests}` }
      : { action: 'resume', ...position, requestId: `resume-${requests}` },
  );
}

function onFrame(frame) {
  if (frame.type === 'authorized') {
    $('user').textContent = `as ${frame.userId}`;
    resume();
    return;
  }
  if (frame.type === 'resumed') {
    onResumed(frame);
    return;
  }
  if (frame.type !== 'notification') return;
  if (resuming) {
    waiting.push(frame);
    return;
  }
  onLive(frame);
}

function onLive(frame) {
  const next = onNotification(position, frame);
  if (next.action === 'drop') return;
  if (next.action === 'resume') {
    // A gap or a new epoch: the resume reply brings this one too, in order.
    resume();
    return;
  }
  // The position moves before the notification is handled, so a failure there never replays it.
  position = next.position;
  savePosition();
  show(frame);
}

function onResumed(frame) {
  resuming = false;
  if (frame.recovered) {
    for (const notification of frame.notifications) {
      if (position !== null && frame.epoch === position.epoch && notification.seq <= position.seq) continue;
      position = { epoch: frame.epoch, seq: notification.seq };
      savePosition();
      show(notification);
    }
    if (frame.notifications.length > 0)
      log('note', `recovered ${frame.notifications.length} missed notification(s)`);
  } else if (position !== null) {
    // What was missed cannot be replayed (another epoch, too old, too many): an app reloads
    // its state over REST here. The demo says so and goes on from the current position.
    log('note', `could not recover missed notifications (${frame.reason}); reload to see the current state`);
  }
  position = { epoch: frame.epoch, seq: frame.seq };
  savePosition();
  const later = waiting;
  waiting = [];
  for (const notification of later) onLive(notification);
}

function show(notification) {
  const item = document.createElement('li');
  item.dataset.id = notification.id;
  if (notification.seq !== undefined) item.dataset.seq = String(notification.seq);
  item.textContent = `${notification.seq ?? '-'} ${notification.id} ${JSON.stringify(notification.data)}`;
  $('notifications').append(item);
  if (notification.data?.kind === 'export.ready') showDownload(notification.data);
}

function showDownload({ exportId, url }) {
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
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) {
      log('note', `download failed: HTTP ${response.status}`);
      return;
    }
    const blob = await response.blob();
    const save = document.createElement('a');
    save.href = URL.createObjectURL(blob);
    save.download = `export-${exportId}.json`;
    save.click();
    URL.revokeObjectURL(save.href);
    log('note', `downloaded export ${exportId} (${blob.size} bytes)`);
  });
  item.append(link);
  $('downloads').append(item);
}

$('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const user = $('user-id').value.trim();
  const response = await fetch('/token', { method: 'POST', body: JSON.stringify({ userId: user }) });
  if (!response.ok) {
    log('note', `sign-in failed: HTTP ${response.status}`);
    return;
  }
  ({ token } = await response.json());
  if (user !== userId) {
    userId = user;
    position = loadPosition(user);
  }
  $('user').textContent = `as ${user}`;
  wanted = true;
  attempt = 0;
  socket?.close();
  connect();
});

$('disconnect').addEventListener('click', () => {
  wanted = false;
  clearTimeout(reconnectTimer);
  socket?.close(1000, 'bye');
});

$('ping').addEventListener('click', () => send({ action: 'ping', name: $('user-id').value }));

$('export').addEventListener('click', async () => {
  const response = await fetch('/exports', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const body = await response.json();
  log('note', response.ok ? `export ${body.exportId} started` : `export failed: HTTP ${response.status}`);
});
