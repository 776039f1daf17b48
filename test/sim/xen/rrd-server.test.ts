/**
 * The simulated pool's /rrd_updates over real sockets: the real format (xport XML by default,
 * strict JSON with `json`), the real legend names, served by the master beside /jsonrpc and by
 * every other host at the address its record gives; xapi's answers to a missing session (401) or
 * start (500); the archive xcp-rrdd would pick for interval and start; a night and a day stepped
 * through with a clock; a pushed load and its reset; VM_metrics and host_metrics agreeing with
 * the export; the gap a host's reboot leaves (NaN, read as null).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GiB, startXapiSim, type SimVmSpec, type XapiSim } from '../../../lib/sim/xen/index.ts';
import { XapiClient } from '../../../lib/xen/index.ts';
import { loadFromUpdates } from '../../../lib/xen/load.ts';
import { RrdReader } from '../../../lib/xen/rrd-reader.ts';
import { parseRrdUpdates, rrdObject, rrdSeries, rrdSourceNames, type RrdUpdates } from '../../../lib/xen/rrd-updates.ts';
import { eventually, hostModel, PASSWORD, USER } from '../../xen/support.ts';

const NIGHT = Date.parse('2026-03-10T03:00:00.000Z');
const HOUR = 3_600_000;
const running: Array<{ sim: XapiSim; client: XapiClient }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.client.close();
    await r.sim.stop();
  }
});

const VMS: SimVmSpec[] = [
  { name: 'web', memoryBytes: 4 * GiB, vcpus: 4, host: 'h1' },
  { name: 'db', memoryBytes: 16 * GiB, vcpus: 4, host: 'h2' },
  { name: 'app', memoryBytes: 8 * GiB, vcpus: 4, host: 'h2' },
  { name: 'ci', memoryBytes: 8 * GiB, vcpus: 4, host: 'h3', guestAgent: false },
  { name: 'cache', memoryBytes: 4 * GiB, vcpus: 4, host: 'h3' },
];

async function pool(o: { clock?: { now(): number }; agentStartMs?: number } = {}): Promise<{ sim: XapiSim; client: XapiClient; session: string; models: Map<string, ReturnType<typeof hostModel>> }> {
  const models = new Map(['h1', 'h2', 'h3'].map((n) => [n, hostModel()]));
  const sim = await startXapiSim({
    credentials: { user: USER, password: PASSWORD },
    pool: { name: 'rrd-pool' },
    hosts: [...models].map(([name, power], i) => ({ name, memoryBytes: 64 * GiB, cpus: 16, power, master: i === 0 })),
    vms: VMS,
    agentStartMs: o.agentStartMs ?? 100,
    tickMs: 20,
    hostEndpoints: true,
    seed: 11,
    ...(o.clock ? { clock: o.clock } : {}),
  });
  const client = new XapiClient({ url: sim.url, user: USER, password: PASSWORD, requestTimeoutMs: 5000 });
  running.push({ sim, client });
  return { sim, client, session: await client.sessionId(), models };
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

const rrdUrl = (address: string, query: Record<string, string | number>): string =>
  `http://${address}/rrd_updates?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()}`;

describe('simulated /rrd_updates', () => {
  it('serves the real format at the master and at every host’s own address: XML by default, JSON with json', async () => {
    let now = NIGHT + 10 * HOUR + 17_000;
    const { sim, session } = await pool({ clock: { now: () => now } });
    const start = Math.floor(now / 1000) - 600;
    const h2 = sim.state.host('h2');
    expect(h2.address).toMatch(/^127\.0\.0\.1:\d+$/);

    const xml = await get(rrdUrl(h2.address, { session_id: session, start, host: 'true', cf: 'AVERAGE', interval: 60 }));
    expect(xml.status).toBe(200);
    expect(xml.type).toBe('text/xml');
    expect(xml.body.startsWith('<?xml version="1.0" encoding="UTF-8"?><xport><meta><start>')).toBe(true);
    const u = parseRrdUpdates(xml.body);
    const host = rrdObject(u, 'host', h2.uuid)!;
    expect(rrdSourceNames(host)).toEqual([...Array.from({ length: 16 }, (_, i) => `cpu${i}`), 'cpu_avg', 'memory_total_kib', 'memory_free_kib']);
    const db = sim.state.vm('db');
    expect(rrdSourceNames(rrdObject(u, 'vm', db.uuid)!)).toEqual(['cpu0', 'cpu1', 'cpu2', 'cpu3', 'memory', 'memory_target', 'memory_internal_free']);
    // Only the host's own RRD and its resident VMs'.
    expect([...u.objects.values()].map((o) => `${o.kind}:${o.uuid}`).sort()).toEqual([`host:${h2.uuid}`, `vm:${db.uuid}`, `vm:${sim.state.vm('app').uuid}`].sort());
    expect(u.columns.every((c) => c.cf === 'AVERAGE')).toBe(true);

    const json = await get(rrdUrl(h2.address, { session_id: session, start, host: 'true', cf: 'AVERAGE', interval: 60, json: 'true' }));
    expect(json.status).toBe(200);
    expect(json.type).toBeNull();
    const raw = JSON.parse(json.body) as { meta: { legend: string[]; rows: number }; data: Array<{ t: number; values: unknown[] }> };
    expect(raw.meta.legend[0]).toBe(`AVERAGE:host:${h2.uuid}:cpu0`);
    expect(raw.data[0].values.every((v) => typeof v === 'string')).toBe(true);
    expect(raw.data[0].t).toBeGreaterThan(raw.data[1].t);
    expect(parseRrdUpdates(json.body)).toEqual(u);

    // The master answers for itself beside /jsonrpc.
    const master = parseRrdUpdates((await get(`${sim.url}/rrd_updates?session_id=${encodeURIComponent(session)}&start=${start}&host=true&json=true`)).body);
    expect([...master.objects.keys()].sort()).toEqual([`host:${sim.state.host('h1').uuid}`, `vm:${sim.state.vm('web').uuid}`].sort());
    // Without host=true, the VMs only; a VM without an agent has no memory_internal_free.
    const h3 = parseRrdUpdates((await get(rrdUrl(sim.state.host('h3').address, { session_id: session, start, json: 1 }))).body);
    expect([...h3.objects.values()].every((o) => o.kind === 'vm')).toBe(true);
    expect(rrdSourceNames(rrdObject(h3, 'vm', sim.state.vm('ci').uuid)!, 'AVERAGE')).not.toContain('memory_internal_free');
    expect(rrdSourceNames(rrdObject(h3, 'vm', sim.state.vm('cache').uuid)!, 'AVERAGE')).toContain('memory_internal_free');
    now += 1;
  });

  it('answers as xapi does: 401 without a valid session (Basic credentials accepted), 500 without start, 404 elsewhere', async () => {
    const { sim, session } = await pool();
    const address = sim.state.host('h3').address;
    const start = Math.floor(Date.now() / 1000) - 60;
    const missing = await get(rrdUrl(address, { start }));
    expect(missing.status).toBe(401);
    expect((await get(rrdUrl(address, { start, session_id: 'OpaqueRef:stale' }))).status).toBe(401);
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    expect((await get(rrdUrl(address, { start }), { authorization: basic })).status).toBe(200);
    expect((await get(rrdUrl(address, { start }), { authorization: `Basic ${Buffer.from(`${USER}:wrong`).toString('base64')}` })).status).toBe(401);
    expect((await get(rrdUrl(address, { session_id: session }))).status).toBe(500);
    expect((await get(rrdUrl(address, { session_id: session, start, cf: 'LAST' }))).status).toBe(500);
    expect((await get(`http://${address}/jsonrpc`)).status).toBe(404);
    sim.dropSessions();
    expect((await get(rrdUrl(address, { session_id: session, start }))).status).toBe(401);
  });

  it('picks the archive xcp-rrdd would: 5 s, 1 min, 1 h, by interval and by how far back start is', async () => {
    const now = NIGHT + 5 * HOUR + 42_500;
    const { sim, session } = await pool({ clock: { now: () => now } });
    const address = sim.state.host('h2').address;
    const s = Math.floor(now / 1000);
    const read = async (q: Record<string, string | number>): Promise<RrdUpdates> => parseRrdUpdates((await get(rrdUrl(address, { session_id: session, host: 'true', cf: 'AVERAGE', json: 1, ...q }))).body);

    const minute = await read({ start: s - 600, interval: 60 });
    expect(minute.step).toBe(60);
    expect(minute.end).toBe(s - (s % 60));
    expect(minute.times).toEqual(Array.from({ length: 10 }, (_, i) => minute.end - (9 - i) * 60));
    expect(minute.start).toBe(minute.times[0]);

    const fine = await read({ start: s - 60, interval: 5 });
    expect(fine.step).toBe(5);
    expect(fine.times.length).toBe(12);

    // 5-minute rows do not exist: the first archive at least that coarse is the hourly one.
    expect((await read({ start: s - 6 * 3600, interval: 300 })).step).toBe(3600);
    // The 1-minute archive keeps 2 hours: further back, the hourly one.
    expect((await read({ start: s - 3 * 3600, interval: 60 })).step).toBe(3600);
    // A negative start counts back from the last update.
    const relative = await read({ start: -300, interval: 60 });
    expect(relative.times).toEqual(minute.times.slice(5));
    // Without cf, every CF of the archive.
    const all = parseRrdUpdates((await get(rrdUrl(address, { session_id: session, host: 'true', start: s - 600, interval: 60 }))).body);
    expect(new Set(all.columns.map((c) => c.cf))).toEqual(new Set(['AVERAGE', 'MIN', 'MAX']));
    const host = rrdObject(all, 'host', sim.state.host('h2').uuid)!;
    const avg = rrdSeries(host, 'cpu_avg')!;
    rrdSeries(host, 'cpu_avg', 'MIN')!.forEach((v, i) => expect(v!).toBeLessThanOrEqual(avg[i]! + 1e-4));
  });

  it('follows the day: quiet at night, busy by day, stepped through with a clock', async () => {
    let now = NIGHT;
    const { sim, session } = await pool({ clock: { now: () => now } });
    const reader = new RrdReader();
    const members = ['h1', 'h2', 'h3'].map((hostId) => ({ hostId, address: sim.state.host(hostId).address }));
    const poolCpu = async (): Promise<number> => {
      const results = await reader.read(members, { baseUrl: sim.url, sessionId: session, start: Math.floor(now / 1000) - 600, interval: 60 });
      const cpus = results.map((r) => (r.ok ? loadFromUpdates(r.updates).host?.cpuPercent ?? NaN : NaN));
      return cpus.reduce((a, b) => a + b, 0) / cpus.length;
    };
    try {
      const night = await poolCpu();
      now = NIGHT + 10 * HOUR;
      const day = await poolCpu();
      now = NIGHT + 20 * HOUR;
      const lateEvening = await poolCpu();
      expect(night).toBeGreaterThan(0);
      expect(day).toBeGreaterThan(2.5 * night);
      expect(lateEvening).toBeLessThan(day);
    } finally {
      reader.close();
    }
  });

  it('a pushed load shows from its moment on, for one VM or all; a reset goes back; a bad push changes nothing', async () => {
    let now = NIGHT + 30_000;
    const { sim, session } = await pool({ clock: { now: () => now } });
    const address = sim.state.host('h2').address;
    const db = sim.state.vm('db');
    const read = async (): Promise<RrdUpdates> => parseRrdUpdates((await get(rrdUrl(address, { session_id: session, host: 'true', cf: 'AVERAGE', json: 1, start: Math.floor(now / 1000) - 600, interval: 60 }))).body);

    expect(() => sim.setLoad({ vm: 'nope', cpuPercent: 50 })).toThrow(/no VM named "nope"/);
    expect(() => sim.setLoad({ vm: 'db', cpuPercent: 150 })).toThrow(/0 to 100/);
    expect(() => sim.setLoad({ vm: '', cpuPercent: 50 })).toThrow(/VM name/);
    expect(sim.loadModel.pushAt(db.uuid, now)).toBeUndefined();

    const before = loadFromUpdates(await read());
    expect(sim.setLoad({ vm: 'db', cpuPercent: 90, memoryPercent: 50 })).toEqual(['db']);
    now += 5 * 60_000;
    const u = await read();
    const series = rrdSeries(rrdObject(u, 'vm', db.uuid)!, 'cpu0')!;
    expect(series.slice(-4)).toEqual([0.9, 0.9, 0.9, 0.9]);
    expect(series[0]).not.toBe(0.9); // the minutes before the push keep the model's figures
    const free = rrdSeries(rrdObject(u, 'vm', db.uuid)!, 'memory_internal_free')!;
    expect(free[free.length - 1]).toBeCloseTo((16 * GiB * 0.5) / 1024, -3);
    const pushed = loadFromUpdates(u, { window: { after: Math.floor(now / 1000) - 240 } });
    expect(pushed.vms.find((v) => v.uuid === db.uuid)?.hostCpuPercent).toBeCloseTo((0.9 * 4 * 100) / 16, 6);
    expect(pushed.host!.cpuPercent!).toBeGreaterThan(before.host!.cpuPercent! + 15);

    expect(sim.setLoad({ vm: 'all', cpuPercent: 0 })).toEqual(['app', 'cache', 'ci', 'db', 'web']);
    now += 5 * 60_000;
    const idle = loadFromUpdates(await read(), { window: { after: Math.floor(now / 1000) - 240 } });
    expect(idle.vms.every((v) => v.cpuPercent === 0)).toBe(true);
    // dom0's base alone.
    expect(idle.host!.cpuPercent!).toBeCloseTo(((0.25 + 0.02 * 16) / 16) * 100, 1);

    sim.resetLoad();
    now += 5 * 60_000;
    const back = loadFromUpdates(await read(), { window: { after: Math.floor(now / 1000) - 240 } });
    expect(back.vms.every((v) => (v.cpuPercent ?? 0) > 0)).toBe(true);
  });

  it('VM_metrics and host_metrics agree with the model and the export', async () => {
    let now = NIGHT + 9 * HOUR;
    const { sim, client, session } = await pool({ clock: { now: () => now } });
    const dbRef = sim.state.vmRef('db');
    const metricsRef = await client.call<string>('VM.get_metrics', dbRef);
    const read = (): Promise<{ memory_actual: number; VCPUs_number: number; VCPUs_utilisation: Record<string, number> }> => client.call('VM_metrics.get_record', metricsRef);
    const db = sim.state.vm('db');
    const m = await read();
    expect(m.memory_actual).toBe(16 * GiB);
    expect(m.VCPUs_number).toBe(4);
    expect(Object.values(m.VCPUs_utilisation)).toEqual(sim.loadModel.vcpuBusy(db.uuid, 4, now));
    sim.setLoad({ vm: 'db', cpuPercent: 40 });
    now += 1000;
    expect((await read()).VCPUs_utilisation).toEqual({ 0: 0.4, 1: 0.4, 2: 0.4, 3: 0.4 });
    // Every VM has one, templates and control domains too.
    const vms = await client.call<Record<string, { metrics: string }>>('VM.get_all_records');
    const all = await client.call<Record<string, unknown>>('VM_metrics.get_all_records');
    expect(Object.values(vms).every((v) => v.metrics in all)).toBe(true);

    const h2 = sim.state.host('h2');
    const hm = sim.state.hostMetrics('h2');
    const u = parseRrdUpdates((await get(rrdUrl(h2.address, { session_id: session, host: 'true', json: 1, start: Math.floor(now / 1000) - 120, interval: 60 }))).body);
    const host = rrdObject(u, 'host', h2.uuid)!;
    expect(rrdSeries(host, 'memory_total_kib')!.at(-1)! * 1024).toBeCloseTo(hm.memory_total, -7);
    expect(rrdSeries(host, 'memory_free_kib')!.at(-1)! * 1024).toBeCloseTo(hm.memory_free, -7);
    expect(hm.memory_free).toBe(64 * GiB - 4 * GiB - 24 * GiB);
  });

  it('after a host comes back up, the rows from before are NaN (null), the later ones figures', async () => {
    const { sim, session, models } = await pool({ agentStartMs: 50 });
    const h2 = sim.state.host('h2');
    models.get('h2')!.control('off');
    await eventually(() => (sim.refresh(), !sim.state.hostMetrics('h2').live), 5000, 'h2 down');
    models.get('h2')!.control('on');
    await eventually(() => (sim.refresh(), sim.state.hostMetrics('h2').live), 10_000, 'h2 live');
    // Wait for a 5-second row after the boot.
    const up = Date.now();
    await eventually(() => Math.floor(Date.now() / 5000) * 5000 >= up, 7000, 'a row after the boot');
    const u = parseRrdUpdates((await get(rrdUrl(h2.address, { session_id: session, host: 'true', json: 1, start: Math.floor(Date.now() / 1000) - 60, interval: 5 }))).body);
    const cpu = rrdSeries(rrdObject(u, 'host', h2.uuid)!, 'cpu0')!;
    expect(cpu[0]).toBeNull();
    expect(cpu.at(-1)).not.toBeNull();
    expect(cpu.findIndex((v) => v !== null)).toBeGreaterThan(0);
    // The VMs it ran were halted by the power-off: they are in no export.
    expect(u.objects.size).toBe(1);
  });
});
