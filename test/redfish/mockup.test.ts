/**
 * The client against DMTF's Redfish Mockup Server serving DMTF's public-rackmount1: every read
 * returns the values in the mockup's own index.json files, a session is opened, used and deleted,
 * and the resets posted are ones the mockup's AllowableValues offer, as the server's log shows.
 * (The mockup answers a reset 204 and leaves PowerState On: the power round trip is proven in
 * power.test.ts.)
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openRedfish, RedfishStateError, type RedfishBmc, type SensorView } from '../../lib/redfish/index.ts';
import { copyOfRackmount1, describeWithMockup, RACKMOUNT1, startRedfishMockup, type Mockup } from '../support/redfish-mockup.ts';

const PASSWORD = 'mockup-test-pw';
const file = (rel: string): Record<string, unknown> => JSON.parse(readFileSync(join(RACKMOUNT1, rel, 'index.json'), 'utf8')) as Record<string, unknown>;

function connect(m: Mockup, o: { sessionIdleMs?: number } = {}): RedfishBmc {
  return openRedfish({ host: '127.0.0.1', port: m.port, protocol: 'http', username: 'admin', password: PASSWORD, power: { pollMs: 50 }, ...o });
}

/** The reset types the server received, from its log ("POST: Data: {'ResetType': 'ForceOff'}"). */
const resetsLogged = (m: Mockup): string[] => [...m.log().matchAll(/POST: Data: \{'ResetType': '(\w+)'\}/g)].map((x) => x[1]);
const find = (all: SensorView[], name: string): SensorView | undefined => all.find((s) => s.name === name);

