/**
 * The load poll against a simulated pool whose members serve their own RRD exports, on a real
 * DynamoDB-API server: one item per live host per 5-minute bucket, written in one batch per poll
 * (store writes counted at the client), the same bucket replaced by a later poll, asleep members
 * not asked, and the `poll-load` schedule running it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';
import { createStore, LOAD_BUCKET_MS, type Store } from '../../lib/store/index.ts';
import { GiB } from '../../lib/sim/xen/index.ts';
import { XapiHypervisor } from '../../lib/xen/index.ts';
import { loadBucketAt, pollPoolLoad } from '../../lib/ops/load-poll.ts';
import { onScheduleFired, poolActionsFor } from '../../lib/ops/scheduled.ts';
import type { PowerDriver } from '../../lib/ops/power-driver.ts';
import { FileSecrets } from '../../lib/store/index.ts';
import { PASSWORD, USER, smallPool, type SmallPool } from '../xen/support.ts';

let db: DynamoFixture;
let store: Store;
let pool: SmallPool;
let hv: XapiHypervisor;
const writes: string[] = [];
const POOL = 'pool-load';

beforeAll(async () => {
  db = await startDynalite();
  // Every command the store sends, by name: the writes of a poll are counted here.
  const client = new Proxy(db.client, {
    get(target, prop, receiver) {
      if (prop === 'send') return (cmd: { constructor: { name: string } }, ...rest: unknown[]) => {
        writes.push(cmd.constructor.name);
        return (target.send as (...a: unknown[]) => unknown).call(target, cmd, ...rest);
      };
      return Reflect.get(target, prop, receiver) as unknown;
    },
  }) as DynamoDBDocumentClient;
  store = createStore({ client, tableName: db.tableName });
  pool = await smallPool(
    [
      { name: 'web', memoryBytes: 4 * GiB, vcpus: 2, host: 'h1' },
      { name: 'db', memoryBytes: 8 * GiB, vcpus: 4, host: 'h2' },
      { name: 'app', memoryBytes: 4 * GiB, vcpus: 2, host: 'h2' },
    ],
    { hostEndpoints: true },
  );
  await store.createPool({ poolId: POOL, xapiUrl: pool.sim.url, xapiUser: USER, secretRef: 'xapi' });
  hv = XapiHypervisor.connect({ url: pool.sim.url, user: USER, password: PASSWORD, taskPollMs: 20 });
}, 30_000);
afterAll(async () => {
  await hv?.close();
  await pool?.sim.stop();
  await db?.stop();
});

const deps = (now: number) => ({ store, hypervisorFor: async () => hv, now: () => now });

describe('load poll', () => {
  it('writes one item per live host for the bucket of the last whole minute, in one batch write', async () => {
    const now = Date.now();
    writes.length = 0;
    const r = await pollPoolLoad(deps(now), POOL);
    const bucket = loadBucketAt(now);
    expect(r.at).toBe(new Date(bucket).toISOString());
    expect(bucket % LOAD_BUCKET_MS).toBe(0);
    expect(now - bucket).toBeGreaterThanOrEqual(60_000);
    expect(r.written.sort()).toEqual(['h1', 'h2', 'h3']);
    expect(r.failed).toEqual([]);
    expect(writes.filter((w) => w === 'BatchWriteCommand')).toHaveLength(1);
    expect(writes.filter((w) => /Put|Update|Write/.test(w) && w !== 'BatchWriteCommand')).toEqual([]);
    const items = await store.listPoolLoad(POOL, { since: r.at });
    expect(items.map((s) => s.hostId)).toEqual(['h1', 'h2', 'h3']);
    const h2 = items.find((s) => s.hostId === 'h2')!;
    expect(h2.vms.map((v) => v.vmId).sort()).toEqual(['app', 'db']);
    expect(h2.host.cpuPercent).toBeGreaterThan(0);
    // The export carries five significant digits.
    expect(Math.abs((h2.host.memoryTotalBytes ?? 0) - 64 * GiB) / (64 * GiB)).toBeLessThan(1e-3);
    expect(h2.rows).toBeGreaterThanOrEqual(1);
    expect(items.find((s) => s.hostId === 'h3')!.vms).toEqual([]);
  });

  it('a second poll of the same bucket replaces its items: still one per host', async () => {
    const now = Date.now();
    const first = await pollPoolLoad(deps(now), POOL);
    writes.length = 0;
    const again = await pollPoolLoad(deps(now + 1000), POOL);
    expect(again.at).toBe(first.at);
    expect(writes.filter((w) => w === 'BatchWriteCommand')).toHaveLength(1);
    const items = await store.listPoolLoad(POOL, { since: again.at, until: new Date(Date.parse(again.at) + LOAD_BUCKET_MS).toISOString() });
    expect(items.map((s) => s.hostId)).toEqual(['h1', 'h2', 'h3']);
  });

  it('an unknown pool is an error and writes nothing', async () => {
    writes.length = 0;
    await expect(pollPoolLoad(deps(Date.now()), 'no-such-pool')).rejects.toThrow(/not known/);
    expect(writes.filter((w) => /Write|Put|Update/.test(w))).toEqual([]);
  });

  it('the poll-load schedule runs the poll, then the watch (idle: no host asleep); without XAPI it is refused', async () => {
    await store.createHost({ poolId: POOL, hostId: 'h1', bmcAddress: '127.0.0.1', bmcPort: 1, bmcUser: 'admin', secretRef: 'bmc', cipherSuite: 17, power: 'on', sleepState: 'awake' });
    await store.createSchedule({ poolId: POOL, scheduleId: 'load', cron: 'rate(1 minute)', timeZone: 'UTC', action: 'poll-load', enabled: true, exceptions: {} });
    const ops = { store, driver: {} as PowerDriver, hypervisorFor: async () => hv };
    const deps = { ...ops, secrets: new FileSecrets('/nonexistent') };
    writes.length = 0;
    const r = await onScheduleFired({ ...deps, pools: poolActionsFor(ops, { spikeSeconds: 20, lookSeconds: 60 }) }, { poolId: POOL, scheduleName: 'load', at: new Date() });
    expect(r).toMatchObject({ ran: true, action: 'poll-load', notices: [] });
    if (!r.ran || !('load' in r)) throw new Error('not a load poll');
    expect(r.load.written.sort()).toEqual(['h1', 'h2', 'h3']);
    expect(r.watch).toMatchObject({ state: 'idle', why: 'no host is asleep' });
    expect(writes.filter((w) => w === 'BatchWriteCommand')).toHaveLength(1);
    const refused = await onScheduleFired(deps, { poolId: POOL, scheduleName: 'load', at: new Date() });
    expect(refused).toMatchObject({ ran: false, reason: 'no-hypervisor' });
  });
});
