/**
 * HTTP health checks against real HTTP and HTTPS servers on 127.0.0.1: JSON-path, body and status
 * expectations with exact messages; TLS with a CA generated at test time by openssl (trusted by file
 * or PEM, unknown CA refused as data, `insecure` works and is rendered, servername); timeouts,
 * refusals and oversized bodies as data.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fn, http, runbook, RunbookDefinitionError, type AnyRunbook, type HttpResult } from 'runbook';
import type { RunInfo } from '../../dsl/context.js';
import { runEngine } from '../../interpreter/engine/engine.js';
import { noPrompter } from '../../interpreter/engine/prompter.js';
import type { EventBody } from '../../interpreter/events.js';
import { dryRunMode, liveMode } from '../../interpreter/modes/index.js';
import type { ModeRuntime } from '../../interpreter/modes/types.js';
import { requires } from '../helpers/requires.js';
import { closedPort, makeTestPki, OPENSSL_REQUIREMENT, startReceiver, type Receiver, type TestPki } from '../helpers/servers/http-receiver.js';

type Finished = Extract<EventBody, { type: 'step-finished' }>;
type Started = Extract<EventBody, { type: 'step-started' }>;

async function run(rb: AnyRunbook, mode?: ModeRuntime): Promise<{ exitCode: number; events: EventBody[] }> {
  const events: EventBody[] = [];
  const m = mode ?? (await liveMode());
  const plan = rb.toPlan();
  const info: RunInfo = { id: 'run-http', runbookId: plan.id, mode: m.name, operator: 'alice', startedAt: new Date().toISOString() };
  const r = await runEngine({
    plan, mode: m, params: {}, run: info, prompter: noPrompter, emit: (e) => events.push(e), redact: (s) => s,
    signal: new AbortController().signal, yes: true, runStartedAtMs: Date.now(),
  });
  return { exitCode: r.exitCode, events };
}

function finished(events: readonly EventBody[], id: string): Finished {
  const e = events.find((x): x is Finished => x.type === 'step-finished' && x.stepId === id);
  if (!e) throw new Error(`no step-finished for ${id}`);
  return e;
}
function rendered(events: readonly EventBody[], id: string): string {
  const e = events.find((x): x is Started => x.type === 'step-started' && x.stepId === id);
  return e?.action?.text ?? '';
}
const result = (events: readonly EventBody[], id: string): HttpResult => finished(events, id).result as HttpResult;

/** One check step, allowed to fail so every case is observed. */
const check = (id: string, action: Parameters<ReturnType<typeof runbook>['check']>[2]): AnyRunbook =>
  runbook('http-checks', { title: 'HTTP checks' }).check(id, id, action, { continueOnError: true });

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
async function receiver(...a: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...a);
  receivers.push(r);
  return r;
}

