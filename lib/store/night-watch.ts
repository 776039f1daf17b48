/**
 * The night watch's memory between two checks (`POOL#p / NIGHTWATCH`): which night it is about and
 * since when the awake hosts' CPU has been above the ceiling, since when the demand behind its
 * wakes has been gone, and up to when it has counted XAPI's refusals to start a VM. One small
 * versioned item per pool, written only when it changes (a spike begins or ends, a new night
 * begins, a refusal is counted), so most checks cost
 * one read. It is not part of the pool record so that a check never races a person's policy
 * change. The wakes the watch made are its operations (listed by pool and time), not kept here.
 */
import { StoreValidationError } from './errors.ts';
import { createItem, firstVersion, getItem, strip, updateVersioned, type Ctx } from './items.ts';
import { checkDay, checkIsoTime, poolKey } from './keys.ts';
import type { Versioned } from './types.ts';

export interface NightWatchStateInput {
  /** The night the state is about: the local date its evening fell on (yyyy-mm-dd). */
  night: string;
  /** When a check first found the awake hosts' CPU above the ceiling; absent while it is not. */
  cpuOverSince?: string;
  /** When a check first found the demand behind the watch's wakes gone (for a sleep again); absent while it is not. */
  quietSince?: string;
  /** The finish time of the latest refusal to start a VM the watch has counted: later checks count from its second on. */
  refusalsSeenUpTo?: string;
  /** The tasks (uuids) of the refusals counted that finished in that second: XAPI's times are whole seconds. */
  refusalsSeenTasks?: string[];
}

export interface NightWatchState extends NightWatchStateInput, Versioned {
  poolId: string;
}

export interface NightWatchRepository {
  getNightWatch(poolId: string): Promise<NightWatchState | undefined>;
  /**
   * Writes the pool's watch state if it is still at `expectedVersion` (0: there is none yet);
   * VersionConflictError (or AlreadyExistsError) when another check wrote first.
   */
  putNightWatch(poolId: string, state: NightWatchStateInput, expectedVersion: number): Promise<NightWatchState>;
}

const SK = 'NIGHTWATCH';
const FIELDS = ['night', 'cpuOverSince', 'quietSince', 'refusalsSeenUpTo', 'refusalsSeenTasks'];
/** Refusals counted in one second: more than a pool's operators start in one. */
const MAX_SEEN_TASKS = 200;

function checkSeenTasks(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > MAX_SEEN_TASKS || !v.every((u) => typeof u === 'string' && u.length > 0 && u.length <= 64)) {
    throw new StoreValidationError(`night watch: refusalsSeenTasks must be a list of at most ${MAX_SEEN_TASKS} task uuids`);
  }
  return [...v];
}

export function nightWatchRepository(ctx: Ctx): NightWatchRepository {
  const keyOf = (poolId: string) => ({ PK: poolKey(poolId).PK, SK });
  return {
    async getNightWatch(poolId) {
      const item = await getItem(ctx, keyOf(poolId));
      return item && strip<NightWatchState>(item);
    },
    async putNightWatch(poolId, state, expectedVersion) {
      if (typeof state !== 'object' || state === null) throw new StoreValidationError('night watch: expected an object');
      for (const k of Object.keys(state)) if (!FIELDS.includes(k)) throw new StoreValidationError(`night watch: unknown field "${k}"`);
      const time = (k: 'cpuOverSince' | 'quietSince' | 'refusalsSeenUpTo') => (state[k] === undefined ? undefined : checkIsoTime(k, state[k]));
      const fields = { night: checkDay(state.night), cpuOverSince: time('cpuOverSince'), quietSince: time('quietSince'), refusalsSeenUpTo: time('refusalsSeenUpTo'), refusalsSeenTasks: checkSeenTasks(state.refusalsSeenTasks) };
      const key = keyOf(poolId);
      if (expectedVersion === 0) {
        const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
        const record = { poolId, ...set, night: fields.night, ...firstVersion(ctx) };
        await createItem(ctx, { ...key, type: 'night-watch', ...record });
        return record;
      }
      return strip<NightWatchState>(await updateVersioned(ctx, key, expectedVersion, fields));
    },
  };
}
