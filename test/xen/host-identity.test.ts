/**
 * What names the machine under each host, read through the Hypervisor adapter over JSON-RPC:
 * host.address and the serials of bios_strings (the keys xapi's bios_strings.ml fills, "" for an
 * empty field), in the small test pool and in the demo pool with serials given per host, as the
 * local runner gives it the simulated BMCs' serials. Also the guests on their way to a host.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { XapiHypervisor } from '../../lib/xen/index.ts';
import { demoPool, startXapiSim, type XapiSim } from '../../lib/sim/xen/index.ts';
import { client, eventually, gib, hostModel, PASSWORD, smallPool, USER } from './support.ts';

const sims: XapiSim[] = [];
const hvs: XapiHypervisor[] = [];
afterEach(async () => {
  await Promise.all(hvs.splice(0).map((h) => h.close()));
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

function adapter(sim: XapiSim): XapiHypervisor {
  sims.push(sim);
  const hv = new XapiHypervisor(client(sim));
  hvs.push(hv);
  return hv;
}

describe('serials and address', () => {
  it('reads host.address and the bios_strings serials, trimmed; an empty serial is undefined', async () => {
    const { sim } = await smallPool([], {}, ['h1', 'h2', 'h3'], {
      h1: { serial: 'CZJ1234ABC', boardSerial: '.7G1K3R2.CN1296' },
      h2: { serial: '  SN-h2\t', boardSerial: '   ', address: '10.0.0.12' },
    });
    const hv = adapter(sim);
    const hosts = Object.fromEntries((await hv.hosts()).map((h) => [h.hostId, h]));

    expect(hosts.h1).toMatchObject({ address: '127.0.0.1', serial: 'CZJ1234ABC', boardSerial: '.7G1K3R2.CN1296', isMaster: true });
    expect(hosts.h2).toMatchObject({ address: '10.0.0.12', serial: 'SN-h2' });
    expect(hosts.h2.boardSerial).toBeUndefined();
    expect(hosts.h3.address).toBe('127.0.1.3');
    expect('serial' in hosts.h3).toBe(false);
    expect('boardSerial' in hosts.h3).toBe(false);

    // The same, one host, fresh.
    expect(await hv.hostIdentity('h2')).toEqual({ hostId: 'h2', uuid: sim.state.host('h2').uuid, address: '10.0.0.12', serial: 'SN-h2' });
    expect(await hv.hostIdentity('h1')).toEqual({ hostId: 'h1', uuid: sim.state.host('h1').uuid, address: '127.0.0.1', serial: 'CZJ1234ABC', boardSerial: '.7G1K3R2.CN1296' });
  });

  it('serves bios_strings with the keys xapi fills, over the generic getter too', async () => {
    const { sim } = await smallPool([], {}, ['h1', 'h2'], { h2: { serial: 'S-2', boardSerial: 'B-2' } });
    const hv = adapter(sim);
    const [ref] = await hv.client.call<string[]>('host.get_by_name_label', 'h2');
    const bios = await hv.client.call<Record<string, string>>('host.get_bios_strings', ref);
    for (const key of ['system-serial-number', 'baseboard-serial-number', 'system-manufacturer', 'system-product-name', 'bios-vendor', 'bios-version']) {
      expect(typeof bios[key], key).toBe('string');
    }
    expect(bios['system-serial-number']).toBe('S-2');
    expect(bios['baseboard-serial-number']).toBe('B-2');
    expect(bios['system-manufacturer']).not.toBe('');
    const [h1] = await hv.client.call<string[]>('host.get_by_name_label', 'h1');
    expect((await hv.client.call<Record<string, string>>('host.get_bios_strings', h1))['system-serial-number']).toBe('');
    expect(await hv.client.call<string>('host.get_address', ref)).toBe('127.0.1.2');
  });

  it('refuses two hosts with one address', async () => {
    await expect(smallPool([], {}, ['h1', 'h2'], { h2: { address: '127.0.0.1' } })).rejects.toThrow(/addresses must be unique/);
  });

  it('demo pool: distinct addresses, and the serials the runner gives per host', async () => {
    const links = new Map(Array.from({ length: 6 }, (_, i) => [`host-00${i + 1}`, hostModel()]));
    const serialOf = (name: string): { serial: string; boardSerial: string } | undefined =>
      name === 'host-006' ? undefined : { serial: `PS-${name}`, boardSerial: `BS-${name.slice(-1)}` };
    const hv = adapter(await startXapiSim({ ...demoPool(links, { user: USER, password: PASSWORD }, { serialOf }), agentStartMs: 50, tickMs: 20 }));
    const hosts = await hv.hosts();
    expect(new Set(hosts.map((h) => h.address)).size).toBe(6);
    expect(hosts.find((h) => h.isMaster)?.address).toBe('127.0.0.1');
    for (const h of hosts.filter((x) => x.hostId !== 'host-006')) expect(h).toMatchObject({ serial: `PS-${h.hostId}`, boardSerial: `BS-${h.hostId.slice(-1)}` });
    const last = hosts.find((h) => h.hostId === 'host-006')!;
    expect(last.serial).toBeUndefined();
    expect(last.boardSerial).toBeUndefined();

    const plain = adapter(await startXapiSim({ ...demoPool(links, { user: USER, password: PASSWORD }), agentStartMs: 50, tickMs: 20 }));
    expect((await plain.hosts()).every((h) => h.serial === undefined && h.boardSerial === undefined)).toBe(true);
  });
});

describe('incoming guests', () => {
  it('names a VM while it migrates to the host, and no longer once it arrived', async () => {
    const { sim } = await smallPool([{ name: 'app', memoryBytes: gib(4), vcpus: 1, host: 'h3' }], { migrateMs: 300 });
    const hv = adapter(sim);
    expect(await hv.incomingGuestVms('h1')).toEqual([]);
    const moving = hv.migrateVm('app', 'h1');
    await eventually(async () => (await hv.incomingGuestVms('h1')).length > 0, 2000, 'app incoming');
    expect(await hv.incomingGuestVms('h1')).toEqual(['app']);
    expect(await hv.incomingGuestVms('h3')).toEqual([]);
    await moving;
    expect(await hv.incomingGuestVms('h1')).toEqual([]);
    expect(await hv.residentGuestVms('h1')).toEqual(['app']);
  });
});
