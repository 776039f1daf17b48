/**
 * The IPMI client's public face: `openBmc(...)` gives a handle on one BMC that reuses one session,
 * keeps one request in flight at a time, and closes its session on `close()`.
 */
import { UdpTransport, sharedTransport } from './transport/udp-transport.ts';
import { exchange, type Peer } from './transport/exchange.ts';
import { decodeAsfPong, decodeRmcpHeader, encodeAsfPing, RMCP_CLASS_ASF, type AsfPong } from './codec/rmcp.ts';
import { LanPlusSession } from './session/lanplus-session.ts';
import { Lan15Session } from './session/lan15-session.ts';
import type { Credentials, IpmiSession } from './session/session.ts';
import type { IpmiCommand } from './commands/command.ts';
import { Privilege } from './commands/command.ts';
import { completionCodeName } from './codec/completion-codes.ts';
import { DEFAULT_QUIRKS, fixReply, type BmcQuirks } from './quirks.ts';
import { IpmiAuthError, IpmiCompletionCodeError, IpmiError, IpmiNotSupportedError, IpmiTimeoutError } from './errors.ts';
import { getDeviceId, type DeviceId } from './commands/get-device-id.ts';
import {
  bootFlagsNextBoot,
  chassisIdentify,
  getChassisStatus,
  setPowerRestorePolicy,
  setSystemBootOptions,
  type BootDeviceName,
  type ChassisStatus,
  type RestorePolicy,
  type RestorePolicyChoice,
} from './commands/chassis.ts';
import { getSensorReading } from './commands/get-sensor-reading.ts';
import { dcmiGetPowerReading, type PowerReading } from './commands/dcmi-power-reading.ts';
import { clearSel as clearSelCommand, getSelEntry, getSelInfo, reserveSel } from './commands/sel.ts';
import { getChannelCipherSuites, parseCipherSuiteRecords, type CipherSuiteRecord } from './commands/get-channel-cipher-suites.ts';
import { changePower, type PowerAction, type PowerResult } from './power.ts';
import { readSdrRepository } from './sdr/repository.ts';
import { isSensorRecord, type SensorRecord } from './sdr/records.ts';
import { sensorValue, type SensorValue } from './sdr/sensor-value.ts';
import { sensorTypeCode } from './sdr/units.ts';
import { decodeSelRecord, type SelEvent } from './sel/event.ts';
import { readLanConfig, writeLanConfig, type LanConfig, type LanConfigChange } from './lan.ts';
import { getChannelAccess, setChannelAccess, type ChannelAccess } from './commands/users.ts';
import { listUsers, setUser, testPassword, type UserChange, type UserInfo } from './users.ts';
import { readBmcIdentity, type BmcIdentity } from './identity.ts';

export type PrivilegeLevel = 'user' | 'operator' | 'administrator';

export interface BmcOptions {
  host: string;
  /** UDP port; 623 by default. */
  port?: number;
  username: string;
  password: string | Buffer;
  /** 3 or 17; by default 17 is tried first and 3 used when the BMC refuses it. 0 needs `insecure`. */
  cipherSuite?: number;
  /** IPMI v1.5 (MD5) instead of RMCP+. */
  lan15?: boolean;
  privilege?: PrivilegeLevel;
  /** Deadline of one request, retransmissions included (default 2000 ms). */
  timeoutMs?: number;
  /** Retransmissions within that deadline (default 3). */
  retries?: number;
  /** Least time between two commands to this BMC (default 0). */
  minGapMs?: number;
  /** How long suite 17 may go unanswered before suite 3 is tried (default 1000 ms). */
  fallbackMs?: number;
  /** Allow cipher suite 0 and IPMI 1.5 auth type none. */
  insecure?: boolean;
  /** Allow IPMI 1.5's straight-password auth type when the BMC offers nothing better. */
  allowPlainPassword?: boolean;
  /** BMC key Kg, when one is set on the BMC. */
  kg?: Buffer;
  transport?: UdpTransport;
  quirks?: BmcQuirks;
}

export interface SensorQuery {
  /** A sensor type name ("temperature", "fan", "voltage") or code. */
  type?: string | number;
}

export interface RunOptions {
  /** Send once, no retransmission: for commands that change the chassis. */
  once?: boolean;
}

const NODE_BUSY = 0xc0;