describe('expectations', () => {
  const health = JSON.stringify({ status: 'UP', version: '2.4.1', checks: [{ name: 'db', ok: true }, { name: 'cache', ok: false }], 'x-region': 'eu' });

  it('JSON paths that hold: $, .key, [index], [\'key\']', async () => {
    const rec = await receiver({ status: 200, body: health });
    const r = await run(check('health', http.get(`${rec.url}/health`, {
      expectJson: { '$.status': 'UP', '$.checks[0].ok': true, "$.checks[1]['name']": 'cache', "$['x-region']": 'eu', '$.version': /^2\./, '$.checks': (v) => Array.isArray(v) && v.length === 2 },
    })));
    expect(r.exitCode).toBe(0);
    expect(finished(r.events, 'health')).toMatchObject({ status: 'ok', result: { ok: true, status: 200, json: { status: 'UP' } } });
    expect(result(r.events, 'health').mismatches).toBeUndefined();
  });

  it('JSON paths that do not hold say exactly what differed, each on its own', async () => {
    const rec = await receiver({ status: 200, body: JSON.stringify({ status: 'DOWN', checks: [], version: '1.9' }) });
    const r = await run(check('health', http.get(`${rec.url}/health`, {
      expectJson: { '$.status': 'UP', '$.checks[0].ok': true, '$.version': /^2\./, '$.db.primary': 'pg1', '$.status.code': 200 },
    })));
    const res = result(r.events, 'health');
    expect(res.ok).toBe(false);
    expect(res.mismatches).toEqual([
      '$.status was "DOWN", expected "UP"',
      '$.checks[0].ok is missing ($.checks has 0 items), expected true',
      '$.version was "1.9", expected a string matching /^2\\./',
      '$.db.primary is missing ($ has no key "db"), expected "pg1"',
      '$.status.code is missing ($.status is a string ("DOWN"), not an object), expected 200',
    ]);
    expect(finished(r.events, 'health').error).toBe(`GET ${rec.url}/health: ${res.mismatches?.join('; ')}`);
  });

  it('a body that is not JSON fails a JSON expectation, saying so', async () => {
    const rec = await receiver({ status: 200, body: '<html>Service Unavailable</html>', contentType: 'text/html' });
    const r = await run(check('health', http.get(`${rec.url}/`, { expectJson: { '$.status': 'UP' } })));
    expect(result(r.events, 'health').mismatches?.[0]).toMatch(/^body is not JSON \(text\/html; .+\); it starts "<html>Service Unavailable<\/html>"$/);
  });

  it('a predicate on the whole JSON body', async () => {
    const rec = await receiver({ status: 200, body: health });
    const r = await run(runbook('k', { title: 'K' })
      .check('yes', 'yes', http.get(rec.url, { expectJson: (j) => (j as { status: string }).status === 'UP' }))
      .check('no', 'no', http.get(rec.url, { expectJson: (j) => (j as { status: string }).status === 'DOWN' }), { continueOnError: true }));
    expect(finished(r.events, 'yes').status).toBe('ok');
    expect(result(r.events, 'no').mismatches).toEqual([expect.stringMatching(/^JSON body does not satisfy \(j\) => .*"DOWN"/)]);
  });

  it('expectBody: contained text or a RegExp; the status must still be right', async () => {
    const rec = await receiver({ status: 200, body: 'state: READY\nrole: primary', contentType: 'text/plain' });
    const r = await run(runbook('k', { title: 'K' })
      .check('text', 'text', http.get(rec.url, { expectBody: 'READY' }))
      .check('re', 're', http.get(rec.url, { expectBody: /role:\s+primary/ }))
      .check('text-no', 'text-no', http.get(rec.url, { expectBody: 'STANDBY' }), { continueOnError: true })
      .check('re-no', 're-no', http.get(rec.url, { expectBody: /role:\s+replica/ }), { continueOnError: true })
      .check('status-no', 'status-no', http.get(rec.url, { expectBody: 'READY', expectStatus: 204 }), { continueOnError: true }));
    expect(finished(r.events, 'text').status).toBe('ok');
    expect(finished(r.events, 're').status).toBe('ok');
    expect(result(r.events, 'text-no').mismatches).toEqual(['body does not contain "STANDBY"; it starts "state: READY role: primary"']);
    expect(result(r.events, 're-no').mismatches).toEqual(['body does not match /role:\\s+replica/; it starts "state: READY role: primary"']);
    expect(result(r.events, 'status-no').mismatches).toEqual(['status 200, expected 204']);
  });

  it('a JSON POST with headers, checked by status and JSON', async () => {
    const rec = await receiver({ status: 201, body: '{"accepted":true}' });
    const r = await run(runbook('k', { title: 'K' }).exec('post', 'post', http.post(`${rec.url}/api/failover`, {
      body: { to: 'dr' }, headers: { 'x-token': 't1' }, expectStatus: 201, expectJson: { '$.accepted': true },
    })));
    expect(r.exitCode).toBe(0);
    expect(rec.requests[0]).toMatchObject({ method: 'POST', url: '/api/failover', body: '{"to":"dr"}', headers: { 'content-type': 'application/json', 'x-token': 't1', 'content-length': '11' } });
  });

  it('dry-run shows every expectation and sends nothing', async () => {
    const rec = await receiver();
    const r = await run(runbook('k', { title: 'K' }).check('health', 'health', http.get(`${rec.url}/health`, {
      expectStatus: 200, expectBody: 'UP', expectJson: { '$.status': 'UP', '$.checks[0].ok': true, '$.version': /^2\./ }, timeout: '3s',
    })), dryRunMode);
    expect(rendered(r.events, 'health')).toBe(`GET ${rec.url}/health (expect 200) (expect body contains "UP", $.status = "UP", $.checks[0].ok = true, $.version a string matching /^2\\./) (timeout 3s)`);
    expect(rec.requests).toHaveLength(0);
  });
});

