/**
 * A schedule and its exceptions (skip tonight, hold a pool awake, keep a host off, a calendar of
 * special dates), and the pure decision taken when it fires: run which action on which hosts, or not.
 */
import { ScheduleValidationError } from './errors.ts';
import { parseExpression, validateTimezone } from './expression.ts';
import { nextFireTime } from './next-fire.ts';
import { localDate, startOfLocalDay } from './zoned.ts';

export const SCHEDULE_ACTIONS = ['sleep', 'wake', 'power-off', 'power-on', 'poll-sensors', 'poll-load'] as const;
export type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];

/** Actions that take hosts down; a hold keeps the pool awake through them. */
export const SLEEP_ACTIONS: readonly ScheduleAction[] = ['sleep', 'power-off'];
/** Actions that bring hosts up; a kept-off host is left out of them. */
export const WAKE_ACTIONS: readonly ScheduleAction[] = ['wake', 'power-on'];

/** A local calendar date, YYYY-MM-DD, in the schedule's time zone. */
export type LocalDate = string;

export type CalendarEntry =
  | { date: LocalDate; kind: 'skip'; label?: string }
  | { date: LocalDate; kind: 'replace'; action: ScheduleAction; label?: string };

export interface ScheduleExceptions {
  /** Skip tonight: the first occurrence on this local date does not run; later ones do. */
  skipOnce?: { date: LocalDate; reason?: string };
  /** Hold the pool awake: sleep actions do not run before this instant (ISO 8601), then resume. */
  holdAwakeUntil?: { until: string; reason?: string };
  /** Keep a host off: wake actions leave it out on dates before `until` (exclusive). */
  keepOff?: Array<{ hostId: string; until: LocalDate; reason?: string }>;
  /** Holidays, patch windows: on these dates the schedule does not run, or runs another action. */
  calendar?: CalendarEntry[];
}

export interface Schedule {
  name: string;
  poolId: string;
  /** Hosts to act on; absent means the whole pool. */
  hostIds?: string[];
  action: ScheduleAction;
  expression: string;
  timezone: string;
  enabled: boolean;
  exceptions: ScheduleExceptions;
  /**
   * On a wake's timer only: the lead (minutes) its expression was moved earlier by when it was
   * armed. A fire carries it, so a repeated delivery after the pool's lead changed still finds the
   * ready time (and the idempotency key) of the first.
   */
  leadMinutes?: number;
}

export type SkipReason = 'disabled' | 'calendar-skip' | 'skip-once' | 'held-awake' | 'hosts-kept-off';

export type Decision =
  | { run: false; reason: SkipReason; detail: string }
  | {
      run: true;
      action: ScheduleAction;
      /** Hosts to act on; undefined means the whole pool minus `excludeHostIds`. */
      hostIds: string[] | undefined;
      excludeHostIds: string[];
      /** Set when a calendar entry replaced the schedule's own action. */
      replacedBy?: string;
    };

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NAME_RE = /^[0-9a-zA-Z\-_.]{1,64}$/;

function checkDate(date: string, where: string): void {
  const m = DATE_RE.exec(date);
  const ok = m !== null && !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) && new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);
  if (!ok) throw new ScheduleValidationError('exceptions', `${where}: '${date}' is not a date YYYY-MM-DD`);
}

function checkAction(action: unknown, field: 'action' | 'exceptions', where: string): void {
  if (!SCHEDULE_ACTIONS.includes(action as ScheduleAction)) {
    throw new ScheduleValidationError(field, `${where}: '${String(action)}' is not one of ${SCHEDULE_ACTIONS.join(', ')}`);
  }
}

