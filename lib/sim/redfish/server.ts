/**
 * A simulated Redfish BMC on a loopback TCP port: HTTPS with a certificate made at start (plain
 * HTTP on request, for tests), authentication by session token or Basic on every resource but the
 * public ones, the route table behind it, and the faults switched on around it.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../util/index.ts';
import type { Clock } from '../ipmi/clock.ts';
import { systemClock } from '../ipmi/clock.ts';
import { FAST_TIMINGS, REALISTIC_TIMINGS, type HostModel, type HostModelOptions, type HostTimings } from '../ipmi/host-model.ts';
import { simIdentityFor, type SimIdentity } from '../ipmi/identity.ts';
import { createSelfSignedCertificate, type SimCertificate } from './certificate.ts';
import { errors, RedfishError } from './errors.ts';
import type { RedfishFaults } from './faults.ts';
import { FAST_POWER_TIMINGS, REALISTIC_POWER_TIMINGS, type PowerMachine, type PowerTimings } from './power-state.ts';
import { allRoutes } from './resources/index.ts';
import { normalizePath, Router, type Method, type Reply } from './router.ts';
import type { RedfishSession } from './sessions.ts';
import { RedfishBmcState, type RedfishVariant, type ResourceIds, type RestorePolicy } from './state.ts';

export interface RedfishBmcOptions {
  /** The machine's name: its identity (serials, UUID) is simIdentityFor(name) unless `identity` is given. */
  name: string;
  password: string;
  /** Default "admin". */
  user?: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Loopback by default; the simulator never listens elsewhere unless told. */
  address?: string;
  /** HTTPS with a generated self-signed certificate (default), or false for plain HTTP. */
  tls?: boolean;
  /** Serve this certificate instead of making one (a fleet makes one for all its BMCs). */
  certificate?: SimCertificate;
  /** Which firmware to imitate (default 'generic'). */
  variant?: RedfishVariant;
  /** Answer ComputerSystem.Reset with 202 Accepted and a task monitor (default: 204). */
  asyncReset?: boolean;
  /** Resource ids; by variant, "1" or "system" / "chassis" / "bmc". */
  ids?: Partial<ResourceIds>;
  /** The machine's timings (POST, OS shutdown, power cycle, thermal); 'fast' by default. */
  timings?: HostTimings | 'fast' | 'realistic';
  /** How long PoweringOn and a ForceOff's PoweringOff last; fast or realistic as `timings`. */
  powerTimings?: Partial<PowerTimings>;
  /** The machine: peak watts, inlet temperature, load, initially on, an OS that refuses soft-off. */
  host?: Partial<Omit<HostModelOptions, 'timings'>>;
  identity?: SimIdentity;
  /** PowerRestorePolicy at start (default LastState). */
  restorePolicy?: RestorePolicy;
  /** Sessions at once (default 4). */
  sessionLimit?: number;
  /** A session idle this long ends (default 30 min). */
  sessionIdleMs?: number;
  faults?: RedfishFaults;
  clock?: Clock;
  /** Seed of the fault draws (default: the port). */
  seed?: number;
}

const MAX_BODY = 64 * 1024;
const METHODS: readonly string[] = ['GET', 'POST', 'PATCH', 'DELETE'];

function timingsOf(t: RedfishBmcOptions['timings']): { host: HostTimings; power: PowerTimings } {
  if (t === 'realistic') return { host: REALISTIC_TIMINGS, power: REALISTIC_POWER_TIMINGS };
  if (t === undefined || t === 'fast') return { host: FAST_TIMINGS, power: FAST_POWER_TIMINGS };
  return { host: t, power: FAST_POWER_TIMINGS };
}

