/**
 * The simulated pool master on 127.0.0.1: XAPI's JSON-RPC endpoint (POST /jsonrpc; 2.0 replies to
 * 2.0 requests, 1.0 replies otherwise; errors as xapi's api_server.ml writes them:
 * {"code":1,"message":"<CODE>","data":[params…]}), sessions, Async.* calls with task records,
 * event.from, and test hooks: one-shot error injection, named faults (faults.ts: xapi-down drops
 * every connection at once while the pool model keeps running), call counters, dropping sessions,
 * supporter mode. The master also serves its RRD export (GET /rrd_updates, rrd-http.ts); with
 * `hostEndpoints` every other host serves its own on a port of its own. Load comes from a daily
 * model a test or demo can push (setLoad / resetLoad).
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { systemClock } from '../ipmi/clock.ts';
import { XapiError } from '../../xen/index.ts';
import { NULL_REF, xapiDateTime, type Ref, type XapiValue } from '../../xen/index.ts';
import { addGuest, buildPool, idSource } from './build.ts';
import { recomputeHa, recomputeHost, recomputeVmOperations } from './pool-derived.ts';
import { XapiDb } from './database.ts';
import { METHODS, createTask, settleTask, type CallContext, type MethodSpec } from './methods.ts';
import { genericMethod, listMethods } from './generic-methods.ts';
import { XapiFaultSet, type XapiFaults } from './faults.ts';
import type { SimVmSpec, XapiSimOptions } from './options.ts';
import { LoadModel } from './load-model.ts';
import { describe, PoolModel } from './pool-model.ts';
import { serveRrdUpdates, startHostEndpoint, type HostEndpoint, type RrdHttpContext } from './rrd-http.ts';
import { SimLoad, type SimLoadPush } from './sim-load.ts';
import { SimState } from './state.ts';

export interface XapiSim {
  /** http://127.0.0.1:<port> (the client appends /jsonrpc). */
  readonly url: string;
  readonly port: number;
  /** Read the pool's records (and change nothing through it). */
  readonly state: SimState;
  /** Calls received, by method name as sent ("Async.VM.pool_migrate" apart from "VM.pool_migrate"). */
  readonly calls: Readonly<Record<string, number>>;
  /** The next call of `method` (exact name as sent) fails with this ErrorDescription, before it runs. */
  failNext(method: string, code: string, params?: string[]): void;
  /** Named faults, pool-wide or per host (faults.ts): xapi-down, migration-fail, never-live, vm-start-during-drain. */
  readonly faults: XapiFaults;
  /** Forget every session (as a toolstack restart does): the next call gets SESSION_INVALID. */
  dropSessions(): void;
  readonly sessionCount: number;
  /** Act as a supporter naming `masterAddress` (HOST_IS_SLAVE to every call), or as master again (undefined). */
  setSlaveOf(masterAddress: string | undefined): void;
  /** Look at the power links now (the sim also does it every tickMs). */
  refresh(): void;
  /**
   * From now on, run a guest (by name or uuid) or "all" at this CPU percent of each vCPU (and
   * memory percent, if given) instead of the daily model; the names it applies to. A bad request
   * throws and changes nothing.
   */
  setLoad(push: SimLoadPush): string[];
  /** Every guest follows the daily model again, from now on. */
  resetLoad(): void;
  /** The daily load model (read-only use: its profiles and values at a time). */
  readonly loadModel: LoadModel;
  /**
   * A guest appears on the shared SR, as an import or VM.create and provisioning leave it
   * (`running: false` for a halted one, with `host` its affinity); its name. A duplicate name or
   * an unknown host throws and changes nothing.
   */
  addGuest(spec: SimVmSpec): string;
  stop(): Promise<void>;
}

interface Session {
  user: string;
  originator: string;
}

