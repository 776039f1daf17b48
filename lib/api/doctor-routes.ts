/**
 * GET /v1/doctor: a deployment checked from inside, where the BMCs and the pool masters can be
 * reached (they sit in private subnets; the CLI only reports): each pool's XAPI, every host's BMC
 * (answers, bound), every schedule's timer in the scheduler, a pool without its load poll. One
 * line per check, with what to do.
 *
 * Role viewer: every check only reads (an XAPI pool record, a chassis power status, GetSchedule),
 * changes nothing, and shows no more than a viewer reads through /v1/hosts and /v1/schedules, only
 * whether each part answers. The fan-out is bounded in time and in concurrency, so the least role
 * cannot make it costly: each check has 8 s, the whole run 20 s (the http function has 29 s); what
 * has not started by then is a warning naming what was left out.
 */
import type { Host, Pool } from '../store/index.ts';
import type { PoolOpsDeps } from '../ops/index.ts';
import { mapBounded } from '../util/index.ts';
import { ApiError } from './errors.ts';
import { checkBinding, checkBmc, checkLoadPoll, checkTimer, checkXapi, withDeadline, type Bound, type Finding } from './doctor-checks.ts';
import { DoctorAnswer, DoctorQuery, type DoctorCheck } from './schemas/doctor.ts';
import { defineRoute, type ApiContext, type Route } from './types.ts';

export const DOCTOR_LIMITS = {
  /** One check (an XAPI read, a BMC read, one pool's timers). */
  checkMs: 8_000,
  /** The whole run; checks not started by then are reported as not checked. */
  budgetMs: 20_000,
  /** BMC reads at once, across pools. */
  hosts: 32,
  /** Pools (XAPI reads, timer lookups) at once. */
  pools: 8,
};

type Subject = Pick<DoctorCheck, 'kind' | 'name' | 'pool' | 'host' | 'schedule'>;

interface Run {
  clock: () => number;
  deadline: number;
}

/** A check's line: the subject, what was found (a fix only when not ok), how long it took. */
function line(subject: Subject, found: Finding, ms: number): DoctorCheck {
  const { fix, ...rest } = found;
  return { ...subject, ...rest, ...(fix && found.status !== 'ok' ? { fix } : {}), ms };
}

const notChecked = (subject: Subject): DoctorCheck =>
  line(subject, { status: 'warn', detail: `not checked: the doctor's ${DOCTOR_LIMITS.budgetMs / 1000} s were up`, fix: 'check one pool at a time: lowpower doctor --pool POOL' }, 0);

/** How long a check starting now may take: its own limit, or what is left of the run when less (but 1 s at least). */
const allowance = (run: Run): number => Math.min(DOCTOR_LIMITS.checkMs, Math.max(1000, run.deadline - run.clock()));

/** Run one check within its allowance; a throw is a failure with its message. */
async function timed(run: Run, subject: Subject, check: (bound: Bound) => Promise<Finding>): Promise<DoctorCheck> {
  const t0 = run.clock();
  if (t0 >= run.deadline) return notChecked(subject);
  const ms = allowance(run);
  let found: Finding;
  try {
    found = await check((work) => withDeadline(work, ms));
  } catch (e) {
    found = { status: 'fail', detail: e instanceof Error ? e.message : String(e), fix: "see the API's log" };
  }
  return line(subject, found, run.clock() - t0);
}

