/** Schedules (`POOL#p / SCHEDULE#s`): a pool's cron, time zone, action and exceptions. */
import { createItem, deleteVersioned, firstVersion, getItem, pick, queryAll, strip, updateVersioned, type Ctx } from './items.ts';
import { PREFIX, checkId, poolKey, scheduleKey } from './keys.ts';
import type { Schedule, ScheduleInput, SchedulePatch } from './types.ts';
import { checkScheduleFields } from './validate.ts';

const SCHEDULE_FIELDS = ['cron', 'timeZone', 'action', 'enabled', 'schedulerName', 'hostIds', 'exceptions'] as const;

export interface ScheduleRepository {
  createSchedule(schedule: ScheduleInput): Promise<Schedule>;
  getSchedule(poolId: string, scheduleId: string): Promise<Schedule | undefined>;
  updateSchedule(poolId: string, scheduleId: string, expectedVersion: number, patch: SchedulePatch): Promise<Schedule>;
  deleteSchedule(poolId: string, scheduleId: string, expectedVersion: number): Promise<void>;
  listSchedules(poolId: string): Promise<Schedule[]>;
}

export function scheduleRepository(ctx: Ctx): ScheduleRepository {
  return {
    async createSchedule(schedule) {
      checkId('scheduleId', schedule.scheduleId);
      const fields = pick('schedule', schedule, SCHEDULE_FIELDS, ['poolId', 'scheduleId']);
      checkScheduleFields(fields, true);
      const record = { poolId: schedule.poolId, scheduleId: schedule.scheduleId, ...fields, ...firstVersion(ctx) } as Schedule;
      await createItem(ctx, { ...scheduleKey(schedule.poolId, schedule.scheduleId), type: 'schedule', ...record });
      return record;
    },
    async getSchedule(poolId, scheduleId) {
      const item = await getItem(ctx, scheduleKey(poolId, scheduleId));
      return item && strip<Schedule>(item);
    },
    async updateSchedule(poolId, scheduleId, expectedVersion, patch) {
      const fields = pick('schedule', patch, SCHEDULE_FIELDS, [], true);
      checkScheduleFields(fields, false);
      return strip<Schedule>(await updateVersioned(ctx, scheduleKey(poolId, scheduleId), expectedVersion, fields));
    },
    async deleteSchedule(poolId, scheduleId, expectedVersion) {
      await deleteVersioned(ctx, scheduleKey(poolId, scheduleId), expectedVersion);
    },
    async listSchedules(poolId) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': poolKey(poolId).PK, ':prefix': PREFIX.schedule },
      });
      return items.map((i) => strip<Schedule>(i));
    },
  };
}
