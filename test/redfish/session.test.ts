/**
 * Authentication against our stateful test service over real sockets: one session per BMC shared
 * by concurrent callers, reused, deleted when idle and at close; Basic when there is no
 * SessionService, when the BMC refuses a session, or when asked; a fresh login once after a
 * reboot made the BMC forget the token; and no password in any error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openRedfish, RedfishAuthError, RedfishHosts, type RedfishBmcOptions } from '../../lib/redfish/index.ts';
import { RedfishTestServer, TEST_PASSWORD, type TestServerOptions } from './redfish-test-server.ts';

let server: RedfishTestServer | undefined;
const handles: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close().catch(() => undefined)));
  await server?.stop();
  server = undefined;
});

async function setup(so: TestServerOptions = {}, co: Partial<RedfishBmcOptions> = {}) {
  server = await RedfishTestServer.start(so);
  const bmc = openRedfish({ host: '127.0.0.1', port: server.port, protocol: 'http', username: 'admin', password: TEST_PASSWORD, ...co });
  handles.push(bmc);
  return { s: server, bmc };
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe('sessions', () => {
  it('two callers at once share one login; every request after it carries the token', async () => {
    const { s, bmc } = await setup();
    const reads = await Promise.all([bmc.powerState(), bmc.powerState(), bmc.identity(), bmc.watts(), bmc.powerState()]);
    expect(reads[0].power).toBe('on');
    expect(s.logins).toBe(1);
    expect(s.count('POST', '/redfish/v1/SessionService/Sessions')).toBe(1);
    const authed = s.requests.filter((r) => r.path !== '/redfish/v1/' && !(r.method === 'POST' && r.path.endsWith('/Sessions')));
    expect(authed.length).toBeGreaterThan(5);
    expect(new Set(authed.map((r) => r.auth))).toEqual(new Set(['token']));
    expect(bmc.client.authentication).toMatchObject({ mode: 'session', logins: 1, hasSession: true });
    // The login body reached the BMC, but only there: the recording redacts it, the client kept it out of everything else.
    expect(s.requests.find((r) => r.method === 'POST')?.body).toEqual({ UserName: 'admin', Password: '<redacted>' });
  });

  it('the session is reused while in use, deleted after the idle time, and a new one opened when needed', async () => {
    const { s, bmc } = await setup({}, { sessionIdleMs: 150 });
    await bmc.powerState();
    await bmc.powerState();
    expect(s.logins).toBe(1);
    expect(s.tokens.size).toBe(1);
    await sleep(400);
    expect(s.count('DELETE', /^\/redfish\/v1\/SessionService\/Sessions\/s1$/)).toBe(1);
    expect(s.tokens.size).toBe(0);
    expect(bmc.client.authentication.hasSession).toBe(false);
    await bmc.powerState();
    expect(s.logins).toBe(2);
    expect(s.tokens.size).toBe(1);
  });

  it('close() deletes the session; the client refuses work afterwards', async () => {
    const { s, bmc } = await setup();
    await bmc.powerState();
    expect(s.tokens.size).toBe(1);
    await bmc.close();
    expect(s.tokens.size).toBe(0);
    expect(s.count('DELETE', /Sessions\/s1$/)).toBe(1);
    await expect(bmc.powerState()).rejects.toThrow(/closed/);
  });

  it('a BMC that forgot its sessions (rebooted) gets one fresh login and the request goes through', async () => {
    const { s, bmc } = await setup();
    await bmc.powerState();
    s.reboot();
    const before = s.requests.length;
    const [a, b] = await Promise.all([bmc.powerState(), bmc.identity()]);
    expect(a.power).toBe('on');
    expect(b.serialNumber).toBe('TS-SERIAL-0042');
    expect(s.logins).toBe(2);
    const after = s.requests.slice(before);
    expect(after.filter((r) => r.auth === 'refused').length).toBeGreaterThanOrEqual(1);
    expect(after.filter((r) => r.method === 'POST').length).toBe(1);
  });

  it('a token refused again right after a fresh login is a clear RedfishAuthError, not a loop', async () => {
    const { s, bmc } = await setup();
    await bmc.topology();
    s.honourTokens = false;
    const e = await bmc.powerState().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishAuthError);
    expect((e as Error).message).toMatch(/GET \/redfish\/v1\/Systems\/sys1: the session was refused again after a fresh login/);
    expect(s.logins).toBe(2);
    expect(s.count('GET', '/redfish/v1/Systems/sys1')).toBe(3);
  });

  it('a wrong password is a RedfishAuthError that names the user and never the password', async () => {
    const { s, bmc } = await setup({}, { password: 'wrong-secret-xyz' });
    const e = await bmc.powerState().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishAuthError);
    expect((e as Error).message).toMatch(/login as 'admin' refused \(HTTP 401/);
    expect((e as Error).message).not.toContain('wrong-secret-xyz');
    expect(JSON.stringify(e)).not.toContain('wrong-secret-xyz');
    expect(s.logins).toBe(0);
  });
});

describe('Basic auth as the fallback', () => {
  it('when the BMC has no SessionService', async () => {
    const { s, bmc } = await setup({ sessions: false });
    expect((await bmc.powerState()).power).toBe('on');
    expect(bmc.client.authentication).toMatchObject({ mode: 'basic', basicReason: 'the BMC has no SessionService' });
    expect(s.count('POST', /Sessions/)).toBe(0);
    expect(s.requests.filter((r) => r.path !== '/redfish/v1/').every((r) => r.auth === 'basic')).toBe(true);
  });

  it('when the BMC refuses to open a session', async () => {
    const { s, bmc } = await setup({ refuseSessionsWith: 503 });
    expect((await bmc.identity()).model).toBe('TS-1');
    expect(bmc.client.authentication.mode).toBe('basic');
    expect(bmc.client.authentication.basicReason).toMatch(/did not open a session \(HTTP 503/);
    expect(s.count('POST', /Sessions/)).toBe(1);
  });

  it('a session refused for a while (a full session table): Basic meanwhile, a session again once the BMC gives one', async () => {
    const { s, bmc } = await setup({ refuseSessionsWith: 503 }, { sessionRetryMs: 150 });
    await bmc.powerState();
    expect(bmc.client.authentication).toMatchObject({ mode: 'basic', logins: 0 });
    expect(bmc.client.authentication.basicReason).toMatch(/HTTP 503.*asked again later/);
    // Within the back-off no session is asked for; after it, the BMC (a slot free now) gives one.
    await bmc.powerState();
    expect(s.count('POST', /Sessions/)).toBe(1);
    s.refuseSessions(undefined);
    await sleep(200);
    await bmc.powerState();
    expect(bmc.client.authentication).toMatchObject({ mode: 'session', logins: 1, hasSession: true });
    expect(s.requests.at(-1)?.auth).toBe('token');
  });

  it('when the caller asks for it; wrong Basic credentials are a RedfishAuthError at once', async () => {
    const { s, bmc } = await setup({}, { auth: 'basic' });
    await bmc.powerState();
    expect(s.count('POST', /Sessions/)).toBe(0);
    expect(bmc.client.authentication.mode).toBe('basic');
    const wrong = openRedfish({ host: '127.0.0.1', port: s.port, protocol: 'http', username: 'admin', password: 'nope-123', auth: 'basic' });
    handles.push(wrong);
    const e = await wrong.powerState().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishAuthError);
    expect((e as Error).message).not.toContain('nope-123');
  });
});

describe('a BMC that repeats what it was sent in its errors', () => {
  const basicOf = (user: string, pw: string) => Buffer.from(`${user}:${pw}`, 'utf8').toString('base64');
  const leaks = (e: unknown, secrets: string[]) => {
    const text = `${(e as Error).message} ${JSON.stringify(e)}`;
    return secrets.filter((x) => text.includes(x));
  };

  it('a refused login: the password (plain or JSON-escaped) is scrubbed from the error', async () => {
    const pw = 'wr"ong-s3cret\\x';
    const { bmc } = await setup({ echoRequests: true }, { password: pw });
    const e = await bmc.powerState().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishAuthError);
    // The BMC's words are kept (it did repeat the body), the password is not.
    expect((e as Error).message).toContain('"Password":"***"');
    expect(leaks(e, [pw, JSON.stringify(pw).slice(1, -1), 's3cret'])).toEqual([]);
  });

  it('refused Basic credentials: the Authorization header it repeats is scrubbed', async () => {
    const { bmc } = await setup({ echoRequests: true }, { password: 'basic-s3cret', auth: 'basic' });
    const e = await bmc.powerState().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishAuthError);
    expect((e as Error).message).toContain('Authorization Basic ***');
    expect(leaks(e, ['basic-s3cret', basicOf('admin', 'basic-s3cret')])).toEqual([]);
  });

  it('an error inside a session: the session token it repeats is scrubbed', async () => {
    const { s, bmc } = await setup({ echoRequests: true });
    await bmc.powerState();
    const [token] = [...s.tokens.keys()];
    expect(token).toBeDefined();
    const e = await bmc.client.get('/redfish/v1/Nowhere').catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/HTTP 404/);
    expect((e as Error).message).toContain('X-Auth-Token ***');
    expect(leaks(e, [token as string, TEST_PASSWORD])).toEqual([]);
  });
});

describe('RedfishHosts: one handle per BMC', () => {
  it('gives the same handle (one session) to every caller, and a new one when the password changes', async () => {
    const { s } = await setup();
    const hosts = new RedfishHosts({ protocol: 'http' });
    handles.push(hosts);
    const o = { host: '127.0.0.1', port: s.port, username: 'admin', password: TEST_PASSWORD };
    const a = hosts.get(o);
    const b = hosts.get({ ...o });
    expect(a).toBe(b);
    await Promise.all([a.powerState(), b.powerState()]);
    expect(s.logins).toBe(1);
    const c = hosts.get({ ...o, password: 'rotated' });
    expect(c).not.toBe(a);
    expect(hosts.size).toBe(1);
    await sleep(50);
    // The replaced handle's session was deleted.
    expect(s.tokens.size).toBe(0);
  });

  it('a handle replaced while a power change is under way on it: the change ends as it began, then the old session goes', async () => {
    // The reset answered with a task that runs a few polls: the change spans requests and waits.
    const { s } = await setup({ resetAnswer: 202, taskPolls: 3 });
    const hosts = new RedfishHosts({ protocol: 'http' });
    handles.push(hosts);
    const o = { host: '127.0.0.1', port: s.port, username: 'admin', password: TEST_PASSWORD };
    const a = hosts.get(o);
    const change = a.power('off', { confirmTimeoutMs: 2000, pollMs: 50 });
    await sleep(30);
    // The password is rotated meanwhile (a PATCH of the host): the next caller gets a new handle.
    const b = hosts.get({ ...o, password: 'rotated' });
    expect(b).not.toBe(a);
    const done = await change;
    expect(done.power).toBe('off');
    expect(s.count('POST', /ComputerSystem\.Reset/)).toBe(1);
    await sleep(50);
    // Ended: the old handle's session was deleted.
    expect(s.tokens.size).toBe(0);
  });

  it('a handle keeps its pinned certificate; a different pin (an accepted renewal) gives a new handle', async () => {
    const hosts = new RedfishHosts();
    handles.push(hosts);
    const o = { host: '192.0.2.7', username: 'admin', password: 'p' };
    const a = hosts.get({ ...o, tls: { fingerprint: 'aa'.repeat(32) } });
    expect(hosts.get({ ...o, tls: { fingerprint: 'AA:'.repeat(31) + 'AA' } })).toBe(a);
    expect(hosts.get(o)).toBe(a);
    const renewed = hosts.get({ ...o, tls: { fingerprint: 'bb'.repeat(32) } });
    expect(renewed).not.toBe(a);
    expect(renewed.client.pinnedFingerprint).toBe(Array(32).fill('BB').join(':'));
  });
});
