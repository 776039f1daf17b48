/**
 * The store's contract: the same tests against any DynamoDB-API server. A test file calls
 * `storeContract(name, factory)`; the factory starts a server with a fresh table.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AlreadyExistsError,
  FileSecrets,
  HostBusyError,
  LockNotHeldError,
  NotFoundError,
  StoreValidationError,
  VersionConflictError,
  createStore,
  type HostInput,
  type Store,
  type StoreLogLine,
  type StoreOptions,
} from '../../lib/store/index.ts';
import type { DynamoFactory, DynamoFixture } from '../support/dynamo.ts';
import { idempotencyContract, type IdempotencyContractOptions } from './idempotency-contract.ts';
import { loadSamplesContract } from './load-samples-contract.ts';
import { sdrCacheContract } from './sdr-cache-contract.ts';

const T0 = Date.parse('2025-03-01T22:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const uid = (p: string): string => `${p}-${randomUUID().slice(0, 8)}`;

function host(poolId: string, hostId: string, extra: Partial<HostInput> = {}): HostInput {
  return {
    poolId,
    hostId,
    bmcAddress: '10.0.0.10',
    bmcPort: 623,
    bmcUser: 'ADMIN',
    secretRef: `bmc.${hostId}`,
    cipherSuite: 17,
    power: 'on',
    powerObservedAt: iso(T0),
    powerSource: 'ipmi',
    xenState: 'enabled',
    ...extra,
  };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`rejected with a non-Error: ${String(err)}`);
  }
  throw new Error('expected a rejection');
}

/** Every string inside a raw DynamoDB attribute value (S, SS, L, M, ...). */
function strings(v: AttributeValue | Record<string, AttributeValue>): string[] {
  const out: string[] = [];
  const walk = (x: unknown): void => {
    if (typeof x === 'string') out.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') for (const [k, y] of Object.entries(x)) (out.push(k), walk(y));
  };
  walk(v);
  return out;
}

