/**
 * The store's retries (lock acquire, alerts, unprocessed batch items) against dynalite, with the
 * race each one exists for staged in front of the real server: another writer bumps the alert, a
 * holder lets go of the lock between our write and our read, the server leaves part of a batch.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, UpdateCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { StoreError, createStore, type Store } from '../../lib/store/index.ts';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';

const T0 = Date.parse('2025-03-01T22:00:00.000Z');
const uid = (p: string): string => `${p}-${randomUUID().slice(0, 8)}`;

type Send = (command: object) => Promise<unknown>;

describe('store retries', () => {
  let fx: DynamoFixture;
  let store: Store;
  let real: Send;
  /** Runs `before` ahead of every command of the given name the store sends, and `after` once it has been answered or refused. */
  const stage = (name: string, before: (command: object) => Promise<unknown> | undefined, after?: () => Promise<unknown>) =>
    vi.spyOn(fx.client, 'send').mockImplementation((async (command: object) => {
      if (command.constructor.name !== name) return real(command);
      const replaced = await before(command);
      if (replaced !== undefined) return replaced;
      try {
        return await real(command);
      } finally {
        await after?.();
      }
    }) as unknown as typeof fx.client.send);
  const sentOf = (spy: { mock: { calls: unknown[][] } }, name: string): object[] =>
    spy.mock.calls.map((c) => c[0] as object).filter((c) => c.constructor.name === name);

  beforeAll(async () => {
    fx = await startDynalite();
    real = fx.client.send.bind(fx.client) as Send;
    store = createStore({ client: fx.client, tableName: fx.tableName, clock: () => new Date(T0) });
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => fx?.stop());

  const host = (poolId: string, hostId: string) => ({
    poolId, hostId, bmcAddress: '10.0.0.10', bmcPort: 623, bmcUser: 'ADMIN', secretRef: `bmc.${hostId}`, cipherSuite: 17,
    power: 'on' as const, powerObservedAt: new Date(T0).toISOString(), powerSource: 'ipmi' as const,
  });
  const lockAs = (poolId: string, hostId: string, operationId: string | undefined): UpdateCommand =>
    new UpdateCommand({
      TableName: fx.tableName,
      Key: { PK: `POOL#${poolId}`, SK: `HOST#${hostId}` },
      ...(operationId === undefined
        ? { UpdateExpression: 'REMOVE lockOperationId, lockExpiresAt' }
        : { UpdateExpression: 'SET lockOperationId = :o, lockExpiresAt = :e', ExpressionAttributeValues: { ':o': operationId, ':e': T0 + 60_000 } }),
    });

  it('lock acquire: a holder that lets go between our write and our read is tried again; five such races give up', async () => {
    const poolId = uid('pool');
    await store.createHost(host(poolId, 'h1'));
    let races = 1;
    const spy = stage(
      'UpdateCommand',
      async () => (races > 0 ? void (await real(lockAs(poolId, 'h1', 'op-other'))) : undefined),
      async () => (races-- > 0 ? real(lockAs(poolId, 'h1', undefined)) : undefined),
    );
    expect(await store.acquireHostLock(poolId, 'h1', 'op-a', 10_000, T0)).toMatchObject({ operationId: 'op-a' });
    expect(sentOf(spy, 'UpdateCommand')).toHaveLength(2);
    expect(await store.getHost(poolId, 'h1')).toMatchObject({ lockOperationId: 'op-a' });
    await store.releaseHostLock(poolId, 'h1', 'op-a');

    spy.mockClear();
    races = Infinity;
    const err = await store.acquireHostLock(poolId, 'h1', 'op-b', 10_000, T0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(String(err)).toMatch(/lock contended, gave up after 5 attempts/);
    // Five lock writes of ours (the releases of the staged holder are the real client's, not counted by the spy).
    expect(sentOf(spy, 'UpdateCommand')).toHaveLength(5);
    expect((await store.getHost(poolId, 'h1'))?.lockOperationId).toBeUndefined();
  });

  it('alerts: a writer that got in first is read again and counted; one that always does makes open and close give up', async () => {
    const poolId = uid('pool');
    const alert = { poolId, hostId: 'h1', kind: 'thermal' as const, message: 'CPU1 96 C' };
    await store.openAlert(alert);
    let others = 1;
    const otherWriter = async (): Promise<undefined> => {
      if (others-- > 0) await createStore({ client: { send: real } as unknown as typeof fx.client, tableName: fx.tableName }).openAlert(alert);
      return undefined;
    };
    const spy = stage('UpdateCommand', otherWriter);
    expect(await store.openAlert(alert)).toMatchObject({ opened: false, alert: { count: 3 } });
    expect(sentOf(spy, 'UpdateCommand')).toHaveLength(2);

    others = Infinity;
    await expect(store.openAlert(alert)).rejects.toThrow(/too many concurrent writers/);
    await expect(store.closeAlert(poolId, 'thermal', 'h1')).rejects.toThrow(/too many concurrent writers/);
    vi.restoreAllMocks();
    expect((await store.listAlerts(poolId, { open: true })).map((a) => a.hostId)).toEqual(['h1']);
  });

  it('putReadings: what the server leaves unprocessed is sent again, only that; a batch never taken gives up after 9 sends', async () => {
    const hostId = uid('host');
    const at = (i: number): string => new Date(T0 + i * 60_000).toISOString();
    // How many of the next batch the server takes (the rest comes back unprocessed); undefined: all of it.
    let takes: number | undefined = 10;
    const spy = stage('BatchWriteCommand', async (command) => {
      if (takes === undefined) return undefined;
      const all = (command as { input: BatchWriteCommandInput }).input.RequestItems?.[fx.tableName] ?? [];
      const taken = all.slice(0, takes);
      if (taken.length > 0) await real(new BatchWriteCommand({ RequestItems: { [fx.tableName]: taken } }));
      if (takes > 0) takes = undefined;
      return { UnprocessedItems: { [fx.tableName]: all.slice(taken.length) }, $metadata: {} };
    });
    await store.putReadings(Array.from({ length: 30 }, (_, i) => ({ hostId, at: at(i), powerWatts: 200 + i })));
    const sizes = sentOf(spy, 'BatchWriteCommand').map((c) => ((c as { input: BatchWriteCommandInput }).input.RequestItems?.[fx.tableName] ?? []).length);
    expect(sizes).toEqual([25, 15, 5]);
    expect((await store.listReadings(hostId)).map((r) => r.at)).toEqual(Array.from({ length: 30 }, (_, i) => at(i)));

    spy.mockClear();
    takes = 0;
    const err = await store.putReadings([{ hostId, at: at(99), powerWatts: 1 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(String(err)).toMatch(/1 readings not written after 9 attempts/);
    expect(sentOf(spy, 'BatchWriteCommand')).toHaveLength(9);
  }, 20_000);
});
