/**
 * The local runner: lowpower on one machine with no AWS. Embedded dynalite, a simulated fleet
 * (six hosts in one pool), the local scheduler over schedules kept in the store, and the HTTP API
 * on 127.0.0.1. Operations run in process; one that asks to be resumed is run again shortly.
 * Everything stops on stop(). The stand-ins for AWS and the machines are in stand-ins.ts, the
 * Slack endpoint in slack-route.ts, the demo night in demo-night.ts; this file wires them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../store/index.ts';
import type { FleetProtocol, MixedFleet } from '../sim/index.ts';
import type { XapiSim } from '../sim/index.ts';
import { hostDrivers } from '../drivers/index.ts';
import { runOperation } from '../ops/index.ts';
import { onScheduleFired, poolActionsFor } from '../ops/index.ts';
import { pollPool } from '../ops/index.ts';
import { LocalScheduler, ScheduleService, localSchedulerPort, scheduleNameOfTimer, type Schedule } from '../schedules/index.ts';
import { startHttpServer, type ExtraHandler } from './http-server.ts';
import { dashboardDir, dashboardHandler } from './static-files.ts';
import { afterOperation, alertNoticesAfterPoll, type Notifier } from '../ops/index.ts';
import { noticeText } from '../ops/index.ts';
import { notify, renderNotice, webhookChannel } from '../slack/index.ts';
import { loadOrCreateApiKeys } from './api-keys.ts';
import { driverBmcReads } from '../ops/index.ts';
import type { ApiContext, Role } from '../api/index.ts';
import { POOL_ROUTES } from '../api/index.ts';
import { hypervisorCache } from '../ops/index.ts';
import type { PoolOpsDeps } from '../ops/index.ts';
import { xenPowerGuard } from '../ops/index.ts';
import { poolWakeLeadMinutes } from '../ops/index.ts';
import { rebindHost } from '../ops/index.ts';
import { sweep, type SweepResult } from '../ops/index.ts';
import { type LocalFaults, simFaultRoutes, WorkerKilledError } from './sim-faults.ts';
import { startStandIns } from './stand-ins.ts';
import { localSlackRoute } from './slack-route.ts';
import { scheduleDemoNight } from './demo-night.ts';
import { errorField, lineLog } from '../util/index.ts';
import { simLoadRoutes } from './sim-load.ts';
import { startWatchLoop, type WatchLoop } from './watch-loop.ts';
import { seedLoadHistory, type LoadHistory } from './load-history.ts';

export interface LocalRunnerOptions {
  /** HTTP port on 127.0.0.1 (0 picks a free one). */
  port: number;
  /** Keep the table and secrets here between runs; a fresh temporary folder otherwise. */
  stateDir?: string;
  hosts?: number;
  /** Which protocol the simulated BMCs speak: ipmi, redfish, or mixed (default: every second host on Redfish). */
  protocol?: FleetProtocol;
  bmcBasePort?: number;
  log?: (line: string) => void;
  /** Install the sample schedules when the pool has none (default true). */
  sampleSchedule?: boolean;
  /** How long one run of an operation may take before it pauses and resumes (default 10 min). */
  runBudgetMs?: number;
  /** Show a night at once: sleep the pool this long after start, wake it a little later (off by default). */
  demoAfterMs?: number;
  /** Where channel messages go (default: $SLACK_WEBHOOK_URL, else the log). */
  notifier?: Notifier;
  /** Refuse requests without an API key (default: they act as admin, the machine's operator). */
  requireKeys?: boolean;
  /** Handlers for paths outside /v1 (the dashboard, Slack). */
  extra?: ExtraHandler[];
  /** Simulated live-migration speed (default 20 ms per GiB: a night in seconds). */
  migrateMsPerGiB?: number;
  /** How often the sweeper runs (default 30 s; it also runs at start). */
  sweepEveryMs?: number;
  /** A worker's lease on an operation without renewal (default 2 min; the fault matrix makes it short). */
  operationLeaseMs?: number;
  /**
   * How often the night watch checks: `lowpower start` asks for every 10 s; 0 is once a minute with
   * the load poll, as on AWS. Absent, there is no watch (tests and the fault matrix that sleep the
   * pool by day, when the model's load would wake hosts again).
   */
  watchEveryMs?: number;
  /** How long the awake CPU must stay above the ceiling before the watch wakes hosts, where the pool's policy names none (default 20 s). */
  spikeSeconds?: number;
  /**
   * Run the simulators (the pool's XAPI and BMCs) but put no pool and no hosts in the store, for
   * `lowpower pool import`; no sample schedules, no timers, no demo night, no sensor poll at start.
   */
  noPool?: boolean;
  /** Seed 7 nights of simulated load (load-history.ts) so the first night plans with CPU demand; off unless asked (seconds per start), `lowpower start` asks. */
  loadHistory?: boolean;
}