export function storeContract(name: string, factory: DynamoFactory, o: IdempotencyContractOptions, startTimeoutMs = 60_000): void {
  describe(`store contract: ${name}`, () => {
    let fx: DynamoFixture;
    let logs: StoreLogLine[];
    let now: number;
    const make = (o: Partial<StoreOptions> = {}): Store =>
      createStore({
        client: fx.client,
        tableName: fx.tableName,
        clock: () => new Date(now),
        log: (l) => logs.push(l),
        ...o,
      });
    let store: Store;

    beforeAll(async () => {
      fx = await factory();
      logs = [];
      now = T0;
      store = make();
    }, startTimeoutMs);
    afterAll(async () => {
      await fx?.stop();
    }, 30_000);

    it('night watch state: written at a version, read back with the refusals counted in their second; bad fields refused, nothing changed', async () => {
      const poolId = uid('nw');
      expect(await store.getNightWatch(poolId)).toBeUndefined();
      const first = await store.putNightWatch(poolId, { night: '2025-03-01', refusalsSeenUpTo: '2025-03-01T23:10:05.000Z', refusalsSeenTasks: ['task-a', 'task-b'] }, 0);
      expect(await store.getNightWatch(poolId)).toMatchObject({ poolId, night: '2025-03-01', refusalsSeenUpTo: '2025-03-01T23:10:05.000Z', refusalsSeenTasks: ['task-a', 'task-b'], version: first.version });
      for (const bad of ['task-a', [''], [7], Array.from({ length: 201 }, (_, i) => `t${i}`), ['x'.repeat(65)]]) {
        const err = await rejection(store.putNightWatch(poolId, { night: '2025-03-01', refusalsSeenTasks: bad as string[] }, first.version));
        expect(err).toBeInstanceOf(StoreValidationError);
        expect(err.message).toMatch(/refusalsSeenTasks must be a list of at most 200 task uuids/);
      }
      expect(await rejection(store.putNightWatch(poolId, { night: '2025-03-01', refusalsSeenTasks: ['task-c'] }, first.version + 1))).toBeInstanceOf(VersionConflictError);
      expect((await store.getNightWatch(poolId))?.refusalsSeenTasks).toEqual(['task-a', 'task-b']);
      const second = await store.putNightWatch(poolId, { night: '2025-03-01', refusalsSeenUpTo: '2025-03-01T23:10:06.000Z', refusalsSeenTasks: ['task-c'] }, first.version);
      expect(await store.getNightWatch(poolId)).toMatchObject({ refusalsSeenUpTo: '2025-03-01T23:10:06.000Z', refusalsSeenTasks: ['task-c'], version: second.version });
    });

    it('creates the table as infra/table.yml describes', async () => {
      const { Table } = await fx.raw.send(new DescribeTableCommand({ TableName: fx.tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ]);
      const gsi = Table?.GlobalSecondaryIndexes ?? [];
      expect(gsi.map((g) => g.IndexName)).toEqual(['GSI1']);
      expect(gsi[0].KeySchema).toEqual([
        { AttributeName: 'GSI1PK', KeyType: 'HASH' },
        { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
      ]);
      expect(gsi[0].Projection?.ProjectionType).toBe('ALL');
      const attrs = Object.fromEntries((Table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
      expect(attrs).toEqual({ PK: 'S', SK: 'S', GSI1PK: 'S', GSI1SK: 'S' });
    });

    it('creates, reads and updates a pool; a stale writer gets VersionConflictError', async () => {
      const poolId = uid('pool');
      const p = await store.createPool({ poolId, xapiUrl: 'https://pool.example', secretRef: 'xapi.p1', policy: { minHostsOn: 2 } });
      expect(p.version).toBe(1);
      expect(await store.getPool(poolId)).toEqual(p);
      const p2 = await store.updatePool(poolId, 1, { policy: { minHostsOn: 3, headroomPercent: 20 } });
      expect(p2.version).toBe(2);
      const err = await rejection(store.updatePool(poolId, 1, { xapiUrl: 'https://stale.example' }));
      expect(err).toBeInstanceOf(VersionConflictError);
      expect(await store.getPool(poolId)).toEqual(p2);
      expect(await store.getPool(uid('nope'))).toBeUndefined();
    });

    it('host: create, get, update; the stale writer loses and the item is unchanged', async () => {
      const poolId = uid('pool');
      const created = await store.createHost(host(poolId, 'h1'));
      expect(created).toMatchObject({ version: 1, power: 'on', secretRef: 'bmc.h1', createdAt: iso(T0) });
      const a = await store.getHost(poolId, 'h1');
      const b = await store.getHost(poolId, 'h1');
      expect(a).toEqual(created);
      now = T0 + 1000;
      const won = await store.updateHost(poolId, 'h1', a!.version, {
        power: 'off',
        powerObservedAt: iso(now),
        powerSource: 'ipmi',
        xenState: 'halted',
      });
      expect(won).toMatchObject({ version: 2, power: 'off', xenState: 'halted', updatedAt: iso(now) });
      const err = await rejection(store.updateHost(poolId, 'h1', b!.version, { power: 'on' }));
      expect(err).toBeInstanceOf(VersionConflictError);
      const vc = err as VersionConflictError;
      expect(vc.key).toEqual({ PK: `POOL#${poolId}`, SK: 'HOST#h1' });
      expect(vc.expectedVersion).toBe(1);
      expect(vc.actualVersion).toBe(2);
      expect(await store.getHost(poolId, 'h1')).toEqual(won);
      expect(logs.some((l) => l.event === 'version-conflict' && l.key === `POOL#${poolId} / HOST#h1`)).toBe(true);

      // putHost writes a whole host back, conditional on its version.
      const put = await store.putHost({ ...won, bmcPort: 6230 });
      expect(put).toMatchObject({ version: 3, bmcPort: 6230 });
      expect(await rejection(store.putHost({ ...won, bmcPort: 1 }))).toBeInstanceOf(VersionConflictError);
      // Removing an optional field with undefined.
      const cleared = await store.updateHost(poolId, 'h1', 3, { xenState: undefined });
      expect(cleared.xenState).toBeUndefined();
      expect(await rejection(store.deleteHost(poolId, 'h1', 3))).toBeInstanceOf(VersionConflictError);
      await store.deleteHost(poolId, 'h1', 4);
      expect(await store.getHost(poolId, 'h1')).toBeUndefined();
      expect(await rejection(store.updateHost(poolId, 'h1', 4, { power: 'on' }))).toBeInstanceOf(NotFoundError);
      now = T0;
    });

    it('a duplicate create fails with AlreadyExistsError and leaves the first item', async () => {
      const poolId = uid('pool');
      const first = await store.createHost(host(poolId, 'dup'));
      const err = await rejection(store.createHost(host(poolId, 'dup', { bmcAddress: '10.9.9.9' })));
      expect(err).toBeInstanceOf(AlreadyExistsError);
      expect((err as AlreadyExistsError).key).toEqual({ PK: `POOL#${poolId}`, SK: 'HOST#dup' });
      expect(await store.getHost(poolId, 'dup')).toEqual(first);
      await store.createPool({ poolId, xapiUrl: 'https://x', secretRef: 'xapi' });
      expect(await rejection(store.createPool({ poolId, xapiUrl: 'https://y', secretRef: 'xapi' }))).toBeInstanceOf(
        AlreadyExistsError,
      );
    });

    it('refuses bad input before it reaches the table', async () => {
      const poolId = uid('pool');
      expect(await rejection(store.createHost(host(poolId, 'bad#id')))).toBeInstanceOf(StoreValidationError);
      expect(await rejection(store.createHost(host(poolId, 'h', { bmcPort: 70000 })))).toBeInstanceOf(StoreValidationError);
      expect(await rejection(store.createHost(host(poolId, 'h', { power: 'maybe' as 'on' })))).toBeInstanceOf(
        StoreValidationError,
      );
      expect(await store.listHosts(poolId)).toEqual([]);
    });

    it('schedules: create, list, update with version, delete', async () => {
      const poolId = uid('pool');
      const s1 = await store.createSchedule({
        poolId, scheduleId: 'night', cron: 'cron(0 22 * * ? *)', timeZone: 'Europe/Paris', action: 'sleep', enabled: true,
      });
      await store.createSchedule({
        poolId, scheduleId: 'morning', cron: 'cron(0 6 * * ? *)', timeZone: 'Europe/Paris', action: 'wake', enabled: true,
      });
      const list = await store.listSchedules(poolId);
      expect(list.map((s) => s.scheduleId).sort()).toEqual(['morning', 'night']);
      const s2 = await store.updateSchedule(poolId, 'night', s1.version, { enabled: false });
      expect(s2).toMatchObject({ enabled: false, version: 2 });
      expect(await rejection(store.updateSchedule(poolId, 'night', 1, { enabled: true }))).toBeInstanceOf(
        VersionConflictError,
      );
      await store.deleteSchedule(poolId, 'night', 2);
      expect((await store.listSchedules(poolId)).map((s) => s.scheduleId)).toEqual(['morning']);
      // Hosts and schedules share the pool's partition but not their lists.
      await store.createHost(host(poolId, 'h1'));
      expect((await store.listSchedules(poolId)).length).toBe(1);
      expect((await store.listHosts(poolId)).length).toBe(1);
    });

    it('creates an operation once per idempotency key, also under concurrency', async () => {
      const poolId = uid('pool');
      const key = uid('idem');
      const input = { poolId, kind: 'sleep-pool', actor: 'alice', source: 'slack', reason: 'night' } as const;
      const first = await store.createOperation(input, key);
      expect(first.created).toBe(true);
      expect(first.operation).toMatchObject({ state: 'pending', version: 1, idempotencyKey: key, actor: 'alice' });
      const again = await store.createOperation({ ...input, actor: 'bob', reason: 'retry' }, key);
      expect(again.created).toBe(false);
      expect(again.operation).toEqual(first.operation);

      const key2 = uid('idem');
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.createOperation({ ...input, actor: `user${i}` }, key2)),
      );
      expect(results.filter((r) => r.created).length).toBe(1);
      expect(new Set(results.map((r) => r.operation.operationId)).size).toBe(1);
      const ops = await store.listOperations(poolId);
      expect(ops.map((o) => o.operationId).sort()).toEqual(
        [first.operation.operationId, results[0].operation.operationId].sort(),
      );
    });

    idempotencyContract(() => ({ fx, make }), o);
    loadSamplesContract(() => ({ fx, make, setNow: (ms) => void (now = ms) }));
    sdrCacheContract(() => ({ fx, make }));

    it('the same idempotency key with another request is refused (nothing written); with the same request it finds the first', async () => {
      const poolId = uid('pool');
      const key = uid('idem');
      const input = { poolId, kind: 'host-power', actor: 'alice', source: 'api', reason: 'off', requestHash: 'hash-of-off' } as const;
      const first = await store.createOperation(input, key);
      expect(first.operation.requestHash).toBe('hash-of-off');
      await expect(store.createOperation({ ...input, reason: 'on', requestHash: 'hash-of-on' }, key)).rejects.toMatchObject({ name: 'IdempotencyKeyReusedError', operationId: first.operation.operationId });
      const same = await store.createOperation(input, key);
      expect(same).toMatchObject({ created: false, operation: { operationId: first.operation.operationId } });
      expect((await store.listOperations(poolId)).length).toBe(1);
    });

    it('operations: steps in order, saveOperation with version, conflict on a stale copy', async () => {
      const poolId = uid('pool');
      const { operation: op } = await store.createOperation(
        { poolId, kind: 'power-off', actor: 'cli-user', source: 'cli', reason: 'maintenance', hostIds: ['h1'] },
        uid('idem'),
      );
      for (const [index, name] of ['disable', 'evacuate', 'shutdown', 'verify-off', 'x'.repeat(3)].entries()) {
        await store.createStep(op.operationId, { index, name, hostId: 'h1' });
      }
      expect(await rejection(store.createStep(op.operationId, { index: 2, name: 'again' }))).toBeInstanceOf(
        AlreadyExistsError,
      );
      const running = await store.saveOperation({ ...op, state: 'running', cursor: 1 });
      expect(running).toMatchObject({ state: 'running', cursor: 1, version: 2 });
      expect(await rejection(store.saveOperation({ ...op, state: 'failed' }))).toBeInstanceOf(VersionConflictError);
      const step = await store.updateStep(op.operationId, 0, 1, { state: 'done', finishedAt: iso(T0 + 5) });
      expect(step).toMatchObject({ state: 'done', version: 2 });
      expect(await rejection(store.updateStep(op.operationId, 0, 1, { state: 'failed' }))).toBeInstanceOf(
        VersionConflictError,
      );
      const saved = await store.saveStep({ ...step, state: 'failed', error: 'why not' });
      expect(saved.version).toBe(3);

      const got = await store.getOperation(op.operationId);
      expect(got).toMatchObject({ operationId: op.operationId, state: 'running', version: 2 });
      expect(got?.steps.map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
      expect(got?.steps[0]).toMatchObject({ state: 'failed', error: 'why not', version: 3 });
      expect(await store.getOperation(uid('none'))).toBeUndefined();
    });

    it('lists operations by pool and time through GSI1, paginated, with since and limit', async () => {
      const poolId = uid('pool');
      const other = uid('pool');
      const paged = make({ pageSize: 2 });
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const { operation } = await paged.createOperation(
          { poolId, kind: 'poll-sensors', actor: 'scheduler', source: 'schedule', reason: `tick ${i}`, createdAt: iso(T0 + i * 60_000) },
          uid('idem'),
        );
        ids.push(operation.operationId);
      }
      await paged.createOperation({ poolId: other, kind: 'wake-pool', actor: 'x', source: 'api', reason: 'r' }, uid('idem'));
      const send = vi.spyOn(fx.client, 'send');
      try {
        const newest = await paged.listOperations(poolId);
        expect(newest.map((o) => o.operationId)).toEqual([...ids].reverse());
        const oldest = await paged.listOperations(poolId, { order: 'oldest' });
        expect(oldest.map((o) => o.operationId)).toEqual(ids);
        const since = await paged.listOperations(poolId, { since: iso(T0 + 4 * 60_000), order: 'oldest' });
        expect(since.map((o) => o.operationId)).toEqual(ids.slice(4));
        const limited = await paged.listOperations(poolId, { limit: 3 });
        expect(limited.map((o) => o.operationId)).toEqual(ids.slice(4).reverse());
        const names = send.mock.calls.map((c) => c[0].constructor.name);
        expect(names.filter((n) => n === 'QueryCommand').length).toBeGreaterThanOrEqual(4 + 4 + 2 + 2);
        expect(names).not.toContain('ScanCommand');
      } finally {
        send.mockRestore();
      }
    });

    it('follows LastEvaluatedKey: listHosts returns every host across pages, with no Scan', async () => {
      const poolId = uid('pool');
      const paged = make({ pageSize: 3 });
      const hostIds = Array.from({ length: 11 }, (_, i) => `h${String(i).padStart(2, '0')}`);
      await Promise.all(hostIds.map((h) => paged.createHost(host(poolId, h))));
      await paged.createSchedule({ poolId, scheduleId: 's', cron: 'cron(0 1 * * ? *)', timeZone: 'UTC', action: 'sleep', enabled: true });
      const send = vi.spyOn(fx.client, 'send');
      try {
        const listed = await paged.listHosts(poolId);
        expect(listed.map((h) => h.hostId)).toEqual(hostIds);
        const names = send.mock.calls.map((c) => c[0].constructor.name);
        expect(names.filter((n) => n === 'QueryCommand').length).toBeGreaterThanOrEqual(4);
        expect(names).not.toContain('ScanCommand');
      } finally {
        send.mockRestore();
      }
      // And the default store (server-sized pages) agrees.
      expect((await store.listHosts(poolId)).length).toBe(11);
    });

    it('host lock: 50 concurrent operations, exactly one wins, 49 get HostBusyError naming it', async () => {
      const poolId = uid('pool');
      await store.createHost(host(poolId, 'h1'));
      const opIds = Array.from({ length: 50 }, (_, i) => `op-${i}`);
      const settled = await Promise.allSettled(opIds.map((op) => store.acquireHostLock(poolId, 'h1', op, 60_000, T0)));
      const won = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const lost = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
      expect(won.length).toBe(1);
      expect(lost.length).toBe(49);
      const winner = won[0].operationId;
      for (const e of lost) {
        expect(e).toBeInstanceOf(HostBusyError);
        expect((e as HostBusyError).operationId).toBe(winner);
        expect((e as Error).message).toContain(winner);
      }
      const h = await store.getHost(poolId, 'h1');
      expect(h).toMatchObject({ lockOperationId: winner, lockExpiresAt: T0 + 60_000, version: 1 });
    });

    it('host lock: re-entrant for its holder, released only by it, renewable, taken over after expiry', async () => {
      const poolId = uid('pool');
      await store.createHost(host(poolId, 'h1'));
      await store.acquireHostLock(poolId, 'h1', 'op-a', 10_000, T0);
      // The same operation may take it again (a resumed worker).
      expect(await store.acquireHostLock(poolId, 'h1', 'op-a', 10_000, T0 + 1000)).toMatchObject({ expiresAt: T0 + 11_000 });
      expect(await store.releaseHostLock(poolId, 'h1', 'op-b')).toBe(false);
      const busy = await rejection(store.acquireHostLock(poolId, 'h1', 'op-b', 10_000, T0 + 2000));
      expect(busy).toBeInstanceOf(HostBusyError);
      expect((busy as HostBusyError).operationId).toBe('op-a');
      expect(await rejection(store.renewHostLock(poolId, 'h1', 'op-b', 10_000, T0 + 2000))).toBeInstanceOf(HostBusyError);
      expect(await store.renewHostLock(poolId, 'h1', 'op-a', 30_000, T0 + 5000)).toMatchObject({ expiresAt: T0 + 35_000 });
      // Still held after the first lease would have ended.
      expect(await rejection(store.acquireHostLock(poolId, 'h1', 'op-b', 10_000, T0 + 20_000))).toBeInstanceOf(HostBusyError);
      // Lease over: another operation takes it.
      expect(await store.acquireHostLock(poolId, 'h1', 'op-b', 10_000, T0 + 35_000)).toMatchObject({ operationId: 'op-b' });
      expect(await store.releaseHostLock(poolId, 'h1', 'op-a')).toBe(false);
      expect(await rejection(store.renewHostLock(poolId, 'h1', 'op-a', 10_000, T0 + 36_000))).toBeInstanceOf(HostBusyError);
      expect(await store.releaseHostLock(poolId, 'h1', 'op-b')).toBe(true);
      expect(await rejection(store.renewHostLock(poolId, 'h1', 'op-b', 10_000, T0 + 37_000))).toBeInstanceOf(LockNotHeldError);
      const h = await store.getHost(poolId, 'h1');
      expect(h?.lockOperationId).toBeUndefined();
      expect(h?.lockExpiresAt).toBeUndefined();
      expect(await rejection(store.acquireHostLock(poolId, 'missing', 'op-a', 1000, T0))).toBeInstanceOf(NotFoundError);
    });

    it('host lock and versioned updates do not clobber each other', async () => {
      const poolId = uid('pool');
      const h = await store.createHost(host(poolId, 'h1'));
      await store.acquireHostLock(poolId, 'h1', 'op-a', 10_000, T0);
      const updated = await store.putHost({ ...h, power: 'off' });
      expect(updated).toMatchObject({ version: 2, power: 'off', lockOperationId: 'op-a' });
    });

    it('audit: records per day in time order, with actor, source, reason, action, result', async () => {
      const day = '2031-05-04';
      const at = '2031-05-04T21:00:00.000Z';
      const a = await store.appendAudit({
        at, operationId: 'op-1', poolId: 'p', actor: 'alice', source: 'slack', reason: 'night', action: 'sleep-pool', result: 'ok',
      });
      expect(a.id).toBe(`${at}#op-1`);
      const b = await store.appendAudit({
        at, operationId: 'op-1', actor: 'alice', source: 'slack', reason: 'night', action: 'power-off h1', result: 'ok',
      });
      expect(b.id).toBe(`${at}#op-1#2`);
      await store.appendAudit({
        at: '2031-05-04T20:00:00.000Z', actor: 'bob', source: 'cli', reason: 'test', action: 'power-on h2', result: 'refused',
        forced: false,
      });
      await store.appendAudit({
        at: '2031-05-05T00:00:01.000Z', actor: 'sched', source: 'schedule', reason: 'r', action: 'wake-pool', result: 'dry-run',
      });
      const list = await store.listAudit(day);
      expect(list.map((r) => r.action)).toEqual(['power-on h2', 'sleep-pool', 'power-off h1']);
      expect(list[1]).toMatchObject({ actor: 'alice', source: 'slack', reason: 'night', result: 'ok', day });
      expect((await store.listAudit('2031-05-05')).length).toBe(1);
      expect(await rejection(store.appendAudit({ actor: 'x', source: 'email' as 'api', reason: 'r', action: 'a', result: 'ok' }))).toBeInstanceOf(
        StoreValidationError,
      );
    });

    it('audit "once": the same time, operation and key write one record, however often', async () => {
      const at = '2031-06-01T01:02:03.000Z';
      const rec = { at, once: 'step-3', operationId: 'op-once', actor: 'w', source: 'api' as const, reason: 'r', action: 'step command h1', result: 'ok' as const };
      await Promise.all(Array.from({ length: 5 }, () => store.appendAudit(rec)));
      await store.appendAudit(rec);
      const list = (await store.listAudit('2031-06-01')).filter((r) => r.operationId === 'op-once');
      expect(list).toHaveLength(1);
      expect(list[0].id).toBe(`${at}#op-once#step-3`);
      expect(list[0]).not.toHaveProperty('once');
    });

    it('lists pools through GSI1, no Scan', async () => {
      const a = uid('pool');
      const b = uid('pool');
      await store.createPool({ poolId: a, xapiUrl: 'https://a.invalid', secretRef: 'xa' });
      await store.createPool({ poolId: b, xapiUrl: 'https://b.invalid', secretRef: 'xb' });
      await store.updatePool(b, 1, { name: 'renamed' });
      const pools = await store.listPools();
      expect(pools.filter((p) => p.poolId === a || p.poolId === b).map((p) => [p.poolId, p.name, p.version]).sort()).toEqual([[a, undefined, 1], [b, 'renamed', 2]].sort());
    });

    it('energy: one record per host and wake, listed by wake time', async () => {
      const poolId = uid('pool');
      const rec = { poolId, hostId: 'h1', sleptAt: '2031-02-01T22:00:00.000Z', wokenAt: '2031-02-02T06:00:00.000Z', night: '2031-02-01', wattsBefore: 300, wattsAsleep: 10, kWhSaved: 2.32 };
      await store.putEnergy(rec);
      await store.putEnergy(rec);
      await store.putEnergy({ ...rec, hostId: 'h2', wokenAt: '2031-02-03T06:00:00.000Z', night: '2031-02-02' });
      expect(await store.listEnergy(poolId)).toHaveLength(2);
      expect((await store.listEnergy(poolId, { since: '2031-02-03' })).map((r) => r.hostId)).toEqual(['h2']);
      expect((await store.listEnergy(poolId, { until: '2031-02-03' }))[0]).toMatchObject(rec);
    });

    it('hosts keep their sleep state, wake history and never-sleep flag', async () => {
      const poolId = uid('pool');
      const h = await store.createHost(host(poolId, 'h1', { neverSleep: true }));
      const u = await store.updateHost(poolId, 'h1', h.version, { sleepState: 'asleep', sleptAt: '2031-02-01T22:00:00.000Z', wakeLeadsMs: [61000, 59000], wattsBeforeSleep: 280 });
      expect(u).toMatchObject({ neverSleep: true, sleepState: 'asleep', wakeLeadsMs: [61000, 59000], wattsBeforeSleep: 280 });
    });

    it('schedules keep their hosts and exceptions', async () => {
      const poolId = uid('pool');
      const exceptions = { skipOnce: { date: '2031-01-02', reason: 'inventory' }, calendar: [{ date: '2031-12-25', kind: 'skip' }] };
      await store.createSchedule({ poolId, scheduleId: 's', cron: 'cron(0 22 * * ? *)', timeZone: 'UTC', action: 'sleep', enabled: true, hostIds: ['h1', 'h2'], exceptions });
      const got = await store.getSchedule(poolId, 's');
      expect(got).toMatchObject({ hostIds: ['h1', 'h2'], exceptions });
      const updated = await store.updateSchedule(poolId, 's', 1, { exceptions: { holdAwakeUntil: { until: '2031-01-03T06:00:00.000Z' } } });
      expect(updated.exceptions).toEqual({ holdAwakeUntil: { until: '2031-01-03T06:00:00.000Z' } });
    });

    it('alerts: one per host and kind; seen again counts; closed then reopened; listed open or all', async () => {
      const poolId = uid('pool');
      const first = await store.openAlert({ poolId, hostId: 'h1', kind: 'thermal', message: 'CPU1 Temp 96 C over critical 95 C' });
      expect(first).toMatchObject({ opened: true, alert: { state: 'open', count: 1 } });
      const again = await Promise.all([1, 2, 3].map(() => store.openAlert({ poolId, hostId: 'h1', kind: 'thermal', message: 'CPU1 Temp 97 C' })));
      expect(again.every((r) => !r.opened)).toBe(true);
      expect((await store.listAlerts(poolId))[0]).toMatchObject({ count: 4, message: expect.stringMatching(/^CPU1 Temp 9[67] C/) });
      await store.openAlert({ poolId, hostId: 'h2', kind: 'wake-late', message: 'not live by 07:00' });
      expect(await store.closeAlert(poolId, 'thermal', 'h1')).toBe(true);
      expect(await store.closeAlert(poolId, 'thermal', 'h1')).toBe(false);
      expect((await store.listAlerts(poolId, { open: true })).map((a) => a.hostId)).toEqual(['h2']);
      const reopened = await store.openAlert({ poolId, hostId: 'h1', kind: 'thermal', message: 'again' });
      expect(reopened).toMatchObject({ opened: true, alert: { state: 'open', count: 1 } });
      expect(reopened.alert.closedAt).toBeUndefined();
      expect((await store.listAlerts(poolId)).length).toBe(2);
      // Alerts share the pool partition with hosts and schedules but not their lists.
      expect(await store.listHosts(poolId)).toEqual([]);
    });

    it('readings: keyed by host and time, with expiresAt in epoch seconds, listed since a time', async () => {
      const hostId = uid('host');
      const at = (i: number): string => iso(T0 + i * 60_000);
      const one = await store.putReading({ hostId, poolId: 'p', at: at(0), power: 'on', powerWatts: 212, temperatures: [{ name: 'Inlet', celsius: 24 }] });
      expect(one.expiresAt).toBe(Math.floor(T0 / 1000) + 30 * 24 * 3600);
      const batch = await store.putReadings(
        Array.from({ length: 30 }, (_, i) => ({ hostId, at: at(i + 1), powerWatts: 200 + i, ttlSeconds: 3600 })),
      );
      expect(batch[0].expiresAt).toBe(Math.floor((T0 + 60_000) / 1000) + 3600);
      const paged = make({ pageSize: 7 });
      const all = await paged.listReadings(hostId);
      expect(all.length).toBe(31);
      expect(all.map((r) => r.at)).toEqual(Array.from({ length: 31 }, (_, i) => at(i)));
      expect(all.every((r) => typeof r.expiresAt === 'number')).toBe(true);
      const since = await paged.listReadings(hostId, { since: at(25) });
      expect(since.map((r) => r.at)).toEqual([25, 26, 27, 28, 29, 30].map(at));
      expect((await paged.listReadings(hostId, { since: at(5), until: at(7) })).length).toBe(3);
      // Past their TTL (the server may not have deleted them yet): hidden.
      now = T0 + 2 * 3600_000;
      expect((await paged.listReadings(hostId)).map((r) => r.at)).toEqual([at(0)]);
      now = T0;
    });

    it('no password reaches a DynamoDB item, an error message or a log line', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'lowpower-secrets-'));
      const password = `Pw-${randomUUID()}-!s3cr3t`;
      const lines: string[] = [];
      const console_ = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
      const consoleErr = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
      try {
        const secrets = new FileSecrets(join(dir, 'secrets'));
        const poolId = uid('pool');
        const secretRef = `bmc.${poolId}.h1`;
        await secrets.put(secretRef, password);
        const logged: StoreLogLine[] = [];
        const s = make({ log: (l) => logged.push(l) });
        const h = await s.createHost(host(poolId, 'h1', { secretRef }));
        expect(await secrets.get(h.secretRef)).toBe(password);

        // Failing calls, some of them handed the password by mistake.
        const errors: Error[] = [
          await rejection(s.createHost(host(poolId, 'h1', { secretRef }))),
          await rejection(s.updateHost(poolId, 'h1', 99, { bmcUser: 'root' })),
          await rejection(s.createHost({ ...host(poolId, 'h2'), password } as HostInput)),
          await rejection(s.updateHost(poolId, 'h1', 1, { password } as unknown as HostInput)),
          await rejection(s.createHost(host(poolId, 'h3', { secretRef: password }))),
          await rejection(s.createHost(host(poolId, 'h4', { bmcAddress: password, bmcPort: -1 }))),
          await rejection(secrets.put(`../${password}`, password)),
          await rejection(secrets.put('a/b', password)),
          await rejection(secrets.get(password)),
          await rejection(secrets.get('missing-ref')),
        ];
        await s.acquireHostLock(poolId, 'h1', 'op-1', 60_000, T0);
        errors.push(await rejection(s.acquireHostLock(poolId, 'h1', 'op-2', 60_000, T0)));
        for (const e of errors) {
          expect(e.message).not.toContain(password);
          expect(String(e.stack)).not.toContain(password);
          expect(JSON.stringify(e)).not.toContain(password);
        }

        const raw = await fx.raw.send(new ScanCommand({ TableName: fx.tableName }));
        let pages = [raw];
        let start = raw.LastEvaluatedKey;
        while (start) {
          const next = await fx.raw.send(new ScanCommand({ TableName: fx.tableName, ExclusiveStartKey: start }));
          pages = [...pages, next];
          start = next.LastEvaluatedKey;
        }
        const items = pages.flatMap((p) => p.Items ?? []);
        expect(items.some((i) => i.secretRef?.S === secretRef)).toBe(true);
        for (const item of items) {
          for (const str of strings(item)) expect(str).not.toContain(password);
          expect(Object.keys(item)).not.toContain('password');
        }
        expect(await s.getHost(poolId, 'h2')).toBeUndefined();
        for (const l of [...logged.map((l) => JSON.stringify(l)), ...lines]) expect(l).not.toContain(password);
        expect(logged.length).toBeGreaterThan(0);
      } finally {
        console_.mockRestore();
        consoleErr.mockRestore();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
