// HTTP(S) receivers for integration tests: node:http / node:https on 127.0.0.1:<free port>, recording
// every request (method, path, headers, exact body bytes) and answering with a configurable status and
// body, or never ('hang'). Also the TLS material they need, made at test time with openssl: a CA, a
// server certificate it signs (for 127.0.0.1 and runbook-test.local), and a second, unrelated CA.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL = '/usr/bin/openssl';
export const OPENSSL_REQUIREMENT = { what: 'openssl (test certificates)', paths: [OPENSSL, '/bin/openssl'], install: 'apt-get install openssl' } as const;

export interface ReceivedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The exact bytes received. */
  readonly raw: Buffer;
  readonly body: string;
}

export interface Answer {
  readonly status: number | 'hang';
  readonly body?: string;
  readonly contentType?: string;
}

export interface Receiver {
  /** http(s)://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Changes how the next requests are answered. */
  answer(a: Answer | ((req: ReceivedRequest) => Answer)): void;
  close(): Promise<void>;
}

const open = new Set<Server>();
process.on('exit', () => {
  for (const s of open) s.close();
});

/** Starts a receiver; `tls` makes it HTTPS with that key and certificate. */
export async function startReceiver(initial: Answer = { status: 200, body: '{"ok":true}' }, tls?: { key: string; cert: string }): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let answer: Answer | ((req: ReceivedRequest) => Answer) = initial;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const r: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, body: raw.toString('utf8') };
      requests.push(r);
      const a = typeof answer === 'function' ? answer(r) : answer;
      if (a.status === 'hang') return;
      res.writeHead(a.status, { 'content-type': a.contentType ?? 'application/json' }).end(a.body ?? '');
    });
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.add(server);
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    answer(a) {
      answer = a;
    },
    close: () =>
      new Promise<void>((resolve) => {
        open.delete(server);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createHttpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface TestPki {
  readonly dir: string;
  /** PEM of the CA that signed the server certificate, and its path. */
  readonly caPem: string;
  readonly caFile: string;
  /** A CA that signed nothing we serve. */
  readonly otherCaFile: string;
  /** Server key and certificate (SAN: IP 127.0.0.1, DNS runbook-test.local). */
  readonly key: string;
  readonly cert: string;
  cleanup(): void;
}

/** Generates a throwaway PKI with openssl in a temp dir (a few hundred ms). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-pki-'));
  const ssl = (...args: string[]): void => {
    execFileSync(OPENSSL, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ca = (name: string): void => {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  ca('runbook-test-ca');
  ca('unrelated-ca');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=runbook-test.local');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:runbook-test.local\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'runbook-test-ca.pem', '-CAkey', 'runbook-test-ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caPem: read('runbook-test-ca.pem'),
    caFile: join(dir, 'runbook-test-ca.pem'),
    otherCaFile: join(dir, 'unrelated-ca.pem'),
    key: read('server.key'),
    cert: read('server.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
