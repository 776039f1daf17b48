/**
 * The doctor's checks, one part of a deployment each: a pool's XAPI (a login and a pool read), a
 * host's BMC (a power status read) and its binding (from the store), a schedule's timer against
 * the store, a pool without its load poll. Each gives ok, warn or fail with one line of detail and, when not ok, what to do.
 * Details come from typed errors that never carry a password (the XAPI client scrubs it, the BMC
 * drivers and the Secrets port name refs only); nothing here reads a secret itself.
 */
import type { Host, Pool } from '../store/index.ts';
import { SecretNotFoundError } from '../store/index.ts';
import { XapiError, XapiTransportError, XapiUnreachableError } from '../xen/index.ts';
import type { Hypervisor } from '../xen/index.ts';
import { bindingRefusal, bindingView } from '../ops/index.ts';
import { protocolOf } from '../ops/index.ts';
import type { PowerDriver, PowerStatus } from '../ops/index.ts';
import type { ScheduleAction, TimerCheck, TimerState } from '../schedules/index.ts';
import { loadPollSchedule } from '../schedules/index.ts';
import type { DoctorStatus } from './schemas/doctor.ts';

/** What a check found. */
export interface Finding {
  status: DoctorStatus;
  detail: string;
  /** What to do (warn and fail). */
  fix?: string;
}

/** Wraps one slow call in the check's deadline (rejects with LateError when it is up). */
export type Bound = <T>(work: Promise<T>) => Promise<T>;

export class LateError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s`);
    this.name = 'LateError';
  }
}

/** `work`, or a LateError after `ms`; the timer never keeps the process alive. */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LateError(ms)), ms);
    timer.unref?.();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** scheme://host[:port] of a URL, never a user or a path. */
function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'an unreadable xapiUrl';
  }
}

/** The pool's XAPI: a login (or the cached session) and a cheap read of the pool record. */
export async function checkXapi(pool: Pool, hypervisorFor: ((pool: Pool) => Promise<Hypervisor>) | undefined, bound: Bound): Promise<Finding> {
  const at = endpointOf(pool.xapiUrl);
  if (!hypervisorFor) return { status: 'warn', detail: `not checked: this API has no XAPI access wired (${at})`, fix: 'run the doctor against an API that manages pools (the deployed http function, or the local runner)' };
  try {
    const info = await bound(hypervisorFor(pool).then((hv) => hv.pool()));
    const ha = info.haEnabled ? `HA on (${info.haFailuresToTolerate} host failure(s) tolerated)` : 'HA off';
    return { status: 'ok', detail: `${at} answers: pool '${info.name}', master ${info.masterHostId}, ${ha}` };
  } catch (e) {
    return { status: 'fail', detail: `${at}: ${messageOf(e)}`, fix: xapiFix(e, pool, at) };
  }
}

function xapiFix(e: unknown, pool: Pool, at: string): string {
  const password = `set the pool's XAPI password again: PATCH /v1/pools/${pool.poolId} with xapiPassword (it is kept as the secret ${pool.secretRef})`;
  if (e instanceof SecretNotFoundError) return password;
  if (e instanceof XapiError && e.code === 'SESSION_AUTHENTICATION_FAILED') return `check the XAPI user ${pool.xapiUser ?? 'root'}, or ${password}`;
  if (e instanceof XapiUnreachableError || e instanceof LateError) return `check that the pool master at ${at} is up and that the functions' subnets reach it (HTTPS 443 to xapiCidr in their security group)`;
  if (e instanceof XapiTransportError && e.kind === 'tls') return "give the pool master a certificate from a public CA: XAPI's certificate is checked against Node's public CAs";
  return `check the pool's xapiUrl (PATCH /v1/pools/${pool.poolId}) and the API's log`;
}

/** A host's BMC answers a power status read (IPMI chassis status, Redfish PowerState). */
export async function checkBmc(host: Host, driver: PowerDriver, bound: Bound): Promise<Finding> {
  const protocol = protocolOf(host);
  const at = `${host.bmcAddress}:${host.bmcPort}`;
  if (protocol === 'xapi') return { status: 'warn', detail: 'no BMC: lowpower knows its power only through XAPI', fix: `give it a BMC (PATCH /v1/hosts/${host.hostId} with bmcAddress, bmcUser and bmcPassword), or lowpower cannot wake it` };
  let s: Pick<PowerStatus, 'power' | 'detail'>;
  try {
    s = await bound(driver.status(host));
  } catch (e) {
    s = { power: 'unknown', detail: messageOf(e) };
  }
  if (s.power !== 'unknown') return { status: 'ok', detail: `${protocol} at ${at} answers: power ${s.power}` };
  // The Redfish driver's word for an answer in between (PoweringOn, PoweringOff): the BMC answers.
  if (s.detail?.startsWith('PowerState ')) return { status: 'ok', detail: `${protocol} at ${at} answers: power changing (${s.detail})` };
  // The drivers' messages start with the address; it is in the line already.
  const why = (s.detail ?? 'no reason given').replace(`${at}: `, '');
  return { status: 'fail', detail: `${protocol} at ${at} does not answer: ${why}`, fix: bmcFix(host, protocol, why) };
}

