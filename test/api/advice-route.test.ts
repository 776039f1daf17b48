/**
 * GET /v1/pools/{id}/advice and /load through the real router, on a real store (dynalite) and the
 * simulated XAPI pool read by our client: a week of load samples made by the simulator's load
 * model is written to the store; the advice proposes a night window and prices it with the pool's
 * policy (set through PATCH, which refuses a bad currency and changes nothing); the energy report
 * shows money and CO2; the load route answers per host, in range, bounded. Every answer is checked
 * against its documented schema (checkResponses).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleApiRequest, type ApiContext } from '../../lib/api/router.ts';
import { POOL_ROUTES } from '../../lib/api/pool-routes.ts';
import type { AdviceAnswer, LoadAnswer } from '../../lib/api/schemas/advice.ts';
import type { EnergyReport } from '../../lib/api/schemas/energy.ts';
import type { Role } from '../../lib/api/roles.ts';
import { hostDrivers } from '../../lib/drivers/index.ts';
import { decideBinding } from '../../lib/ops/binding.ts';
import { LocalScheduler, ScheduleService, localSchedulerPort } from '../../lib/schedules/index.ts';
import { startXapiSim, type HostPowerLink, type XapiSim } from '../../lib/sim/xen/index.ts';
import { LoadModel } from '../../lib/sim/xen/load-model.ts';
import { createStore, FileSecrets, LOAD_BUCKET_MS, type LoadSampleInput, type Store } from '../../lib/store/index.ts';
import { XapiHypervisor, type Hypervisor } from '../../lib/xen/index.ts';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';

const GiB = 1024 ** 3;
const HOUR = 3_600_000;
const POOL = 'adv';
const HOSTS = ['host-001', 'host-002', 'host-003', 'host-004'];
/** Samples every 15 minutes (each hour of the week is seen 4 times a day) for 7.5 days up to now. */
const STEP = 3 * LOAD_BUCKET_MS;
const NOW = Math.floor(Date.now() / LOAD_BUCKET_MS) * LOAD_BUCKET_MS;
const FROM = NOW - 7.5 * 24 * HOUR;

let db: DynamoFixture;
let store: Store;
let xapi: XapiSim;
let hv: Hypervisor;
let ctx: ApiContext;
const scheduler = new LocalScheduler({ handler: async () => undefined });
const model = new LoadModel({ seed: 5 });
const vmHost = new Map<string, { uuid: string; host: string; vcpus: number; memoryBytes: number }>();

/** A host that is simply on: this test cuts no power. */
const onLink = (): HostPowerLink => ({ powerOn: true, osRunning: true, control: () => undefined, load: 0 });

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-advice-route-')));
  await secrets.put('xapi.adv', 'adv-xapi-pw');
  xapi = await startXapiSim({
    credentials: { user: 'root', password: 'adv-xapi-pw' },
    pool: { name: 'adv', haEnabled: true, haFailuresToTolerate: 1 },
    hosts: HOSTS.map((name, i) => ({ name, memoryBytes: 128 * GiB, cpus: 16, controlDomainMemoryBytes: 4 * GiB, power: onLink(), master: i === 0, serial: `SER-${name}` })),
    vms: Array.from({ length: 8 }, (_, i) => ({ name: `vm-${i + 1}`, memoryBytes: 16 * GiB, vcpus: 8, host: HOSTS[i % HOSTS.length] })),
    seed: 5,
  });
  for (const vm of xapi.state.guests()) vmHost.set(vm.name_label, { uuid: vm.uuid, host: xapi.state.vmHost(vm.name_label) as string, vcpus: vm.VCPUs_at_startup, memoryBytes: vm.memory_static_max });
  hv = XapiHypervisor.connect({ url: xapi.url, user: 'root', password: 'adv-xapi-pw', taskPollMs: 20 });
  ctx = {
    store,
    ops: { store, driver: hostDrivers(store, secrets), hypervisorFor: async () => hv } as ApiContext['ops'],
    schedules: new ScheduleService(store, localSchedulerPort(scheduler)),
    launch: async () => undefined,
    routes: POOL_ROUTES,
    secrets,
    checkResponses: true,
    now: () => NOW,
  };
  await store.createPool({ poolId: POOL, xapiUrl: xapi.url, xapiUser: 'root', secretRef: 'xapi.adv', policy: { timeZone: 'UTC' } });
  const at = new Date(NOW - 30 * 24 * HOUR).toISOString();
  for (const hostId of HOSTS) {
    const bmcAt = `127.0.0.1:${623}`;
    await store.createHost({
      poolId: POOL, hostId, bmcAddress: '127.0.0.1', bmcPort: 623, bmcUser: 'admin', secretRef: 'bmc', cipherSuite: 17, power: 'on', sleepState: 'awake', isMaster: hostId === HOSTS[0],
      binding: decideBinding(hostId, bmcAt, { protocol: 'ipmi', productSerial: `SER-${hostId}` }, { serial: `SER-${hostId}` }, at),
    });
    // Nights asleep booked earlier: 120 W before the shutdown, 10 W in standby.
    await store.putEnergy({ poolId: POOL, hostId, sleptAt: at, wokenAt: new Date(NOW - 29.8 * 24 * HOUR).toISOString(), night: at.slice(0, 10), wattsBefore: 120, wattsAsleep: 10, kWhSaved: 0.55 });
  }
  const samples: LoadSampleInput[] = [];
  for (let t = FROM; t < NOW; t += STEP) {
    for (const hostId of HOSTS) {
      const vms = [...vmHost.entries()].filter(([, v]) => v.host === hostId).map(([name, v]) => {
        const busy = model.vcpuBusy(v.uuid, v.vcpus, t);
        return { uuid: v.uuid, vmId: name, cpuPercent: (100 * busy.reduce((a, b) => a + b, 0)) / busy.length, hostCpuPercent: null, memoryUsedBytes: Math.round(model.memoryUsed(v.uuid, t) * v.memoryBytes), memoryBytes: v.memoryBytes };
      });
      const cpu = (vms.reduce((a, v) => a + (v.cpuPercent as number) * 8, 0) / 16) + 2;
      samples.push({ poolId: POOL, hostId, at: new Date(t).toISOString(), host: { cpuPercent: Math.round(cpu * 100) / 100, memoryUsedBytes: 40 * GiB, memoryTotalBytes: 128 * GiB }, vms });
    }
  }
  await store.putLoadSamples(samples);
}, 60_000);