describe('transport failures are data', () => {
  it('timeout: ETIMEDOUT, timedOut, no status', async () => {
    const rec = await receiver({ status: 'hang' });
    const r = await run(check('slow', http.get(`${rec.url}/slow`, { timeout: 200 })));
    expect(result(r.events, 'slow')).toMatchObject({ ok: false, status: null, timedOut: true, error: { code: 'ETIMEDOUT', message: 'no response within 200 ms' } });
    expect(finished(r.events, 'slow').error).toBe(`GET ${rec.url}/slow: ETIMEDOUT no response within 200 ms`);
  });

  it('connection refused: ECONNREFUSED, usable by a "primary is down" check', async () => {
    const port = await closedPort();
    const r = await run(runbook('k', { title: 'K' })
      .check('down', 'Primary is down', http.get(`http://127.0.0.1:${port}/health`), { expect: (res) => res.error?.code === 'ECONNREFUSED' }));
    expect(r.exitCode).toBe(0);
    expect(result(r.events, 'down')).toMatchObject({ ok: false, status: null, timedOut: false, error: { code: 'ECONNREFUSED' } });
  });

  it('a body over 1 MiB is cut there and said so; the rest is not read', async () => {
    const rec = await receiver({ status: 200, body: 'x'.repeat(2 * 1024 * 1024 + 7), contentType: 'text/plain' });
    const r = await run(runbook('k', { title: 'K' })
      .check('big', 'big', http.get(rec.url, { expectBody: 'y' }), { continueOnError: true })
      .exec('size', 'size', fn(async (c) => c.steps.big.result.body.length)));
    const res = result(r.events, 'big');
    expect(res.bodyTruncated).toBe(true);
    expect(finished(r.events, 'size').value).toBe(1024 * 1024);
    expect(res.mismatches?.[0]).toMatch(/^body does not contain "y"; .* \(the body was cut at 1048576 bytes\)$/);
  });

  it('a URL that is not one, or not http(s)', async () => {
    const r = await run(runbook('k', { title: 'K' })
      .check('bad', 'bad', http.get('not a url'), { continueOnError: true })
      .check('ftp', 'ftp', http.get('ftp://127.0.0.1/x'), { continueOnError: true }));
    expect(result(r.events, 'bad').error).toEqual({ code: 'EINVALIDURL', message: 'not a valid URL' });
    expect(result(r.events, 'ftp').error?.code).toBe('EPROTOCOL');
  });
});

