/**
 * The idempotent create's part of the store contract. Where the server runs transactions (DynamoDB
 * Local, DynamoDB) the idempotency item and the operation are one TransactWriteItems, so neither is
 * ever written without the other; where it does not (dynalite) the store falls back to two
 * conditional writes, and a later create with the key finishes what a stopped one began.
 */
import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect, it, vi } from 'vitest';
import { AlreadyExistsError, IdempotencyKeyReusedError, StoreError, type OperationInput, type Store } from '../../lib/store/index.ts';
import type { DynamoFixture } from '../support/dynamo.ts';

export interface IdempotencyContractOptions {
  /** Does this server run TransactWriteItems (so the store must use it)? */
  transactions: boolean;
}

const uid = (p: string): string => `${p}-${randomUUID().slice(0, 8)}`;

export function idempotencyContract(env: () => { fx: DynamoFixture; make: () => Store }, o: IdempotencyContractOptions): void {
  const raw = async (PK: string): Promise<Record<string, unknown> | undefined> => {
    const { fx } = env();
    return (await fx.client.send(new GetCommand({ TableName: fx.tableName, Key: { PK, SK: 'META' }, ConsistentRead: true }))).Item;
  };
  const commandsOf = (send: { mock: { calls: unknown[][] } }): string[] =>
    send.mock.calls.map((c) => (c[0] as object).constructor.name).filter((n) => n !== 'GetCommand' && n !== 'QueryCommand');
  const request = (poolId: string, requestHash: string): OperationInput =>
    ({ poolId, kind: 'host-power', actor: 'alice', source: 'api', reason: 'maintenance', hostIds: ['h1'], requestHash });

  it(o.transactions ? 'creates the operation and its idempotency key in one transaction, the request hash in both' : 'without transactions, creates them with two conditional writes (found out once), the request hash in both', async () => {
    const { fx, make } = env();
    const store = make();
    const poolId = uid('pool');
    const send = vi.spyOn(fx.client, 'send');
    try {
      const key = uid('idem');
      const { operation, created } = await store.createOperation(request(poolId, 'hash-1'), key);
      expect(created).toBe(true);
      const second = await store.createOperation(request(poolId, 'hash-2'), uid('idem'));
      expect(second.created).toBe(true);
      const sent = commandsOf(send);
      if (o.transactions) {
        expect(sent).toEqual(['TransactWriteCommand', 'TransactWriteCommand']);
      } else {
        // The first create asks for a transaction once, is told the server has none, and falls back; the next does not ask.
        expect(sent).toEqual(['TransactWriteCommand', 'PutCommand', 'PutCommand', 'PutCommand', 'PutCommand']);
      }
      const idem = await raw(`IDEMPOTENCY#${key}`);
      const meta = await raw(`OP#${operation.operationId}`);
      expect(idem).toMatchObject({ operationId: operation.operationId, requestHash: 'hash-1' });
      expect(meta).toMatchObject({ operationId: operation.operationId, idempotencyKey: key, requestHash: 'hash-1', state: 'pending' });
    } finally {
      send.mockRestore();
    }
  });

  it(o.transactions ? 'is atomic: a create whose operation cannot be written leaves no idempotency key' : 'without transactions, a create whose operation cannot be written leaves its key behind, pointing at nothing of its own', async () => {
    const { make } = env();
    const store = make();
    const poolId = uid('pool');
    const taken = await store.createOperation({ ...request(poolId, 'first'), operationId: uid('op') }, uid('idem'));
    const key = uid('idem');
    const clash = store.createOperation({ ...request(poolId, 'second'), operationId: taken.operation.operationId }, key);
    await expect(clash).rejects.toBeInstanceOf(AlreadyExistsError);
    if (o.transactions) expect(await raw(`IDEMPOTENCY#${key}`)).toBeUndefined();
    else expect(await raw(`IDEMPOTENCY#${key}`)).toMatchObject({ operationId: taken.operation.operationId });
    // The operation that held the id is untouched, and still the only one.
    expect(await store.getOperation(taken.operation.operationId)).toMatchObject({ ...taken.operation, steps: [] });
    expect((await store.listOperations(poolId)).map((op) => op.operationId)).toEqual([taken.operation.operationId]);
  });

  it('a key whose operation was never written: another request is refused, the same one finishes the create', async () => {
    const { fx, make } = env();
    const store = make();
    const poolId = uid('pool');
    const key = uid('idem');
    const { operation } = await store.createOperation(request(poolId, 'hash-a'), key);
    // What a caller that stopped between the two writes of the fallback (or of the store before transactions) leaves.
    await fx.client.send(new DeleteCommand({ TableName: fx.tableName, Key: { PK: `OP#${operation.operationId}`, SK: 'META' } }));
    expect(await store.getOperation(operation.operationId)).toBeUndefined();

    const refused = await store.createOperation(request(poolId, 'hash-b'), key).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(IdempotencyKeyReusedError);
    expect(refused).toMatchObject({ operationId: operation.operationId });
    expect(await store.getOperation(operation.operationId)).toBeUndefined();

    const again = await store.createOperation(request(poolId, 'hash-a'), key);
    expect(again).toEqual({ operation, created: false });
    expect(await store.getOperation(operation.operationId)).toEqual({ ...operation, steps: [] });
    expect((await store.listOperations(poolId)).map((op) => op.operationId)).toEqual([operation.operationId]);
  });

  it('concurrent creates with one key and different requests: one operation, every other caller refused with its id', async () => {
    const { make } = env();
    const store = make();
    const poolId = uid('pool');
    const key = uid('idem');
    const settled = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.createOperation(request(poolId, `hash-${i}`), key)));
    const won = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const lost = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(won[0].created).toBe(true);
    expect(lost).toHaveLength(7);
    for (const e of lost) expect(e).toMatchObject({ name: 'IdempotencyKeyReusedError', operationId: won[0].operation.operationId });
    expect((await store.listOperations(poolId)).map((op) => op.operationId)).toEqual([won[0].operation.operationId]);
    expect(await raw(`IDEMPOTENCY#${key}`)).toMatchObject({ requestHash: won[0].operation.requestHash });
  });

  if (o.transactions) {
    // DynamoDB cancels a transaction that meets another one on the same item (TransactionConflict);
    // DynamoDB Local serialises them instead, so the conflict is put in front of the real server here.
    it('a transaction cancelled by a conflicting one is tried again; one that keeps losing gives up, writing nothing', async () => {
      const { fx, make } = env();
      const store = make();
      const poolId = uid('pool');
      const conflict = (): TransactionCanceledException =>
        new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }] });
      const send = fx.client.send.bind(fx.client);
      let conflicts = 1;
      const spy = vi.spyOn(fx.client, 'send').mockImplementation(((command: object, ...rest: unknown[]) => {
        if (command.constructor.name === 'TransactWriteCommand' && conflicts-- > 0) return Promise.reject(conflict());
        return (send as (c: object, ...r: unknown[]) => Promise<unknown>)(command, ...rest);
      }) as typeof fx.client.send);
      try {
        const key = uid('idem');
        const first = await store.createOperation(request(poolId, 'h'), key);
        expect(first.created).toBe(true);
        expect(commandsOf(spy)).toEqual(['TransactWriteCommand', 'TransactWriteCommand']);
        expect(await raw(`IDEMPOTENCY#${key}`)).toMatchObject({ operationId: first.operation.operationId });

        spy.mockClear();
        conflicts = Infinity;
        const lostKey = uid('idem');
        const lost = await store.createOperation(request(poolId, 'h'), lostKey).catch((e: unknown) => e);
        expect(lost).toBeInstanceOf(StoreError);
        expect(String(lost)).toMatch(/gave up after 5 attempts/);
        expect(commandsOf(spy)).toEqual(Array(5).fill('TransactWriteCommand'));
        expect(await raw(`IDEMPOTENCY#${lostKey}`)).toBeUndefined();
      } finally {
        spy.mockRestore();
      }
      expect((await store.listOperations(poolId)).length).toBe(1);
    });
  }
}
