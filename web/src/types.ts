/** The shapes the dashboard reads from the public /v1 API (only the fields it uses). */

export type Role = 'viewer' | 'operator' | 'admin';
export type Power = 'on' | 'off' | 'unknown';

export interface Me {
  actor: string;
  role: Role;
}

export interface PoolSummary {
  id: string;
  name: string;
  hosts: number;
  asleep: number;
  on: number;
}

export interface HostSummary {
  id: string;
  pool: string;
  bmc: string | null;
  power: Power;
  powerObservedAt: string | null;
  powerSource?: string | null;
  xenState: string | null;
  isMaster: boolean;
  /** The operation holding the host's lock, if any. */
  operation: string | null;
}

export interface Vm {
  id: string;
  memoryBytes: number;
  vcpus: number;
  pinned: string | null;
  tags: string[];
}

export interface PoolHost extends HostSummary {
  live: boolean;
  enabled: boolean;
  memoryTotalBytes: number;
  memoryFreeBytes: number;
  cpus: number;
  sleepState: 'awake' | 'asleep';
  vms: Vm[];
}

export interface PoolDetail {
  pool: {
    id: string;
    name: string;
    master: string;
    haEnabled: boolean;
    haFailuresToTolerate: number;
    policy: { timeZone?: string; neverSleep?: string[]; [k: string]: unknown };
  };
  hosts: PoolHost[];
}

export interface Migration {
  vmId: string;
  from: string;
  to: string;
  memoryBytes: number;
  wave: number;
}

export interface SleepPlan {
  sleep: string[];
  migrations: Migration[];
  keep: Array<{ hostId: string; reason: string }>;
  hostsOn: number;
  lowerBound: number;
  migratedBytes: number;
  why?: string;
}

export interface Reading {
  hostId: string;
  at: string;
  power?: Power;
  powerWatts?: number;
  temperatures?: Array<{ name: string; celsius: number }>;
}

export interface Sensor {
  name: string;
  type: string;
  value: number | null;
  unit: string;
  status: string;
  thresholds: Partial<Record<'lnr' | 'lcr' | 'lnc' | 'unc' | 'ucr' | 'unr', number>>;
}

export interface SelEntry {
  id: number;
  timestamp: string | null;
  sensor: string | null;
  event: string;
  direction: 'assertion' | 'deassertion' | null;
}

export type OperationState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface OperationStep {
  index: number;
  name: string;
  state: StepState;
  hostId?: string;
  error?: string;
  detail?: Record<string, unknown>;
  startedAt?: string;
  finishedAt?: string;
}

export interface Operation {
  operationId: string;
  poolId: string;
  kind: string;
  state: OperationState;
  actor: string;
  source: string;
  reason: string;
  hostIds?: string[];
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: string;
  createdAt: string;
  updatedAt: string;
  steps?: OperationStep[];
}

export interface Alert {
  kind: 'thermal' | 'wake-late' | 'sleep-failed' | 'drift';
  hostId: string;
  message: string;
  state: 'open' | 'closed';
  openedAt: string;
  count: number;
}

export interface EnergyReport {
  pool: string;
  nights: Array<{ night: string; kWhSaved: number; hosts: number }>;
  totalKWhSaved: number;
  asleepNow: Array<{ hostId: string; since: string; wattsSaved: number; kWhSoFar: number }>;
}

export interface ScheduleExceptions {
  skipOnce?: { date: string; reason?: string };
  holdAwakeUntil?: { until: string; reason?: string };
  keepOff?: Array<{ hostId: string; until: string; reason?: string }>;
  calendar?: Array<{ date: string; kind: 'skip' | 'replace'; action?: string; label?: string }>;
}

export interface ScheduleView {
  name: string;
  poolId: string;
  hostIds?: string[];
  action: 'sleep' | 'wake' | 'power-off' | 'power-on' | 'poll-sensors';
  expression: string;
  timezone: string;
  enabled: boolean;
  exceptions: ScheduleExceptions;
  version: number;
  nextFire: string | null;
}

export type HostPowerAction = 'on' | 'off' | 'soft' | 'cycle';
