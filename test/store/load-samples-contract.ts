/**
 * The load samples' part of the store contract: one compact item per host and 5-minute bucket
 * (the VMs inside it), replaced when the bucket is written again; listed by host and by pool and
 * time range (the pool through GSI1, no Scan); a TTL; what is refused and leaves the table as it
 * was.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect, it, vi } from 'vitest';
import { DEFAULT_LOAD_SAMPLE_TTL_SECONDS, LOAD_BUCKET_MS, StoreValidationError, type LoadSampleInput, type Store } from '../../lib/store/index.ts';
import type { DynamoFixture } from '../support/dynamo.ts';

const T0 = Date.parse('2025-03-01T22:00:00.000Z');
const bucket = (i: number): string => new Date(T0 + i * LOAD_BUCKET_MS).toISOString();
const uid = (p: string): string => `${p}-${randomUUID().slice(0, 8)}`;
const vmUuid = (i: number): string => `${String(i).padStart(8, '0')}-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`;

function sample(poolId: string, hostId: string, i: number, vms = 20): LoadSampleInput {
  return {
    poolId,
    hostId,
    at: bucket(i),
    rows: 5,
    host: { cpuPercent: 10 + i + 0.123456, memoryUsedBytes: 100 * 2 ** 30 + 0.4, memoryTotalBytes: 256 * 2 ** 30 },
    vms: Array.from({ length: vms }, (_, v) => ({
      uuid: vmUuid(v),
      vmId: `vm-${v}`,
      cpuPercent: v === 0 ? null : (v * 7) % 100,
      hostCpuPercent: v === 0 ? null : ((v * 7) % 100) / 8,
      memoryUsedBytes: v * 2 ** 30,
      memoryBytes: (v + 1) * 2 ** 30,
    })),
  };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Error) return e;
  }
  throw new Error('expected a rejection');
}

export function loadSamplesContract(env: () => { fx: DynamoFixture; make: (o?: { pageSize?: number }) => Store; setNow: (ms: number) => void }): void {
  it('load samples: one compact item per host and bucket, VMs inside it, figures rounded; read back whole', async () => {
    const { fx, make } = env();
    const store = make();
    const poolId = uid('pool');
    const written = await store.putLoadSample(sample(poolId, 'h1', 0));
    expect(written.expiresAt).toBe(T0 / 1000 + DEFAULT_LOAD_SAMPLE_TTL_SECONDS);
    const raw = (await fx.client.send(new GetCommand({ TableName: fx.tableName, Key: { PK: `LOAD#${poolId}#h1`, SK: `AT#${bucket(0)}` } }))).Item!;
    expect(raw).toMatchObject({ GSI1PK: `LOAD#${poolId}`, GSI1SK: `${bucket(0)}#h1`, type: 'load', n: 5 });
    expect(raw.h).toEqual([10.12, 100 * 2 ** 30, 256 * 2 ** 30]);
    const entries = String(raw.v).split(';');
    expect(entries).toHaveLength(20);
    expect(entries[0]).toBe(`${vmUuid(0)},,,0,${2 ** 30},vm-0`);
    expect(entries[3]).toBe(`${vmUuid(3)},21,2.63,${3 * 2 ** 30},${4 * 2 ** 30},vm-3`);
    // Compact: a host with 20 VMs is one item of a couple of KB, not 21 items.
    expect(Buffer.byteLength(JSON.stringify(raw))).toBeLessThan(3000);

    const [back] = await store.listHostLoad(poolId, 'h1');
    expect(back).toEqual(written);
    expect(back.host).toEqual({ cpuPercent: 10.12, memoryUsedBytes: 100 * 2 ** 30, memoryTotalBytes: 256 * 2 ** 30 });
    expect(back.vms[3]).toEqual({ uuid: vmUuid(3), vmId: 'vm-3', cpuPercent: 21, hostCpuPercent: 2.63, memoryUsedBytes: 3 * 2 ** 30, memoryBytes: 4 * 2 ** 30 });
    expect(back.rows).toBe(5);
  });

  it('load samples: a bucket written again is replaced whole', async () => {
    const { make } = env();
    const store = make();
    const poolId = uid('pool');
    await store.putLoadSample(sample(poolId, 'h1', 0, 3));
    await store.putLoadSample({ ...sample(poolId, 'h1', 0, 1), rows: 2 });
    const list = await store.listHostLoad(poolId, 'h1');
    expect(list).toHaveLength(1);
    expect(list[0].vms[0]).toEqual({ uuid: vmUuid(0), vmId: 'vm-0', cpuPercent: null, hostCpuPercent: null, memoryUsedBytes: 0, memoryBytes: 2 ** 30 });
    expect(list[0].vms.map((v) => v.uuid)).toEqual([vmUuid(0)]);
    expect(list[0].rows).toBe(2);
    // A host with no VM, and a VM whose name is not known.
    await store.putLoadSample({ ...sample(poolId, 'h2', 0, 0), rows: undefined });
    await store.putLoadSample({ ...sample(poolId, 'h3', 0, 0), vms: [{ uuid: vmUuid(9), cpuPercent: 1, hostCpuPercent: 0.5, memoryUsedBytes: null, memoryBytes: 10 }] });
    const [empty] = await store.listHostLoad(poolId, 'h2');
    expect(empty.vms).toEqual([]);
    expect('rows' in empty).toBe(false);
    expect((await store.listHostLoad(poolId, 'h3'))[0].vms).toEqual([{ uuid: vmUuid(9), cpuPercent: 1, hostCpuPercent: 0.5, memoryUsedBytes: null, memoryBytes: 10 }]);
  });

  it('load samples: many hosts in one call, one item each (25 to a request); listed by host and by pool and time range', async () => {
    const { fx, make } = env();
    const store = make({ pageSize: 7 });
    const poolId = uid('pool');
    const other = uid('pool');
    const hosts = Array.from({ length: 30 }, (_, h) => `host-${String(h).padStart(3, '0')}`);
    const send = vi.spyOn(fx.client, 'send');
    try {
      for (let i = 0; i < 3; i++) await store.putLoadSamples(hosts.map((h) => sample(poolId, h, i, 4)));
      const writes = send.mock.calls.map((c) => c[0].constructor.name);
      // Two requests per call (25 + 5 items); a busy server may hand items back as unprocessed,
      // and those are sent again, so more requests can follow, never bigger ones.
      expect(new Set(writes)).toEqual(new Set(['BatchWriteCommand']));
      expect(writes.length).toBeGreaterThanOrEqual(6);
      const sizes = send.mock.calls.map((c) => Object.values((c[0].input as { RequestItems: Record<string, unknown[]> }).RequestItems).flat().length);
      expect(Math.max(...sizes)).toBe(25);
      expect(sizes.slice(0, 2)).toEqual([25, 5]);
    } finally {
      send.mockRestore();
    }
    await store.putLoadSample(sample(other, 'host-000', 1, 1));

    const one = await store.listHostLoad(poolId, 'host-007');
    expect(one.map((s) => s.at)).toEqual([bucket(0), bucket(1), bucket(2)]);
    expect((await store.listHostLoad(poolId, 'host-007', { since: bucket(1) })).map((s) => s.at)).toEqual([bucket(1), bucket(2)]);
    expect((await store.listHostLoad(poolId, 'host-007', { until: bucket(2) })).map((s) => s.at)).toEqual([bucket(0), bucket(1)]);
    expect((await store.listHostLoad(poolId, 'host-007', { until: bucket(2), limit: 1 })).map((s) => s.at)).toEqual([bucket(0)]);
    expect(await store.listHostLoad(other, 'host-007')).toEqual([]);

    // The pool reads go through GSI1, which DynamoDB keeps eventually consistent: a read right
    // after the writes may miss some (DynamoDB Local under load has returned 85 of 90). Wait
    // until the index holds them, bounded, before checking what the queries return.
    for (let waited = 0; (await store.listPoolLoad(poolId)).length < 90 && waited < 5000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    const querySpy = vi.spyOn(fx.client, 'send');
    try {
      const whole = await store.listPoolLoad(poolId);
      expect(whole).toHaveLength(90);
      const middle = await store.listPoolLoad(poolId, { since: bucket(1), until: bucket(2) });
      expect(middle).toHaveLength(30);
      expect(middle.every((s) => s.at === bucket(1) && s.poolId === poolId)).toBe(true);
      expect(middle.map((s) => s.hostId)).toEqual(hosts);
      expect((await store.listPoolLoad(poolId, { since: bucket(2) })).map((s) => s.hostId)).toEqual(hosts);
      expect(await store.listPoolLoad(poolId, { limit: 5 })).toHaveLength(5);
      expect((await store.listPoolLoad(other)).map((s) => s.hostId)).toEqual(['host-000']);
      const commands = querySpy.mock.calls.map((c) => c[0].constructor.name);
      expect(commands.every((n) => n === 'QueryCommand')).toBe(true);
      expect(querySpy.mock.calls.every((c) => (c[0].input as { IndexName?: string }).IndexName === 'GSI1')).toBe(true);
    } finally {
      querySpy.mockRestore();
    }
  });

  it('load samples: kept for their TTL (14 days unless asked), hidden once it has passed', async () => {
    const { make, setNow } = env();
    const store = make();
    const poolId = uid('pool');
    const short = await store.putLoadSample({ ...sample(poolId, 'h1', 0, 1), ttlSeconds: 600 });
    await store.putLoadSample(sample(poolId, 'h1', 1, 1));
    expect(short.expiresAt).toBe(T0 / 1000 + 600);
    setNow(T0 + 3600_000);
    try {
      expect((await store.listHostLoad(poolId, 'h1')).map((s) => s.at)).toEqual([bucket(1)]);
      expect((await store.listPoolLoad(poolId)).map((s) => s.at)).toEqual([bucket(1)]);
      setNow(T0 + 15 * 24 * 3600_000);
      expect(await store.listHostLoad(poolId, 'h1')).toEqual([]);
    } finally {
      setNow(T0);
    }
  });

  it('load samples: bad input is refused by name and nothing is written', async () => {
    const { make } = env();
    const store = make();
    const poolId = uid('pool');
    const good = sample(poolId, 'h1', 0, 2);
    const bad: Array<[string, LoadSampleInput, RegExp]> = [
      ['off the 5-minute grid', { ...good, at: new Date(T0 + 60_000).toISOString() }, /at: expected the start of a 5-minute bucket/],
      ['not an ISO time', { ...good, at: '2025-03-01 22:00' }, /at: not a canonical ISO time/],
      ['a percentage over 100', { ...good, host: { ...good.host, cpuPercent: 130 } }, /host\.cpuPercent: expected a percentage/],
      ['a negative byte count', { ...good, vms: [{ ...good.vms[0], memoryBytes: -1 }] }, /vms\[0\]\.memoryBytes: expected a byte count/],
      ['NaN', { ...good, vms: [{ ...good.vms[1], cpuPercent: NaN }] }, /vms\[0\]\.cpuPercent: expected a number or null/],
      ['a VM twice', { ...good, vms: [good.vms[0], good.vms[0]] }, /appears twice/],
      ['a VM uuid with a #', { ...good, vms: [{ ...good.vms[0], uuid: 'a#b' }] }, /vms\[0\]\.uuid: not a valid id/],
      ['an unknown field', { ...good, password: 'x' } as LoadSampleInput, /unknown field "password"/],
      ['a host id with a #', { ...good, hostId: 'h#1' }, /hostId: not a valid id/],
      ['a zero TTL', { ...good, ttlSeconds: 0 }, /ttlSeconds/],
    ];
    for (const [what, input, message] of bad) {
      const e = await rejection(store.putLoadSample(input));
      expect(e, what).toBeInstanceOf(StoreValidationError);
      expect(e.message, what).toMatch(message);
    }
    // One bad sample in a batch: none of the batch is written.
    const e = await rejection(store.putLoadSamples([sample(poolId, 'h2', 0, 1), { ...sample(poolId, 'h3', 0, 1), at: 'soon' }]));
    expect(e).toBeInstanceOf(StoreValidationError);
    expect(await rejection(store.putLoadSamples([sample(poolId, 'h4', 0, 1), sample(poolId, 'h4', 0, 1)]))).toBeInstanceOf(StoreValidationError);
    expect(await store.listPoolLoad(poolId)).toEqual([]);
    await expect(store.listHostLoad(poolId, 'h1', { since: 'yesterday' })).rejects.toThrow(StoreValidationError);
  });
}