function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export class RedfishBmc {
  readonly state: RedfishBmcState;
  /** The certificate served (undefined over plain HTTP). */
  readonly certificate?: SimCertificate;
  private readonly router: Router;
  private readonly rng: () => number;
  private server?: http.Server;
  private boundPort = 0;
  /** What the BMC saw, for tests and the fault matrix: requests, held (silent), server errors, 401s, and how requests authenticated. */
  readonly counters = { requests: 0, held: 0, serverErrors: 0, unauthorized: 0, byToken: 0, byBasic: 0 };

  constructor(readonly o: RedfishBmcOptions) {
    const clock = o.clock ?? systemClock;
    const variant = o.variant ?? 'generic';
    const timings = timingsOf(o.timings);
    const defaultIds: ResourceIds = variant === 'openbmc' ? { system: 'system', chassis: 'chassis', manager: 'bmc' } : { system: '1', chassis: '1', manager: '1' };
    for (const [k, v] of Object.entries(o.ids ?? {})) if (!/^[A-Za-z0-9_.-]+$/.test(v)) throw new Error(`simulated Redfish BMC ${o.name}: resource id ${k}="${v}" must be letters, digits, "_", "." or "-"`);
    this.state = new RedfishBmcState({
      name: o.name,
      user: o.user ?? 'admin',
      password: o.password,
      clock,
      variant,
      asyncReset: o.asyncReset ?? false,
      ids: { ...defaultIds, ...o.ids },
      hostTimings: timings.host,
      powerTimings: { ...timings.power, ...o.powerTimings },
      host: o.host ?? {},
      identity: o.identity ?? simIdentityFor(o.name),
      restorePolicy: o.restorePolicy ?? 'LastState',
      sessionLimit: o.sessionLimit ?? 4,
      sessionIdleMs: o.sessionIdleMs ?? 30 * 60_000,
      faults: o.faults ?? {},
    });
    if (o.tls !== false) this.certificate = o.certificate ?? createSelfSignedCertificate({ commonName: `${o.name} (lowpower simulated BMC)` });
    this.router = new Router(allRoutes(this.state));
    this.rng = seededRandom(o.seed ?? o.port ?? 1);
  }

  get name(): string {
    return this.o.name;
  }

  /** The port listened on (after start). */
  get port(): number {
    return this.boundPort;
  }

  /** Base URL, e.g. https://127.0.0.1:16300 (after start). */
  get url(): string {
    const host = this.o.address ?? '127.0.0.1';
    return `${this.certificate ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${this.boundPort}`;
  }

  get fingerprint256(): string | undefined {
    return this.certificate?.fingerprint256;
  }

  get faults(): RedfishFaults {
    return this.state.faults;
  }

  /** Switch faults: `bmc.faults = { ...bmc.faults, silent: true }`. Bad settings are refused whole. */
  set faults(f: RedfishFaults) {
    this.state.faults = f;
  }

  /** The simulated machine (temperatures, watts, load). */
  get host(): HostModel {
    return this.state.host;
  }

  /** The machine's power as Redfish drives it; also the HostPowerLink a simulated XAPI host lives by. */
  get power(): PowerMachine {
    return this.state.power;
  }

  /** End every session now, as a BMC reboot does. */
  forgetSessions(): void {
    this.state.sessions.clear();
  }

  async start(): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => void this.receive(req, res);
    const server = this.certificate ? https.createServer({ key: this.certificate.keyPem, cert: this.certificate.certPem, minVersion: 'TLSv1.2' }, handler) : http.createServer(handler);
    server.on('clientError', (_e, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'EADDRINUSE' ? new Error(`simulated Redfish BMC ${this.name}: port ${this.o.port} is in use`) : e),
      );
      server.listen(this.o.port ?? 0, this.o.address ?? '127.0.0.1', () => resolve());
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections(); // held (silent) and keep-alive connections too
    await new Promise<void>((r) => s.close(() => r()));
  }

  private async receive(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.counters.requests++;
    let reply: Reply;
    let head = false;
    try {
      const body = await readBody(req);
      const f = this.state.faults;
      if (f.silent) {
        this.counters.held++;
        return; // the connection stays open, unanswered, until the client or stop() closes it
      }
      if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
      if (f.serverErrors && this.rng() < f.serverErrors) {
        this.counters.serverErrors++;
        throw errors.internalError(f.serverErrorStatus ?? 500);
      }
      head = req.method === 'HEAD';
      reply = this.dispatch(head ? 'GET' : (req.method ?? ''), req.url ?? '/', req.headers, body);
    } catch (e) {
      reply = e instanceof RedfishError ? { status: e.status, body: e.body(), headers: e.headers } : { status: 500, body: errors.internalError().body() };
    }
    if (reply.status === 401) this.counters.unauthorized++;
    send(res, reply, head);
  }

  /** One request through authentication and the route table (bodies already read). */
  private dispatch(method: string, url: string, headers: http.IncomingHttpHeaders, raw: Buffer): Reply {
    const path = normalizePath(url);
    const match = this.router.match(path);
    if (!METHODS.includes(method)) throw errors.methodNotAllowed(method, path, match ? Object.keys(match.route.handlers) : []);
    const m = method as Method;
    const session = match?.route.public?.includes(m) ? undefined : this.authenticate(headers, path);
    const handler = this.router.handler(match, m, path);
    let body: unknown;
    if (raw.length && m !== 'GET' && m !== 'DELETE') {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw errors.malformedJson();
      }
    }
    return handler(this.state, { method: m, path, params: match?.params ?? {}, body, headers, session: session === 'basic' ? undefined : session });
  }

  /** The session of the request's token, 'basic' for good Basic credentials, else 401. */
  private authenticate(headers: http.IncomingHttpHeaders, path: string): RedfishSession | 'basic' {
    const token = headers['x-auth-token'];
    if (typeof token === 'string' && token) {
      const s = this.state.sessions.useToken(token);
      if (s) {
        this.counters.byToken++;
        return s;
      }
    }
    const basic = basicCredentials(headers.authorization);
    if (basic) {
      if (this.state.checkCredentials(basic.user, basic.password)) {
        this.counters.byBasic++;
        return 'basic';
      }
      throw errors.badCredentials(path);
    }
    throw errors.noValidSession();
  }
}

/** A single BMC, started: `await startRedfishBmc({ name: 'host-001', password })`. */
export async function startRedfishBmc(o: RedfishBmcOptions): Promise<RedfishBmc> {
  const bmc = new RedfishBmc(o);
  await bmc.start();
  return bmc;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(errors.bodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, reply: Reply, head: boolean): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { 'OData-Version': '4.0', 'Cache-Control': 'no-store', ...reply.headers };
  let payload: Buffer | undefined;
  if (reply.text) {
    payload = Buffer.from(reply.text.content, 'utf8');
    headers['Content-Type'] = `${reply.text.type}; charset=utf-8`;
  } else if (reply.body !== undefined) {
    payload = Buffer.from(JSON.stringify(reply.body), 'utf8');
    headers['Content-Type'] = 'application/json; charset=utf-8';
  }
  if (payload) headers['Content-Length'] = String(payload.length);
  res.writeHead(reply.status, headers);
  res.end(head ? undefined : payload);
}
