/**
 * Measured load, compactly: one item per host and 5-minute bucket (`LOAD#<pool>#<host> /
 * AT#<bucket start>`) holding the host's averages and its resident VMs' (a map keyed by VM uuid,
 * each VM a short list), kept for a TTL (14 days by default), so a poll writes one item per host,
 * never one per reading or VM. Listed by host and time range (the item's partition) and by pool
 * and time range (GSI1: `LOAD#<pool>` / `<bucket start>#<host>`; no new index). A bucket written
 * again (a later poll of the same 5 minutes) is replaced whole.
 *
 * Stored as: h = [cpu %, memory used, memory total]; n = rows averaged; v = one string, a VM per
 * `;`-separated entry of `uuid,cpu %,host cpu %,memory used,memory[,vmId]` (a field left empty
 * where the figure is unknown). Percentages keep two decimals, bytes are whole. The VMs are one
 * string rather than a map of lists because the item is written every poll for every host: a
 * single attribute is a fraction of the marshalling (Lambda CPU) and of the server's work that a
 * hundred small ones are, for the same bytes; ids cannot hold `,` or `;` (checkId).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { batchPut } from './batch-write.ts';
import { mapBounded } from '../util/index.ts';
import { StoreValidationError } from './errors.ts';
import { queryAll, type Ctx, type Item } from './items.ts';
import { GSI1, checkId, checkIsoTime } from './keys.ts';

export const LOAD_BUCKET_MS = 5 * 60_000;
export const DEFAULT_LOAD_SAMPLE_TTL_SECONDS = 14 * 24 * 3600;

export interface HostLoadFigures {
  cpuPercent: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
}

export interface VmLoadFigures {
  uuid: string;
  /** lowpower's vmId (the VM's name_label), when known. */
  vmId?: string;
  /** Percent of its own vCPUs. */
  cpuPercent: number | null;
  /** Percent of the host's physical CPUs. */
  hostCpuPercent: number | null;
  memoryUsedBytes: number | null;
  /** What the domain holds. */
  memoryBytes: number | null;
}

export interface LoadSampleInput {
  poolId: string;
  hostId: string;
  /** The bucket's start: an ISO time on a 5-minute boundary. */
  at: string;
  host: HostLoadFigures;
  /** Its resident VMs (each uuid once). */
  vms: VmLoadFigures[];
  /** RRD rows the averages are made of. */
  rows?: number;
  /** Keep for this long; the store's default (14 days) when absent. */
  ttlSeconds?: number;
}

export interface LoadSample extends Omit<LoadSampleInput, 'ttlSeconds'> {
  /** TTL attribute, epoch seconds. */
  expiresAt: number;
}

export interface ListLoadOptions {
  /** Buckets starting at or after this ISO time. */
  since?: string;
  /** Buckets starting before this ISO time. */
  until?: string;
  limit?: number;
}

export interface LoadSampleRepository {
  /** Write one host's bucket (replacing what the bucket held). */
  putLoadSample(sample: LoadSampleInput): Promise<LoadSample>;
  /** Write many hosts' buckets (one item each, sent 25 to a request); all are checked before any is written. */
  putLoadSamples(samples: LoadSampleInput[]): Promise<LoadSample[]>;
  /** One host's buckets in time order. */
  listHostLoad(poolId: string, hostId: string, opts?: ListLoadOptions): Promise<LoadSample[]>;
  /** A pool's buckets in time order (hosts by id within a bucket). */
  listPoolLoad(poolId: string, opts?: ListLoadOptions): Promise<LoadSample[]>;
}

const PK_PREFIX = 'LOAD#';
const SK_PREFIX = 'AT#';
const BATCH = 25;
/** Batch requests in flight at once. */
const BATCH_CONCURRENCY = 8;
const MAX_BYTES = 2 ** 50;