const PRIVILEGES: Record<PrivilegeLevel, number> = {
  user: Privilege.user,
  operator: Privilege.operator,
  administrator: Privilege.administrator,
};

export class Bmc {
  readonly host: string;
  readonly port: number;
  readonly retries: number;
  private session?: IpmiSession;
  private opening?: Promise<IpmiSession>;
  private queue: Promise<unknown> = Promise.resolve();
  private lastSent = 0;
  private closed = false;
  private readonly transport: UdpTransport;
  private readonly timeoutMs: number;
  private readonly quirks: BmcQuirks;
  private peer?: Peer;
  private answered = false;

  constructor(private readonly o: BmcOptions) {
    this.host = o.host;
    this.port = o.port ?? 623;
    this.transport = o.transport ?? sharedTransport();
    this.timeoutMs = o.timeoutMs ?? 2000;
    this.retries = o.retries ?? 3;
    this.quirks = o.quirks ?? DEFAULT_QUIRKS;
    this.transport.acquire();
  }

  /** "host:port", the key of this BMC in caches. */
  get key(): string {
    return `${this.host}:${this.port}`;
  }

  /** True once a session with this BMC has been opened. */
  get hasAnswered(): boolean {
    return this.answered;
  }

  /** What protects the session: "cipher suite 17", "IPMI 1.5 MD5"... */
  get security(): string {
    return this.session?.security ?? 'not connected';
  }

  private async resolvePeer(): Promise<Peer> {
    if (!this.peer) {
      const { address, family } = await this.transport.resolve(this.host);
      this.peer = { transport: this.transport, host: this.host, address, family, port: this.port };
    }
    return this.peer;
  }

  private newSession(peer: Peer): IpmiSession {
    const password = typeof this.o.password === 'string' ? Buffer.from(this.o.password, 'utf8') : this.o.password;
    const creds: Credentials = { username: this.o.username, password, kg: this.o.kg };
    const privilege = PRIVILEGES[this.o.privilege ?? 'administrator'];
    if (privilege === undefined) throw new IpmiError(`privilege "${this.o.privilege}" is not user, operator or administrator`);
    if (this.o.lan15) {
      return new Lan15Session(peer, creds, {
        privilege,
        timeoutMs: this.timeoutMs,
        retries: this.retries,
        allowPlainPassword: !!this.o.allowPlainPassword,
        insecure: !!this.o.insecure,
      });
    }
    return new LanPlusSession(peer, creds, {
      cipherSuites: this.o.cipherSuite === undefined ? [17, 3] : [this.o.cipherSuite],
      privilege,
      timeoutMs: this.timeoutMs,
      retries: this.retries,
      fallbackMs: this.o.fallbackMs ?? 1000,
      insecure: !!this.o.insecure,
      quirks: this.quirks,
    });
  }

  /** Log in now (otherwise the first command does). */
  async connect(): Promise<void> {
    await this.ensureSession();
  }

  private async ensureSession(): Promise<IpmiSession> {
    if (this.closed) throw new IpmiError(`${this.key}: BMC handle is closed`);
    if (this.session?.isOpen) return this.session;
    if (!this.opening) {
      this.opening = (async () => {
        const s = this.newSession(await this.resolvePeer());
        await s.open();
        this.session = s;
        this.answered = true;
        return s;
      })().finally(() => (this.opening = undefined));
    }
    return this.opening;
  }

