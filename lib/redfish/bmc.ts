/**
 * One BMC over Redfish, with the operations lowpower needs: power state and power changes, the
 * reset types it offers, watts, sensors, the event log, identity and restore policy. Where things
 * are is discovered once per handle; every reading is fresh. A reading has a deadline of its own
 * over all its requests (each request already has one, with retries): a BMC that answers each
 * request just in time cannot hold a reader for minutes. Power changes have none here: their
 * reset is sent once and followed to its end (their task has its own deadline).
 */
import { RedfishClient, type RedfishClientOptions, type RedfishReads } from './client.ts';
import { discover, type DiscoveryOptions, type Topology } from './discovery.ts';
import { RedfishDeadlineError, RedfishNotSupportedError } from './errors.ts';
import { readEventLog, type EventLog } from './event-log.ts';
import { readIdentity, type RedfishIdentity } from './identity.ts';
import { changePower, sendReset, type PowerOptions, type RedfishPowerResult } from './power/power.ts';
import { readPowerState, type PowerStateReading } from './power/power-state.ts';
import { planReset, type RedfishPowerAction, type ResetPlan } from './power/reset-plan.ts';
import { readRestorePolicy, setRestorePolicy, type RestorePolicyChange, type RestorePolicyChoice, type RestorePolicyReading } from './restore-policy.ts';
import { readSensors } from './sensors/read-sensors.ts';
import type { SensorView } from './sensors/sensor-view.ts';
import type { TaskOutcome } from './task-monitor.ts';
import { readWatts, type WattsReading } from './watts.ts';

export interface RedfishBmcOptions extends RedfishClientOptions, DiscoveryOptions {
  /** Defaults for power changes (confirmation time, polling, task deadline). */
  power?: PowerOptions;
  /**
   * Longest one reading may take, its requests and retries together: by default 60 s, or twice what
   * one request may take with its retries when that is more. 0 or Infinity: no deadline.
   */
  readDeadlineMs?: number;
}

export const DEFAULT_READ_DEADLINE_MS = 60_000;
/** The longest a node timer waits: more is taken as 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The read deadline in force for these options, or undefined for none. */
export function readDeadlineOf(o: Pick<RedfishBmcOptions, 'readDeadlineMs' | 'timeoutMs' | 'retries'>): number | undefined {
  if (o.readDeadlineMs !== undefined) return Number.isFinite(o.readDeadlineMs) && o.readDeadlineMs > 0 ? Math.min(o.readDeadlineMs, MAX_TIMER_MS) : undefined;
  const oneRequest = (o.timeoutMs ?? 10_000) * (1 + Math.max(0, o.retries ?? 2));
  return Math.min(Math.max(DEFAULT_READ_DEADLINE_MS, 2 * oneRequest), MAX_TIMER_MS);
}

export class RedfishBmc {
  readonly client: RedfishClient;
  private topo?: Promise<Topology>;
  /** Calls under way (a power change spans several requests, with waits between them). */
  private busy = 0;
  private whenIdle?: () => void;

  constructor(private readonly o: RedfishBmcOptions) {
    this.client = new RedfishClient(o);
  }

  /** "host:port", for messages. */
  get label(): string {
    return this.client.label;
  }

  /** The SHA-256 fingerprint of the BMC's certificate as last seen, for the caller to store with the host. */
  get certificateFingerprint(): string | undefined {
    return this.client.certificateFingerprint;
  }

  /** The system, chassis, manager and reset action, discovered once. */
  topology(): Promise<Topology> {
    this.topo ??= discover(this.client, this.o).then(({ system: _system, ...paths }) => paths);
    this.topo.catch(() => (this.topo = undefined));
    return this.topo;
  }

  powerState(): Promise<PowerStateReading> {
    return this.read('the power state', async (c) => readPowerState(c, (await this.topology()).systemPath));
  }

  /** The reset types the BMC offers, or null when it does not list them. */
  async resetTypes(): Promise<string[] | null> {
    return (await this.topology()).reset?.types ?? null;
  }

