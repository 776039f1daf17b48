import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoReplayGuard, memoryReplayGuard, REPLAY_REMEMBER_SECONDS, replayItemKey, signSlackRequest, type ReplayGuard } from '../../lib/slack/index.ts';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';
import { NOW_S, SECRET } from './support.ts';

const sig = (n: number): string => signSlackRequest(SECRET, `text=${n}`, NOW_S);

describe('memory replay guard', () => {
  it('accepts a signature once, refuses it within the window, forgets it after', async () => {
    const g = memoryReplayGuard();
    expect(await g.firstTime(sig(1), NOW_S)).toBe(true);
    expect(await g.firstTime(sig(1), NOW_S + 1)).toBe(false);
    expect(await g.firstTime(sig(2), NOW_S + 1)).toBe(true);
    expect(await g.firstTime(sig(1), NOW_S + REPLAY_REMEMBER_SECONDS - 1)).toBe(false);
    expect(await g.firstTime(sig(3), NOW_S + REPLAY_REMEMBER_SECONDS + 5)).toBe(true);
    // The expired entries were dropped.
    expect(g.size()).toBe(1);
  });
});

describe('DynamoDB replay guard (dynalite)', () => {
  let db: DynamoFixture;
  let guard: ReplayGuard;
  beforeAll(async () => {
    db = await startDynalite();
    guard = dynamoReplayGuard({ client: db.client, tableName: db.tableName });
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('the same signature twice: the second is a replay', async () => {
    expect(await guard.firstTime(sig(10), NOW_S)).toBe(true);
    expect(await guard.firstTime(sig(10), NOW_S + 2)).toBe(false);
    expect(await guard.firstTime(sig(11), NOW_S + 2)).toBe(true);
  });

  it('ten at once with the same signature: exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => guard.firstTime(sig(20), NOW_S)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('stores a hash of the signature with a TTL, never the signature', async () => {
    const s = sig(30);
    await guard.firstTime(s, NOW_S);
    const key = replayItemKey(s);
    expect(key).toEqual({ PK: `SLACKSIG#${createHash('sha256').update(s).digest('hex')}`, SK: 'SEEN' });
    const { Item } = await db.client.send(new GetCommand({ TableName: db.tableName, Key: key }));
    expect(Item?.expiresAt).toBe(NOW_S + 600);
    expect(JSON.stringify(Item)).not.toContain(s.slice(3));
  });

  it('an item past its TTL that DynamoDB has not yet deleted counts as gone', async () => {
    const s = sig(40);
    expect(await guard.firstTime(s, NOW_S)).toBe(true);
    expect(await guard.firstTime(s, NOW_S + 599)).toBe(false);
    expect(await guard.firstTime(s, NOW_S + 600)).toBe(true);
  });

  it('other errors are not taken for a replay', async () => {
    const broken = dynamoReplayGuard({ client: db.client, tableName: 'no-such-table' });
    await expect(broken.firstTime(sig(50), NOW_S)).rejects.toThrow();
  });
});
