/**
 * Slack requests carry no nonce: a captured request stays valid for the whole five-minute window.
 * The replay guard remembers every accepted signature for twice that window and refuses a second
 * sight. DynamoDB holds it in production (a conditional put, so two Lambdas racing on the same
 * request cannot both win); memory serves unit tests and a single local process.
 */
import { createHash } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../store/index.ts';
import { SLACK_MAX_SKEW_SECONDS } from './signature.ts';

/** Remember a signature for twice the signature window: past that its timestamp is refused anyway. */
export const REPLAY_REMEMBER_SECONDS = 2 * SLACK_MAX_SKEW_SECONDS;

export interface ReplayGuard {
  /** True the first time this signature is seen in the window; false for a replay. */
  firstTime(signature: string, nowSeconds: number): Promise<boolean>;
}

const digest = (signature: string): string => createHash('sha256').update(signature, 'utf8').digest('hex');

/** The table item that marks a signature as seen (the signature itself is never stored). */
export function replayItemKey(signature: string): { PK: string; SK: string } {
  return { PK: `SLACKSIG#${digest(signature)}`, SK: 'SEEN' };
}

export interface DynamoReplayGuardOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

export function dynamoReplayGuard(o: DynamoReplayGuardOptions): ReplayGuard {
  return {
    async firstTime(signature, nowSeconds) {
      const now = Math.floor(nowSeconds);
      try {
        await o.client.send(
          new PutCommand({
            TableName: o.tableName,
            Item: { ...replayItemKey(signature), type: 'slack-signature', [TTL_ATTRIBUTE]: now + REPLAY_REMEMBER_SECONDS },
            // TTL deletes late (up to days): an item past its expiry counts as gone.
            ConditionExpression: 'attribute_not_exists(PK) OR #ttl <= :now',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return true;
      } catch (err) {
        if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return false;
        throw err;
      }
    },
  };
}

export interface MemoryReplayGuard extends ReplayGuard {
  /** Signatures remembered now (expired ones are dropped on each call). */
  size(): number;
}

export function memoryReplayGuard(): MemoryReplayGuard {
  const seen = new Map<string, number>();
  return {
    async firstTime(signature, nowSeconds) {
      for (const [k, expiresAt] of seen) if (expiresAt <= nowSeconds) seen.delete(k);
      const key = digest(signature);
      if (seen.has(key)) return false;
      seen.set(key, nowSeconds + REPLAY_REMEMBER_SECONDS);
      return true;
    },
    size: () => seen.size,
  };
}
