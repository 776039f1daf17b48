/**
 * Putting many items with BatchWriteItem (at most 25 a request): what the server hands back as
 * unprocessed (throttling) is sent again, backing off from 25 ms up to 3.2 s, nine sends in all;
 * past that, a StoreError saying how many `what` were not written.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { retry } from '../util/index.ts';
import { StoreError } from './errors.ts';
import type { Ctx, Item } from './items.ts';

export const BATCH_WRITE_MAX = 25;
const ATTEMPTS = 9;
const BACKOFF = { baseMs: 25, maxMs: 25 * 2 ** 7 };

/** The server left some of a batch unwritten: send those again. */
class Unprocessed extends Error {
  constructor(readonly left: number) {
    super(`${left} items not written`);
  }
}

export async function batchPut(ctx: Ctx, items: readonly Item[], what: string): Promise<void> {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  await retry(
    async () => {
      const res = await ctx.client.send(new BatchWriteCommand({ RequestItems: { [ctx.tableName]: pending } }));
      const left = res.UnprocessedItems?.[ctx.tableName] ?? [];
      if (left.length === 0) return;
      pending = left.map((r) => ({ PutRequest: { Item: r.PutRequest?.Item ?? {} } }));
      throw new Unprocessed(pending.length);
    },
    {
      attempts: ATTEMPTS,
      retryOn: (e) => e instanceof Unprocessed,
      ...BACKOFF,
      exhausted: (last, attempts) => new StoreError(`${last instanceof Unprocessed ? last.left : '?'} ${what} not written after ${attempts} attempts`),
    },
  );
}