  /** Drop a session that stopped answering; a best-effort Close Session frees its slot. */
  private dropSession(s: IpmiSession): void {
    if (this.session === s) this.session = undefined;
    void s.close(Math.min(500, this.timeoutMs));
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async gap(): Promise<void> {
    const gapMs = this.o.minGapMs ?? 0;
    const wait = this.lastSent + gapMs - performance.now();
    if (gapMs > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.lastSent = performance.now();
  }

  /** Run one command in this BMC's queue and decode its answer. */
  run<Req, Res>(command: IpmiCommand<Req, Res>, req: Req, o: RunOptions = {}): Promise<Res> {
    const data = command.encode(req);
    return this.enqueue(async () => {
      let reopened = false;
      let busy = 0;
      for (;;) {
        const fresh = !this.session?.isOpen;
        const session = await this.ensureSession();
        await this.gap();
        try {
          const rsp = await session.send(command.netFn, command.cmd, data, {
            what: command.name,
            timeoutMs: this.timeoutMs,
            retries: o.once ? 0 : this.retries,
          });
          if (rsp.completionCode === NODE_BUSY && busy < this.retries) {
            // "Node busy": the BMC did not run the command. Give it a moment and ask again.
            await new Promise((r) => setTimeout(r, 20 * 2 ** busy++));
            continue;
          }
          if (rsp.completionCode !== 0) {
            const name = completionCodeName(rsp.completionCode, command.completionCodes);
            const E = this.quirks.notSupportedCodes.has(rsp.completionCode) ? IpmiNotSupportedError : IpmiCompletionCodeError;
            throw new E(command.name, rsp.completionCode, name, this.host);
          }
          return command.decode(fixReply(this.quirks, command.netFn, command.cmd, rsp.data));
        } catch (e) {
          if (!(e instanceof IpmiTimeoutError)) throw e;
          // A reused session may have been dropped by the BMC: log in again and, unless the
          // command must not be repeated, try once more.
          this.dropSession(session);
          if (fresh || reopened || o.once) throw e;
          reopened = true;
        }
      }
    });
  }

  deviceId(): Promise<DeviceId> {
    return this.run(getDeviceId, undefined);
  }

  chassisStatus(): Promise<ChassisStatus> {
    return this.run(getChassisStatus, undefined);
  }

  /** Power status or change; see power.ts for why lost answers never repeat a cycle. */
  power(action: PowerAction): Promise<PowerResult> {
    return changePower(this, action);
  }

  identify(seconds = 15): Promise<void> {
    return this.run(chassisIdentify, seconds > 255 ? { forceOn: true } : { seconds });
  }

  /**
   * The BMC's System GUID (canonical and as sent) and the serials and names of its FRU: what binds
   * it to a host. A BMC without FRU data gives the GUID alone; one without Get System GUID, the serials.
   */
  identity(): Promise<BmcIdentity> {
    return readBmcIdentity((c, r) => this.run(c, r));
  }

  /** What the chassis does when mains power returns (Get Chassis Status, power state bits 6:5). */
  async powerRestorePolicy(): Promise<RestorePolicy> {
    return (await this.chassisStatus()).restorePolicy;
  }

  /** Set Power Restore Policy; answers the policies this BMC supports. */
  async setPowerRestorePolicy(policy: RestorePolicyChoice): Promise<{ supported: RestorePolicyChoice[] }> {
    return this.run(setPowerRestorePolicy, { policy });
  }

  setBootDevice(device: BootDeviceName, o: { efi?: boolean } = {}): Promise<void> {
    return this.run(setSystemBootOptions, { parameter: 5, data: bootFlagsNextBoot(device, o.efi) });
  }

  /** Sensor records of this BMC (cached by repository timestamps). */
  async sensorRecords(): Promise<SensorRecord[]> {
    const records = await readSdrRepository(this.key, (c, r) => this.run(c, r));
    return records.filter(isSensorRecord);
  }

  async sensors(q: SensorQuery = {}): Promise<SensorValue[]> {
    let records = await this.sensorRecords();
    if (q.type !== undefined) {
      const code = typeof q.type === 'number' ? q.type : sensorTypeCode(q.type);
      if (code === undefined) throw new IpmiError(`sensor type "${q.type}" is unknown (try temperature, fan, voltage, current, power supply)`);
      records = records.filter((r) => r.sensorType === code);
    }
    const out: SensorValue[] = [];
    for (const r of records) {
      if (r.ownerId !== 0x20 || r.ownerLun !== 0) {
        // Sensors behind another controller need IPMB bridging, which lowpower does not do.
        out.push(sensorValue(r, null));
        continue;
      }
      try {
        out.push(sensorValue(r, await this.run(getSensorReading, { sensorNumber: r.sensorNumber })));
      } catch (e) {
        if (e instanceof IpmiCompletionCodeError && (e.code === 0xcb || e.code === 0xcd || e.code === 0xd5)) out.push(sensorValue(r, null));
        else throw e;
      }
    }
    return out;
  }

  async sel(): Promise<SelEvent[]> {
    const info = await this.run(getSelInfo, undefined);
    if (info.entries === 0) return [];
    const events: SelEvent[] = [];
    let recordId = 0;
    while (recordId !== 0xffff && events.length <= info.entries + 16) {
      const e = await this.run(getSelEntry, { reservationId: 0, recordId });
      events.push(decodeSelRecord(e.data));
      if (e.nextRecordId === recordId) break;
      recordId = e.nextRecordId;
    }
    return events;
  }

  async clearSel(): Promise<void> {
    const { reservationId } = await this.run(reserveSel, undefined);
    let status = await this.run(clearSelCommand, { reservationId, initiate: true });
    const until = performance.now() + 10_000;
    while (!status.complete && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      status = await this.run(clearSelCommand, { reservationId, initiate: false });
    }
    if (!status.complete) throw new IpmiError(`${this.key}: SEL erase did not complete within 10 s`);
  }

  powerReading(): Promise<PowerReading> {
    return this.run(dcmiGetPowerReading, {});
  }

  async cipherSuites(channel = 0x0e): Promise<CipherSuiteRecord[]> {
    const chunks: Buffer[] = [];
    for (let index = 0; index < 64; index++) {
      const r = await this.run(getChannelCipherSuites, { channel, index });
      chunks.push(r.data);
      if (r.data.length < 16) break;
    }
    return parseCipherSuiteRecords(Buffer.concat(chunks));
  }

  lanConfig(channel = 1): Promise<LanConfig> {
    return readLanConfig((c, r) => this.run(c, r), channel);
  }

  setLanConfig(channel: number, change: LanConfigChange): Promise<void> {
    return writeLanConfig((c, r) => this.run(c, r), channel, change);
  }

  channelAccess(channel = 1): Promise<ChannelAccess> {
    return this.run(getChannelAccess, { channel });
  }

  async setChannelAccess(channel: number, access: ChannelAccess): Promise<void> {
    await this.run(setChannelAccess, { channel, access, volatile: false });
    await this.run(setChannelAccess, { channel, access, volatile: true });
  }

  users(channel = 1): Promise<UserInfo[]> {
    return listUsers((c, r) => this.run(c, r), channel);
  }

  setUser(change: UserChange): Promise<void> {
    return setUser((c, r) => this.run(c, r), change);
  }

  /**
   * True when this user and password can log in to this BMC (a session is opened with the same
   * settings as this handle, then closed). False when the BMC refuses the login.
   */
  async checkLogin(username: string, password: string): Promise<boolean> {
    const probe = new Bmc({ ...this.o, username, password, transport: this.transport });
    try {
      await probe.connect();
      return true;
    } catch (e) {
      if (e instanceof IpmiAuthError) return false;
      throw e;
    } finally {
      await probe.close();
    }
  }

  testPassword(userId: number, password: string): Promise<boolean> {
    return testPassword((c, r) => this.run(c, r), userId, password);
  }

  /** Close the session on the BMC and release the socket. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.enqueue(async () => {
      this.closed = true;
      try {
        await this.opening?.catch(() => undefined);
        await this.session?.close(Math.min(1000, this.timeoutMs));
      } finally {
        this.session = undefined;
        this.transport.release();
      }
    });
  }
}

/** Open a handle on one BMC. Nothing is sent until the first command (or `connect()`). */
export function openBmc(o: BmcOptions): Bmc {
  return new Bmc(o);
}

/**
 * RMCP / ASF Presence Ping (DMTF ASF 2.0 section 3.2.4.3): is something answering on this port,
 * and does it say it speaks IPMI? Needs no credentials and opens no session.
 */
export async function pingBmc(o: { host: string; port?: number; timeoutMs?: number; retries?: number; transport?: UdpTransport }): Promise<AsfPong & { ms: number }> {
  const transport = o.transport ?? sharedTransport();
  transport.acquire();
  try {
    const { address, family } = await transport.resolve(o.host);
    const port = o.port ?? 623;
    const tag = Math.floor(Math.random() * 255);
    const t0 = performance.now();
    const pong = await exchange({ transport, host: o.host, address, family, port }, {
      what: 'ASF Presence Ping',
      timeoutMs: o.timeoutMs ?? 1000,
      retries: o.retries ?? 2,
      build: () => encodeAsfPing(tag),
      accept: (packet) => {
        if (decodeRmcpHeader(packet).messageClass !== RMCP_CLASS_ASF) return undefined;
        const p = decodeAsfPong(packet);
        return p.tag === tag ? p : undefined;
      },
    });
    return { ...pong, ms: performance.now() - t0 };
  } finally {
    transport.release();
  }
}
