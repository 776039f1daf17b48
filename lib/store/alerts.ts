/**
 * Alerts (`POOL#p / ALERT#kind#h`): one per host and kind, opened, counted while it persists,
 * closed, and reopened later. Concurrent writers meet on `version` and read again.
 */
import { retry } from '../util/index.ts';
import { AlreadyExistsError, StoreError, StoreValidationError, VersionConflictError, keyText, type ItemKey } from './errors.ts';
import { createItem, firstVersion, getItem, queryAll, strip, updateVersioned, type Ctx, type Item } from './items.ts';
import { PREFIX, alertKey, poolKey } from './keys.ts';
import type { Alert, AlertInput } from './types.ts';

const ALERT_WRITE_ATTEMPTS = 5;

export interface AlertRepository {
  /** Opens the host's alert of this kind, or counts it again when it is open already. */
  openAlert(alert: AlertInput): Promise<{ alert: Alert; opened: boolean }>;
  /** Closes it if open; false when there was nothing open. */
  closeAlert(poolId: string, kind: Alert['kind'], hostId: string): Promise<boolean>;
  listAlerts(poolId: string, opts?: { open?: boolean }): Promise<Alert[]>;
}

export function alertRepository(ctx: Ctx): AlertRepository {
  const contended = (key: ItemKey) => (): Error =>
    new StoreError(`alert ${keyText(key)}: too many concurrent writers`);

  return {
    async openAlert(input) {
      const key = alertKey(input.poolId, input.kind, input.hostId);
      if (typeof input.message !== 'string' || !input.message) throw new StoreValidationError('message: expected a non-empty string');
      return retry(
        async () => {
          const at = ctx.nowIso();
          const item = await getItem(ctx, key);
          const current = item && strip<Alert>(item);
          if (!current) {
            const record: Alert = { ...input, state: 'open', openedAt: at, lastSeenAt: at, count: 1, ...firstVersion(ctx) };
            await createItem(ctx, { ...key, type: 'alert', ...record });
            return { alert: record, opened: true };
          }
          const reopen = current.state === 'closed';
          const patch: Item = reopen
            ? { state: 'open', openedAt: at, lastSeenAt: at, count: 1, message: input.message, detail: input.detail, closedAt: undefined }
            : { lastSeenAt: at, count: current.count + 1, message: input.message, detail: input.detail };
          const saved = strip<Alert>(await updateVersioned(ctx, key, current.version, patch));
          return { alert: saved, opened: reopen };
        },
        {
          attempts: ALERT_WRITE_ATTEMPTS,
          retryOn: (e) => e instanceof AlreadyExistsError || e instanceof VersionConflictError,
          exhausted: contended(key),
        },
      );
    },
    async closeAlert(poolId, kind, hostId) {
      const key = alertKey(poolId, kind, hostId);
      return retry(
        async () => {
          const item = await getItem(ctx, key);
          const current = item && strip<Alert>(item);
          if (!current || current.state === 'closed') return false;
          await updateVersioned(ctx, key, current.version, { state: 'closed', closedAt: ctx.nowIso() });
          return true;
        },
        { attempts: ALERT_WRITE_ATTEMPTS, retryOn: (e) => e instanceof VersionConflictError, exhausted: contended(key) },
      );
    },
    async listAlerts(poolId, opts = {}) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': poolKey(poolId).PK, ':prefix': PREFIX.alert },
      });
      const alerts = items.map((i) => strip<Alert>(i));
      return opts.open === undefined ? alerts : alerts.filter((a) => (a.state === 'open') === opts.open);
    },
  };
}