export interface LocalRunner {
  url: string;
  poolId: string;
  store: Store;
  /** The simulated BMCs, IPMI and Redfish (one per host). */
  fleet: MixedFleet;
  /** The Slack signing secret in use ($SLACK_SIGNING_SECRET, or made at start). */
  slackSigningSecret: string;
  /** One key per role (also in <state dir>/api-keys.json). */
  apiKeys: Record<Role, string>;
  stateDir: string;
  /** Started with noPool: the store began without the simulated pool. */
  noPool: boolean;
  /** With noPool: the files (0600) with the simulated XAPI's and BMCs' passwords, for the import. */
  passwordFiles?: { xapi: string; bmc: string };
  /** The simulated pool master (XAPI JSON-RPC on 127.0.0.1). */
  xapi: XapiSim;
  scheduler: LocalScheduler;
  schedules: ScheduleService;
  ops: PoolOpsDeps;
  /** The simulator fault control (also `GET|POST /v1/sim/faults`). */
  faults: LocalFaults;
  /** The night watch's loop (when watchEveryMs is above 0). */
  watch?: WatchLoop;
  /** The simulated load history seeded at start (absent when off). */
  loadHistory?: LoadHistory;
  /** Run the sweeper now (it also runs every sweepEveryMs). */
  sweep(): Promise<SweepResult>;
  /** Run a schedule's action now, as its timer would, and wait for its operation. */
  fire(name: string): Promise<void>;
  /** Resolves when every operation started so far has finished or stopped. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export const POOL_ID = 'pool-1';

const SAMPLE: Array<Omit<Schedule, 'poolId'>> = [
  { name: 'night-sleep', action: 'sleep', expression: 'cron(30 23 ? * MON-FRI *)', timezone: 'Europe/Berlin', enabled: true, exceptions: {} },
  { name: 'morning-wake', action: 'wake', expression: 'cron(0 6 ? * MON-FRI *)', timezone: 'Europe/Berlin', enabled: true, exceptions: {} },
  { name: 'poll', action: 'poll-sensors', expression: 'rate(1 minute)', timezone: 'UTC', enabled: true, exceptions: {} },
  { name: 'load', action: 'poll-load', expression: 'rate(1 minute)', timezone: 'UTC', enabled: true, exceptions: {} },
];

export async function startLocalRunner(o: LocalRunnerOptions): Promise<LocalRunner> {
  // Lines for the terminal: the library's events as `event key=value`, the demo's story and notices as prose.
  const line = o.log ?? ((text: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`));
  const log = lineLog(line);
  const spikeSeconds = o.spikeSeconds ?? 20;
  // No pool, no watch: there is nothing to look at until an import.
  const watchEveryMs = o.noPool ? undefined : o.watchEveryMs;
  const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'lowpower-local-'));
  const standIns = await startStandIns({ stateDir, keep: o.stateDir !== undefined, poolId: POOL_ID, hosts: o.hosts, bmcBasePort: o.bmcBasePort, protocol: o.protocol, migrateMsPerGiB: o.migrateMsPerGiB, noPool: o.noPool });
  const { store, secrets, fleet, xapi, faults } = standIns;

  const hypervisors = hypervisorCache(secrets, { taskPollMs: 100, originator: 'lowpower-local' });
  const { hypervisorFor } = hypervisors;
  const driver = hostDrivers(store, secrets, { timeoutMs: 1500, retries: 3, pollMs: 200, log, hypervisorFor });
  const ops: PoolOpsDeps = {
    store,
    driver,
    log,
    confirmMs: 10_000,
    hypervisorFor,
    guard: xenPowerGuard(store, hypervisorFor),
    downTimeoutMs: 30_000,
    liveTimeoutMs: 30_000,
    operationLeaseMs: o.operationLeaseMs,
    inStep: (step) => {
      if (faults.worker.strike(step.hostId)) throw new WorkerKilledError(`${step.name}${step.hostId ? ` ${step.hostId}` : ''}`);
    },
  };
  // Every host's BMC is read and bound to its XAPI host before anything may cut its power.
  const hostIds = o.noPool ? (await store.listHosts(POOL_ID)).map((h) => h.hostId) : fleet.bmcs.map((b) => b.name);
  for (const id of hostIds) await rebindHost(ops, POOL_ID, id, { actor: 'local-runner', source: 'cli', reason: 'local runner start' });
  const running = new Set<Promise<void>>();
  // Channel messages: to a Slack incoming webhook when $SLACK_WEBHOOK_URL is set, else to the log.
  const webhook = process.env.SLACK_WEBHOOK_URL ? webhookChannel(process.env.SLACK_WEBHOOK_URL, { allowLoopback: true }) : undefined;
  const notifier: Notifier =
    o.notifier ??
    (async (notices) => {
      for (const n of notices) {
        if (webhook) await notify(webhook, renderNotice(n), log);
        else line(`notice: ${noticeText(n)}`);
      }
    });
  let stopping = false;

  /** Run an operation in the background; one that pauses ("resume") runs again a second later. */
  const launch = async (operationId: string): Promise<void> => {
    const tag = operationId.slice(0, 8);
    const once = async (): Promise<void> => {
      const state = await runOperation(ops, operationId, { deadlineAt: Date.now() + (o.runBudgetMs ?? 600_000) });
      if (state !== 'resume') await afterOperation({ store, schedules, notifier, launch }, operationId);
      if (state === 'resume' && !stopping) {
        log('operation-paused', { operation: tag, resumeInMs: 1000 });
        await new Promise((r) => setTimeout(r, 1000));
        if (!stopping) return once();
      }
    };
    const p = once()
      .catch((e: unknown) => log('operation-stopped', { operation: tag, error: errorField(e), resumable: true }))
      .finally(() => running.delete(p));
    running.add(p);
  };

