/**
 * The IPMI client's public face: `openBmc(...)` gives a handle on one BMC. Its methods are thin:
 * one command through the handle's command runner (one session reused, one request in flight),
 * or one procedure of sdr/, sel/, fru/, power.ts... given that runner.
 */
import { UdpTransport, sharedTransport } from './transport/udp-transport.ts';
import type { Peer } from './transport/exchange.ts';
import { LanPlusSession } from './session/lanplus-session.ts';
import { Lan15Session } from './session/lan15-session.ts';
import type { Credentials, IpmiSession } from './session/session.ts';
import type { IpmiCommand } from './commands/command.ts';
import { Privilege } from './commands/command.ts';
import { SessionRunner, type CommandRunner, type RunOptions } from './command-runner.ts';
import { DEFAULT_QUIRKS, type BmcQuirks } from './quirks.ts';
import { IpmiAuthError, IpmiError } from './errors.ts';
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
import { dcmiGetPowerReading, type PowerReading } from './commands/dcmi-power-reading.ts';
import type { CipherSuiteRecord } from './commands/get-channel-cipher-suites.ts';
import { getChannelAccess, type ChannelAccess } from './commands/users.ts';
import { changePower, type PowerAction, type PowerResult } from './power.ts';
import { readSensorRecords, readSensors, type SensorQuery } from './sdr/read-sensors.ts';
import type { SensorRecord } from './sdr/records.ts';
import type { SensorValue } from './sdr/sensor-value.ts';
import { clearSel, readSel } from './sel/read-sel.ts';
import type { SelEvent } from './sel/event.ts';
import { readCipherSuites } from './read-cipher-suites.ts';
import { readLanConfig, writeChannelAccess, writeLanConfig, type LanConfig, type LanConfigChange } from './lan.ts';
import { listUsers, setUser, testPassword, type UserChange, type UserInfo } from './users.ts';
import { readBmcIdentity, type BmcIdentity } from './identity.ts';

export { pingBmc } from './ping.ts';
export type { CommandRunner, RunOptions } from './command-runner.ts';
export type { SensorQuery } from './sdr/read-sensors.ts';

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

const PRIVILEGES: Record<PrivilegeLevel, number> = {
  user: Privilege.user,
  operator: Privilege.operator,
  administrator: Privilege.administrator,
};

export class Bmc implements CommandRunner {
  readonly host: string;
  readonly port: number;
  readonly retries: number;
  private readonly transport: UdpTransport;
  private readonly timeoutMs: number;
  private readonly runner: SessionRunner;
  private peer?: Peer;
  private closing?: Promise<void>;

  constructor(private readonly o: BmcOptions) {
    this.host = o.host;
    this.port = o.port ?? 623;
    this.transport = o.transport ?? sharedTransport();
    this.timeoutMs = o.timeoutMs ?? 2000;
    this.retries = o.retries ?? 3;
    this.runner = new SessionRunner({
      key: this.key,
      host: this.host,
      newSession: async () => this.newSession(await this.resolvePeer()),
      timeoutMs: this.timeoutMs,
      retries: this.retries,
      minGapMs: o.minGapMs ?? 0,
      quirks: o.quirks ?? DEFAULT_QUIRKS,
    });
    this.transport.acquire();
  }

  /** "host:port", the key of this BMC in caches. */
  get key(): string {
    return `${this.host}:${this.port}`;
  }

  /** True once a session with this BMC has been opened. */
  get hasAnswered(): boolean {
    return this.runner.hasAnswered;
  }

  /** What protects the session: "cipher suite 17", "IPMI 1.5 MD5"... */
  get security(): string {
    return this.runner.security;
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
    const common = { privilege, timeoutMs: this.timeoutMs, retries: this.retries, insecure: !!this.o.insecure };
    if (this.o.lan15) return new Lan15Session(peer, creds, { ...common, allowPlainPassword: !!this.o.allowPlainPassword });
    return new LanPlusSession(peer, creds, {
      ...common,
      cipherSuites: this.o.cipherSuite === undefined ? [17, 3] : [this.o.cipherSuite],
      fallbackMs: this.o.fallbackMs ?? 1000,
      quirks: this.o.quirks ?? DEFAULT_QUIRKS,
    });
  }

  /** Log in now (otherwise the first command does). */
  connect(): Promise<void> {
    return this.runner.connect();
  }

  /** Run one command in this BMC's queue and decode its answer. */
  run<Req, Res>(command: IpmiCommand<Req, Res>, req: Req, o: RunOptions = {}): Promise<Res> {
    return this.runner.run(command, req, o);
  }

  private readonly runCommand = <Req, Res>(c: IpmiCommand<Req, Res>, r: Req): Promise<Res> => this.runner.run(c, r);

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
    return readBmcIdentity(this.runCommand);
  }

  /** What the chassis does when mains power returns (Get Chassis Status, power state bits 6:5). */
  async powerRestorePolicy(): Promise<RestorePolicy> {
    return (await this.chassisStatus()).restorePolicy;
  }

  /** Set Power Restore Policy; answers the policies this BMC supports. */
  setPowerRestorePolicy(policy: RestorePolicyChoice): Promise<{ supported: RestorePolicyChoice[] }> {
    return this.run(setPowerRestorePolicy, { policy });
  }

  setBootDevice(device: BootDeviceName, o: { efi?: boolean } = {}): Promise<void> {
    return this.run(setSystemBootOptions, { parameter: 5, data: bootFlagsNextBoot(device, o.efi) });
  }

  /** Sensor records of this BMC (cached by repository timestamps). */
  sensorRecords(): Promise<SensorRecord[]> {
    return readSensorRecords(this.runner, this.key);
  }

  sensors(q: SensorQuery = {}): Promise<SensorValue[]> {
    return readSensors(this.runner, this.key, q);
  }

  sel(): Promise<SelEvent[]> {
    return readSel(this.runner);
  }

  clearSel(): Promise<void> {
    return clearSel(this.runner, this.key);
  }

  powerReading(): Promise<PowerReading> {
    return this.run(dcmiGetPowerReading, {});
  }

  cipherSuites(channel = 0x0e): Promise<CipherSuiteRecord[]> {
    return readCipherSuites(this.runner, channel);
  }

  lanConfig(channel = 1): Promise<LanConfig> {
    return readLanConfig(this.runCommand, channel);
  }

  setLanConfig(channel: number, change: LanConfigChange): Promise<void> {
    return writeLanConfig(this.runCommand, channel, change);
  }

  channelAccess(channel = 1): Promise<ChannelAccess> {
    return this.run(getChannelAccess, { channel });
  }

  setChannelAccess(channel: number, access: ChannelAccess): Promise<void> {
    return writeChannelAccess(this.runCommand, channel, access);
  }

  users(channel = 1): Promise<UserInfo[]> {
    return listUsers(this.runCommand, channel);
  }

  setUser(change: UserChange): Promise<void> {
    return setUser(this.runCommand, change);
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
    return testPassword(this.runCommand, userId, password);
  }

  /** Close the session on the BMC (after the commands already queued) and release the socket. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.runner.close().finally(() => this.transport.release());
    return this.closing;
  }
}

/** Open a handle on one BMC. Nothing is sent until the first command (or `connect()`). */
export function openBmc(o: BmcOptions): Bmc {
  return new Bmc(o);
}
