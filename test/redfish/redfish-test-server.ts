/**
 * A small stateful Redfish service on loopback for the client's tests (test code, not lib): one
 * system whose power state changes with resets (through PoweringOn/PoweringOff), sessions that a
 * "reboot" forgets, resets answered 202 with a task monitor, reset types in AllowableValues or an
 * ActionInfo, ETags checked on PATCH, paginated collections, and faults on demand (an answer
 * dropped after the request was applied, a slow answer). It records every request it gets.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type PowerState = 'On' | 'Off' | 'PoweringOn' | 'PoweringOff';

export interface TestServerOptions {
  https?: { key: string; cert: string };
  /** Offer a SessionService (default true). */
  sessions?: boolean;
  /** Answer session logins with this status instead of opening one. */
  refuseSessionsWith?: number;
  /** Where the reset types are: AllowableValues (default), an ActionInfo (OpenBMC), or nowhere. */
  resetTypesIn?: 'AllowableValues' | 'ActionInfo' | 'none';
  resetTypes?: string[];
  /** How a reset is answered: 204 (default), 200, or 202 with a task monitor. */
  resetAnswer?: 204 | 200 | 202;
  /** Give the task monitor in a Location header (default true) or only in the Task body. */
  taskLocation?: boolean;
  /** Monitor reads answered 202 before the task completes (default 2). */
  taskPolls?: number;
  /** The task ends in this state (default Completed). */
  taskEnd?: 'Completed' | 'Exception';
  /** How long PoweringOn / PoweringOff last (default 0: straight to the end state). */
  transitionMs?: number;
  powerState?: 'On' | 'Off';
  /** Give ETags (default true) and require If-Match on PATCH (default false). */
  etag?: boolean;
  requireIfMatch?: boolean;
  powerRestorePolicy?: string;
  /** Advertise $expand (default false). */
  expand?: boolean;
  selEntries?: number;
  pageSize?: number;
  /** Give the chassis the older Thermal/Power (default true) and the Sensors collection (default true). */
  legacySensors?: boolean;
  sensorCollection?: boolean;
  /** Repeat the request (its body and its credentials) in every error answer, as careless BMCs do. */
  echoRequests?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  auth: 'token' | 'basic' | 'none' | 'refused';
  /** The JSON body, with any Password replaced. */
  body?: unknown;
  ifMatch?: string;
}

const USER = 'admin';
export const TEST_PASSWORD = 'test-only-pw-7f3a';
const SYS = '/redfish/v1/Systems/sys1';
const CH = '/redfish/v1/Chassis/ch1';
const MGR = '/redfish/v1/Managers/bmc1';
const SESSIONS = '/redfish/v1/SessionService/Sessions';

const redact = (b: unknown): unknown => (b && typeof b === 'object' && 'Password' in b ? { ...b, Password: '<redacted>' } : b);

function errorBody(messageId: string, message: string): unknown {
  return { error: { code: messageId, message, '@Message.ExtendedInfo': [{ MessageId: messageId, Message: message, Resolution: 'Fix the request and resubmit it.', MessageSeverity: 'Warning' }] } };
}

export class RedfishTestServer {
  readonly requests: RecordedRequest[] = [];
  readonly tokens = new Map<string, string>();
  logins = 0;
  /** False: logins succeed but their tokens are refused (a BMC that loses every session at once). */
  honourTokens = true;
  /** Every PowerState the system resource was served with, in order. */
  readonly servedStates: PowerState[] = [];
  /** Most requests seen in progress at once. */
  maxInFlight = 0;
  private inFlight = 0;
  power: PowerState;
  restorePolicy: string;
  private version = 1;
  private sessionSeq = 0;
  private taskSeq = 0;
  private readonly tasks = new Map<string, { polls: number }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private dropNext?: RegExp;
  private delayNextMs = 0;
  /** Every answer this much later (a BMC that answers each request just in time). */
  delayEachMs = 0;
  private failing?: { status: number; count: number };
  private failingAfter?: { path: RegExp; status: number; count: number };
  private touchOnPatch = false;
  port = 0;

  private constructor(
    readonly o: TestServerOptions,
    private readonly server: Server,
  ) {
    this.power = o.powerState ?? 'On';
    this.restorePolicy = o.powerRestorePolicy ?? 'AlwaysOff';
  }