afterAll(async () => {
  scheduler.stop();
  await hv?.close();
  await xapi?.stop();
  await ctx?.ops.driver.close();
  await db?.stop();
});

const call = (method: string, path: string, body?: unknown, role: Role = 'viewer') => {
  const url = new URL(path, 'http://x');
  return handleApiRequest(ctx, { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: {}, body, actor: 'tester', role });
};

describe('pricing in the pool policy', () => {
  it('a bad currency or a negative price is refused and changes nothing; good ones are kept', async () => {
    const before = await store.getPool(POOL);
    for (const policy of [{ electricityPricePerKwh: 0.2, electricityCurrency: 'euro' }, { electricityPricePerKwh: -1 }, { gridCarbonGramsPerKwh: 5000 }]) {
      const res = await call('PATCH', `/v1/pools/${POOL}`, { policy }, 'admin');
      expect(res.status).toBe(400);
    }
    expect((await store.getPool(POOL))?.version).toBe(before?.version);
    const ok = await call('PATCH', `/v1/pools/${POOL}`, { policy: { electricityPricePerKwh: 0.3, electricityCurrency: 'EUR', gridCarbonGramsPerKwh: 350 } }, 'admin');
    expect(ok.status).toBe(200);
    expect((await store.getPool(POOL))?.policy).toMatchObject({ timeZone: 'UTC', electricityPricePerKwh: 0.3, electricityCurrency: 'EUR', gridCarbonGramsPerKwh: 350 });
  });
});

describe('GET /v1/pools/{id}/advice', () => {
  it('proposes a night window from the stored week, in kWh, money and CO2, with the hosts measured draw', async () => {
    const res = await call('GET', `/v1/pools/${POOL}/advice`);
    expect(res.status).toBe(200);
    const a = res.body as AdviceAnswer;
    expect(a.history).toMatchObject({ enough: true, hoursCovered: 168 });
    expect(a.hostWatts).toEqual(HOSTS.map((hostId) => ({ hostId, watts: 110, source: 'energy' })));
    expect(a.proposal.length).toBeGreaterThanOrEqual(1);
    // The window holds every hour the model keeps quiet (no VM with a daily rhythm active) and none where all are busy.
    const activity = (h: number) => {
      const out: number[] = [];
      for (const v of vmHost.values()) for (let m = 0; m < 60; m += 5) if (!model.profile(v.uuid).steady) out.push(model.activity(h * HOUR + m * 60_000, model.profile(v.uuid).phaseHours));
      return out.sort((x, y) => x - y);
    };
    const quiet = Array.from({ length: 24 }, (_, h) => h).filter((h) => Math.max(...activity(h)) === 0);
    // Busy: every VM with a rhythm at least half busy through the hour (the samples' times vary from run to run: the edges of the day are left out).
    const busy = Array.from({ length: 24 }, (_, h) => h).filter((h) => activity(h)[0] >= 0.5);
    expect(busy.length).toBeGreaterThanOrEqual(4);
    expect(quiet.length).toBeGreaterThanOrEqual(4);
    expect(a.proposal).toHaveLength(1);
    const w = a.proposal[0];
    const start = Number(w.start.slice(0, 2));
    const hours = Array.from({ length: w.hours }, (_, i) => (start + i) % 24);
    for (const h of quiet) expect(hours).toContain(h);
    for (const h of busy) expect(hours).not.toContain(h);
    expect(w.hosts).toBeGreaterThanOrEqual(1);
    // The master is never among the sleepers.
    expect(a.week.some((h) => h.sleep.includes('host-001'))).toBe(false);
    const kWh = a.savingsPerWeek.kWh as number;
    expect(kWh).toBeGreaterThan(0);
    expect(a.savingsPerWeek.money).toBe(Math.round(kWh * 0.3 * 100) / 100);
    expect(a.savingsPerWeek.co2Kg).toBe(Math.round(kWh * 350) / 1000);
    expect(a.summary).toMatch(/^Sleep .* saves [\d.]+ kWh, [\d.]+ EUR, [\d.]+ kg CO2 a week\.$/);
  });

  it('?days=2 is too little history: it says what is needed; an unknown pool is a 404', async () => {
    const res = await call('GET', `/v1/pools/${POOL}/advice?days=2`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ history: { enough: false }, week: [], proposal: [] });
    expect((res.body as AdviceAnswer).summary).toContain('needs 7 days');
    expect((await call('GET', '/v1/pools/nope/advice')).status).toBe(404);
  });
});