export async function startXapiSim(o: XapiSimOptions): Promise<XapiSim> {
  const clock = o.clock ?? systemClock;
  const now = (): number => clock.now();
  const ids = idSource(o.seed ?? 1);
  const db = new XapiDb(now);
  const built = buildPool(db, o, ids, now());
  const faults = new XapiFaultSet(new Set(o.hosts.map((h) => h.name)));
  const model = new PoolModel(
    db,
    built,
    ids,
    now,
    { agentStartMs: o.agentStartMs ?? 2000, migrateMsPerGiB: o.migrateMsPerGiB ?? 1000, migrateMs: o.migrateMs, migrationFailMs: o.migrationFailMs ?? 100, drainStartDelayMs: o.drainStartDelayMs ?? 100 },
    faults,
  );
  const load = new SimLoad(db, new LoadModel({ seed: o.seed ?? 1, ...o.load }), now, idSource(((o.seed ?? 1) ^ 0x6d657472) >>> 0));
  load.attachMetrics();
  const sessions = new Map<Ref, Session>();
  const calls: Record<string, number> = {};
  const nextFailures = new Map<string, string[][]>();
  let slaveOf = o.slaveOf;
  let stopping = false;

  const rrd: RrdHttpContext = {
    pool: model,
    load: load.model,
    now,
    startedAt: now(),
    noAgent: built.noAgent,
    sessionValid: (id) => !stopping && sessions.has(id),
    credentials: o.credentials,
    refresh: () => model.refresh(),
  };

  const context = (session: Ref, task?: Ref): CallContext => ({ model, db, session, task, sessionValid: () => !stopping && sessions.has(session) });

  async function dispatch(method: string, params: unknown[]): Promise<XapiValue> {
    calls[method] = (calls[method] ?? 0) + 1;
    const fault = nextFailures.get(method)?.shift();
    if (fault) throw new XapiError(fault[0], fault.slice(1));
    if (slaveOf !== undefined) throw new XapiError('HOST_IS_SLAVE', [slaveOf]);
    model.refresh();
    if (method.startsWith('VM_metrics.')) load.attachMetrics();
    if (method === 'system.listMethods') return listMethods(db);
    if (method === 'session.login_with_password') return login(params);
    const session = params[0];
    if (typeof session !== 'string' || !sessions.has(session)) throw new XapiError('SESSION_INVALID', [String(session)]);
    if (method === 'session.logout') {
      sessions.delete(session);
      db.wakeAll();
      return '';
    }
    const args = params.slice(1);
    const isAsync = method.startsWith('Async.');
    const name = isAsync ? method.slice('Async.'.length) : method;
    const spec = resolve(name);
    if (!spec || (isAsync && !spec.async)) throw new XapiError('MESSAGE_METHOD_UNKNOWN', [method]);
    if (args.length < spec.arity[0] || args.length > spec.arity[1]) throw new XapiError('MESSAGE_PARAMETER_COUNT_MISMATCH', [method, String(spec.arity[1] + 1), String(params.length)]);
    if (!isAsync) return spec.handler(context(session), args);
    const task = createTask({ db, model }, method, ids, xapiDateTime(now()));
    Promise.resolve()
      .then(() => spec.handler(context(session, task), args))
      .then(
        (result) => settleTask(db, task, { result }, xapiDateTime(now())),
        (error: unknown) => settleTask(db, task, { error }, xapiDateTime(now())),
      );
    return task;
  }

  function resolve(name: string): MethodSpec | undefined {
    return Object.hasOwn(METHODS, name) ? METHODS[name] : genericMethod(name, db);
  }

  async function login(params: unknown[]): Promise<XapiValue> {
    if (params.length < 2 || params.length > 4) throw new XapiError('MESSAGE_PARAMETER_COUNT_MISMATCH', ['session.login_with_password', '4', String(params.length)]);
    const [user, password, , originator] = params;
    if (user !== o.credentials.user || password !== o.credentials.password) {
      if (o.authFailureDelayMs) await new Promise((r) => setTimeout(r, o.authFailureDelayMs));
      // xapi's params: the user name and a reason; never the password.
      throw new XapiError('SESSION_AUTHENTICATION_FAILED', [String(user), 'Authentication failure']);
    }
    const ref = `OpaqueRef:${randomUUID()}`;
    sessions.set(ref, { user: String(user), originator: typeof originator === 'string' ? originator : '' });
    return ref;
  }

  const server = http.createServer((req, res) => {
    // A keep-alive connection opened before xapi-down went on.
    if (dropWhileDown(req.socket)) return;
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/rrd_updates') {
      serveRrdUpdates(rrd, model.masterRef, req, res);
      return;
    }
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/jsonrpc') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: this simulator serves POST /jsonrpc only\n');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void answer(Buffer.concat(chunks).toString('utf8')).then((reply) => {
        if (reply === undefined) {
          res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body><h1>HTTP 500 internal server error</h1>malformed JSON-RPC request</body></html>');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
      });
    });
  });

  /** The JSON reply, or undefined for a request xapi would answer with HTTP 500. */
  async function answer(body: string): Promise<string | undefined> {
    let msg: { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(body) as typeof msg;
    } catch {
      return undefined;
    }
    if (typeof msg !== 'object' || msg === null || typeof msg.method !== 'string') return undefined;
    const v2 = msg.jsonrpc === '2.0';
    const id = msg.id ?? null;
    const params = Array.isArray(msg.params) ? msg.params : msg.params === undefined ? [] : [msg.params];
    try {
      const result = await dispatch(msg.method, params);
      return JSON.stringify(v2 ? { jsonrpc: '2.0', result, id } : { result, error: null, id });
    } catch (e) {
      const [code, ...data] = describe(e);
      return JSON.stringify(v2 ? { jsonrpc: '2.0', error: { code: 1, message: code, data }, id } : { result: null, error: [code, ...data], id });
    }
  }

  /** xapi-down: drop the connection at once (the client sees a reset, not a hang). */
  function dropWhileDown(socket: Socket): boolean {
    const down = faults.active('xapi-down');
    if (!down) return false;
    faults.hit(down);
    socket.destroy();
    return true;
  }
  server.on('connection', (socket) => void dropWhileDown(socket));
  faults.onChange((name, on) => {
    if (name === 'xapi-down' && on) server.closeAllConnections();
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoints: HostEndpoint[] = [];
  if (o.hostEndpoints) {
    try {
      for (const h of built.hosts.values()) {
        if (h.ref === model.masterRef) continue;
        const ep = await startHostEndpoint(rrd, h.ref);
        endpoints.push(ep);
        if (!built.fixedAddress.has(h.ref)) db.update('host', h.ref, { address: ep.address });
      }
    } catch (e) {
      await Promise.all(endpoints.map((ep) => ep.close()));
      server.close();
      throw e;
    }
  }
  const tick = setInterval(() => model.refresh(), o.tickMs ?? 50);
  tick.unref();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state: new SimState(db, model),
    calls,
    failNext(method, code, params = []) {
      const q = nextFailures.get(method) ?? [];
      q.push([code, ...params]);
      nextFailures.set(method, q);
    },
    faults,
    dropSessions() {
      sessions.clear();
      db.wakeAll();
    },
    get sessionCount() {
      return sessions.size;
    },
    setSlaveOf(address) {
      slaveOf = address;
    },
    refresh: () => model.refresh(),
    setLoad: (push) => load.set(push),
    resetLoad: () => load.reset(),
    loadModel: load.model,
    addGuest(spec) {
      const host = db.all('host').find(([, h]) => h.name_label === spec.host)?.[0];
      if (!host) throw new Error(`addGuest: no host named ${spec.host}`);
      if (db.all('VM').some(([, v]) => v.name_label === spec.name)) throw new Error(`addGuest: a VM named ${spec.name} exists`);
      if (spec.localStorage || spec.pci || spec.vgpu || spec.snapshot) throw new Error('addGuest: only a plain guest on the shared SR');
      const network = db.all('network')[0]?.[0] ?? NULL_REF;
      const vm = addGuest(db, ids, spec, host, built.sharedSrRef, network, db.require('pool', model.poolRef).ha_enabled);
      recomputeVmOperations(model, vm);
      recomputeHost(model, host);
      recomputeHa(model);
      load.attachMetrics();
      return spec.name;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(tick);
      model.stop();
      db.wakeAll();
      await Promise.all([
        new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        }),
        ...endpoints.map((ep) => ep.close()),
      ]);
    },
  };
}
