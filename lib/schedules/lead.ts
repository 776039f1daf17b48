/**
 * Starting early: a wake schedule names the time the pool must be ready; its timer fires earlier
 * by the pool's lead time. Pure. Only a cron with one minute and one hour (the usual "07:00 on
 * weekdays") is shifted, and only when the shift stays on the same day; anything else keeps its
 * time and says why, so nothing fires on a day it should not.
 */
import { parseExpression } from './expression.ts';

export type ShiftResult = { expression: string; shiftedBy: number } | { expression: string; shiftedBy: 0; why: string };

/** `cron(0 7 ? * MON-FRI *)` earlier by 20 minutes is `cron(40 6 ? * MON-FRI *)`. */
export function shiftCronEarlier(expression: string, minutes: number): ShiftResult {
  const parsed = parseExpression(expression);
  if (minutes <= 0) return { expression, shiftedBy: 0, why: 'no lead time' };
  if (parsed.kind !== 'cron') return { expression, shiftedBy: 0, why: `${parsed.kind}() schedules are not shifted` };
  const { minutes: m, hours: h, dayOfMonth, month, dayOfWeek, year } = parsed.fields;
  if (!/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(h)) return { expression, shiftedBy: 0, why: 'only a cron with one minute and one hour is shifted' };
  const at = Number(h) * 60 + Number(m) - Math.ceil(minutes);
  if (at < 0) return { expression, shiftedBy: 0, why: 'the lead would cross midnight' };
  const shifted = `cron(${at % 60} ${Math.floor(at / 60)} ${dayOfMonth} ${month} ${dayOfWeek} ${year})`;
  parseExpression(shifted);
  return { expression: shifted, shiftedBy: Math.ceil(minutes) };
}