function bmcFix(host: Host, protocol: string, why: string): string {
  const password = `check the BMC user ${host.bmcUser} and its password: PATCH /v1/hosts/${host.hostId} with bmcPassword`;
  const network =
    protocol === 'redfish'
      ? `turn on the BMC's Redfish service, or check the security group for HTTPS (TCP ${host.bmcPort}) from the functions' subnets to ${host.bmcAddress} (inside bmcCidr)`
      : `start IPMI over LAN on the BMC, or check the security group for UDP ${host.bmcPort} from the functions' subnets to ${host.bmcAddress} (inside bmcCidr)`;
  if (/secret .* not found/.test(why)) return `put the BMC's password: PATCH /v1/hosts/${host.hostId} with bmcPassword`;
  // Silence first: a message about a login that got no answer is still silence.
  if (/no answer|timed? ?out|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ECONNRESET/i.test(why)) return network;
  if (/login failed|unauthori[sz]ed|HTTP 401|password/i.test(why)) return password;
  if (protocol === 'redfish' && /certificate|fingerprint/i.test(why)) return `if the BMC's certificate was replaced, check it and POST /v1/hosts/${host.hostId}/accept-certificate`;
  return network;
}

/** The BMC is bound to its host (safety rule 2): what the store says of the last binding. */
export function checkBinding(host: Host): Finding {
  const id = host.hostId;
  const rebind = `POST /v1/hosts/${id}/rebind once its BMC answers (admin)`;
  const view = bindingView(host);
  const refusal = bindingRefusal(host);
  const why = host.binding?.why ?? '';
  if (view === 'unbound') return { status: 'fail', detail: 'not bound: its BMC has not been read yet, so no power is cut through it', fix: rebind };
  if (view === 'mismatch') return { status: 'fail', detail: `mismatch: ${why}`, fix: `fix the BMC address (PATCH /v1/hosts/${id}), or after a board or BMC replacement ${rebind}` };
  if (view === 'unverified') return { status: 'warn', detail: `unverified: ${why}; it never sleeps until an admin trusts it`, fix: `check the machine by hand, then PATCH /v1/hosts/${id} with {"identity":"trust","reason":"..."}` };
  // Bound or trusted, unless the address changed since: then the binding speaks of another BMC.
  if (refusal) return { status: 'fail', detail: refusal.why, fix: rebind };
  return { status: 'ok', detail: view === 'trusted' ? `unverified, trusted by an admin: ${why}` : `bound: ${why}` };
}

const describeTimer = (t: TimerState): string => `${t.expression} ${t.timezone}${t.enabled ? '' : ' (disabled)'}`;

/** A schedule's timer against the store (ScheduleService.checkTimers). */
export function checkTimer(poolId: string, c: TimerCheck): Finding {
  const rearm = `write its timer again: PATCH /v1/schedules/${c.name}?pool=${poolId} with {} (operator); the local runner also re-arms every timer at start`;
  switch (c.state) {
    case 'present':
      return { status: 'ok', detail: `timer ${describeTimer(c.have ?? c.want)}` };
    case 'missing':
      return { status: 'fail', detail: `no timer ${poolId}.${c.name} in the scheduler; the store has ${describeTimer(c.want)}`, fix: rearm };
    case 'differs':
      return { status: 'fail', detail: `the scheduler's timer is ${c.have ? describeTimer(c.have) : '?'}; the store wants ${describeTimer(c.want)}`, fix: rearm };
    case 'unchecked':
      return { status: 'warn', detail: 'not checked: this scheduler cannot be asked for its timers', fix: 'run the doctor against the deployed API or the local runner' };
    case 'unknown':
      return { status: 'fail', detail: `the scheduler could not be asked: ${c.error ?? 'no reason given'}`, fix: 'let the http function call scheduler:GetSchedule on the schedule group (infra/iam.yml), then run the doctor again' };
  }
}

/**
 * The pool's load poll: without a `poll-load` schedule (or with it disabled) its load is not
 * sampled and, on AWS, the night watch never runs. A warning, not a failure: a pool may have been
 * added without it on purpose (loadPoll: false).
 */
export function checkLoadPoll(poolId: string, schedules: ReadonlyArray<{ name: string; action: ScheduleAction; enabled: boolean }>): Finding | undefined {
  const polls = schedules.filter((s) => s.action === 'poll-load');
  if (polls.some((s) => s.enabled)) return undefined;
  const why = "its load is not sampled and the night watch never runs (a spike at night wakes no host)";
  if (polls.length) return { status: 'warn', detail: `the load poll ${polls.map((s) => s.name).join(', ')} is disabled: ${why}`, fix: `enable it: PATCH /v1/schedules/${polls[0].name}?pool=${poolId} with {"enabled":true} (operator)` };
  const { name, action, expression, timezone } = loadPollSchedule(poolId);
  return { status: 'warn', detail: `no load poll (a poll-load schedule): ${why}`, fix: `add it: POST /v1/schedules?pool=${poolId} with ${JSON.stringify({ name, action, expression, timezone })} (operator)` };
}
