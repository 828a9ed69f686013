// The demo page: plain browser JavaScript, no build step. It signs in with the dev token
// endpoint, connects (with ?token= or the authorize action), shows every frame, starts an
// export and downloads it when the "export.ready" notification arrives. It reconnects with
// exponential backoff when the socket drops.

const $ = (id) => document.getElementById(id);
const config = await (await fetch('/config.json')).json();

let socket = null;
let token = null;
let wanted = false;
let attempt = 0;
let reconnectTimer = null;
const seen = new Set();

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

function onFrame(frame) {
  if (frame.type === 'authorized') $('user').textContent = `as ${frame.userId}`;
  if (frame.type !== 'notification') return;
  // Delivery is at least once: a notification id seen before is shown once.
  if (seen.has(frame.id)) return;
  seen.add(frame.id);
  if (frame.data?.kind === 'export.ready') showDownload(frame.data);
}

function showDownload({ exportId, url }) {
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.href = url;
  link.textContent = `Download export ${exportId}`;
  link.dataset.exportId = exportId;
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
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
  const userId = $('user-id').value.trim();
  const response = await fetch('/token', { method: 'POST', body: JSON.stringify({ userId }) });
  if (!response.ok) {
    log('note', `sign-in failed: HTTP ${response.status}`);
    return;
  }
  ({ token } = await response.json());
  $('user').textContent = `as ${userId}`;
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