describe('GET /v1/pools/{id}/energy', () => {
  it('prices the booked nights at the pool price and intensity', async () => {
    const res = await call('GET', `/v1/pools/${POOL}/energy?days=60`);
    expect(res.status).toBe(200);
    const r = res.body as EnergyReport;
    expect(r.totalKWhSaved).toBeCloseTo(2.2, 6);
    expect(r).toMatchObject({ pricing: { electricityPricePerKwh: 0.3, currency: 'EUR', gridCarbonGramsPerKwh: 350 }, totalMoneySaved: 0.66, totalCo2KgSaved: 0.77 });
    expect(r.nights[0]).toMatchObject({ hosts: 4, moneySaved: 0.66, co2KgSaved: 0.77 });
  });
});

describe('GET /v1/pools/{id}/load', () => {
  it('one host over a range: its samples in order, inside the range, without VMs unless asked', async () => {
    const since = new Date(NOW - 6 * HOUR).toISOString();
    const res = await call('GET', `/v1/pools/${POOL}/load?host=host-002&since=${since}`);
    expect(res.status).toBe(200);
    const l = res.body as LoadAnswer;
    expect(l).toMatchObject({ pool: POOL, since, until: new Date(NOW).toISOString(), cut: null, bucketMinutes: 5 });
    expect(l.hosts.map((h) => h.hostId)).toEqual(['host-002']);
    const at = l.hosts[0].samples.map((s) => s.at);
    expect(at.length).toBe(24);
    expect([...at].sort()).toEqual(at);
    expect(at.every((t) => t >= since && t < l.until)).toBe(true);
    expect(l.hosts[0].samples[0].vms).toBeUndefined();
    const withVms = (await call('GET', `/v1/pools/${POOL}/load?host=host-002&since=${since}&vms=true`)).body as LoadAnswer;
    expect(withVms.hosts[0].samples[0].vms?.map((v) => v.vmId).sort()).toEqual(['vm-2', 'vm-6']);
  });

  it('every host by default over the last day; a range longer than kept, or more samples than the bound, is cut and says so', async () => {
    const day = (await call('GET', `/v1/pools/${POOL}/load`)).body as LoadAnswer;
    expect(day.hosts.map((h) => h.hostId)).toEqual(HOSTS);
    expect(day.hosts.every((h) => h.samples.length === 96)).toBe(true);
    const long = (await call('GET', `/v1/pools/${POOL}/load?since=${new Date(NOW - 40 * 24 * HOUR).toISOString()}`)).body as LoadAnswer;
    expect(long.since).toBe(new Date(NOW - 14 * 24 * HOUR).toISOString());
    expect(long.cut).toMatch(/kept for 14 days/);
    // With VMs: at most 4000 samples, 1000 buckets for each of the 4 hosts.
    const vms = (await call('GET', `/v1/pools/${POOL}/load?since=${new Date(FROM).toISOString()}&vms=true`)).body as LoadAnswer;
    expect(vms.since).toBe(new Date(NOW - 1000 * LOAD_BUCKET_MS).toISOString());
    expect(vms.cut).toMatch(/^at most 4000 samples with VMs per answer: 4 hosts get the last 1000 buckets/);
    expect(vms.hosts.reduce((a, h) => a + h.samples.length, 0)).toBeLessThanOrEqual(4000);
  });

  it('bad input is a clear 400; an unknown host a 404', async () => {
    const at = new Date(NOW).toISOString();
    expect(await call('GET', `/v1/pools/${POOL}/load?since=${at}&until=${at}`)).toMatchObject({ status: 400, body: { error: { code: 'invalid_time' } } });
    expect((await call('GET', `/v1/pools/${POOL}/load?since=yesterday`)).status).toBe(400);
    expect((await call('GET', `/v1/pools/${POOL}/load?vms=yes`)).status).toBe(400);
    expect((await call('GET', `/v1/pools/${POOL}/load?host=host-999`)).status).toBe(404);
  });
});