  static async start(o: TestServerOptions = {}): Promise<RedfishTestServer> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void self.handle(req, res);
    const server = o.https ? createHttps({ key: o.https.key, cert: o.https.cert }, handler) : createHttp(handler);
    const self = new RedfishTestServer(o, server);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    self.port = (server.address() as AddressInfo).port;
    return self;
  }

  /** The BMC restarts: every session is forgotten. */
  reboot(): void {
    this.tokens.clear();
  }

  /** The next request whose path matches is carried out, then its connection is cut without an answer. */
  dropAnswerTo(path: RegExp): void {
    this.dropNext = path;
  }

  /** The BMC's certificate is renewed: new connections see this one (https only). */
  useCertificate(key: string, cert: string): void {
    (this.server as HttpsServer).setSecureContext({ key, cert });
    this.server.closeAllConnections();
  }

  /** Session logins are refused with this status from now on (undefined: opened again). */
  refuseSessions(status: number | undefined): void {
    this.o.refuseSessionsWith = status;
  }

  /** Once the next request matching `path` has been carried out, the `count` requests after it are answered with `status`. */
  failAfter(path: RegExp, status: number, count = 1): void {
    this.failingAfter = { path, status, count };
  }

  /** The next `count` requests are answered with `status` (and not carried out). */
  failNext(status: number, count = 1): void {
    this.failing = { status, count };
  }

  /** The next request is answered this much later. */
  delayNext(ms: number): void {
    this.delayNextMs = ms;
  }

  /** Someone else changes the system (its ETag changes) just before our next PATCH arrives. */
  changeBeforeNextPatch(): void {
    this.touchOnPatch = true;
  }

  count(method: string, path: RegExp | string): number {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))).length;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  get resetTypes(): string[] {
    return this.o.resetTypes ?? ['On', 'ForceOff', 'GracefulShutdown', 'ForceRestart', 'PowerCycle'];
  }

  private etag(): string {
    return `W/"${createHash('sha256').update(`${this.version}/${this.restorePolicy}`).digest('hex').slice(0, 16)}"`;
  }

  private later(ms: number, f: () => void): void {
    if (ms <= 0) return f();
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    this.timers.add(t);
  }

  private applyReset(type: string): void {
    const ms = this.o.transitionMs ?? 0;
    const go = (via: PowerState, end: PowerState): void => {
      this.power = ms > 0 ? via : end;
      this.later(ms, () => (this.power = end));
    };
    if (type === 'On' || type === 'ForceOn') {
      if (this.power === 'Off') go('PoweringOn', 'On');
    } else if (type === 'ForceOff') this.power = 'Off';
    else if (type === 'GracefulShutdown' || type === 'PushPowerButton') {
      if (this.power === 'On') go('PoweringOff', 'Off');
    } else if (type === 'PowerCycle') {
      this.power = 'Off';
      this.later(Math.max(ms, 1), () => (this.power = 'On'));
    }
  }

  private authOf(req: IncomingMessage): RecordedRequest['auth'] {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string') return this.honourTokens && this.tokens.has(token) ? 'token' : 'refused';
    const basic = req.headers.authorization;
    if (typeof basic === 'string') return basic === `Basic ${Buffer.from(`${USER}:${TEST_PASSWORD}`).toString('base64')}` ? 'basic' : 'refused';
    return 'none';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    res.once('close', () => this.inFlight--);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const auth = this.authOf(req);
    const ifMatch = typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined;
    this.requests.push({ method, path: `${url.pathname}${url.search}`, auth, ...(body !== undefined ? { body: redact(body) } : {}), ...(ifMatch ? { ifMatch } : {}) });

    const answer = (status: number, json?: unknown, headers: Record<string, string> = {}): void => {
      if (this.o.echoRequests && status >= 400) {
        const said = `${method} ${path} with body ${text || '(none)'}, Authorization ${req.headers.authorization ?? '(none)'}, X-Auth-Token ${String(req.headers['x-auth-token'] ?? '(none)')}`;
        const error = (json as { error?: Record<string, unknown> } | undefined)?.error ?? {};
        json = { error: { ...error, '@Message.ExtendedInfo': [...((error['@Message.ExtendedInfo'] as unknown[] | undefined) ?? []), { MessageId: 'Base.1.8.GeneralError', Message: `Not accepted: ${said}`, Resolution: `Resubmit ${text}` }] } };
      }
      const send = (): void => {
        const payload = json === undefined ? '' : JSON.stringify(json);
        res.writeHead(status, { ...(payload ? { 'Content-Type': 'application/json' } : {}), ...headers });
        res.end(payload);
      };
      const delay = this.delayNextMs || this.delayEachMs;
      this.delayNextMs = 0;
      if (delay) this.later(delay, send);
      else send();
    };
    if (this.failing && this.failing.count > 0) {
      this.failing.count--;
      return answer(this.failing.status, errorBody('Base.1.8.ServiceTemporarilyUnavailable', 'The service is temporarily unavailable.'), { 'Retry-After': '1' });
    }
    if (this.dropNext?.test(path)) {
      this.dropNext = undefined;
      this.route(method, path, url, body, auth, ifMatch, () => undefined);
      res.socket?.destroy();
      return;
    }
    this.route(method, path, url, body, auth, ifMatch, answer);
    if (this.failingAfter?.path.test(path)) {
      this.failing = { status: this.failingAfter.status, count: this.failingAfter.count };
      this.failingAfter = undefined;
    }
  }

  private route(method: string, path: string, url: URL, body: unknown, auth: RecordedRequest['auth'], ifMatch: string | undefined, answer: (s: number, j?: unknown, h?: Record<string, string>) => void): void {
    const o = this.o;
    if (method === 'GET' && path === '/redfish/v1') return answer(200, this.root());
    if (method === 'POST' && path === SESSIONS && o.sessions !== false) {
      if (o.refuseSessionsWith) return answer(o.refuseSessionsWith, errorBody('Base.1.8.ServiceTemporarilyUnavailable', 'Sessions are not available.'));
      const b = body as { UserName?: string; Password?: string } | undefined;
      if (b?.UserName !== USER || b?.Password !== TEST_PASSWORD) return answer(401, errorBody('Base.1.8.NoValidSession', 'There is no valid session established with the implementation.'));
      const id = `s${++this.sessionSeq}`;
      const token = randomBytes(16).toString('hex');
      this.tokens.set(token, id);
      this.logins++;
      return answer(201, { '@odata.id': `${SESSIONS}/${id}`, Id: id, UserName: USER }, { 'X-Auth-Token': token, Location: `${SESSIONS}/${id}` });
    }
    if (auth === 'none' || auth === 'refused') return answer(401, errorBody('Base.1.8.NoValidSession', 'There is no valid session established with the implementation.'));

    if (method === 'DELETE' && path.startsWith(`${SESSIONS}/`)) {
      const id = path.slice(SESSIONS.length + 1);
      const token = [...this.tokens].find(([, v]) => v === id)?.[0];
      if (!token) return answer(404);
      this.tokens.delete(token);
      return answer(204);
    }
    if (method === 'GET' && path === '/redfish/v1/Systems') return answer(200, { Members: [{ '@odata.id': SYS }], 'Members@odata.count': 1 });
    if (method === 'GET' && path === SYS) return answer(200, this.system(), o.etag === false ? {} : { ETag: this.etag() });
    if (method === 'PATCH' && path === SYS) {
      if (this.touchOnPatch) {
        this.touchOnPatch = false;
        this.version++;
      }
      if (o.etag !== false && ifMatch && ifMatch !== this.etag()) return answer(412, errorBody('Base.1.8.PreconditionFailed', 'The ETag supplied did not match the ETag required to change this resource.'));
      if (o.requireIfMatch && !ifMatch) return answer(428, errorBody('Base.1.8.PreconditionRequired', 'A precondition header or annotation is required to change this resource.'));
      const want = (body as { PowerRestorePolicy?: string } | undefined)?.PowerRestorePolicy;
      if (!want || !['AlwaysOn', 'AlwaysOff', 'LastState'].includes(want)) return answer(400, errorBody('Base.1.8.PropertyValueNotInList', `The value '${String(want)}' for the property PowerRestorePolicy is not in the list of acceptable values.`));
      this.restorePolicy = want;
      this.version++;
      return answer(204);
    }
    if (method === 'GET' && path === `${SYS}/ResetActionInfo`) {
      return answer(200, { '@odata.id': `${SYS}/ResetActionInfo`, Id: 'ResetActionInfo', Parameters: [{ Name: 'ResetType', Required: true, DataType: 'String', AllowableValues: this.resetTypes }] });
    }
    if (method === 'POST' && path === `${SYS}/Actions/ComputerSystem.Reset`) {
      const type = (body as { ResetType?: string } | undefined)?.ResetType ?? '';
      if (!this.resetTypes.includes(type)) return answer(400, errorBody('Base.1.8.ActionParameterValueNotInList', `The value '${type}' for the parameter ResetType in the action ComputerSystem.Reset is not in the list of acceptable values.`));
      this.applyReset(type);
      if (o.resetAnswer === 202) {
        const id = String(++this.taskSeq);
        this.tasks.set(id, { polls: 0 });
        const monitor = `/redfish/v1/TaskService/TaskMonitors/${id}`;
        return answer(202, { '@odata.id': `/redfish/v1/TaskService/Tasks/${id}`, Id: id, TaskState: 'Running', TaskMonitor: monitor }, o.taskLocation === false ? {} : { Location: monitor, 'Retry-After': '0' });
      }
      return o.resetAnswer === 200 ? answer(200, { '@Message.ExtendedInfo': [{ MessageId: 'Base.1.8.Success', Message: 'Successfully Completed Request' }] }) : answer(204);
    }
    if (method === 'GET' && path.startsWith('/redfish/v1/TaskService/TaskMonitors/')) {
      const t = this.tasks.get(path.split('/').pop() ?? '');
      if (!t) return answer(404);
      t.polls++;
      if (t.polls <= (o.taskPolls ?? 2)) return answer(202, { TaskState: 'Running' });
      const end = o.taskEnd ?? 'Completed';
      return answer(200, { TaskState: end, TaskStatus: end === 'Completed' ? 'OK' : 'Critical', Messages: end === 'Completed' ? [] : [{ MessageId: 'Base.1.8.InternalError', Message: 'The request failed due to an internal service error.' }] });
    }
    if (method === 'GET' && path === '/redfish/v1/Chassis') return answer(200, { Members: [{ '@odata.id': CH }] });
    if (method === 'GET' && path === '/redfish/v1/Managers') return answer(200, { Members: [{ '@odata.id': MGR }] });
    if (method === 'GET' && path === CH) return answer(200, this.chassis());
    if (method === 'GET' && path === `${CH}/Thermal`) return answer(200, this.thermal());
    if (method === 'GET' && path === `${CH}/Power`) return answer(200, { '@odata.id': `${CH}/Power`, PowerControl: [{ Name: 'System Power Control', PowerConsumedWatts: this.power === 'On' ? 212 : 9 }] });
    if (method === 'GET' && path === `${CH}/Sensors`) return answer(200, this.page(this.sensorMembers(url.searchParams.has('$expand')), url, `${CH}/Sensors`));
    if (method === 'GET' && path.startsWith(`${CH}/Sensors/`)) {
      const s = this.sensors().find((x) => x['@odata.id'] === path);
      return s ? answer(200, s) : answer(404);
    }
    if (method === 'GET' && path === MGR) return answer(200, { '@odata.id': MGR, Id: 'bmc1', LogServices: { '@odata.id': `${MGR}/LogServices` } });
    if (method === 'GET' && path === `${MGR}/LogServices`) return answer(200, { Members: [{ '@odata.id': `${MGR}/LogServices/SEL` }] });
    if (method === 'GET' && path === `${MGR}/LogServices/SEL`) return answer(200, { '@odata.id': `${MGR}/LogServices/SEL`, Id: 'SEL', LogEntryType: 'SEL', Entries: { '@odata.id': `${MGR}/LogServices/SEL/Entries` } });
    if (method === 'GET' && path === `${MGR}/LogServices/SEL/Entries`) return answer(200, this.page(this.selEntries(), url, `${MGR}/LogServices/SEL/Entries`));
    if (method === 'GET' && path === `${SYS}/LogServices`) return answer(200, { Members: [{ '@odata.id': `${SYS}/LogServices/EventLog` }] });
    if (method === 'GET' && path === `${SYS}/LogServices/EventLog`) return answer(200, { '@odata.id': `${SYS}/LogServices/EventLog`, Id: 'EventLog', LogEntryType: 'Event', Entries: { '@odata.id': `${SYS}/LogServices/EventLog/Entries` } });
    return answer(404, errorBody('Base.1.8.ResourceMissingAtURI', `The resource at the URI ${path} was not found.`));
  }

  private page(members: unknown[], url: URL, base: string): unknown {
    const size = this.o.pageSize ?? 1000;
    const skip = Number(url.searchParams.get('$skip') ?? 0);
    const out: Record<string, unknown> = { '@odata.id': base, Members: members.slice(skip, skip + size), 'Members@odata.count': members.length };
    if (skip + size < members.length) out['Members@odata.nextLink'] = `${base}?$skip=${skip + size}`;
    return out;
  }

  private root(): unknown {
    return {
      '@odata.id': '/redfish/v1/',
      RedfishVersion: '1.17.0',
      Systems: { '@odata.id': '/redfish/v1/Systems' },
      Chassis: { '@odata.id': '/redfish/v1/Chassis' },
      Managers: { '@odata.id': '/redfish/v1/Managers' },
      ...(this.o.sessions !== false ? { SessionService: { '@odata.id': '/redfish/v1/SessionService' }, Links: { Sessions: { '@odata.id': SESSIONS } } } : {}),
      ...(this.o.expand ? { ProtocolFeaturesSupported: { ExpandQuery: { NoLinks: true, Levels: true, MaxLevels: 2 } } } : {}),
    };
  }

  private system(): unknown {
    this.servedStates.push(this.power);
    const reset: Record<string, unknown> = { target: `${SYS}/Actions/ComputerSystem.Reset` };
    const where = this.o.resetTypesIn ?? 'AllowableValues';
    if (where === 'AllowableValues') reset['ResetType@Redfish.AllowableValues'] = this.resetTypes;
    if (where === 'ActionInfo') reset['@Redfish.ActionInfo'] = `${SYS}/ResetActionInfo`;
    return {
      '@odata.id': SYS,
      Id: 'sys1',
      SerialNumber: 'TS-SERIAL-0042',
      UUID: '4C4C4544-0042-3010-8035-B4C04F4E3132',
      Manufacturer: 'Test Co',
      Model: 'TS-1',
      PowerState: this.power,
      PowerRestorePolicy: this.restorePolicy,
      'PowerRestorePolicy@Redfish.AllowableValues': ['AlwaysOn', 'AlwaysOff', 'LastState'],
      Links: { Chassis: [{ '@odata.id': CH }], ManagedBy: [{ '@odata.id': MGR }] },
      LogServices: { '@odata.id': `${SYS}/LogServices` },
      Actions: { '#ComputerSystem.Reset': reset },
    };
  }

  private chassis(): unknown {
    return {
      '@odata.id': CH,
      Id: 'ch1',
      SerialNumber: 'TS-CHASSIS-7',
      ...(this.o.legacySensors !== false ? { Thermal: { '@odata.id': `${CH}/Thermal` }, Power: { '@odata.id': `${CH}/Power` } } : {}),
      ...(this.o.sensorCollection !== false ? { Sensors: { '@odata.id': `${CH}/Sensors` } } : {}),
    };
  }

  private thermal(): unknown {
    const cpu = this.power === 'On' ? 58 : 31;
    return {
      '@odata.id': `${CH}/Thermal`,
      Temperatures: [
        { '@odata.id': `${CH}/Thermal#/Temperatures/0`, Name: 'CPU Temp', ReadingCelsius: cpu, UpperThresholdNonCritical: 80, UpperThresholdCritical: 90, UpperThresholdFatal: 95, Status: { State: 'Enabled' } },
        { '@odata.id': `${CH}/Thermal#/Temperatures/1`, Name: 'Inlet Temp', ReadingCelsius: 22, Status: { State: 'Enabled' } },
      ],
      Fans: [{ '@odata.id': `${CH}/Thermal#/Fans/0`, Name: 'Fan 1', Reading: 5400, ReadingUnits: 'RPM', LowerThresholdCritical: 600, Status: { State: 'Enabled' } }],
    };
  }

  /** Sensor resources; "Inlet Temp" is the same sensor as Thermal's and is to be counted once. */
  private sensors(): Record<string, unknown>[] {
    return [
      { '@odata.id': `${CH}/Sensors/inlet`, Id: 'inlet', Name: 'Inlet Temp', ReadingType: 'Temperature', Reading: 22, ReadingUnits: 'Cel', Thresholds: { UpperCaution: { Reading: 35 }, UpperCritical: { Reading: 40 } }, Status: { State: 'Enabled' } },
      { '@odata.id': `${CH}/Sensors/psu1_vin`, Id: 'psu1_vin', Name: 'PSU1 Input Voltage', ReadingType: 'Voltage', Reading: 231.5, ReadingUnits: 'V', Thresholds: { LowerCritical: { Reading: 180 }, UpperCritical: { Reading: 264 } }, Status: { State: 'Enabled' } },
      { '@odata.id': `${CH}/Sensors/total_power`, Id: 'total_power', Name: 'Total Power', ReadingType: 'Power', Reading: this.power === 'On' ? 212 : 9, ReadingUnits: 'W', Status: { State: 'Enabled' } },
    ];
  }

  private sensorMembers(expand: boolean): unknown[] {
    return this.sensors().map((s) => (expand ? s : { '@odata.id': s['@odata.id'] }));
  }

  private selEntries(): unknown[] {
    const n = this.o.selEntries ?? 3;
    return Array.from({ length: n }, (_, i) => ({
      '@odata.id': `${MGR}/LogServices/SEL/Entries/${i + 1}`,
      Id: String(i + 1),
      EntryType: 'SEL',
      Created: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      SensorType: i % 2 ? 'Fan' : 'Temperature',
      EntryCode: i % 2 ? 'Deassert' : 'Assert',
      Message: `event ${i + 1}`,
    }));
  }
}