  const fireNow = async (poolId: string, name: string, at: Date, readyAt?: Date, leadMinutes?: number): Promise<void> => {
    const r = await onScheduleFired({ ...ops, secrets, pools: poolActionsFor(ops, watchEveryMs === 0 ? { spikeSeconds, lookSeconds: 60 } : 'own-timer') }, { poolId, scheduleName: name, at, ...(readyAt ? { readyAt } : {}), ...(leadMinutes !== undefined ? { leadMinutes } : {}) });
    if (!r.ran) log('schedule-not-run', { pool: poolId, schedule: name, reason: r.reason, detail: r.detail });
    else if ('load' in r) {
      if (r.load.failed.length) log('load-poll', { pool: poolId, schedule: name, written: r.load.written.length, failed: r.load.failed.map((f) => `${f.hostId}: ${f.reason}`) });
      if (r.watch.state === 'woke') log('night-watch-wake', { pool: poolId, hosts: r.watch.hostIds, operation: r.operationId, reason: r.watch.why });
      await notifier(r.notices);
      if (r.operationId && r.created) await launch(r.operationId);
    }
    else if ('poll' in r) {
      const p = r.poll;
      await notifier(await alertNoticesAfterPoll(store, poolId, p));
      log('schedule-poll', { pool: poolId, schedule: name, polled: p.ok, failed: p.failed || undefined, thermalAlerts: p.alertsOpened.length ? p.alertsOpened : undefined });
    } else {
      log('schedule-fired', { pool: poolId, schedule: name, action: r.action, operation: r.operationId.slice(0, 8) });
      if (r.created) await launch(r.operationId);
    }
  };
  const scheduler = new LocalScheduler({
    // A one-time early start (a daylight-saving day, a lead across midnight) carries its ready time.
    handler: (timer, at, once) => fireNow(timer.poolId, scheduleNameOfTimer(timer.poolId, timer.name), at, typeof once?.payload?.readyAt === 'string' ? new Date(once.payload.readyAt) : undefined, once ? undefined : timer.leadMinutes),
    onError: (e, s) => log('schedule-failed', { schedule: s.name, error: errorField(e) }),
  });
  const schedules = new ScheduleService(store, localSchedulerPort(scheduler), { wakeLeadMinutes: (p) => poolWakeLeadMinutes(store, p), log });
  // Timers for what the store holds (a --state-dir keeps schedules between runs), then samples.
  if (!o.noPool) await schedules.armAll();
  if (!o.noPool && o.sampleSchedule !== false && (await store.listSchedules(POOL_ID)).length === 0) {
    for (const s of SAMPLE) await schedules.create({ ...s, poolId: POOL_ID });
  }
  const loadHistory = !o.noPool && o.loadHistory === true ? await seedLoadHistory({ store, hypervisorFor, model: xapi.loadModel, poolId: POOL_ID, now: Date.now(), log }) : undefined;