/** Each schedule of a pool against its timer: one line per schedule, or one line for the pool when they cannot be read. */
async function scheduleChecks(ctx: ApiContext, run: Run, pool: Pool): Promise<DoctorCheck[]> {
  const t0 = run.clock();
  const subject: Subject = { kind: 'schedule', name: `schedules ${pool.poolId}`, pool: pool.poolId };
  if (t0 >= run.deadline) return [notChecked(subject)];
  const ms = allowance(run);
  try {
    const [timers, schedules] = await Promise.all([ctx.schedules.checkTimers(pool.poolId, (work) => withDeadline(work, ms)), ctx.schedules.list(pool.poolId)]);
    const took = run.clock() - t0;
    const noLoadPoll = checkLoadPoll(pool.poolId, schedules);
    const loadLine = noLoadPoll ? [line({ kind: 'schedule', name: `load poll ${pool.poolId}`, pool: pool.poolId }, noLoadPoll, took)] : [];
    if (timers.length === 0) return [line(subject, { status: 'warn', detail: 'no schedules: nothing puts this pool to sleep or wakes it on its own', fix: `add them: POST /v1/schedules?pool=${pool.poolId} (a sleep and a wake)` }, took), ...loadLine];
    return [...timers.map((c) => line({ kind: 'schedule', name: `schedule ${pool.poolId}/${c.name}`, pool: pool.poolId, schedule: c.name }, checkTimer(pool.poolId, c), took)), ...loadLine];
  } catch (e) {
    return [line(subject, { status: 'fail', detail: `the schedules could not be read: ${e instanceof Error ? e.message : String(e)}`, fix: "see the API's log" }, run.clock() - t0)];
  }
}

export async function runDoctor(ctx: ApiContext, onlyPool?: string): Promise<DoctorAnswer> {
  const clock = ctx.now ?? Date.now;
  const run: Run = { clock, deadline: clock() + DOCTOR_LIMITS.budgetMs };
  let pools: Pool[];
  if (onlyPool) {
    const pool = await ctx.store.getPool(onlyPool);
    if (!pool) throw new ApiError(404, 'unknown_pool', `no pool ${onlyPool}`);
    pools = [pool];
  } else pools = await ctx.store.listPools();
  const hosts: Host[] = (await Promise.all(pools.map((p) => ctx.store.listHosts(p.poolId)))).flat();
  const hypervisorFor = (ctx.ops as Partial<PoolOpsDeps>).hypervisorFor;
  const xapiFor = typeof hypervisorFor === 'function' ? hypervisorFor : undefined;

  const [xapi, bmcs, timers] = await Promise.all([
    mapBounded(pools, DOCTOR_LIMITS.pools, (p) => timed(run, { kind: 'xapi', name: `XAPI ${p.poolId}`, pool: p.poolId }, (bound) => checkXapi(p, xapiFor, bound))),
    mapBounded(hosts, DOCTOR_LIMITS.hosts, (h) => timed(run, { kind: 'bmc', name: `BMC ${h.hostId}`, pool: h.poolId, host: h.hostId }, (bound) => checkBmc(h, ctx.ops.driver, bound))),
    mapBounded(pools, DOCTOR_LIMITS.pools, (p) => scheduleChecks(ctx, run, p)),
  ]);
  // From the store as read above: no deadline, nothing to wait for.
  const bindings = hosts.map((h) => line({ kind: 'binding', name: `binding ${h.hostId}`, pool: h.poolId, host: h.hostId }, checkBinding(h), 0));

  // Per pool: its XAPI, then each host's BMC and binding side by side, then its schedules.
  const checks: DoctorCheck[] = [];
  pools.forEach((p, i) => {
    checks.push(xapi[i]);
    hosts.forEach((h, j) => {
      if (h.poolId === p.poolId) checks.push(bmcs[j], bindings[j]);
    });
    checks.push(...timers[i]);
  });
  const count = (s: DoctorCheck['status']): number => checks.filter((c) => c.status === s).length;
  return { checkedAt: new Date(clock()).toISOString(), summary: { ok: count('ok'), warn: count('warn'), fail: count('fail') }, checks };
}

export const DOCTOR_ROUTES: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/v1/doctor',
    role: 'viewer',
    summary: "check the deployment from inside: each pool's XAPI, every BMC (answers, bound), every schedule's timer; one line per check with what to do",
    query: DoctorQuery,
    responses: { 200: DoctorAnswer },
    run: async (ctx, _req, { query }) => ({ status: 200, body: await runDoctor(ctx, query.pool) }),
  }),
];
