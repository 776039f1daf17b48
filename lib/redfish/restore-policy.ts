/**
 * What the system does when mains power returns: the ComputerSystem's `PowerRestorePolicy`
 * (`AlwaysOn`, `AlwaysOff`, `LastState`), in lowpower's words ('always-on', 'always-off',
 * 'previous'). It is set by PATCH with If-Match carrying the ETag the BMC gave with the read, so a
 * change made meanwhile by someone else is not overwritten blindly; a 412 reads again and decides
 * again, once. Asking for the policy already set sends nothing.
 */
import type { RedfishClient, RedfishReads } from './client.ts';
import { RedfishError, RedfishHttpError, RedfishNotSupportedError } from './errors.ts';
import { isObject, str, strings } from './json.ts';
import { followTask } from './task-monitor.ts';

export type RestorePolicy = 'always-off' | 'previous' | 'always-on' | 'unknown';
export type RestorePolicyChoice = Exclude<RestorePolicy, 'unknown'>;

const TO_REDFISH: Record<RestorePolicyChoice, string> = { 'always-on': 'AlwaysOn', 'always-off': 'AlwaysOff', previous: 'LastState' };

export function restorePolicyOf(raw: string | undefined): RestorePolicy {
  return raw === 'AlwaysOn' ? 'always-on' : raw === 'AlwaysOff' ? 'always-off' : raw === 'LastState' ? 'previous' : 'unknown';
}

export interface RestorePolicyReading {
  policy: RestorePolicy;
  /** `PowerRestorePolicy` as the BMC gave it, or null. */
  raw: string | null;
  /** `PowerRestorePolicy@Redfish.AllowableValues`, or null when the BMC does not list them. */
  allowed: string[] | null;
  etag?: string;
}

export async function readRestorePolicy(c: RedfishReads, systemPath: string): Promise<RestorePolicyReading> {
  const r = await c.get(systemPath);
  const body = isObject(r.body) ? r.body : {};
  const raw = str(body.PowerRestorePolicy);
  const allowed = Array.isArray(body['PowerRestorePolicy@Redfish.AllowableValues']) ? strings(body['PowerRestorePolicy@Redfish.AllowableValues']) : null;
  return { policy: restorePolicyOf(raw), raw: raw ?? null, allowed, etag: r.etag };
}

export interface RestorePolicyChange {
  policy: RestorePolicy;
  changed: boolean;
  /** True when the BMC reads back the policy asked for (some apply it only later). */
  confirmed: boolean;
}

export async function setRestorePolicy(c: RedfishClient, systemPath: string, want: RestorePolicyChoice, o: { taskTimeoutMs?: number; pollMs?: number } = {}): Promise<RestorePolicyChange> {
  const value = TO_REDFISH[want];
  if (!value) throw new RedfishError(`${c.label}: '${String(want)}' is not a restore policy (always-on, always-off, previous)`);
  for (let attempt = 0; ; attempt++) {
    const now = await readRestorePolicy(c, systemPath);
    if (now.raw === value) return { policy: now.policy, changed: false, confirmed: true };
    if (now.allowed && !now.allowed.includes(value)) {
      throw new RedfishNotSupportedError(`${c.label}: PowerRestorePolicy ${value} is not offered (it offers ${now.allowed.join(', ') || 'none'})`);
    }
    let res;
    try {
      res = await c.patch(systemPath, { PowerRestorePolicy: value }, now.etag);
    } catch (e) {
      // 412: the system changed since it was read. Read it again and decide again, once.
      if (e instanceof RedfishHttpError && e.status === 412 && attempt === 0) continue;
      throw e;
    }
    await followTask(c, res, { what: `PowerRestorePolicy ${value}`, deadlineMs: o.taskTimeoutMs, pollMs: o.pollMs });
    const after = await readRestorePolicy(c, systemPath);
    return { policy: after.policy, changed: true, confirmed: after.raw === value };
  }
}
