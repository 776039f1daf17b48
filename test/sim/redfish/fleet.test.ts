/**
 * A fleet of simulated Redfish BMCs, as the local runner will start it: named hosts on loopback
 * ports, one certificate, identities by name; and a simulated XAPI pool whose hosts live and die
 * with their Redfish BMC's power, as they do with IPMI ones, with the same serials in bios_strings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInventory } from '../../../lib/fleet/inventory.ts';
import { simIdentityFor } from '../../../lib/sim/ipmi/identity.ts';
import { startRedfishFleet, type RedfishFleet } from '../../../lib/sim/redfish/index.ts';
import { demoPool, startXapiSim, type HostPowerLink, type XapiSim } from '../../../lib/sim/xen/index.ts';
import { XapiClient, XapiHypervisor } from '../../../lib/xen/index.ts';
import { call, eventually } from './support.ts';

const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

describe('startRedfishFleet', () => {
  it('starts one HTTPS BMC per name on its own port, all with the fleet certificate and password', async () => {
    const fleet = await startRedfishFleet({ names: ['host-005', 'host-006', 'rack2-a'], password: 'fleet-pw-61', variant: 'openbmc' });
    stops.push(() => fleet.stop());
    const entries = fleet.entries();
    expect(entries.map((e) => e.name)).toEqual(['host-005', 'host-006', 'rack2-a']);
    expect(new Set(entries.map((e) => e.port)).size).toBe(3);
    const fp = new X509Certificate(fleet.certificate!.certPem).fingerprint256;
    for (const e of entries) {
      expect(e).toMatchObject({ host: '127.0.0.1', user: 'admin', url: `https://127.0.0.1:${e.port}`, fingerprint256: fp });
      expect(JSON.stringify(e)).not.toContain('fleet-pw-61');
    }
    for (const b of fleet.bmcs) {
      const sys = await call(b, 'GET', '/redfish/v1/Systems/system', { basic: { user: 'admin', password: 'fleet-pw-61' } });
      expect(sys.json.SerialNumber).toBe(simIdentityFor(b.name).productSerial);
    }
    expect(fleet.byName('rack2-a')).toBe(fleet.bmcs[2]);
    // A host's machine depends on its name and the seed, not on its place in the list.
    const again = await startRedfishFleet({ names: ['rack2-a'], tls: false });
    stops.push(() => again.stop());
    expect(again.bmcs[0].state.hostOptions.peakWatts).toBe(fleet.bmcs[2].state.hostOptions.peakWatts);
    expect(again.entries()[0].url).toMatch(/^http:\/\//);
    expect(again.entries()[0].fingerprint256).toBeUndefined();
  });

  it('writes an inventory the fleet reader takes, with the password in a 0600 file beside it', async () => {
    const fleet = await startRedfishFleet({ count: 2, password: 'inv-pw-93' });
    stops.push(() => fleet.stop());
    const dir = mkdtempSync(join(tmpdir(), 'rfsim-inv-'));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const { inventory, passwordFile } = fleet.writeInventory(join(dir, 'sub', 'redfish.json'));
    expect(passwordFile).toBe(join(dir, 'sub', 'redfish.password'));
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(inventory, 'utf8')).not.toContain('inv-pw-93');
    const hosts = readInventory(inventory);
    expect(hosts.map((h) => [h.name, h.port, h.user, h.password])).toEqual(fleet.bmcs.map((b) => [b.name, b.port, 'admin', 'inv-pw-93']));
    const raw = JSON.parse(readFileSync(inventory, 'utf8'));
    expect(raw[0]).toMatchObject({ protocol: 'redfish', url: fleet.bmcs[0].url, fingerprint256: fleet.bmcs[0].fingerprint256 });
  });

  it('consecutive ports from a base port, and clear errors for bad input', async () => {
    // A free port from the system, then two from there (tried again if the next one is taken).
    let fleet: RedfishFleet | undefined;
    let base = 0;
    for (let attempt = 0; !fleet; attempt++) {
      const probe = await startRedfishFleet({ count: 1, tls: false });
      base = probe.bmcs[0].port;
      await probe.stop();
      fleet = await startRedfishFleet({ count: 2, basePort: base, tls: false }).catch((e: Error) => {
        if (attempt >= 4) throw e;
        return undefined;
      });
    }
    const started = fleet;
    stops.push(() => started.stop());
    expect(fleet.entries().map((e) => [e.name, e.port])).toEqual([
      ['host-001', base],
      ['host-002', base + 1],
    ]);
    await expect(startRedfishFleet({ count: 1, basePort: base, tls: false })).rejects.toThrow(`port ${base} is in use`);
    await expect(startRedfishFleet({ count: 0 })).rejects.toThrow(/1 to 1000 BMCs/);
    await expect(startRedfishFleet({ names: ['a', 'a'] })).rejects.toThrow(/unique/);
    await expect(startRedfishFleet({ count: 2, basePort: 65535 })).rejects.toThrow(/65535/);
  });
});

describe('a simulated pool on Redfish BMCs', () => {
  let xapi: XapiSim;
  let hv: XapiHypervisor;
  let fleet: RedfishFleet;

  it('a host lives and dies with its BMC power, and XAPI carries the BMC serials', async () => {
    fleet = await startRedfishFleet({ count: 6, tls: false, password: 'pw-pool-1', timings: { postMs: 100, softOffMs: 150, cycleOffMs: 100, thermalTauMs: 2_000 } });
    stops.push(() => fleet.stop());
    const links = new Map<string, HostPowerLink>(fleet.bmcs.map((b) => [b.name, b.power]));
    const serialOf = (name: string) => ({ serial: simIdentityFor(name).productSerial, boardSerial: simIdentityFor(name).boardSerial });
    xapi = await startXapiSim({ ...demoPool(links, { user: 'root', password: 'xapi-pw-2' }, { serialOf }), migrateMs: 5, agentStartMs: 50, tickMs: 20 });
    stops.push(() => xapi.stop());
    const client = new XapiClient({ url: xapi.url, user: 'root', password: 'xapi-pw-2', taskPollMs: 10, requestTimeoutMs: 5000 });
    hv = new XapiHypervisor(client);
    stops.push(() => hv.close());
    await eventually(async () => (await hv.hosts()).every((h) => h.live), 5000, 'all hosts live');

    const bmc = fleet.byName('host-006')!;
    const redfishSerial = (await call(bmc, 'GET', '/redfish/v1/Systems/1', { basic: { user: 'admin', password: 'pw-pool-1' } })).json.SerialNumber;
    expect((await hv.hostIdentity('host-006')).serial).toBe(redfishSerial);

    const post = (ResetType: string) => call(bmc, 'POST', '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset', { basic: { user: 'admin', password: 'pw-pool-1' }, body: { ResetType } });
    expect((await post('ForceOff')).status).toBe(204);
    await eventually(async () => !(await hv.hosts()).find((h) => h.hostId === 'host-006')!.live, 5000, 'host-006 dead in XAPI');
    expect((await post('On')).status).toBe(204);
    await eventually(async () => (await hv.hosts()).find((h) => h.hostId === 'host-006')!.live, 5000, 'host-006 live again');
    expect((await hv.hosts()).filter((h) => h.live)).toHaveLength(6);

    // The other way round: XAPI's own shutdown goes through the same machine, seen over Redfish.
    links.get('host-005')!.control('soft');
    const state = async () => (await call(fleet.byName('host-005')!, 'GET', '/redfish/v1/Systems/1', { basic: { user: 'admin', password: 'pw-pool-1' } })).json.PowerState;
    expect(await state()).toBe('PoweringOff');
    await eventually(async () => (await state()) === 'Off', 5000, 'host-005 Off over Redfish');
  });
});
