// lib/schedules: EventBridge Scheduler expressions, DST-correct next fire times, schedules with exceptions, and the EventBridge / local scheduler adapters.
export { ScheduleValidationError, ScheduleNotFoundError, ScheduleConflictError, type ScheduleField } from './errors.ts';
export { parseExpression, validateTimezone, type ParsedExpression, type CronFields, type RateUnit } from './expression.ts';
export { nextFireTimes, nextFireTime, atInstant, type NextFireOptions } from './next-fire.ts';
export {
  decide,
  validateSchedule,
  SCHEDULE_ACTIONS,
  SLEEP_ACTIONS,
  WAKE_ACTIONS,
  type Schedule,
  type ScheduleAction,
  type ScheduleExceptions,
  type CalendarEntry,
  type LocalDate,
  type Decision,
  type SkipReason,
} from './model.ts';
export {
  EventBridgeScheduler,
  mapSchedulerError,
  clientTokenFor,
  SCHEDULED_TIME,
  type EventBridgeSchedulerOptions,
  type ScheduledInput,
  type RemoteScheduleSummary,
  type RemoteSchedule,
  type OneTimeSchedule,
  earlyStartSchedule,
} from './eventbridge.ts';
export { LocalScheduler, systemClock, type RunnerClock, type TimerHandle, type ScheduleHandler, type LocalSchedulerOptions, type OneShot, type OneShotFire } from './local-runner.ts';
export { wallClockAt, localDate, resolveLocal, startOfLocalDay, type WallClock, type LocalResolution } from './zoned.ts';
export { shiftCronEarlier, type ShiftResult } from './lead.ts';
export { earlyStarts, wakeFireRole, wakeTimerOf, type WakeTiming, type WakeTimer, type EarlyStart, type EarlyStartWhy, type WakeFireRole } from './early-start.ts';
export { ScheduleService, fromStored, type ScheduleServiceOptions, type ScheduleView, type TimerCheck } from './service.ts';
export {
  localSchedulerPort,
  eventBridgeSchedulerPort,
  type SchedulerPort,
  type TimerState,
  type OneTimeStart,
  type EarlyStartPayload,
  type LocalSchedulerLike,
  type EventBridgeLike,
} from './scheduler-ports.ts';
export { localTimerName, scheduleNameOfTimer, earlyStartName, earlyStartPrefix } from './timer-names.ts';
export { offsetMsAt } from './zoned.ts';
export { LOAD_POLL_NAME, loadPollSchedule, describeLoadPoll, ensureLoadPoll, removePoolSchedules } from './pool-schedules.ts';
