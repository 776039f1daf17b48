/**
 * The dashboard's only way out: the public /v1 API on the page's own origin, with the caller's key
 * as a bearer token. Every failure becomes an ApiFailure carrying the API's code and message.
 */
import type {
  AdviceAnswer,
  Alert,
  EnergyReport,
  HoldAnswer,
  HostDetail,
  HostPowerAction,
  HostSummary,
  ImportAnswer,
  ImportBody,
  LoadAnswer,
  Me,
  Operation,
  OperationRef,
  PoolDetail,
  PoolSummary,
  Reading,
  RebalanceAnswer,
  RebalanceDryRun,
  RebalanceMode,
  RebalancePlan,
  ScheduleView,
  SelEntry,
  Sensor,
  SleepAnswer,
  SleepPlan,
  WakeAnswer,
} from './types.ts';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const KEY_STORAGE = 'lowpower.apiKey';

/** The key from `#key=...` (saved, then removed from the address bar), or the saved one. */
export function takeKeyFromLocation(loc: Location, storage: Storage, history: History): string | undefined {
  const found = splitKey(loc.hash);
  if (found.key) {
    storage.setItem(KEY_STORAGE, found.key);
    history.replaceState(null, '', `${loc.pathname}${loc.search}${found.rest}`);
    return found.key;
  }
  return storage.getItem(KEY_STORAGE) ?? undefined;
}

/** `#key=K`, `#/night?key=K` or `#/night&key=K`: the key and the fragment without it. */
export function splitKey(hash: string): { key?: string; rest: string } {
  const m = /(^#|[?&])key=([^&]*)/.exec(hash);
  if (!m || !m[2]) return { rest: hash };
  const before = hash.slice(0, m.index + (m[1] === '#' ? 1 : 0));
  let after = hash.slice(m.index + m[0].length);
  if (m[1] === '#') after = after.replace(/^&/, '');
  else if (m[1] === '?' && after.startsWith('&')) after = `?${after.slice(1)}`;
  const rest = before + after;
  return { key: decodeURIComponent(m[2]), rest: rest === '#' ? '' : rest };
}

export function saveKey(storage: Storage, key: string | undefined): void {
  if (key) storage.setItem(KEY_STORAGE, key);
  else storage.removeItem(KEY_STORAGE);
}

const q = (v: string): string => encodeURIComponent(v);

export class Api {
  constructor(
    private key: string | undefined,
    private readonly base = '',
  ) {}

  setKey(key: string | undefined): void {
    this.key = key;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    } catch (e) {
      throw new ApiFailure(0, 'network', `the server did not answer (${e instanceof Error ? e.message : String(e)})`);
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const { code, message, ...extra } = (err ?? {}) as Record<string, unknown>;
      throw new ApiFailure(res.status, typeof code === 'string' ? code : `http_${res.status}`, typeof message === 'string' ? message : `${method} ${path}: HTTP ${res.status}`, extra);
    }
    return json as T;
  }

  me = (): Promise<Me> => this.call('GET', '/v1/me');
  pools = async (): Promise<PoolSummary[]> => (await this.call<{ pools: PoolSummary[] }>('GET', '/v1/pools')).pools;
  pool = (id: string): Promise<PoolDetail> => this.call('GET', `/v1/pools/${q(id)}`);
  plan = async (id: string): Promise<SleepPlan> => (await this.call<{ plan: SleepPlan }>('GET', `/v1/pools/${q(id)}/plan`)).plan;
  energy = (id: string, days: number): Promise<EnergyReport> => this.call('GET', `/v1/pools/${q(id)}/energy?days=${days}`);
  advice = (id: string): Promise<AdviceAnswer> => this.call('GET', `/v1/pools/${q(id)}/advice`);
  /** One host's stored load samples since an instant (5-minute buckets). */
  load = (pool: string, host: string, since: string): Promise<LoadAnswer> => this.call('GET', `/v1/pools/${q(pool)}/load?host=${q(host)}&since=${q(since)}`);
  readings = async (host: string, since: string, limit: number): Promise<Reading[]> => (await this.call<{ readings: Reading[] }>('GET', `/v1/hosts/${q(host)}/readings?since=${q(since)}&limit=${limit}`)).readings;
  hosts = async (): Promise<HostSummary[]> => (await this.call<{ hosts: HostSummary[] }>('GET', '/v1/hosts')).hosts;
  host = (id: string): Promise<HostDetail> => this.call('GET', `/v1/hosts/${q(id)}`);
  sensors = async (id: string): Promise<Sensor[]> => (await this.call<{ sensors: Sensor[] }>('GET', `/v1/hosts/${q(id)}/sensors`)).sensors;
  sel = async (id: string): Promise<SelEntry[]> => (await this.call<{ entries: SelEntry[] }>('GET', `/v1/hosts/${q(id)}/sel`)).entries;
  operation = async (id: string): Promise<Operation> => (await this.call<{ operation: Operation }>('GET', `/v1/operations/${q(id)}`)).operation;
  operations = async (pool: string, limit: number): Promise<Operation[]> => (await this.call<{ operations: Operation[] }>('GET', `/v1/operations?pool=${q(pool)}&limit=${limit}`)).operations;
  schedules = async (pool: string): Promise<ScheduleView[]> => (await this.call<{ schedules: ScheduleView[] }>('GET', `/v1/schedules?pool=${q(pool)}`)).schedules;
  alerts = async (pool: string): Promise<Alert[]> => (await this.call<{ alerts: Alert[] }>('GET', `/v1/alerts?pool=${q(pool)}`)).alerts;

  power = (host: string, action: HostPowerAction, reason: string): Promise<{ operation: OperationRef }> =>
    this.call('POST', `/v1/hosts/${q(host)}/power`, { action, reason });
  sleepPool = (pool: string, reason: string): Promise<SleepAnswer> =>
    this.call('POST', `/v1/pools/${q(pool)}/sleep`, { reason });
  wakePool = (pool: string, reason: string): Promise<WakeAnswer> =>
    this.call('POST', `/v1/pools/${q(pool)}/wake`, { reason });
  rebalancePool = (pool: string, mode: RebalanceMode, reason: string): Promise<RebalanceAnswer> =>
    this.call('POST', `/v1/pools/${q(pool)}/rebalance`, { mode, reason });
  /** What a rebalance would move now (a dry run: nothing changes). */
  rebalancePlan = async (pool: string, mode: RebalanceMode): Promise<RebalancePlan> =>
    (await this.call<RebalanceDryRun>('POST', `/v1/pools/${q(pool)}/rebalance`, { mode, reason: 'dashboard: what a rebalance would move', dryRun: true })).plan;
  skipNext = (pool: string, schedule: string, reason: string): Promise<{ schedule: ScheduleView }> =>
    this.call('POST', `/v1/schedules/${q(schedule)}/skip?pool=${q(pool)}`, { reason });
  hold = (pool: string, until: string, reason: string): Promise<HoldAnswer> => this.call('POST', `/v1/pools/${q(pool)}/hold`, { until, reason });
  importPool = (pool: string, body: ImportBody): Promise<ImportAnswer> => this.call('POST', `/v1/pools/${q(pool)}/import`, body);
  patchSchedule = (pool: string, schedule: string, patch: Record<string, unknown>): Promise<{ schedule: ScheduleView }> =>
    this.call('PATCH', `/v1/schedules/${q(schedule)}?pool=${q(pool)}`, patch);
}
