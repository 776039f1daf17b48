/** The audit log (`AUDIT#day / time#operation[#n]`): who did what, when, why, with what result. */
import { AlreadyExistsError, StoreError, StoreValidationError } from './errors.ts';
import { createItem, pick, queryAll, strip, type Ctx } from './items.ts';
import { auditPk, checkDay, checkId, checkIsoTime } from './keys.ts';
import type { AuditInput, AuditRecord } from './types.ts';
import { checkActor } from './validate.ts';

const AUDIT_FIELDS = [
  'operationId', 'poolId', 'hostId', 'actor', 'source', 'reason', 'action', 'result', 'message', 'forced',
] as const;
/** Records of one operation within one millisecond, at most. */
const SAME_MILLISECOND = 20;

export interface AuditRepository {
  appendAudit(record: AuditInput): Promise<AuditRecord>;
  listAudit(day: string): Promise<AuditRecord[]>;
}

export function auditRepository(ctx: Ctx): AuditRepository {
  return {
    async appendAudit(input) {
      const at = input.at === undefined ? ctx.nowIso() : checkIsoTime('at', input.at);
      const fields = pick('audit', input, AUDIT_FIELDS, ['at', 'once']);
      checkActor(fields);
      if (typeof fields.action !== 'string' || fields.action.length === 0) {
        throw new StoreValidationError('action: expected a non-empty string');
      }
      if (input.operationId !== undefined) checkId('operationId', input.operationId);
      const day = at.slice(0, 10);
      if (input.once !== undefined) {
        // One record per (time, operation, key): writing it again is a no-op, so a resumed
        // worker can backfill what a dead one may or may not have written.
        checkId('once', input.once);
        const id = `${at}#${input.operationId ?? '-'}#${input.once}`;
        const record = { ...fields, at, day, id } as AuditRecord;
        try {
          await createItem(ctx, { PK: auditPk(day), SK: id, type: 'audit', ...record });
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
        }
        return record;
      }
      const base = `${at}#${input.operationId ?? '-'}`;
      // Two records of one operation in the same millisecond get #2, #3...
      for (let n = 1; n <= SAME_MILLISECOND; n++) {
        const id = n === 1 ? base : `${base}#${n}`;
        const record = { ...fields, at, day, id } as AuditRecord;
        try {
          await createItem(ctx, { PK: auditPk(day), SK: id, type: 'audit', ...record });
          return record;
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
        }
      }
      throw new StoreError(`${auditPk(day)} / ${base}: too many records in one millisecond`);
    },
    async listAudit(day) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': auditPk(checkDay(day)) },
      });
      return items.map((i) => strip<AuditRecord>(i));
    },
  };
}
