// The small pieces of transport plumbing that every app, test and benchmark shares.
import { once } from 'node:events';
import { Agent, createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { bearerToken, closeServer, listen, readBody, urlHost } from '@pushline/adapters/system';
import { rawDataBytes, rawDataText } from '@pushline/adapters/ws';
import { describe, expect, it } from 'vitest';

describe('rawDataText and rawDataBytes (a ws message, in any of the forms ws delivers)', () => {
  const text = 'héllo, 世界';
  const bytes = Buffer.from(text, 'utf8');

  it.each([
    ['one Buffer', bytes],
    ['fragments (Buffer[])', [bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9)]],
    ['an ArrayBuffer', bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)],
  ])('reads %s', (_, data) => {
    expect(rawDataText(data)).toBe(text);
    expect(rawDataBytes(data).equals(bytes)).toBe(true);
  });

  it('joins a multi-byte character split across fragments', () => {
    const euro = Buffer.from('€', 'utf8');
    expect(rawDataText([euro.subarray(0, 1), euro.subarray(1)])).toBe('€');
  });
});

describe('bearerToken (an Authorization header value)', () => {
  it.each([
    ['Bearer abc.def', 'abc.def'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
  ])('reads %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([[undefined], [''], ['Bearer'], ['Bearer '], ['Basic abc'], ['Bearer a b'], ['xBearer abc']])(
    'finds no token in %j',
    (header) => {
      expect(bearerToken(header)).toBeNull();
    },
  );
});

describe('urlHost (the host a client names to reach a server listening on a host)', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['localhost', 'localhost'],
    ['::1', '[::1]'],
    ['0.0.0.0', '127.0.0.1'],
    ['::', '127.0.0.1'],
  ])('writes %j as %j', (host, written) => {
    expect(urlHost(host)).toBe(written);
  });
});

describe('readBody (a whole HTTP body, up to a limit)', () => {
  it('reads a body within the limit, refuses one over it, and keeps the connection usable', async () => {
    const bodies: (string | undefined)[] = [];
    const server = createServer((request, response) => {
      void readBody(request, 8).then((body) => {
        bodies.push(body?.toString('utf8'));
        response.end(body === undefined ? 'too large' : 'ok');
      });
    });
    const port = await listen(server, 0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = async (body: string): Promise<string> => {
      const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', agent });
      request.end(body);
      const [response] = (await once(request, 'response')) as [IncomingMessage];
      const chunks: Buffer[] = [];
      for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
      return Buffer.concat(chunks).toString('utf8');
    };
    try {
      expect(await post('12345678')).toBe('ok');
      expect(await post('123456789')).toBe('too large');
      expect(await post('')).toBe('ok');
      expect(bodies).toEqual(['12345678', undefined, '']);
    } finally {
      agent.destroy();
      await closeServer(server);
    }
  });
});
