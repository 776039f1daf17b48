/**
 * The XAPI client against the pool simulator: login, typed errors with XAPI's params, transparent
 * re-login, following HOST_IS_SLAVE to the master, Async calls with task polling, and deadlines.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XapiClient, XapiError, XapiTaskTimeoutError, XapiTransportError, decodeTaskResult, errorDescription, masterUrl } from '../../lib/xen/index.ts';
import { client, gib, PASSWORD, rejection, smallPool, USER, type SmallPool } from './support.ts';

let pool: SmallPool;
const open: XapiClient[] = [];
const track = (c: XapiClient): XapiClient => (open.push(c), c);

beforeAll(async () => {
  pool = await smallPool([
    { name: 'web', memoryBytes: gib(4), vcpus: 2, host: 'h1' },
    { name: 'db', memoryBytes: gib(8), vcpus: 4, host: 'h2', localStorage: true },
  ]);
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await pool?.sim.stop();
});

describe('sessions', () => {
  it('logs in on the first call and reads records', async () => {
    const c = track(client(pool.sim));
    const pools = await c.call<Record<string, { name_label: string; master: string }>>('pool.get_all_records');
    const [p] = Object.values(pools);
    expect(p.name_label).toBe('test-pool');
    expect(await c.call<string>('host.get_name_label', p.master)).toBe('h1');
    expect(pool.sim.calls['session.login_with_password']).toBeGreaterThanOrEqual(1);
  });

  it('refuses a wrong password with SESSION_AUTHENTICATION_FAILED, without echoing it', async () => {
    const wrong = 'not-the-Password-77';
    const c = track(new XapiClient({ url: pool.sim.url, user: USER, password: wrong }));
    const e = await rejection(c.call('pool.get_all'));
    expect(e).toBeInstanceOf(XapiError);
    const x = e as XapiError;
    expect(x.code).toBe('SESSION_AUTHENTICATION_FAILED');
    expect(x.params).toEqual([USER, 'Authentication failure']);
    expect(x.message).toContain('SESSION_AUTHENTICATION_FAILED');
    expect(x.message).not.toContain(wrong);
    expect(JSON.stringify(x)).not.toContain(wrong);
  });

  it('redacts the password if a server echoes it in an error', async () => {
    pool.sim.failNext('session.login_with_password', 'SESSION_AUTHENTICATION_FAILED', [USER, `bad password ${PASSWORD}`]);
    const e = (await rejection(track(client(pool.sim)).call('pool.get_all'))) as XapiError;
    expect(e.code).toBe('SESSION_AUTHENTICATION_FAILED');
    expect(e.message).not.toContain(PASSWORD);
    expect(e.params.join(' ')).not.toContain(PASSWORD);
  });

  it('logs in again once when the session is dropped (SESSION_INVALID)', async () => {
    const c = track(client(pool.sim));
    await c.call('host.get_all');
    const logins = pool.sim.calls['session.login_with_password'];
    pool.sim.dropSessions();
    expect(await c.call<string[]>('host.get_all')).toHaveLength(3);
    expect(pool.sim.calls['session.login_with_password']).toBe(logins + 1);
  });

  it('shares one login among concurrent calls', async () => {
    const c = track(client(pool.sim));
    const logins = pool.sim.calls['session.login_with_password'];
    await Promise.all(Array.from({ length: 8 }, () => c.call('VM.get_all')));
    expect(pool.sim.calls['session.login_with_password']).toBe(logins + 1);
  });

  it('does not retry SESSION_INVALID forever', async () => {
    const c = track(client(pool.sim));
    await c.call('host.get_all');
    pool.sim.failNext('host.get_all', 'SESSION_INVALID', ['OpaqueRef:x']);
    pool.sim.failNext('host.get_all', 'SESSION_INVALID', ['OpaqueRef:y']);
    const e = (await rejection(c.call('host.get_all'))) as XapiError;
    expect(e.code).toBe('SESSION_INVALID');
  });

  it('logs out on close', async () => {
    const c = client(pool.sim);
    await c.call('host.get_all');
    const before = pool.sim.sessionCount;
    await c.close();
    expect(pool.sim.sessionCount).toBe(before - 1);
    await expect(c.call('host.get_all')).rejects.toThrow(/closed/);
  });
});

describe('typed errors', () => {
  it('maps XAPI errors with their params', async () => {
    const c = track(client(pool.sim));
    const bad = 'OpaqueRef:00000000-0000-0000-0000-000000000000';
    const e = (await rejection(c.call('VM.get_record', bad))) as XapiError;
    expect(e).toMatchObject({ code: 'HANDLE_INVALID', params: ['VM', bad], method: 'VM.get_record' });
    expect(e.message).toBe(`XAPI HANDLE_INVALID: VM, ${bad} (VM.get_record)`);
    expect(((await rejection(c.call('VM.levitate'))) as XapiError).description).toEqual(['MESSAGE_METHOD_UNKNOWN', 'VM.levitate']);
    expect(((await rejection(c.call('host.get_by_uuid', 'nope'))) as XapiError).params).toEqual(['host', 'nope']);
    const count = (await rejection(c.call('host.disable'))) as XapiError;
    expect(count.description).toEqual(['MESSAGE_PARAMETER_COUNT_MISMATCH', 'host.disable', '3', '1']);
  });

  it('reads the JSON-RPC error format xapi writes, 2.0 and 1.0', async () => {
    const post = async (body: object): Promise<Record<string, unknown>> => {
      const res = await fetch(`${pool.sim.url}/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.headers.get('content-type')).toBe('application/json');
      return (await res.json()) as Record<string, unknown>;
    };
    const v2 = await post({ jsonrpc: '2.0', method: 'session.login_with_password', params: [USER, 'x'], id: 7 });
    expect(v2).toEqual({ jsonrpc: '2.0', error: { code: 1, message: 'SESSION_AUTHENTICATION_FAILED', data: [USER, 'Authentication failure'] }, id: 7 });
    const v1 = await post({ method: 'session.logout', params: ['OpaqueRef:gone'], id: 'a' });
    expect(v1).toEqual({ result: null, error: ['SESSION_INVALID', 'OpaqueRef:gone'], id: 'a' });
    expect(errorDescription(v1.error)).toEqual(['SESSION_INVALID', 'OpaqueRef:gone']);
    expect(errorDescription(v2.error)).toEqual(['SESSION_AUTHENTICATION_FAILED', USER, 'Authentication failure']);
    expect(errorDescription({ code: 1, message: 'HANDLE_INVALID', data: 'OpaqueRef:1' })).toEqual(['HANDLE_INVALID', 'OpaqueRef:1']);
  });

  it('turns HTTP and network failures into transport errors', async () => {
    const wrongPath = track(new XapiClient({ url: `${pool.sim.url}/elsewhere`, user: USER, password: PASSWORD }));
    const e = (await rejection(wrongPath.call('host.get_all'))) as XapiTransportError;
    expect(e).toBeInstanceOf(XapiTransportError);
    expect(e).toMatchObject({ kind: 'http', status: 404 });
    expect(e.message).not.toContain(PASSWORD);
    const closedPort = await freePort();
    const down = track(new XapiClient({ url: `http://127.0.0.1:${closedPort}`, user: USER, password: PASSWORD }));
    expect(await rejection(down.call('host.get_all'))).toMatchObject({ kind: 'network' });
  });
});

describe('HOST_IS_SLAVE', () => {
  it('follows the master a supporter names at login, and again when the master moves', async () => {
    const other = await smallPool([{ name: 'elsewhere', memoryBytes: gib(2), vcpus: 1, host: 'h1' }]);
    const supporter = await smallPool([], { slaveOf: `127.0.0.1:${pool.sim.port}` });
    try {
      const c = track(client(supporter.sim));
      expect(await c.call<string[]>('VM.get_by_name_label', 'web')).toHaveLength(1);
      expect(c.url).toBe(`${pool.sim.url}/`);
      expect(supporter.sim.calls['session.login_with_password']).toBe(1);

      // The pool's master role moves: the old master now answers HOST_IS_SLAVE for every call.
      pool.sim.setSlaveOf(`127.0.0.1:${other.sim.port}`);
      expect(await c.call<string[]>('VM.get_by_name_label', 'elsewhere')).toHaveLength(1);
      expect(c.url).toBe(`${other.sim.url}/`);
    } finally {
      pool.sim.setSlaveOf(undefined);
      await supporter.sim.stop();
      await other.sim.stop();
    }
  });

  it('keeps scheme and port when the master is named by a bare address', () => {
    const base = new URL('https://10.0.0.5:8443/');
    expect(masterUrl(base, '10.0.0.9').href).toBe('https://10.0.0.9:8443/');
    expect(masterUrl(base, 'xcp-master.lab').href).toBe('https://xcp-master.lab:8443/');
    expect(masterUrl(base, 'fd00::9').href).toBe('https://[fd00::9]:8443/');
    expect(masterUrl(base, '[fd00::9]:443').href).toBe('https://[fd00::9]/');
    expect(masterUrl(new URL('http://127.0.0.1:4000'), '127.0.0.1:4711').href).toBe('http://127.0.0.1:4711/');
  });
});

describe('Async calls', () => {
  it('polls the task to success and destroys it', async () => {
    const c = track(client(pool.sim));
    const [vm] = await c.call<string[]>('VM.get_by_name_label', 'web');
    const [h2] = await c.call<string[]>('host.get_by_name_label', 'h2');
    const polls = pool.sim.calls['task.get_status'] ?? 0;
    expect(await c.callAsync('VM.pool_migrate', vm, h2, { live: 'true' })).toBe('');
    expect(pool.sim.state.vmHost('web')).toBe('h2');
    expect(pool.sim.calls['task.get_status'] - polls).toBeGreaterThanOrEqual(1);
    expect(pool.sim.state.tasks()).toHaveLength(0);
  });

  it('turns a failed task into an XapiError from its error_info', async () => {
    const c = track(client(pool.sim));
    const [vm] = await c.call<string[]>('VM.get_by_name_label', 'db');
    const [h3] = await c.call<string[]>('host.get_by_name_label', 'h3');
    const e = (await rejection(c.callAsync('VM.pool_migrate', vm, h3, { live: 'true' }))) as XapiError;
    expect(e.code).toBe('VM_REQUIRES_SR');
    expect(e.params[0]).toBe(vm);
    expect(e.method).toBe('VM.pool_migrate');
    expect(pool.sim.state.tasks()).toHaveLength(0);
  });

  it('a task\'s own failure is its outcome; an error met while following it (the task gone) is marked: the call may have been carried out', async () => {
    const c = track(client(pool.sim));
    const [vm] = await c.call<string[]>('VM.get_by_name_label', 'db');
    const [h3] = await c.call<string[]>('host.get_by_name_label', 'h3');
    const failed = (await rejection(c.callAsync('VM.pool_migrate', vm, h3, { live: 'true' }))) as XapiError;
    expect(failed.whileFollowingTask).toBe(false);
    const slow = await smallPool([{ name: 'big', memoryBytes: gib(16), vcpus: 2, host: 'h1' }], { migrateMs: 1500 });
    try {
      const d = track(client(slow.sim, { taskPollMs: 50 }));
      const [big] = await d.call<string[]>('VM.get_by_name_label', 'big');
      const [h2] = await d.call<string[]>('host.get_by_name_label', 'h2');
      const following = rejection(d.callAsync('VM.pool_migrate', big, h2, { live: 'true' }));
      // Someone destroys the task while it runs: the next poll is refused (HANDLE_INVALID).
      for (let i = 0; i < 50 && slow.sim.state.tasks().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const [task] = await d.call<string[]>('task.get_all');
      await d.call('task.destroy', task);
      const e = (await following) as XapiError;
      expect(e).toBeInstanceOf(XapiError);
      expect(e.whileFollowingTask).toBe(true);
    } finally {
      await slow.sim.stop();
    }
  });

  it('gives up on a task at its deadline', async () => {
    const slow = await smallPool([{ name: 'big', memoryBytes: gib(16), vcpus: 2, host: 'h1' }], { migrateMs: 1500 });
    try {
      const c = track(client(slow.sim, { taskTimeoutMs: 150 }));
      const [vm] = await c.call<string[]>('VM.get_by_name_label', 'big');
      const [h2] = await c.call<string[]>('host.get_by_name_label', 'h2');
      const e = await rejection(c.callAsync('VM.pool_migrate', vm, h2, { live: 'true' }));
      expect(e).toBeInstanceOf(XapiTaskTimeoutError);
      expect(slow.sim.state.vmHost('big')).toBe('h1'); // still copying: the VM stays on the source
    } finally {
      await slow.sim.stop();
    }
  });

  it('decodes task results as xapi stores them', () => {
    expect(decodeTaskResult('')).toBe('');
    expect(decodeTaskResult('<value></value>')).toBe('');
    expect(decodeTaskResult('<value><nil/></value>')).toBe('');
    expect(decodeTaskResult('<value>OpaqueRef:1</value>')).toBe('OpaqueRef:1');
    expect(decodeTaskResult('<value><string>a &amp; b</string></value>')).toBe('a & b');
  });
});

describe('deadlines', () => {
  it('times out a request the server does not answer', async () => {
    const c = track(client(pool.sim, { requestTimeoutMs: 150 }));
    // From "" every pool object comes back at once; from its token, nothing changes for 5 s.
    const { token } = await c.call<{ token: string }>('event.from', ['pool'], '', 1);
    const started = Date.now();
    const e = (await rejection(c.call('event.from', ['pool'], token, 5))) as XapiTransportError;
    expect(e).toMatchObject({ kind: 'timeout', method: 'event.from' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out against a server that accepts and never replies', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const c = track(new XapiClient({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, user: USER, password: PASSWORD, requestTimeoutMs: 100 }));
      expect(await rejection(c.call('host.get_all'))).toMatchObject({ kind: 'timeout', method: 'session.login_with_password' });
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
