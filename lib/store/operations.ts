/**
 * Operations (`OP#o / META`, listed by pool and time through GSI1) and their steps
 * (`OP#o / STEP#n`). An operation is created once per idempotency key (idempotency.ts).
 */
import { randomUUID } from 'node:crypto';
import { StoreValidationError } from './errors.ts';
import { idempotentCreate } from './idempotency.ts';
import { createItem, firstVersion, pick, queryAll, strip, updateVersioned, type Ctx, type Item } from './items.ts';
import { GSI1, PREFIX, checkId, checkIsoTime, operationKey, poolKey, stepKey } from './keys.ts';
import type {
  ListOperationsOptions,
  Operation,
  OperationInput,
  OperationPatch,
  OperationStep,
  OperationWithSteps,
  StepInput,
  StepPatch,
} from './types.ts';
import { checkActor } from './validate.ts';

const OPERATION_FIELDS = ['kind', 'actor', 'source', 'reason', 'hostIds', 'params', 'requestHash'] as const;
const OPERATION_PATCH = ['state', 'result', 'error', 'cursor', 'leaseOwner', 'leaseExpiresAt', 'cancelRequested', 'sweeps'] as const;
const STEP_FIELDS = ['name', 'state', 'hostId', 'detail'] as const;
const STEP_PATCH = ['state', 'detail', 'error', 'startedAt', 'finishedAt'] as const;

export interface OperationRepository {
  /**
   * Creates the operation once per idempotency key; a repeat with the same request returns the
   * first (`created: false`), one with another request hash is refused (IdempotencyKeyReusedError).
   */
  createOperation(input: OperationInput, idempotencyKey: string): Promise<{ operation: Operation; created: boolean }>;
  getOperation(operationId: string): Promise<OperationWithSteps | undefined>;
  updateOperation(operationId: string, expectedVersion: number, patch: OperationPatch): Promise<Operation>;
  /** Writes state, result, error and cursor back, conditional on `op.version`. */
  saveOperation(op: Operation): Promise<Operation>;
  listOperations(poolId: string, opts?: ListOperationsOptions): Promise<Operation[]>;
}

export interface StepRepository {
  createStep(operationId: string, step: StepInput): Promise<OperationStep>;
  updateStep(operationId: string, index: number, expectedVersion: number, patch: StepPatch): Promise<OperationStep>;
  saveStep(step: OperationStep): Promise<OperationStep>;
}

export function operationRepository(ctx: Ctx): OperationRepository & StepRepository {
  const createOnce = idempotentCreate(ctx);
  return {
    async createOperation(input, key) {
      checkId('idempotencyKey', key);
      checkId('poolId', input.poolId);
      const fields = pick('operation', input, OPERATION_FIELDS, ['operationId', 'poolId', 'createdAt']);
      checkActor(fields);
      if (typeof fields.kind !== 'string' || fields.kind.length === 0) {
        throw new StoreValidationError('kind: expected a non-empty string');
      }
      const operationId = checkId('operationId', input.operationId ?? randomUUID());
      const base = firstVersion(ctx);
      const createdAt = input.createdAt === undefined ? base.createdAt : checkIsoTime('createdAt', input.createdAt);
      const op = {
        operationId,
        poolId: input.poolId,
        ...fields,
        state: 'pending',
        idempotencyKey: key,
        ...base,
        createdAt,
      } as Operation;
      return createOnce(op);
    },
    async getOperation(operationId) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': operationKey(operationId).PK },
        ConsistentRead: true,
      });
      const meta = items.find((i) => i.SK === 'META');
      if (!meta) return undefined;
      const steps = items
        .filter((i) => typeof i.SK === 'string' && i.SK.startsWith(PREFIX.step))
        .map((i) => strip<OperationStep>(i));
      return { ...strip<Operation>(meta), steps };
    },
    async updateOperation(operationId, expectedVersion, patch) {
      const fields = pick('operation', patch, OPERATION_PATCH, [], true);
      return strip<Operation>(await updateVersioned(ctx, operationKey(operationId), expectedVersion, fields));
    },
    async saveOperation(op) {
      const fields: Item = {};
      for (const k of OPERATION_PATCH) fields[k] = op[k];
      return strip<Operation>(await updateVersioned(ctx, operationKey(op.operationId), op.version, fields));
    },
    async listOperations(poolId, opts = {}) {
      const pk = poolKey(poolId).PK;
      const since = opts.since === undefined ? undefined : checkIsoTime('since', opts.since);
      if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1)) {
        throw new StoreValidationError('limit: expected a positive integer');
      }
      const items = await queryAll(
        ctx,
        {
          IndexName: GSI1,
          KeyConditionExpression: since === undefined ? 'GSI1PK = :pk' : 'GSI1PK = :pk AND GSI1SK >= :since',
          ExpressionAttributeValues: since === undefined ? { ':pk': pk } : { ':pk': pk, ':since': since },
          ScanIndexForward: opts.order === 'oldest',
        },
        opts.limit,
      );
      return items.map((i) => strip<Operation>(i));
    },

    async createStep(operationId, step) {
      const key = stepKey(operationId, step.index);
      const fields = pick('step', step, STEP_FIELDS, ['index']);
      if (typeof fields.name !== 'string' || fields.name.length === 0) {
        throw new StoreValidationError('name: expected a non-empty string');
      }
      const record = { operationId, index: step.index, state: 'pending', ...fields, ...firstVersion(ctx) } as OperationStep;
      await createItem(ctx, { ...key, type: 'step', ...record });
      return record;
    },
    async updateStep(operationId, index, expectedVersion, patch) {
      const fields = pick('step', patch, STEP_PATCH, [], true);
      return strip<OperationStep>(await updateVersioned(ctx, stepKey(operationId, index), expectedVersion, fields));
    },
    async saveStep(step) {
      const fields: Item = {};
      for (const k of STEP_PATCH) fields[k] = step[k];
      return strip<OperationStep>(await updateVersioned(ctx, stepKey(step.operationId, step.index), step.version, fields));
    },
  };
}
