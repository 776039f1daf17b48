/**
 * Reads against our stateful test service over real sockets: sensors of both generations counted
 * once across paginated and expanded collections, watts, the SEL through its pages, identity, the
 * restore policy with If-Match (412 read again, 428 without it, the per-host opt-out), bounded
 * retries of reads only, and deadlines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openRedfish, readDeadlineOf, RedfishDeadlineError, RedfishHttpError, RedfishTimeoutError, type RedfishBmcOptions } from '../../lib/redfish/index.ts';
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

describe('sensors', () => {
  it('both generations, the Sensors collection read page by page, the same sensor counted once', async () => {
    const { s, bmc } = await setup({ pageSize: 2 });
    const sensors = await bmc.sensors();
    expect(sensors.map((x) => x.name)).toEqual(['Inlet Temp', 'PSU1 Input Voltage', 'Total Power', 'CPU Temp', 'Fan 1', 'System Power Control']);
    expect(sensors.find((x) => x.name === 'Inlet Temp')).toEqual({ name: 'Inlet Temp', type: 'temperature', value: 22, unit: 'degrees C', status: 'ok', thresholds: { unc: 35, ucr: 40 } });
    expect(sensors.find((x) => x.name === 'CPU Temp')).toEqual({ name: 'CPU Temp', type: 'temperature', value: 58, unit: 'degrees C', status: 'ok', thresholds: { unc: 80, ucr: 90, unr: 95 } });
    expect(sensors.find((x) => x.name === 'Fan 1')).toMatchObject({ type: 'fan', value: 5400, unit: 'RPM', thresholds: { lcr: 600 } });
    expect(s.count('GET', '/redfish/v1/Chassis/ch1/Sensors?$skip=2')).toBe(1);
    // No $expand offered: one GET per member.
    expect(s.count('GET', /^\/redfish\/v1\/Chassis\/ch1\/Sensors\/[a-z_0-9]+$/)).toBe(3);
  });

  it('one GET for the whole collection where the service offers $expand', async () => {
    const { s, bmc } = await setup({ expand: true });
    expect((await bmc.sensors()).length).toBe(6);
    expect(s.count('GET', '/redfish/v1/Chassis/ch1/Sensors?$expand=.($levels=1)')).toBe(1);
    expect(s.count('GET', /^\/redfish\/v1\/Chassis\/ch1\/Sensors\/[a-z_0-9]+$/)).toBe(0);
  });

  it('a chassis with only the older Thermal/Power, and one with only Sensors', async () => {
    const older = await setup({ sensorCollection: false });
    expect((await older.bmc.sensors()).map((x) => x.name)).toEqual(['CPU Temp', 'Inlet Temp', 'Fan 1', 'System Power Control']);
    await older.s.stop();
    const newer = await setup({ legacySensors: false });
    expect((await newer.bmc.sensors()).map((x) => x.name)).toEqual(['Inlet Temp', 'PSU1 Input Voltage', 'Total Power']);
  });
});

describe('watts, event log, identity', () => {
  it('watts from PowerControl, with the time read', async () => {
    const { s, bmc } = await setup();
    expect(await bmc.watts()).toMatchObject({ watts: 212, source: 'PowerControl' });
    s.power = 'Off';
    expect((await bmc.watts()).watts).toBe(9);
  });

  it('watts are null, not 0, when the BMC gives none', async () => {
    const { bmc } = await setup({ legacySensors: false });
    expect(await bmc.watts()).toMatchObject({ watts: null, source: null });
  });

  it("the manager's SEL (preferred over the system's event log), every page of it", async () => {
    const { s, bmc } = await setup({ selEntries: 7, pageSize: 3 });
    const log = await bmc.eventLog();
    expect(log.service).toBe('/redfish/v1/Managers/bmc1/LogServices/SEL');
    expect(log.entries.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(log.entries[0]).toEqual({ id: 1, timestamp: '2026-01-01T00:00:00.000Z', sensor: 'temperature', event: 'event 1', direction: 'assertion' });
    expect(log.entries[1]).toMatchObject({ sensor: 'fan', direction: 'deassertion' });
    expect(s.count('GET', /SEL\/Entries\?\$skip=/)).toBe(2);
    expect((await bmc.eventLog({ limit: 4 })).entries.length).toBe(4);
  });

  it('the system asked for by Id; one that does not exist is named with those that do', async () => {
    const { s } = await setup();
    const named = openRedfish({ host: '127.0.0.1', port: s.port, protocol: 'http', username: 'admin', password: TEST_PASSWORD, systemId: 'sys1' });
    const wrong = openRedfish({ host: '127.0.0.1', port: s.port, protocol: 'http', username: 'admin', password: TEST_PASSWORD, systemId: 'System.Embedded.1' });
    handles.push(named, wrong);
    expect((await named.topology()).systemPath).toBe('/redfish/v1/Systems/sys1');
    await expect(wrong.powerState()).rejects.toThrow(/no system 'System.Embedded.1' \(it has: sys1\)/);
  });

  it('identity for the binding: serial, UUID, manufacturer, model, chassis serial', async () => {
    const { bmc } = await setup();
    expect(await bmc.identity()).toEqual({
      systemPath: '/redfish/v1/Systems/sys1',
      serialNumber: 'TS-SERIAL-0042',
      systemSerial: 'TS-SERIAL-0042',
      chassisSerial: 'TS-CHASSIS-7',
      uuid: '4c4c4544-0042-3010-8035-b4c04f4e3132',
      manufacturer: 'Test Co',
      model: 'TS-1',
    });
  });
});

describe('restore policy with If-Match', () => {
  it('reads, sets with the ETag of the read, and sends nothing when it is already set', async () => {
    const { s, bmc } = await setup({ powerRestorePolicy: 'AlwaysOn' });
    expect(await bmc.restorePolicy()).toMatchObject({ policy: 'always-on', raw: 'AlwaysOn', allowed: ['AlwaysOn', 'AlwaysOff', 'LastState'] });
    expect(await bmc.setRestorePolicy('previous')).toEqual({ policy: 'previous', changed: true, confirmed: true });
    const patch = s.requests.find((r) => r.method === 'PATCH');
    expect(patch?.body).toEqual({ PowerRestorePolicy: 'LastState' });
    expect(patch?.ifMatch).toMatch(/^W\/"[0-9a-f]{16}"$/);
    expect(await bmc.setRestorePolicy('previous')).toEqual({ policy: 'previous', changed: false, confirmed: true });
    expect(await bmc.setRestorePolicy('always-off')).toMatchObject({ policy: 'always-off', changed: true });
    expect(s.count('PATCH', '/redfish/v1/Systems/sys1')).toBe(2);
  });

  it('a 412 (changed meanwhile) reads again and decides again, once', async () => {
    const { s, bmc } = await setup({ powerRestorePolicy: 'AlwaysOn' });
    await bmc.topology();
    // Someone changes the system between our read and our write, exactly once.
    s.changeBeforeNextPatch();
    expect(await bmc.setRestorePolicy('always-off')).toMatchObject({ changed: true, confirmed: true });
    const patches = s.requests.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBe(2);
    expect(patches[0].ifMatch).not.toBe(patches[1].ifMatch);
    expect(s.count('GET', '/redfish/v1/Systems/sys1')).toBe(1 + 2 + 1);
    expect(s.restorePolicy).toBe('AlwaysOff');
  });

  it('a BMC that requires If-Match gets it; with the per-host opt-out none is sent', async () => {
    const { s, bmc } = await setup({ requireIfMatch: true });
    await bmc.setRestorePolicy('previous');
    expect(s.restorePolicy).toBe('LastState');
    const optOut = openRedfish({ host: '127.0.0.1', port: s.port, protocol: 'http', username: 'admin', password: TEST_PASSWORD, useEtag: false });
    handles.push(optOut);
    const e = await optOut.setRestorePolicy('always-on').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishHttpError);
    expect((e as RedfishHttpError).status).toBe(428);
    expect((e as Error).message).toMatch(/\[Base.1.8.PreconditionRequired\]/);
    expect(s.requests.filter((r) => r.method === 'PATCH').map((r) => r.ifMatch !== undefined)).toEqual([true, false]);
  });
});

describe('retries and deadlines', () => {
  it('a read is tried again after 503, a bounded number of times', async () => {
    const { s, bmc } = await setup({}, { retries: 2 });
    await bmc.topology();
    s.failNext(503, 2);
    expect((await bmc.powerState()).power).toBe('on');
    s.failNext(503, 5);
    const e = await bmc.powerState().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishHttpError);
    expect((e as RedfishHttpError).status).toBe(503);
    expect(s.count('GET', '/redfish/v1/Systems/sys1')).toBe(1 + 3 + 3);
  });

  it('a reset answered 503 is not posted again', async () => {
    const { s, bmc } = await setup({}, { retries: 5 });
    await bmc.topology();
    await bmc.powerState();
    s.failNext(503, 1);
    await expect(bmc.sendReset('ForceOff')).rejects.toThrow(/answered HTTP 503/);
    expect(s.count('POST', /ComputerSystem.Reset$/)).toBe(1);
  });

  it('a slow answer is a RedfishTimeoutError at the deadline; a read is tried again', async () => {
    const { s, bmc } = await setup({}, { timeoutMs: 150, retries: 1 });
    await bmc.topology();
    s.delayNext(1000);
    const t0 = Date.now();
    expect((await bmc.powerState()).power).toBe('on');
    expect(Date.now() - t0).toBeLessThan(900);
    expect(s.count('GET', '/redfish/v1/Systems/sys1')).toBe(3);
    s.delayNext(1000);
    const e = await bmc.sendReset('ForceOff').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishTimeoutError);
    expect(e).toMatchObject({ requestSent: true });
    expect((e as Error).message).toMatch(/no answer to POST \/redfish\/v1\/Systems\/sys1\/Actions\/ComputerSystem.Reset within 150 ms/);
    expect(s.count('POST', /ComputerSystem.Reset$/)).toBe(1);
  });

  it('a reading whose every request answers just in time ends at its own deadline: nothing changed, nothing more sent', async () => {
    const { s, bmc } = await setup({ pageSize: 2 }, { timeoutMs: 300, retries: 1, readDeadlineMs: 400 });
    await bmc.topology();
    const before = s.requests.length;
    await bmc.sensors();
    const perReading = s.requests.length - before;
    // Each answer comes 120 ms late: no request times out, but the sensors take more than 400 ms of them.
    expect(perReading * 120).toBeGreaterThan(400);
    s.delayEachMs = 120;
    const t0 = Date.now();
    const e = await bmc.sensors().catch((x: unknown) => x);
    const took = Date.now() - t0;
    expect(e).toBeInstanceOf(RedfishDeadlineError);
    expect((e as Error).message).toBe(`127.0.0.1:${s.port}: reading the sensors took longer than 400 ms in all (the BMC answers too slowly); nothing was changed`);
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(1_000);
    // The reading stopped at its deadline: the request on the wire then ends, no other is sent.
    const atDeadline = s.requests.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(s.requests.length).toBe(atDeadline);
    expect(atDeadline - before - perReading).toBeLessThan(perReading);
    // Reads only (and the session's login): nothing was asked of the system.
    expect(s.requests.filter((r) => r.method !== 'GET' && r.path !== '/redfish/v1/SessionService/Sessions')).toEqual([]);
    // The same BMC answering at its usual pace reads as before on the same handle.
    s.delayEachMs = 0;
    expect((await bmc.powerState()).power).toBe('on');
    expect((await bmc.sensors()).length).toBe(6);
  });

  it('the read deadline: given, none, or twice a request with its retries when that is more than 60 s', () => {
    expect(readDeadlineOf({})).toBe(60_000);
    expect(readDeadlineOf({ readDeadlineMs: 400 })).toBe(400);
    expect(readDeadlineOf({ readDeadlineMs: 0 })).toBeUndefined();
    expect(readDeadlineOf({ readDeadlineMs: Infinity })).toBeUndefined();
    expect(readDeadlineOf({ readDeadlineMs: 1e12 })).toBe(2 ** 31 - 1);
    expect(readDeadlineOf({ timeoutMs: 5_000, retries: 1 })).toBe(60_000);
    expect(readDeadlineOf({ timeoutMs: 600_000, retries: 2 })).toBe(3_600_000);
  });

  it('a reading within its deadline is not cut; power changes have no read deadline', async () => {
    const { s, bmc } = await setup({ resetAnswer: 202, taskPolls: 2 }, { timeoutMs: 300, readDeadlineMs: 250, power: { pollMs: 50 } });
    await bmc.topology();
    s.delayEachMs = 100;
    expect((await bmc.powerState()).power).toBe('on');
    // The reset, its task's polls and the confirming reads take longer than 250 ms together.
    const t0 = Date.now();
    const r = await bmc.power('off');
    expect(Date.now() - t0).toBeGreaterThan(250);
    expect(r).toMatchObject({ action: 'off', power: 'off', changed: true, confirmed: true });
    expect(s.count('POST', /ComputerSystem.Reset$/)).toBe(1);
  });
});
