/**
 * The heartbeat that renews a worker's lease and its host locks while a step runs (on dynalite):
 * a lock gone from under a running step aborts it; the step that releases the locks itself is not
 * mistaken for that (a race that failed a finished sleep with "lease lost").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../lib/store/index.ts';
import { heartbeat } from '../../lib/ops/operation-lease.ts';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';

const POOL = 'pool-lease';
let db: DynamoFixture;
let store: Store;

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  await store.createPool({ poolId: POOL, xapiUrl: 'https://pool.invalid', secretRef: 'xapi' });
  for (const h of ['a', 'b']) await store.createHost({ poolId: POOL, hostId: h, bmcAddress: '127.0.0.1', bmcPort: 623, bmcUser: 'admin', secretRef: `bmc-${h}`, cipherSuite: 17, power: 'unknown' });
});
afterAll(async () => db.stop());

async function leasedOperation(key: string) {
  const { operation } = await store.createOperation({ poolId: POOL, kind: 'sleep', actor: 't', source: 'api', reason: 'lease test', hostIds: ['a', 'b'] }, key);
  for (const h of ['a', 'b']) await store.acquireHostLock(POOL, h, operation.operationId, 60_000);
  await store.updateOperation(operation.operationId, operation.version, { leaseOwner: 'w1', leaseExpiresAt: Date.now() + 300 });
  const op = await store.getOperation(operation.operationId);
  if (!op) throw new Error('no operation');
  return op;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the lease heartbeat', () => {
  it('aborts a step whose host lock disappears under it', async () => {
    const op = await leasedOperation('lease-1');
    const beat = heartbeat({ store, operationLeaseMs: 300 }, op, 'w1');
    await store.releaseHostLock(POOL, 'a', op.operationId);
    await sleep(450);
    beat.stop();
    await beat.settled();
    expect(beat.signal.aborted).toBe(true);
    expect(String(beat.signal.reason)).toMatch(/lock on a is gone/);
    await store.releaseHostLock(POOL, 'b', op.operationId);
  });

  it('a wake\'s lock taken later by its await-lock step is renewed with the others', async () => {
    const { operation } = await store.createOperation({ poolId: POOL, kind: 'pool-wake', actor: 't', source: 'api', reason: 'lease test', hostIds: ['a'] }, 'lease-3');
    await store.acquireHostLock(POOL, 'a', operation.operationId, 60_000);
    // b was busy with another operation when the wake began: its await-lock step took it since, for a short while.
    await store.acquireHostLock(POOL, 'b', operation.operationId, 200);
    await store.createStep(operation.operationId, { index: 0, name: 'await-lock', hostId: 'b', state: 'pending' });
    const step = (await store.getOperation(operation.operationId))?.steps[0];
    await store.updateStep(operation.operationId, 0, step?.version ?? 0, { state: 'done' });
    await store.updateOperation(operation.operationId, operation.version, { leaseOwner: 'w1', leaseExpiresAt: Date.now() + 300 });
    const op = await store.getOperation(operation.operationId);
    if (!op) throw new Error('no operation');
    const beat = heartbeat({ store, operationLeaseMs: 300, lockRenewMs: 60_000 }, op, 'w1');
    await sleep(450);
    beat.stop();
    await beat.settled();
    expect(beat.signal.aborted).toBe(false);
    const b = await store.getHost(POOL, 'b');
    expect(b?.lockOperationId).toBe(op.operationId);
    expect(b?.lockExpiresAt ?? 0).toBeGreaterThan(Date.now() + 30_000);
    for (const h of ['a', 'b']) await store.releaseHostLock(POOL, h, op.operationId);
  });

  it('during the release step, the locks let go are not a lost lease, and the lease is still renewed', async () => {
    const op = await leasedOperation('lease-2');
    const beat = heartbeat({ store, operationLeaseMs: 300 }, op, 'w1', { renewLocks: false });
    await store.releaseHostLock(POOL, 'a', op.operationId);
    await sleep(250);
    await store.releaseHostLock(POOL, 'b', op.operationId);
    await sleep(250);
    beat.stop();
    await beat.settled();
    expect(beat.signal.aborted).toBe(false);
    const after = await store.getOperation(op.operationId);
    expect(after?.leaseOwner).toBe('w1');
    expect(after?.leaseExpiresAt ?? 0).toBeGreaterThan(Date.now());
  });
});