describe.runIf(requires(OPENSSL_REQUIREMENT))('HTTPS', () => {
  let pki: TestPki;
  let tls: Receiver;
  beforeAll(async () => {
    pki = makeTestPki();
    tls = await startReceiver({ status: 200, body: '{"status":"UP"}' }, { key: pki.key, cert: pki.cert });
  });
  afterAll(async () => {
    await tls?.close();
    pki?.cleanup();
  });

  it('a custom CA given as a file path, or as PEM text, is trusted', async () => {
    const r = await run(runbook('k', { title: 'K' })
      .check('by-file', 'by file', http.get(`${tls.url}/health`, { tls: { ca: pki.caFile }, expectJson: { '$.status': 'UP' } }))
      .check('by-pem', 'by PEM', http.get(`${tls.url}/health`, { tls: { ca: pki.caPem } })));
    expect(r.exitCode).toBe(0);
    expect(finished(r.events, 'by-file')).toMatchObject({ status: 'ok', result: { status: 200, json: { status: 'UP' } } });
    expect(finished(r.events, 'by-pem').status).toBe('ok');
  });

  it('an unknown CA is refused as data, with a clear way out', async () => {
    const r = await run(runbook('k', { title: 'K' })
      .check('system-cas', 'system CAs', http.get(`${tls.url}/health`), { continueOnError: true })
      .check('wrong-ca', 'another CA', http.get(`${tls.url}/health`, { tls: { ca: pki.otherCaFile } }), { continueOnError: true }));
    const before = tls.requests.length;
    for (const id of ['system-cas', 'wrong-ca']) {
      const res = result(r.events, id);
      expect(res).toMatchObject({ ok: false, status: null, error: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
      expect(res.error?.message).toBe(`TLS certificate of 127.0.0.1:${tls.port} is not trusted (unable to verify the first certificate). Trust its CA with tls: { ca: '/path/to/ca.pem' } (PEM text works too), or for a test system only tls: { insecure: true }.`);
    }
    expect(tls.requests.length).toBe(before);
  });

  it('insecure skips verification only when asked, and dry-run says so', async () => {
    const before = tls.requests.length;
    const rb = runbook('k', { title: 'K' }).check('lenient', 'lenient', http.get(`${tls.url}/health`, { tls: { insecure: true } }));
    const live = await run(rb);
    expect(finished(live.events, 'lenient').status).toBe('ok');
    expect(tls.requests.length).toBe(before + 1);
    const dry = await run(rb, dryRunMode);
    expect(rendered(dry.events, 'lenient')).toBe(`GET ${tls.url}/health (TLS verification OFF)`);
    expect(rendered(live.events, 'lenient')).toContain('(TLS verification OFF)');
    expect(tls.requests.length).toBe(before + 1);
  });

  it('servername: verify against the name the certificate carries', async () => {
    const r = await run(runbook('k', { title: 'K' })
      .check('named', 'named', http.get(`${tls.url}/health`, { tls: { ca: pki.caFile, servername: 'runbook-test.local' } }))
      .check('misnamed', 'misnamed', http.get(`${tls.url}/health`, { tls: { ca: pki.caFile, servername: 'db.example.com' } }), { continueOnError: true }));
    expect(finished(r.events, 'named').status).toBe('ok');
    const res = result(r.events, 'misnamed');
    expect(res.error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(res.error?.message).toMatch(/^TLS certificate is not valid for 127\.0\.0\.1 \(.*db\.example\.com.*\)\. If the certificate names another host, give it as tls: \{ servername: '…' \}\.$/);
    const dry = await run(runbook('k', { title: 'K' }).check('named', 'named', http.get(`${tls.url}/health`, { tls: { ca: pki.caFile, servername: 'runbook-test.local' } })), dryRunMode);
    expect(rendered(dry.events, 'named')).toBe(`GET ${tls.url}/health (CA: ${pki.caFile}, TLS name runbook-test.local)`);
  });

  it('an unreadable or non-PEM CA file is data, naming the file', async () => {
    const notPem = join(pki.dir, 'not-a-cert.txt');
    writeFileSync(notPem, 'hello');
    const r = await run(runbook('k', { title: 'K' })
      .check('missing', 'missing', http.get(`${tls.url}/health`, { tls: { ca: join(pki.dir, 'nope.pem') } }), { continueOnError: true })
      .check('not-pem', 'not PEM', http.get(`${tls.url}/health`, { tls: { ca: notPem } }), { continueOnError: true }));
    expect(result(r.events, 'missing').error).toEqual({ code: 'ECAFILE', message: `cannot read the CA file ${join(pki.dir, 'nope.pem')}: ENOENT` });
    expect(result(r.events, 'not-pem').error).toEqual({ code: 'ECAFILE', message: `the CA file ${notPem} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` });
  });
});

describe('bad options are definition errors when the runbook is built', () => {
  it('names the problem and the fix', () => {
    const bad = (f: () => unknown, re: RegExp): void => {
      expect(f).toThrow(RunbookDefinitionError);
      expect(f).toThrow(re);
    };
    bad(() => http.get('http://x', { expectJson: { 'status': 'UP' } }), /JSON path "status" must start with \$/);
    bad(() => http.get('http://x', { expectJson: { '$.checks[': true } }), /JSON path "\$\.checks\[" has "\[" at position 8 not followed by an index or a quoted key/);
    bad(() => http.get('http://x', { expectJson: { "$['a": true } }), /unterminated/);
    bad(() => http.get('http://x', { expectJson: {} }), /expectJson is empty/);
    bad(() => http.get('http://x', { tls: { insecure: true, ca: '/ca.pem' } }), /tls.insecure and tls.ca together/);
    bad(() => http.get('http://x', { tls: { verify: false } as never }), /unknown tls option "verify"/);
    bad(() => http.get('http://x', { expectStatus: 2000 }), /expectStatus must be HTTP status codes/);
    bad(() => http.get('http://x', { expectBody: 42 as never }), /expectBody must be a string/);
    bad(() => http.get('http://x', { retries: 3 } as never), /http.get: unknown option "retries"/);
  });
});

describe('headers and bodies computed from the run', () => {
  it('a header value may be c => text: it is resolved when the request is made, and shown masked in the dry-run', async () => {
    const r = await receiver();
    const rb = runbook('http-headers', { title: 'Headers' })
      .check('who', 'Who', fn(() => 'dr-team', { readOnly: true }))
      .check('call', 'Call', http.get(`${r.url}/h`, { headers: { 'X-Team': (c) => String(c.steps.who.value), Authorization: () => 'Bearer t0ken' } }));
    const live = await run(rb);
    expect(live.exitCode).toBe(0);
    expect(r.requests[0]?.headers['x-team']).toBe('dr-team');
    expect(r.requests[0]?.headers['authorization']).toBe('Bearer t0ken');
    const dry = await run(rb, dryRunMode);
    expect(rendered(dry.events, 'call')).toContain('(headers X-Team: <steps.who.value>, Authorization: ***)');
    expect(rendered(dry.events, 'call')).not.toContain('t0ken');
  });

  it('a header that is neither text nor a function, and a function inside a literal body, are definition errors', () => {
    expect(() => http.get('http://127.0.0.1:1/', { headers: { 'X-N': 5 as unknown as string } })).toThrow(/header "X-N" must be text or c => text/);
    expect(() => http.post('http://127.0.0.1:1/', { body: { region: 'eu', token: () => 'x' } })).toThrow(/body has a function at \$\.token; JSON cannot carry it\. Compute the whole body instead/);
    expect(() => http.post('http://127.0.0.1:1/', { body: () => ({ token: 'x' }) })).not.toThrow();
  });
});
