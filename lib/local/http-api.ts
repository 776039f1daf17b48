/**
 * The local HTTP API (/v1): hosts, host power, operations and schedules, JSON in and out, errors
 * as { error: { code, message } }. Power requests answer 202 at once; the operation runs behind.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { HostBusyError } from '../store/errors.ts';
import { isHostPowerAction, requestHostPower, runHostPower, type OpsDeps } from '../ops/host-power.ts';
import { LocalScheduler, ScheduleValidationError, validateSchedule, type Schedule } from '../schedules/index.ts';

export interface ApiDeps {
  store: Store;
  ops: OpsDeps;
  scheduler: LocalScheduler;
  poolId: string;
  log: (line: string) => void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const MAX_BODY = 64 * 1024;

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'too_large', 'request body over 64 KiB');
    chunks.push(c as Buffer);
  }
  if (size === 0) return {};
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'bad_json', 'the body must be a JSON object');
  }
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Runs an operation in the background; its steps are logged, its failure too. */
function runInBackground(d: ApiDeps, operationId: string): void {
  void runHostPower(d.ops, operationId)
    .then((state) => d.log(`operation ${operationId.slice(0, 8)} ${state}`))
    .catch((e: unknown) => d.log(`operation ${operationId.slice(0, 8)} stopped: ${e instanceof Error ? e.message : String(e)} (resumable)`));
}

async function route(d: ApiDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname.split('/').filter(Boolean);
  const method = req.method ?? 'GET';
  if (parts[0] !== 'v1') throw new HttpError(404, 'not_found', `no route ${url.pathname}`);

  if (parts[1] === 'hosts' && parts.length === 2 && method === 'GET') {
    const hosts = await d.store.listHosts(d.poolId);
    return send(res, 200, { hosts: hosts.map(publicHost) });
  }
  if (parts[1] === 'hosts' && parts.length >= 3) {
    const host = await d.store.getHost(d.poolId, parts[2]);
    if (!host) throw new HttpError(404, 'unknown_host', `no host ${parts[2]} in pool ${d.poolId}`);
    if (parts.length === 3 && method === 'GET') {
      const readings = await d.store.listReadings(host.hostId, { limit: 10 });
      return send(res, 200, { host: publicHost(host), readings });
    }
    if (parts.length === 4 && parts[3] === 'power' && method === 'POST') {
      const b = await body(req);
      if (!isHostPowerAction(b.action)) throw new HttpError(400, 'bad_action', 'action must be "on", "off", "soft" or "cycle"');
      if (b.force !== undefined && typeof b.force !== 'boolean') throw new HttpError(400, 'bad_force', 'force must be true or false');
      if (typeof b.reason !== 'string' || !b.reason.trim()) throw new HttpError(400, 'reason_required', 'give a reason: who asked, and why');
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : randomUUID();
      try {
        const { operationId, created } = await requestHostPower(d.ops, {
          poolId: d.poolId,
          hostIds: [host.hostId],
          action: b.action,
          escalate: b.escalate === true,
          softTimeoutMs: typeof b.softTimeoutSeconds === 'number' && b.softTimeoutSeconds > 0 ? b.softTimeoutSeconds * 1000 : undefined,
          force: b.force === true,
          reason: b.reason,
          actor: typeof req.headers['x-actor'] === 'string' ? req.headers['x-actor'] : 'local-api',
          source: 'api',
          idempotencyKey: key,
        });
        if (created) runInBackground(d, operationId);
        const op = await d.store.getOperation(operationId);
        return send(res, 202, { operation: { id: operationId, state: op?.state ?? 'pending' } });
      } catch (e) {
        if (e instanceof HostBusyError) throw new HttpError(409, 'busy', `host ${host.hostId} is busy with operation ${e.operationId}`, { operation: e.operationId });
        throw e;
      }
    }
  }
  if (parts[1] === 'operations' && parts.length === 3 && method === 'GET') {
    const op = await d.store.getOperation(parts[2]);
    if (!op) throw new HttpError(404, 'unknown_operation', `no operation ${parts[2]}`);
    return send(res, 200, { operation: op });
  }
  if (parts[1] === 'schedules' && parts.length === 2 && method === 'GET') return send(res, 200, { schedules: d.scheduler.list() });
  if (parts[1] === 'schedules' && parts.length === 2 && method === 'POST') {
    const b = await body(req);
    const schedule: Schedule = {
      name: String(b.name ?? ''),
      poolId: d.poolId,
      hostIds: Array.isArray(b.hostIds) ? b.hostIds.map(String) : undefined,
      action: b.action as Schedule['action'],
      expression: String(b.expression ?? ''),
      timezone: String(b.timezone ?? 'UTC'),
      enabled: b.enabled !== false,
      exceptions: {},
    };
    try {
      validateSchedule(schedule);
    } catch (e) {
      if (e instanceof ScheduleValidationError) throw new HttpError(400, 'invalid_schedule', e.message, { field: e.field });
      throw e;
    }
    if (d.scheduler.list().some((s) => s.schedule.name === schedule.name)) throw new HttpError(409, 'exists', `schedule ${schedule.name} exists`);
    d.scheduler.add(schedule);
    return send(res, 201, { schedule });
  }
  if (parts[1] === 'schedules' && parts.length === 3 && method === 'DELETE') {
    if (!d.scheduler.remove(parts[2])) throw new HttpError(404, 'unknown_schedule', `no schedule ${parts[2]}`);
    return send(res, 200, { deleted: parts[2] });
  }
  throw new HttpError(404, 'not_found', `no route ${method} ${url.pathname}`);
}

function publicHost(h: Awaited<ReturnType<Store['getHost']>>) {
  if (!h) return null;
  // The secret reference stays inside; a lock shows as the operation holding it.
  return {
    id: h.hostId,
    pool: h.poolId,
    bmc: `${h.bmcAddress}:${h.bmcPort}`,
    power: h.power,
    powerObservedAt: h.powerObservedAt ?? null,
    operation: h.lockOperationId && (h.lockExpiresAt ?? 0) > Date.now() ? h.lockOperationId : null,
  };
}

export function startHttpApi(d: ApiDeps, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    route(d, req, res).catch((e: unknown) => {
      if (e instanceof HttpError) return send(res, e.status, { error: { code: e.code, message: e.message, ...e.extra } });
      d.log(`http: ${req.method} ${req.url}: ${e instanceof Error ? e.message : String(e)}`);
      send(res, 500, { error: { code: 'internal', message: 'internal error (see the runner log)' } });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