export function loadSampleRepository(ctx: Ctx, ttlSeconds = DEFAULT_LOAD_SAMPLE_TTL_SECONDS): LoadSampleRepository {
  function toItem(s: LoadSampleInput): Item {
    if (typeof s !== 'object' || s === null) throw new StoreValidationError('load sample: expected an object');
    const known = ['poolId', 'hostId', 'at', 'host', 'vms', 'rows', 'ttlSeconds'];
    for (const k of Object.keys(s)) if (!known.includes(k)) throw new StoreValidationError(`load sample: unknown field "${k}"`);
    const poolId = checkId('poolId', s.poolId);
    const hostId = checkId('hostId', s.hostId);
    const at = checkIsoTime('at', s.at);
    if (Date.parse(at) % LOAD_BUCKET_MS !== 0) throw new StoreValidationError('at: expected the start of a 5-minute bucket (…:00, :05, … :55 with no seconds)');
    const keep = s.ttlSeconds ?? ttlSeconds;
    if (!Number.isInteger(keep) || keep <= 0) throw new StoreValidationError('ttlSeconds: expected a positive integer');
    if (s.rows !== undefined && (!Number.isInteger(s.rows) || s.rows < 0)) throw new StoreValidationError('rows: expected a whole number');
    if (typeof s.host !== 'object' || s.host === null) throw new StoreValidationError('host: expected {cpuPercent, memoryUsedBytes, memoryTotalBytes}');
    if (!Array.isArray(s.vms)) throw new StoreValidationError('vms: expected a list');
    const seen = new Set<string>();
    const v = s.vms.map((vm, i) => {
      const uuid = checkId(`vms[${i}].uuid`, vm?.uuid);
      if (seen.has(uuid)) throw new StoreValidationError(`vms: uuid ${uuid} appears twice`);
      seen.add(uuid);
      const fields = [
        uuid,
        field(pct(`vms[${i}].cpuPercent`, vm.cpuPercent)),
        field(pct(`vms[${i}].hostCpuPercent`, vm.hostCpuPercent)),
        field(bytes(`vms[${i}].memoryUsedBytes`, vm.memoryUsedBytes)),
        field(bytes(`vms[${i}].memoryBytes`, vm.memoryBytes)),
      ];
      if (vm.vmId !== undefined) fields.push(checkId(`vms[${i}].vmId`, vm.vmId));
      return fields.join(',');
    });
    const item: Item = {
      PK: `${PK_PREFIX}${poolId}#${hostId}`,
      SK: `${SK_PREFIX}${at}`,
      GSI1PK: `${PK_PREFIX}${poolId}`,
      GSI1SK: `${at}#${hostId}`,
      type: 'load',
      poolId,
      hostId,
      at,
      h: [pct('host.cpuPercent', s.host.cpuPercent), bytes('host.memoryUsedBytes', s.host.memoryUsedBytes), bytes('host.memoryTotalBytes', s.host.memoryTotalBytes)],
      expiresAt: Math.floor(Date.parse(at) / 1000) + keep,
    };
    // A host that runs no VM has no `v` (an empty string is no value to every DynamoDB server).
    if (v.length) item.v = v.join(';');
    if (s.rows !== undefined) item.n = s.rows;
    return item;
  }


  /** What has not expired yet (TTL deletes lazily, up to days late). */
  function live(items: Item[]): LoadSample[] {
    const nowSeconds = Math.floor(ctx.clock().getTime() / 1000);
    return items.filter((i) => typeof i.expiresAt !== 'number' || i.expiresAt > nowSeconds).map(fromItem);
  }

  return {
    async putLoadSample(sample) {
      const item = toItem(sample);
      await ctx.client.send(new PutCommand({ TableName: ctx.tableName, Item: item }));
      return fromItem(item);
    },
    async putLoadSamples(samples) {
      if (!Array.isArray(samples)) throw new StoreValidationError('load samples: expected a list');
      const items = samples.map(toItem);
      const keys = new Set<string>();
      for (const i of items) {
        const key = `${String(i.PK)}\0${String(i.SK)}`;
        if (keys.has(key)) throw new StoreValidationError(`load samples: ${String(i.hostId)} at ${String(i.at)} appears twice`);
        keys.add(key);
      }
      const batches: Item[][] = [];
      for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
      await mapBounded(batches, BATCH_CONCURRENCY, (b) => batchPut(ctx, b, 'load samples'));
      return items.map(fromItem);
    },
    async listHostLoad(poolId, hostId, opts = {}) {
      const pk = `${PK_PREFIX}${checkId('poolId', poolId)}#${checkId('hostId', hostId)}`;
      const items = await queryAll(
        ctx,
        {
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': `${SK_PREFIX}${since(opts)}`, ':to': `${SK_PREFIX}${until(opts)}` },
        },
        opts.limit === undefined ? undefined : opts.limit + 1,
      );
      return live(items.filter((i) => opts.until === undefined || String(i.at) < opts.until)).slice(0, opts.limit);
    },
    async listPoolLoad(poolId, opts = {}) {
      const items = await queryAll(
        ctx,
        {
          IndexName: GSI1,
          KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `${PK_PREFIX}${checkId('poolId', poolId)}`, ':from': since(opts), ':to': until(opts) },
        },
        opts.limit,
      );
      return live(items);
    },
  };
}

/** The lower bound of a range query: the since time, or below every ISO time. */
function since(o: ListLoadOptions): string {
  return o.since === undefined ? '0' : checkIsoTime('since', o.since);
}

/** The upper bound: the until time (a bucket starting then sorts above it on the GSI and is dropped on the table), or above every ISO time. */
function until(o: ListLoadOptions): string {
  return o.until === undefined ? '~' : checkIsoTime('until', o.until);
}

function fromItem(i: Item): LoadSample {
  const h = (i.h ?? []) as Array<number | null>;
  const v = typeof i.v === 'string' && i.v !== '' ? i.v.split(';') : [];
  const sample: LoadSample = {
    poolId: String(i.poolId),
    hostId: String(i.hostId),
    at: String(i.at),
    host: { cpuPercent: num(h[0]), memoryUsedBytes: num(h[1]), memoryTotalBytes: num(h[2]) },
    vms: v.map((entry) => {
      const [uuid, cpu, hostCpu, used, memory, vmId] = entry.split(',');
      const vm: VmLoadFigures = { uuid, cpuPercent: parsed(cpu), hostCpuPercent: parsed(hostCpu), memoryUsedBytes: parsed(used), memoryBytes: parsed(memory) };
      if (vmId) vm.vmId = vmId;
      return vm;
    }),
    expiresAt: Number(i.expiresAt),
  };
  if (typeof i.n === 'number') sample.rows = i.n;
  return sample;
}

function num(x: unknown): number | null {
  return typeof x === 'number' ? x : null;
}

/** A figure as a field of `v`: empty when unknown. */
function field(x: number | null): string {
  return x === null ? '' : String(x);
}

function parsed(text: string | undefined): number | null {
  return text === undefined || text === '' ? null : Number(text);
}

/** A percentage kept to two decimals; null stays null. */
function pct(what: string, x: unknown): number | null {
  if (x === null) return null;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new StoreValidationError(`${what}: expected a number or null`);
  const r = Math.round(x * 100) / 100;
  if (r < 0 || r > 100) throw new StoreValidationError(`${what}: expected a percentage from 0 to 100`);
  return r;
}

/** A byte count kept whole; null stays null. */
function bytes(what: string, x: unknown): number | null {
  if (x === null) return null;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > MAX_BYTES) throw new StoreValidationError(`${what}: expected a byte count or null`);
  return Math.round(x);
}