  /** The reset type(s) that carry out `action` on this BMC (for a driver that posts them itself with sendReset). */
  async resetPlan(action: RedfishPowerAction): Promise<ResetPlan> {
    return planReset(action, (await this.resetTypes()) ?? null, this.label);
  }

  /** on, off (hard), soft or cycle, after reading the state; see power/power.ts. */
  power(action: RedfishPowerAction, o: PowerOptions = {}): Promise<RedfishPowerResult> {
    return this.work(async () => changePower(this.client, await this.topology(), action, { ...this.o.power, ...o }));
  }

  /** Post exactly one reset of this type (no state check, never repeated) and follow its task. */
  sendReset(type: string, o: PowerOptions = {}): Promise<TaskOutcome> {
    return this.work(async () => sendReset(this.client, (await this.topology()).reset, type, { ...this.o.power, ...o }));
  }

  watts(): Promise<WattsReading> {
    return this.read('the power draw', async (c) => readWatts(c, await this.chassis()));
  }

  sensors(): Promise<SensorView[]> {
    return this.read('the sensors', async (c) => readSensors(c, await this.chassis()));
  }

  eventLog(o: { limit?: number } = {}): Promise<EventLog> {
    return this.read('the event log', async (c) => {
      const t = await this.topology();
      return readEventLog(c, t.systemPath, t.managerPath, o);
    });
  }

  identity(): Promise<RedfishIdentity> {
    return this.read('the identity', async (c) => {
      const t = await this.topology();
      return readIdentity(c, t.systemPath, t.chassisPath);
    });
  }

  restorePolicy(): Promise<RestorePolicyReading> {
    return this.read('the power restore policy', async (c) => readRestorePolicy(c, (await this.topology()).systemPath));
  }

  setRestorePolicy(policy: RestorePolicyChoice): Promise<RestorePolicyChange> {
    return this.work(async () => setRestorePolicy(this.client, (await this.topology()).systemPath, policy, { taskTimeoutMs: this.o.power?.taskTimeoutMs, pollMs: this.o.power?.pollMs }));
  }

  /** Delete the session and close the connections. */
  close(): Promise<void> {
    return this.client.close();
  }

  /**
   * Close once the calls under way have ended (a handle replaced by a new one: who holds it
   * finishes with it, a power change is not cut between its reset and its task's end).
   */
  retire(): Promise<void> {
    if (this.busy === 0) return this.close();
    return new Promise((done) => {
      this.whenIdle = () => {
        this.whenIdle = undefined;
        void this.close().finally(done);
      };
    });
  }

  private async work<T>(call: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await call();
    } finally {
      if (--this.busy === 0) this.whenIdle?.();
    }
  }

  /**
   * A reading, bounded as a whole by the read deadline: past it the caller gets a
   * RedfishDeadlineError, and the reading sends no further request. It counts as a call under way
   * until its own requests have ended, so retire() does not close the handle under them.
   */
  private read<T>(what: string, call: (c: RedfishReads) => Promise<T>): Promise<T> {
    const ms = readDeadlineOf(this.o);
    if (ms === undefined) return this.work(() => call(this.client));
    const stop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new RedfishDeadlineError(this.label, what, ms);
        stop.abort(e);
        reject(e);
      }, ms);
      timer.unref?.();
    });
    // race() takes the reading's rejection too, so one that fails after its deadline is not unhandled.
    return Promise.race([this.work(() => call(this.client.reads(stop.signal))), deadline]).finally(() => clearTimeout(timer));
  }

  private async chassis(): Promise<string> {
    const t = await this.topology();
    if (!t.chassisPath) throw new RedfishNotSupportedError(`${this.label}: no chassis found for ${t.systemPath}`);
    return t.chassisPath;
  }
}

export const openRedfish = (o: RedfishBmcOptions): RedfishBmc => new RedfishBmc(o);