  const ctx: ApiContext = { store, ops, schedules, launch, log, routes: [...POOL_ROUTES, ...simFaultRoutes(faults), ...simLoadRoutes(xapi)], bmc: driverBmcReads(driver), secrets };
  // The sweeper: operations left pending or without a live worker, late wakes, hosts waiting for XAPI.
  let sweeping: Promise<SweepResult> | undefined;
  const sweepNow = (): Promise<SweepResult> =>
    (sweeping ??= sweep({ ...ops, launch }).finally(() => {
      sweeping = undefined;
    }));
  const readyTimers = new Set<NodeJS.Timeout>();
  ops.checkAt = async (at: Date): Promise<void> => {
    const t = setTimeout(() => {
      readyTimers.delete(t);
      void sweepNow().catch((e: unknown) => log('sweeper-failed', { error: errorField(e) }));
    }, Math.max(0, at.getTime() - Date.now()) + 50);
    t.unref?.();
    readyTimers.add(t);
  };
  const sweepTimer = setInterval(() => void sweepNow().catch((e: unknown) => log('sweeper-failed', { error: errorField(e) })), o.sweepEveryMs ?? 30_000);
  sweepTimer.unref?.();
  await sweepNow().catch((e: unknown) => log('sweeper-failed', { error: errorField(e) }));
  const keys = await loadOrCreateApiKeys(join(stateDir, 'api-keys.json'));
  // Slack: the same handler as the Lambda, its secret from the environment or made here.
  const slack = await localSlackRoute({ ctx, stateDir, log });
  const server: Server = await startHttpServer(ctx, o.port, { keys, anonymousRole: o.requireKeys ? null : 'admin', extra: [slack.route, ...(o.extra ?? []), dashboardHandler(dashboardDir())] });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (!o.noPool) void pollPool(store, driver, POOL_ID, { log }).catch(() => undefined);

  const watch = watchEveryMs ? startWatchLoop({ ops, poolId: POOL_ID, everyMs: watchEveryMs, spikeSeconds, launch, notifier, log }) : undefined;
  const idle = async (): Promise<void> => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };
  // A newcomer's first minute: the pool is drained and put to sleep, then woken again.
  const demo = o.demoAfterMs === undefined || o.noPool ? undefined : scheduleDemoNight({ ops, poolId: POOL_ID, launch, idle, stopping: () => stopping, log: line }, o.demoAfterMs);
  return {
    url,
    poolId: POOL_ID,
    store,
    fleet,
    apiKeys: keys.byRole,
    slackSigningSecret: slack.signingSecret,
    stateDir,
    noPool: o.noPool === true,
    passwordFiles: standIns.passwordFiles,
    xapi,
    scheduler,
    schedules,
    ops,
    faults,
    ...(watch ? { watch } : {}),
    ...(loadHistory ? { loadHistory } : {}),
    sweep: sweepNow,
    async fire(name: string) {
      await fireNow(POOL_ID, name, new Date());
      await idle();
    },
    idle,
    async stop() {
      stopping = true;
      clearInterval(sweepTimer);
      await watch?.stop();
      for (const t of readyTimers) clearTimeout(t);
      demo?.cancel();
      await sweeping?.catch(() => undefined);
      scheduler.stop();
      await idle();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await driver.close();
      await hypervisors.closeAll();
      await standIns.stop();
    },
  };
}