describeWithMockup("DMTF's Redfish mockup (public-rackmount1)", () => {
  let m: Mockup;
  let bmc: RedfishBmc;
  beforeAll(async () => {
    m = await startRedfishMockup();
    bmc = connect(m);
  });
  afterAll(async () => {
    await bmc?.close();
    await m?.stop();
  });

  it('discovers the system, chassis, manager and reset types by following links', async () => {
    const system = file('Systems/437XR1138R2');
    const reset = (system.Actions as Record<string, Record<string, unknown>>)['#ComputerSystem.Reset'];
    expect(await bmc.topology()).toEqual({
      systemPath: '/redfish/v1/Systems/437XR1138R2',
      chassisPath: '/redfish/v1/Chassis/1U',
      managerPath: '/redfish/v1/Managers/BMC',
      reset: { target: reset.target, types: reset['ResetType@Redfish.AllowableValues'], source: 'AllowableValues' },
    });
  });

  it('power state and identity as the files give them', async () => {
    const p = await bmc.powerState();
    expect(p).toMatchObject({ power: 'on', raw: 'On' });
    expect(Date.now() - Date.parse(p.observedAt)).toBeLessThan(10_000);
    expect(await bmc.identity()).toEqual({
      systemPath: '/redfish/v1/Systems/437XR1138R2',
      serialNumber: '437XR1138R2',
      systemSerial: '437XR1138R2',
      chassisSerial: '437XR1138R2',
      uuid: '38947555-7742-3448-3784-823347823834',
      manufacturer: 'Contoso',
      model: '3500',
      sku: '8675309',
    });
  });

  it('sensors of both generations with thresholds: Thermal, Power and the Sensors collection, each once', async () => {
    const all = await bmc.sensors();
    expect(find(all, 'CPU1 Temp')).toEqual({ name: 'CPU1 Temp', type: 'temperature', value: 41, unit: 'degrees C', status: 'ok', thresholds: { unc: 42, ucr: 45, unr: 48 } });
    expect(find(all, 'Chassis Intake Temp')).toEqual({ name: 'Chassis Intake Temp', type: 'temperature', value: 25, unit: 'degrees C', status: 'ok', thresholds: { unc: 30, ucr: 40, unr: 50, lnc: 10, lcr: 5, lnr: 0 } });
    expect(find(all, 'CPU2 Temp')).toMatchObject({ value: null, status: 'unavailable' });
    expect(find(all, 'BaseBoard System Fan')).toMatchObject({ type: 'fan', value: 2100, unit: 'RPM', thresholds: { lnr: 0 } });
    expect(find(all, 'System Input Power')).toMatchObject({ type: 'power', value: 344, unit: 'Watts' });
    expect(find(all, 'VRM1 Voltage')).toMatchObject({ type: 'voltage', value: 12, thresholds: { unc: 12.5, ucr: 13, unr: 15, lnc: 11.5, lcr: 11, lnr: 10 } });
    expect(find(all, 'CPU #1 Temperature')).toEqual({ name: 'CPU #1 Temperature', type: 'temperature', value: 37, unit: 'degrees C', status: 'ok', thresholds: { unc: 42, ucr: 45, unr: 50 } });
    expect(find(all, 'CPU #1 Fan Speed')).toMatchObject({ type: 'fan', value: 80, unit: 'percent', thresholds: { lnc: 5, lcr: 0 } });
    expect(find(all, 'Power reading for the Chassis')).toMatchObject({ type: 'power', value: 374, thresholds: { unc: 580, ucr: 600 } });
    // Every member of the Sensors collection, once; nothing twice.
    const members = (file('Chassis/1U/Sensors').Members as { '@odata.id': string }[]).map((x) => JSON.parse(readFileSync(join(RACKMOUNT1, x['@odata.id'].replace('/redfish/v1/', ''), 'index.json'), 'utf8')).Name as string);
    for (const name of members) expect(all.filter((s) => s.name === name).length).toBe(1);
    expect(new Set(all.map((s) => `${s.type}/${s.name}`)).size).toBe(all.length);
    // The service root offers $expand: the collection came in one GET.
    expect(m.log()).toContain('GET /redfish/v1/Chassis/1U/Sensors?$expand=.($levels=1)');
  });

  it('watts from PowerControl (344 W); from EnvironmentMetrics (374 W) where PowerControl gives none', async () => {
    expect(await bmc.watts()).toMatchObject({ watts: 344, source: 'PowerControl' });
    // The mockup keeps PATCHes in memory (of its own copy): take PowerControl away.
    await bmc.client.patch('/redfish/v1/Chassis/1U/Power', { PowerControl: [] });
    expect(await bmc.watts()).toMatchObject({ watts: 374, source: 'EnvironmentMetrics' });
  });

  it('the event log: the system log service, its entries decoded, its self-repeating next link read once', async () => {
    const log = await bmc.eventLog();
    expect(log.service).toBe('/redfish/v1/Systems/437XR1138R2/LogServices/Log1');
    expect(log.entries).toEqual([
      { id: 1, timestamp: '2012-03-07T14:44:00.000Z', sensor: 'temperature', event: 'Temperature threshold exceeded', direction: null },
      { id: 2, timestamp: '2012-03-07T14:45:00.000Z', sensor: 'temperature', event: 'Temperature threshold exceeded', direction: null },
    ]);
    expect(m.log().match(/GET \/redfish\/v1\/Systems\/437XR1138R2\/LogServices\/Log1\/Entries\?\$skiptoken=2 /g)?.length).toBe(1);
  });

  it('the restore policy: absent, then set by PATCH and read back', async () => {
    expect(await bmc.restorePolicy()).toMatchObject({ policy: 'unknown', raw: null });
    expect(await bmc.setRestorePolicy('previous')).toEqual({ policy: 'previous', changed: true, confirmed: true });
    expect(m.log()).toContain("PATCH: Data: {'PowerRestorePolicy': 'LastState'}");
  });

  it('resets posted are ones the AllowableValues offer; on for a host that is on sends nothing', async () => {
    const offered = (file('Systems/437XR1138R2').Actions as Record<string, Record<string, string[]>>)['#ComputerSystem.Reset']['ResetType@Redfish.AllowableValues'];
    expect(await bmc.power('on')).toMatchObject({ changed: false, resetTypes: [] });
    expect(resetsLogged(m)).toEqual([]);

    const off = await bmc.power('off', { confirmTimeoutMs: 200 });
    // The mockup accepts (204) and keeps PowerState On: reported, not guessed.
    expect(off).toMatchObject({ changed: true, confirmed: false, power: 'on', resetTypes: ['ForceOff'] });
    expect(await bmc.power('soft')).toMatchObject({ resetTypes: ['GracefulShutdown'], confirmed: false });
    // No PowerCycle here: ForceOff, and On only once Off is seen; it never is, so On is not sent.
    const cycle = await bmc.power('cycle', { confirmTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(cycle).toBeInstanceOf(RedfishStateError);
    expect((cycle as Error).message).toMatch(/ForceOff sent but the host still reports On after 0.2 s; not powering on/);

    expect(resetsLogged(m)).toEqual(['ForceOff', 'GracefulShutdown', 'ForceOff']);
    for (const t of resetsLogged(m)) expect(offered).toContain(t);
    expect(m.log().match(/"POST \/redfish\/v1\/Systems\/437XR1138R2\/Actions\/ComputerSystem.Reset HTTP\/1.1" 204/g)?.length).toBe(3);
  });

  it('a session: one login, the token used, the session listed while open and deleted at close', async () => {
    const own = connect(m);
    try {
      await Promise.all([own.powerState(), own.identity(), own.watts()]);
      expect(own.client.authentication).toMatchObject({ mode: 'session', logins: 1, hasSession: true });
      const sessions = (await own.client.getObject('/redfish/v1/SessionService/Sessions')).Members as { '@odata.id': string }[];
      expect(sessions.length).toBeGreaterThanOrEqual(2);
      const ours = sessions.at(-1)?.['@odata.id'] as string;
      await own.close();
      expect(m.log()).toContain(`"DELETE ${ours} HTTP/1.1" 204`);
      const after = (await bmc.client.getObject('/redfish/v1/SessionService/Sessions')).Members as { '@odata.id': string }[];
      expect(after.map((s) => s['@odata.id'])).not.toContain(ours);
    } finally {
      await own.close();
    }
    expect(m.log()).toMatch(/X-Auth-Token: 1234567890ABCDEF/i);
  });
});

describeWithMockup('DMTF mockup without a Sensors collection: the subsystem excerpts', () => {
  let m: Mockup;
  let dir: string;
  beforeAll(async () => {
    dir = copyOfRackmount1();
    const chassisFile = join(dir, 'Chassis/1U/index.json');
    const chassis = JSON.parse(readFileSync(chassisFile, 'utf8')) as Record<string, unknown>;
    delete chassis.Sensors;
    writeFileSync(chassisFile, JSON.stringify(chassis));
    rmSync(join(dir, 'Chassis/1U/Sensors'), { recursive: true });
    m = await startRedfishMockup(dir);
  });
  afterAll(async () => {
    await m?.stop();
    if (dir) rmSync(dirname(dir), { recursive: true, force: true });
  });

  it('ThermalMetrics, Fans, PowerSupplyMetrics and EnvironmentMetrics (39 C, 374 W), each sensor once by DataSourceUri', async () => {
    const bmc = connect(m);
    try {
      const all = await bmc.sensors();
      // EnvironmentMetrics' 39 C and ThermalMetrics' Internal 39 C copy the same sensor (CPU1Temp): once.
      expect(all.filter((s) => s.type === 'temperature' && s.value === 39).map((s) => s.name)).toEqual(['Internal Temperature']);
      expect(find(all, 'Environment Power')).toMatchObject({ type: 'power', value: 374, unit: 'Watts' });
      expect(all.filter((s) => s.value === 24.8).map((s) => s.name)).toEqual(['Intake']);
      expect(find(all, 'Fan Bay 1')).toMatchObject({ type: 'fan', value: 45, unit: 'percent' });
      expect(find(all, 'PSU 1 Input Power')).toMatchObject({ type: 'power', value: 937.4 });
      // The older generation is still there beside them.
      expect(find(all, 'CPU1 Temp')?.value).toBe(41);
    } finally {
      await bmc.close();
    }
  });
});
