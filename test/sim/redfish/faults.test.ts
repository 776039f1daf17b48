/**
 * The faults a simulated Redfish BMC plays on demand: silent (connection held, no answer), slow,
 * server errors, forgotten sessions, a foreign identity, resets accepted and ignored; each
 * switched on and off again on a running BMC, over real sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalGuid } from '../../../lib/ipmi/guid.ts';
import { simIdentityFor } from '../../../lib/sim/ipmi/identity.ts';
import { describeRedfishFaults, type RedfishBmc } from '../../../lib/sim/redfish/index.ts';
import { call, login, ManualClock, startBmc } from './support.ts';

let bmc: RedfishBmc | undefined;
afterEach(async () => {
  await bmc?.stop();
  bmc = undefined;
});

const SYS = '/redfish/v1/Systems/1';
const RESET = `${SYS}/Actions/ComputerSystem.Reset`;

describe('Redfish BMC faults', () => {
  it('silent: the request is taken and never answered; off again, it answers', async () => {
    bmc = await startBmc();
    bmc.faults = { silent: true };
    const started = Date.now();
    await expect(call(bmc, 'GET', '/redfish/v1/', { timeoutMs: 400 })).rejects.toThrow(/no answer within 400 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(bmc.counters.held).toBe(1);
    bmc.faults = {};
    expect((await call(bmc, 'GET', '/redfish/v1/')).status).toBe(200);
    // A connection still held does not keep stop() waiting.
    bmc.faults = { silent: true };
    const pending = call(bmc, 'GET', SYS, { timeoutMs: 10_000 }).catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 100));
    const stopping = Date.now();
    await bmc.stop();
    expect(Date.now() - stopping).toBeLessThan(1_000);
    expect(await pending).toMatch(/socket hang up|ECONNRESET/);
  });

  it('slow: every answer comes delayMs late', async () => {
    bmc = await startBmc();
    bmc.faults = { delayMs: 300 };
    const t0 = Date.now();
    expect((await call(bmc, 'GET', SYS)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    bmc.faults = {};
    const t1 = Date.now();
    await call(bmc, 'GET', SYS);
    expect(Date.now() - t1).toBeLessThan(250);
  });

  it('server errors: 500 InternalError (or the status chosen) and nothing done', async () => {
    bmc = await startBmc();
    bmc.faults = { serverErrors: 1 };
    const a = await call(bmc, 'POST', RESET, { body: { ResetType: 'ForceOff' } });
    expect(a.status).toBe(500);
    expect(a.json.error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.13.InternalError');
    expect(bmc.power.state).toBe('On');
    bmc.faults = { serverErrors: 1, serverErrorStatus: 503 };
    expect((await call(bmc, 'GET', SYS)).status).toBe(503);
    // A rate of one half, from a seeded draw: some of each, reproducibly.
    bmc.faults = { serverErrors: 0.5 };
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await call(bmc, 'GET', SYS)).status);
    expect(statuses.filter((s) => s === 500).length).toBeGreaterThan(3);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(3);
    expect(bmc.counters.serverErrors).toBe(2 + statuses.filter((s) => s === 500).length);
  });

  it('forgetSessions: switched on, every token answers 401; new logins and Basic work', async () => {
    bmc = await startBmc();
    const a = await login(bmc);
    const b = await login(bmc);
    bmc.faults = { forgetSessions: true };
    for (const s of [a, b]) expect((await call(bmc, 'GET', SYS, { token: s.token })).status).toBe(401);
    const c = await login(bmc);
    expect((await call(bmc, 'GET', SYS, { token: c.token })).status).toBe(200);
    expect((await call(bmc, 'GET', SYS)).status).toBe(200);
    // Still on: nothing more is forgotten. Off and on again: forgotten again.
    bmc.faults = { forgetSessions: true, delayMs: 0 };
    expect((await call(bmc, 'GET', SYS, { token: c.token })).status).toBe(200);
    bmc.faults = {};
    bmc.faults = { forgetSessions: true };
    expect((await call(bmc, 'GET', SYS, { token: c.token })).status).toBe(401);
  });

  it("foreign: the BMC answers with another machine's serials and UUID", async () => {
    bmc = await startBmc({ name: 'host-005' });
    const own = (await call(bmc, 'GET', SYS)).json;
    bmc.faults = { foreign: true };
    const foreign = simIdentityFor('foreign-host-005');
    const sys = (await call(bmc, 'GET', SYS)).json;
    expect(sys.SerialNumber).toBe(foreign.productSerial);
    expect(sys.UUID).toBe(canonicalGuid(foreign.guid));
    expect(sys.UUID).not.toBe(own.UUID);
    expect((await call(bmc, 'GET', '/redfish/v1/Chassis/1')).json.SerialNumber).toBe(foreign.chassisSerial);
    bmc.faults = {};
    expect((await call(bmc, 'GET', SYS)).json.SerialNumber).toBe('LPSIM-host-005');
  });

  it('resetIgnored: the reset is accepted and nothing changes (a task even says Completed)', async () => {
    const clock = new ManualClock();
    bmc = await startBmc({ clock, asyncReset: true });
    bmc.faults = { resetIgnored: true };
    const a = await call(bmc, 'POST', RESET, { body: { ResetType: 'ForceOff' } });
    expect(a.status).toBe(202);
    clock.advance(5_000);
    expect((await call(bmc, 'GET', String(a.headers.location))).json.TaskState).toBe('Completed');
    expect((await call(bmc, 'GET', SYS)).json.PowerState).toBe('On');
    expect(bmc.host.powerOn).toBe(true);
    bmc.faults = {};
    await call(bmc, 'POST', RESET, { body: { ResetType: 'ForceOff' } });
    expect(bmc.host.powerOn).toBe(false);
  });

  it('bad fault settings are refused whole and the faults stay as they were', async () => {
    const b = (bmc = await startBmc());
    b.faults = { delayMs: 10 };
    expect(() => (b.faults = { serverErrors: 2 })).toThrow(/serverErrors 2/);
    expect(() => (b.faults = { delayMs: -1 })).toThrow(/delayMs/);
    expect(() => (b.faults = { serverErrorStatus: 404 as 500 })).toThrow(/500, 502 or 503/);
    expect(() => (b.faults = { sillent: true } as never)).toThrow(/unknown Redfish fault "sillent"/);
    expect(b.faults).toEqual({ delayMs: 10 });
    expect(describeRedfishFaults({ silent: true, delayMs: 200, foreign: false })).toBe('silent, delayMs=200');
    expect(describeRedfishFaults({})).toBe('none');
  });
});
