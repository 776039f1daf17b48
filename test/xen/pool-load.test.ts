/**
 * A pool's measured load through the Hypervisor adapter against the simulated pool, every member
 * on an endpoint of its own: each live member read at host.address with the adapter's session,
 * its resident VMs named by vmId; a member that is off is not asked; one whose address does not
 * answer, or answers with another host's export, is a named failure, not an empty load.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { XapiHypervisor } from '../../lib/xen/index.ts';
import { readPoolLoad } from '../../lib/xen/pool-load.ts';
import type { XapiSim } from '../../lib/sim/xen/index.ts';
import { client, eventually, gib, smallPool } from './support.ts';
import { fixture, HOST } from './rrd-fixtures.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function adapter(sim: XapiSim): Promise<XapiHypervisor> {
  const hv = new XapiHypervisor(client(sim));
  cleanup.push(() => sim.stop(), () => hv.close());
  return hv;
}

async function listen(handler: http.RequestListener): Promise<{ port: number; close: () => Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  return {
    port: (s.address() as AddressInfo).port,
    close: () => new Promise<void>((ok) => (s.close(() => ok()), s.closeAllConnections())),
  };
}

const now = (): number => Math.floor(Date.now() / 1000);

describe('readPoolLoad', () => {
  it('reads every live member at its own address; VMs by vmId on the host they run on', async () => {
    const { sim } = await smallPool(
      [
        { name: 'web', memoryBytes: gib(4), vcpus: 2, host: 'h1' },
        { name: 'db', memoryBytes: gib(8), vcpus: 4, host: 'h2' },
        { name: 'batch', memoryBytes: gib(2), vcpus: 1, host: 'h3', guestAgent: false },
      ],
      { hostEndpoints: true },
    );
    const hv = await adapter(sim);
    const addresses = (await hv.hosts()).map((h) => h.address);
    expect(addresses[0]).toBe('127.0.0.1');
    expect(addresses.slice(1).every((a) => /^127\.0\.0\.1:\d+$/.test(a))).toBe(true);

    const read = await readPoolLoad(hv, { start: now() - 600, interval: 60 });
    expect(read.failed).toEqual([]);
    expect(read.notLive).toEqual([]);
    expect(read.members.map((m) => m.hostId)).toEqual(['h1', 'h2', 'h3']);
    for (const m of read.members) {
      expect(m.host?.uuid).toBe(sim.state.host(m.hostId).uuid);
      expect(m.host?.cpus).toBe(16);
      expect(m.host?.cpuPercent).toBeGreaterThan(0);
      expect(m.host?.memoryTotalBytes).toBeCloseTo(64 * 2 ** 30, -6);
    }
    const vmsOf = (hostId: string): string[] => read.members.find((m) => m.hostId === hostId)!.vms.map((v) => v.vmId ?? v.uuid);
    expect(vmsOf('h1')).toEqual(['web']);
    expect(vmsOf('h2')).toEqual(['db']);
    expect(vmsOf('h3')).toEqual(['batch']);
    const batch = read.members[2].vms[0];
    expect(batch).toMatchObject({ vcpus: 1, memoryUsedFrom: 'allocation', missing: ['memory_internal_free'] });
    expect(read.members[1].vms[0]).toMatchObject({ vcpus: 4, memoryUsedFrom: 'guest', missing: [] });
  });

  it('does not ask a member that is off; names one whose address does not answer or answers for another host', async () => {
    const stray = await listen((_req, res) => void res.writeHead(200).end(fixture('rrd-updates.json')));
    const gone = await listen(() => undefined);
    await gone.close();
    cleanup.push(stray.close);
    const { sim, models } = await smallPool([{ name: 'app', memoryBytes: gib(4), vcpus: 2, host: 'h1' }], { hostEndpoints: true }, ['h1', 'h2', 'h3', 'h4'], {
      h3: { address: `127.0.0.1:${gone.port}` },
      h4: { address: `127.0.0.1:${stray.port}` },
    });
    const hv = await adapter(sim);
    models.get('h2')!.control('off');
    await eventually(async () => (await hv.hosts()).find((h) => h.hostId === 'h2')?.live === false, 5000, 'h2 not live');

    const read = await readPoolLoad(hv, { start: now() - 300, timeoutMs: 2000 });
    expect(read.notLive).toEqual(['h2']);
    expect(read.members.map((m) => m.hostId)).toEqual(['h1']);
    expect(read.failed.map((f) => [f.hostId, f.kind])).toEqual([
      ['h3', 'unreachable'],
      ['h4', 'wrong-host'],
    ]);
    expect(read.failed[1].reason).toContain(HOST);
  });

  it('a member endpoint that drops while its host is down comes back with the host', async () => {
    const { sim, models } = await smallPool([], { hostEndpoints: true, agentStartMs: 50 });
    const hv = await adapter(sim);
    const address = sim.state.host('h2').address;
    const session = await hv.client.sessionId();
    const ask = (): Promise<number> => fetch(`http://${address}/rrd_updates?session_id=${encodeURIComponent(session)}&start=${now() - 60}&host=true&json=true`).then((r) => r.status);
    expect(await ask()).toBe(200);
    models.get('h2')!.control('off');
    await eventually(() => !sim.state.hostMetrics('h2').live || (sim.refresh(), false), 5000, 'h2 down');
    await expect(ask()).rejects.toThrow();
    models.get('h2')!.control('on');
    await eventually(async () => (await ask().catch(() => 0)) === 200, 10_000, 'h2 answering again');
  });
});