/** Validate a schedule; throws ScheduleValidationError naming the first wrong field. */
export function validateSchedule(s: Schedule): Schedule {
  if (!NAME_RE.test(s.name)) {
    throw new ScheduleValidationError('name', `name '${s.name}' must be 1-64 characters of letters, digits, '-', '_' or '.'`);
  }
  if (typeof s.poolId !== 'string' || s.poolId === '') throw new ScheduleValidationError('poolId', 'poolId is empty');
  if (s.hostIds !== undefined && (!Array.isArray(s.hostIds) || s.hostIds.length === 0 || s.hostIds.some((h) => typeof h !== 'string' || h === ''))) {
    throw new ScheduleValidationError('hostIds', 'hostIds, when given, must be a non-empty list of host ids');
  }
  checkAction(s.action, 'action', 'action');
  parseExpression(s.expression);
  validateTimezone(s.timezone);
  const e = s.exceptions;
  if (e.skipOnce) checkDate(e.skipOnce.date, 'skipOnce.date');
  if (e.holdAwakeUntil && Number.isNaN(Date.parse(e.holdAwakeUntil.until))) {
    throw new ScheduleValidationError('exceptions', `holdAwakeUntil.until: '${e.holdAwakeUntil.until}' is not an ISO 8601 instant`);
  }
  for (const k of e.keepOff ?? []) checkDate(k.until, `keepOff[${k.hostId}].until`);
  for (const c of e.calendar ?? []) {
    checkDate(c.date, 'calendar.date');
    if (c.kind === 'replace') checkAction(c.action, 'exceptions', `calendar ${c.date} action`);
  }
  return s;
}

/** True when `fire` is the first occurrence of the schedule on its local date. */
function isFirstOnLocalDate(s: Schedule, fire: Date, date: LocalDate): boolean {
  const dayStart = startOfLocalDay(date, s.timezone);
  const parsed = parseExpression(s.expression);
  if (parsed.kind === 'rate') {
    // Rate fires are periodic with the phase of `fire` itself.
    return fire.getTime() - parsed.intervalMs < dayStart;
  }
  const first = nextFireTime(parsed, s.timezone, new Date(dayStart - 1));
  return first !== null && first.getTime() >= fire.getTime();
}

/** Apply a schedule's exceptions to one fire instant. Pure. */
export function decide(s: Schedule, fireInstant: Date): Decision {
  if (!s.enabled) return { run: false, reason: 'disabled', detail: `schedule '${s.name}' is disabled` };
  const date = localDate(fireInstant, s.timezone);
  const e = s.exceptions;

  const entry = e.calendar?.find((c) => c.date === date);
  if (entry?.kind === 'skip') {
    return { run: false, reason: 'calendar-skip', detail: `calendar: no run on ${date}${entry.label ? ` (${entry.label})` : ''}` };
  }
  if (e.skipOnce && e.skipOnce.date === date && isFirstOnLocalDate(s, fireInstant, date)) {
    return { run: false, reason: 'skip-once', detail: `skipped once on ${date}${e.skipOnce.reason ? `: ${e.skipOnce.reason}` : ''}` };
  }

  const action = entry?.kind === 'replace' ? entry.action : s.action;
  const replacedBy = entry?.kind === 'replace' ? `calendar ${date}${entry.label ? ` (${entry.label})` : ''}: ${action} instead of ${s.action}` : undefined;

  if (SLEEP_ACTIONS.includes(action) && e.holdAwakeUntil && fireInstant.getTime() < Date.parse(e.holdAwakeUntil.until)) {
    return {
      run: false,
      reason: 'held-awake',
      detail: `pool ${s.poolId} held awake until ${e.holdAwakeUntil.until}${e.holdAwakeUntil.reason ? `: ${e.holdAwakeUntil.reason}` : ''}`,
    };
  }

  let excludeHostIds: string[] = [];
  if (WAKE_ACTIONS.includes(action)) {
    excludeHostIds = [...new Set((e.keepOff ?? []).filter((k) => date < k.until).map((k) => k.hostId))];
  }
  let hostIds = s.hostIds ? [...s.hostIds] : undefined;
  if (hostIds) {
    hostIds = hostIds.filter((h) => !excludeHostIds.includes(h));
    excludeHostIds = excludeHostIds.filter((h) => s.hostIds?.includes(h));
    if (hostIds.length === 0) {
      return { run: false, reason: 'hosts-kept-off', detail: `every target host is kept off on ${date}: ${excludeHostIds.join(', ')}` };
    }
  }
  return replacedBy === undefined
    ? { run: true, action, hostIds, excludeHostIds }
    : { run: true, action, hostIds, excludeHostIds, replacedBy };
}
