import type { Authorization, TokenVerifier } from '@pushline/core';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ServerConfig } from './config.js';
import { describeError } from './describe-error.js';
import { Session, type SessionServices } from './session.js';

/**
 * Largest message `ws` accepts before closing with 1009. Frames up to this size but over
 * the protocol's 128 KiB get a `PAYLOAD_TOO_LARGE` error frame and the socket stays open;
 * the hard cap keeps one client from making the server buffer without bound.
 */
const MAX_INBOUND_MESSAGE_BYTES = 1024 * 1024;

/** What the handshake needs: the sessions' services, the token verifier and the auth mode. */
export interface UpgradeServices extends SessionServices {
  readonly verifier: TokenVerifier;
  readonly authMode: ServerConfig['authMode'];
}

/** The handshake of the standalone server: an HTTP `upgrade` listener, and what it holds. */
export interface Upgrade {
  /** For the HTTP server's `upgrade` event. */
  readonly listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Stops the `ws` server (it tracks no clients: the session registry does). */
  close(): Promise<void>;
}

/**
 * The upgrade and auth handshake: only `/` upgrades (404 otherwise); a `?token=` is verified
 * before the upgrade (401 when bad, or when absent in auth mode `connect`); an accepted socket
 * becomes a {@link Session}.
 */
export function createUpgrade(services: UpgradeServices): Upgrade {
  const { logger, verifier } = services;
  // The session registry is the one record of open sockets: ws's own tracking is off.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_INBOUND_MESSAGE_BYTES,
    clientTracking: false,
  });

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/') {
      refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    const token = url.searchParams.get('token');
    const path = loggablePath(url);
    let user: Authorization | null = null;
    if (token !== null && token !== '') {
      const verified = await verifier.verify(token);
      if (!verified.ok) {
        logger.info('connect', { code: 'UNAUTHORIZED', reason: verified.error.message, path });
        refuseUpgrade(socket, 401, 'Unauthorized');
        return;
      }
      user = verified.value;
    } else if (services.authMode === 'connect') {
      logger.info('connect', { code: 'UNAUTHORIZED', reason: 'no token', path });
      refuseUpgrade(socket, 401, 'Unauthorized');
      return;
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(request, socket, head, (ws) => {
      new Session(services, newConnectionId(), ws, request.socket.remoteAddress ?? null).open(user, path);
    });
  }

  return {
    listener(request, socket, head) {
      socket.on('error', destroySocket);
      upgrade(request, socket, head).catch((error: unknown) => {
        logger.error('connect', { code: 'INTERNAL', error: describeError(error) });
        refuseUpgrade(socket, 500, 'Internal Server Error');
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        wss.close(() => {
          resolve();
        });
      }),
  };
}

/** AWS-shaped connection ids: 15 URL-safe base64 characters and `=`. */
function newConnectionId(): string {
  return `${randomBytes(11).toString('base64url')}=`;
}

/** A shared `error` listener for upgrading TCP sockets (no closure per socket). */
function destroySocket(this: Duplex): void {
  this.destroy();
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The request's path and query for a log line, with every query value replaced: a token in a
 * URL (`?token=`) would otherwise reach every log store the line goes to, usable until it expires.
 */
function loggablePath(url: URL): string {
  if (url.search === '') return url.pathname;
  const names = [...new Set(url.searchParams.keys())];
  return `${url.pathname}?${names.map((name) => `${encodeURIComponent(name)}=REDACTED`).join('&')}`;
}
