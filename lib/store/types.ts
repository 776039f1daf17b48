/**
 * The records the store keeps, long because it is the one vocabulary of the table's records that
 * every repository shares. Every versioned record carries `version` (1 on create, +1 on each
 * write) and `createdAt` / `updatedAt` (ISO times). A host carries a `secretRef`, the name of its
 * BMC password in the `Secrets` port; the password itself never reaches the table.
 */

export type PowerState = 'on' | 'off' | 'unknown';
/** Who asked for an action. */
export type ActionSource = 'schedule' | 'api' | 'cli' | 'slack';
export type OperationState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';
export type AuditResult = 'ok' | 'failed' | 'refused' | 'dry-run';

export interface Versioned {
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Pool policy as the planner reads it; unknown keys are kept for later versions. */
export interface PoolPolicy {
  haFailuresToTolerate?: number;
  minHostsOn?: number;
  headroomPercent?: number;
  neverSleep?: string[];
  /** vCPUs per physical CPU the planner allows (default 4). */
  vcpuOvercommit?: number;
  /** Live migrations at once (default 2). */
  concurrentMigrations?: number;
  /** A host shut down through XAPI whose chassis stays on may be switched off hard (it is empty by then). */
  hardOffWhenEmpty?: boolean;
  /** Hosts powered on at once in the morning, and the pause between groups (defaults 2 and 10 s). */
  wakeGroupSize?: number;
  wakeStaggerMs?: number;
  /** The pool's time zone, for "per night" energy figures (default UTC). */
  timeZone?: string;
  /**
   * The chassis power restore policy lowpower sets on a host before it sleeps it, so a power-feed
   * outage at night does not bring slept hosts up unmanaged (default `previous`).
   */
  powerRestorePolicy?: 'previous' | 'always-off';
  /** The night watch: the awake hosts' CPU (percent of their cores) it lets run before it wakes hosts (default 80). */
  cpuCeilingPercent?: number;
  /** How long the CPU must stay above the ceiling before the watch wakes hosts (default: the deployment's: 300 s on AWS, 20 s on the local runner). */
  spikeSeconds?: number;
  /** Wakes the watch may start in one pool per night (default 3). */
  maxWakesPerNight?: number;
  /**
   * Sleep the hosts the night watch woke again once their demand has been gone this long (seconds),
   * through the ordinary pool sleep, at most once per host and night; absent (the default): they
   * stay on until the next night's sleep.
   */
  resleepAfterQuietSeconds?: number;
  /**
   * After a wake succeeds: each VM back to where it ran before the sleep (`restore`), the measured
   * load evened out (`balance`), or nothing (`none`, the default: the VMs stay where the night put them).
   */
  afterWake?: 'restore' | 'balance' | 'none';
  /** What a kWh costs this pool, in `electricityCurrency`: energy and advice show savings in money. */
  electricityPricePerKwh?: number;
  /** ISO 4217 code of the price, e.g. EUR. */
  electricityCurrency?: string;
  /** The grid's carbon intensity (g CO2 per kWh): energy and advice show savings in CO2. */
  gridCarbonGramsPerKwh?: number;
}

export interface PoolInput {
  poolId: string;
  name?: string;
  xapiUrl: string;
  xapiUser?: string;
  /** Reference to the XAPI password in `Secrets`. */
  secretRef: string;
  policy?: PoolPolicy;
}
export type Pool = PoolInput & Versioned;
export type PoolPatch = Partial<Omit<PoolInput, 'poolId'>>;

export interface HostInput {
  poolId: string;
  hostId: string;
  bmcAddress: string;
  bmcPort: number;
  bmcUser: string;
  /** Reference to the BMC password in `Secrets`; never the password. */
  secretRef: string;
  /** IPMI cipher suite (3 or 17); kept for Redfish hosts too, where it is unused. */
  cipherSuite: number;
  /**
   * How lowpower reaches the host's power: `ipmi` (RMCP+ on bmcPort, 623 by default), `redfish`
   * (HTTPS on bmcPort, 443 by default), or `xapi` (no usable BMC: on through XAPI's host.power_on,
   * off through host.shutdown, power inferred from XAPI). Absent means ipmi.
   */
  bmcProtocol?: BmcProtocol;
  /** The host's BMC was added with `auto`: the protocol above is what the probe found. */
  bmcProtocolFound?: { by: 'auto'; at: string };
  /** Redfish over plain HTTP (loopback peers only); https otherwise. */
  bmcScheme?: 'https' | 'http';
  /**
   * Redfish TLS trust: the SHA-256 fingerprint pinned on first use (a changed certificate is
   * refused until an admin accepts it), or `ca` to verify against the deployment's CA bundle.
   */
  tlsPin?: { fingerprint256?: string; pinnedAt?: string; ca?: boolean };
  /** Redfish BMCs that mishandle If-Match: PATCH without it. */
  redfishNoEtag?: boolean;
  power: PowerState;
  powerObservedAt?: string;
  /** Where the power state came from, e.g. `ipmi`, `xapi`, `operator`. */
  powerSource?: string;
  /** XAPI's view: e.g. `enabled`, `disabled`, `halted`, `unreachable`. */
  xenState?: string;
  isMaster?: boolean;
  /** Never put this host to sleep (the planner keeps it on with this reason). */
  neverSleep?: boolean;
  /** Whether lowpower put the host to sleep: drift is a host found in the other state. */
  sleepState?: 'awake' | 'asleep';
  sleptAt?: string;
  sleptByOperation?: string;
  /** Draw before the shutdown and once off (standby), for the energy report. */
  wattsBeforeSleep?: number;
  wattsAsleep?: number;
  lastWokenAt?: string;
  /** Power-on to enabled, in ms, of the last few wakes (newest last): the lead time. */
  wakeLeadsMs?: number[];
  /** What lowpower found when it compared the BMC's identity with XAPI's host (see lib/ops/binding.ts). */
  binding?: HostBinding;
  /** `trust`: an admin allows power cuts through a BMC that gives no usable serial (audited). */
  identity?: 'verify' | 'trust';
  /** Powered on by a wake while XAPI could not be asked: enable it in XAPI once it is live. */
  awaitingEnable?: { operationId: string; since: string };
  /** The restore policy lowpower last set on the chassis, and when. */
  restorePolicy?: { policy: string; setAt: string };
}

export type BmcProtocol = 'ipmi' | 'redfish' | 'xapi';

/** A BMC's identity as lowpower read it: the canonical GUID and the FRU serials (IPMI) or UUID and SerialNumber (Redfish); XAPI's own for hosts without a BMC. */
export interface BmcIdentityRecord {
  protocol: BmcProtocol;
  guid?: string;
  productSerial?: string;
  chassisSerial?: string;
  boardSerial?: string;
}

/** The binding of a BMC to its host: bound, mismatch, or unverified (no usable serial), with why. */
export interface HostBinding {
  state: 'bound' | 'mismatch' | 'unverified';
  why: string;
  checkedAt: string;
  /** The address and port the identity was read from: a changed address needs a new binding. */
  bmcAt: string;
  bmc: BmcIdentityRecord;
  /** XAPI's record of the host when bound: its uuid (the machine, whatever it is named later) and serials. */
  xapi: { uuid?: string; serial?: string; boardSerial?: string };
}
/** Lock fields: written only by the lock calls, never by `updateHost`. */
export interface HostLockFields {
  lockOperationId?: string;
  /** Lease end, epoch milliseconds. */
  lockExpiresAt?: number;
}
export type Host = HostInput & HostLockFields & Versioned;
export type HostPatch = Partial<Omit<HostInput, 'poolId' | 'hostId'>>;

export interface HostLock {
  poolId: string;
  hostId: string;
  operationId: string;
  expiresAt: number;
}

export interface ScheduleInput {
  poolId: string;
  scheduleId: string;
  /** EventBridge Scheduler cron expression, e.g. `cron(0 22 * * ? *)`. */
  cron: string;
  timeZone: string;
  action: string;
  enabled: boolean;
  schedulerName?: string;
  /** Hosts to act on; absent means the whole pool. */
  hostIds?: string[];
  /** Skip tonight, hold awake, keep a host off, the calendar (lib/schedules' ScheduleExceptions). */
  exceptions?: Record<string, unknown>;
}
export type Schedule = ScheduleInput & Versioned;
export type SchedulePatch = Partial<Omit<ScheduleInput, 'poolId' | 'scheduleId'>>;

export interface OperationInput {
  /** Generated when absent. */
  operationId?: string;
  poolId: string;
  kind: string;
  actor: string;
  source: ActionSource;
  reason: string;
  hostIds?: string[];
  params?: Record<string, unknown>;
  /** Creation time; the store's clock when absent. */
  createdAt?: string;
  /** A hash of the request as its caller made it: the same idempotency key with another request is refused. */
  requestHash?: string;
}
export interface Operation extends Versioned {
  operationId: string;
  poolId: string;
  kind: string;
  actor: string;
  source: ActionSource;
  reason: string;
  state: OperationState;
  idempotencyKey: string;
  requestHash?: string;
  hostIds?: string[];
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: string;
  /** Next step to run. */
  cursor?: number;
  /** The worker running the operation, and until when (epoch ms) its lease holds. */
  leaseOwner?: string;
  leaseExpiresAt?: number;
  /** Someone asked to cancel: the worker skips what is left, but still runs the steps that make things safe. */
  cancelRequested?: { by: string; at: string; reason: string };
  /** How many times the sweeper relaunched or resumed it (bounded; then an alert). */
  sweeps?: number;
}
export type OperationPatch = Partial<Pick<Operation, 'state' | 'result' | 'error' | 'cursor' | 'leaseOwner' | 'leaseExpiresAt' | 'cancelRequested' | 'sweeps'>>;

export interface StepInput {
  index: number;
  name: string;
  state?: StepState;
  hostId?: string;
  detail?: Record<string, unknown>;
}
export interface OperationStep extends Versioned {
  operationId: string;
  index: number;
  name: string;
  state: StepState;
  hostId?: string;
  detail?: Record<string, unknown>;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
}
export type StepPatch = Partial<Pick<OperationStep, 'state' | 'detail' | 'error' | 'startedAt' | 'finishedAt'>>;

export interface OperationWithSteps extends Operation {
  steps: OperationStep[];
}

export interface AuditInput {
  /** ISO time; the store's clock when absent. */
  at?: string;
  operationId?: string;
  poolId?: string;
  hostId?: string;
  actor: string;
  source: ActionSource;
  reason: string;
  action: string;
  result: AuditResult;
  message?: string;
  /** Set when a safety rule was overridden with `force`. */
  forced?: boolean;
  /** Write this record at most once: the same `at`, operation and key make the same record. */
  once?: string;
}
export interface AuditRecord extends Omit<AuditInput, 'once'> {
  at: string;
  day: string;
  /** The sort key within the day: `<iso time>#<opId>` (plus `#n` when that pair repeats). */
  id: string;
}

export interface ReadingInput {
  hostId: string;
  poolId?: string;
  at: string;
  power?: PowerState;
  powerWatts?: number;
  temperatures?: { name: string; celsius: number }[];
  /** Keep for this long; the store's default (30 days) when absent. */
  ttlSeconds?: number;
}
export interface Reading extends Omit<ReadingInput, 'ttlSeconds'> {
  /** TTL attribute, epoch seconds. */
  expiresAt: number;
}

export type AlertKind = 'thermal' | 'wake-late' | 'sleep-failed' | 'drift' | 'operation-stuck' | 'bmc-identity' | 'night-watch';
export interface AlertInput {
  poolId: string;
  hostId: string;
  kind: AlertKind;
  message: string;
  detail?: Record<string, unknown>;
}
/** One record per pool, host and kind: opened, seen again (count), closed; reopened later. */
export interface Alert extends AlertInput, Versioned {
  state: 'open' | 'closed';
  openedAt: string;
  lastSeenAt: string;
  count: number;
  closedAt?: string;
}

/** One host's night asleep, written when it wakes. */
export interface EnergyRecord {
  poolId: string;
  hostId: string;
  sleptAt: string;
  wokenAt: string;
  /** The local date the night began on, in the pool's time zone. */
  night: string;
  wattsBefore: number;
  wattsAsleep: number;
  kWhSaved: number;
}

export interface ListOperationsOptions {
  /** Only operations created at or after this ISO time. */
  since?: string;
  /** At most this many (default: all). */
  limit?: number;
  /** Newest first (default) or oldest first. */
  order?: 'newest' | 'oldest';
}

export interface ListReadingsOptions {
  since?: string;
  until?: string;
  limit?: number;
}
