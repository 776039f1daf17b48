/**
 * (Long because it holds one thin method per BMC verb, kept together as the handle's whole face.)
 * The IPMI client's public face: `openBmc(...)` gives a handle on one BMC. Its methods are thin:
 * one command through the handle's command runner (one session reused, one request in flight),
 * or one procedure of sdr/, sel/, fru/, power.ts... given that runner.
 */
import { sharedTransport, type UdpTransport } from './transport/udp-transport.ts';
import type { Peer } from './transport/exchange.ts';
import type { IpmiCommand } from './commands/command.ts';
import { Privilege } from './commands/command.ts';
import { SessionRunner, type CommandRunner, type RunOptions } from './command-runner.ts';
import { newSession } from './session/session-factory.ts';
import type { HostQuirkView } from './session/session.ts';
import { DEFAULT_QUIRKS, type BmcQuirks } from './quirks.ts';
import { learnedQuirks, type DeviceProfile, type HostQuirkMemory, type LearnedQuirks } from './host-quirks.ts';
import { IpmiAuthError, IpmiError, IpmiPasswordTooLongError, IpmiTimeoutError } from './errors.ts';
import type { BmcOptions, PrivilegeLevel } from './bmc-options.ts';
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
import { readPowerDraw, type PowerDraw } from './power-draw.ts';
import { readSensorRecords, readSensors, type SensorQuery, type SensorReadContext } from './sdr/read-sensors.ts';
import type { SensorRecord } from './sdr/records.ts';
import type { SensorValue } from './sdr/sensor-value.ts';
import { processSdrCache, type SdrCache, type SdrCacheKey } from './sdr/sdr-cache.ts';
import { clearSel, readSel } from './sel/read-sel.ts';
import type { SelEvent } from './sel/event.ts';
import { readCipherSuites } from './read-cipher-suites.ts';
import { readLanConfig, writeChannelAccess, writeLanConfig, type LanConfig, type LanConfigChange } from './lan.ts';
import { listUsers, setUser, testPassword, type UserChange, type UserInfo } from './users.ts';
import { readBmcIdentity, type BmcIdentity } from './identity.ts';

export { pingBmc } from './ping.ts';
export type { CommandRunner, RunOptions } from './command-runner.ts';
export type { SensorQuery } from './sdr/read-sensors.ts';
export type { BmcOptions, PrivilegeLevel } from './bmc-options.ts';

const PRIVILEGES: Record<PrivilegeLevel, number> = {
  user: Privilege.user,
  operator: Privilege.operator,
  administrator: Privilege.administrator,
};

/** IPMI 2.0 carries passwords of up to 20 bytes (RAKP keys); IPMI 1.5 up to 16. */
const PASSWORD_LIMIT = { v20: 20, v15: 16 } as const;
/** Watts, the base unit code of the sensors the power draw falls back to. */
const WATTS = 6;

export class Bmc implements CommandRunner {
  readonly host: string;
  readonly port: number;
  readonly retries: number;
  readonly quirks: BmcQuirks;
  private readonly transport: UdpTransport;
  private readonly runner: SessionRunner;
  private readonly memory: HostQuirkMemory;
  private readonly sdrCache: SdrCache;
  private readonly hq: HostQuirkView;
  private peer?: Peer;
  private closing?: Promise<void>;

  constructor(private readonly o: BmcOptions) {
    this.host = o.host;
    this.port = o.port ?? 623;
    const passwordBytes = typeof o.password === 'string' ? Buffer.byteLength(o.password, 'utf8') : o.password.length;
    const limit = o.lan15 ? PASSWORD_LIMIT.v15 : PASSWORD_LIMIT.v20;
    // Refused here, before a socket is taken or a packet sent: no BMC could check a longer one.
    if (passwordBytes > limit) throw new IpmiPasswordTooLongError(this.host, this.port, passwordBytes, limit);
    const privilege = o.privilege === undefined ? undefined : PRIVILEGES[o.privilege];
    if (o.privilege !== undefined && privilege === undefined) throw new IpmiError(`privilege "${o.privilege}" is not user, operator or administrator`);
    this.transport = o.transport ?? sharedTransport();
    this.retries = o.retries ?? 3;
    this.quirks = o.quirks ?? DEFAULT_QUIRKS;
    this.memory = o.learned ?? learnedQuirks;
    this.sdrCache = o.sdrCache ?? processSdrCache;
    const memory = this.memory;
    const key = this.key;
    this.hq = {
      quirks: this.quirks,
      get learned(): Readonly<LearnedQuirks> {
        return memory.get(key);
      },
      learn: (patch) => memory.learn(key, patch),
    };
    this.runner = new SessionRunner({
      key,
      host: this.host,
      newSession: async (plan) => newSession(this.o, await this.resolvePeer(), plan, this.hq),
      privilege,
      paddableUserName: Buffer.byteLength(o.username, 'utf8') < 16,
      timeoutMs: o.timeoutMs ?? 2000,
      retries: this.retries,
      minGapMs: o.minGapMs,
      hq: this.hq,
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

  /** What is known of this BMC's quirks (login fallbacks that worked, its device profile). */
  get learned(): Readonly<LearnedQuirks> {
    return this.hq.learned;
  }

  /** This BMC in an SDR cache: its address, and its GUID once a login told it. */
  get sdrCacheKey(): SdrCacheKey {
    const guid = this.runner.bmcGuid;
    return guid ? { host: this.host, port: this.port, guid } : { host: this.host, port: this.port };
  }

  private async resolvePeer(): Promise<Peer> {
    if (!this.peer) {
      const { address, family } = await this.transport.resolve(this.host);
      this.peer = { transport: this.transport, host: this.host, address, family, port: this.port };
    }
    return this.peer;
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

  /**
   * Get Device ID's manufacturer and product, remembered for the host: what the quirks chosen by
   * manufacturer go by. Undefined when the BMC will not say (a timeout still fails).
   */
  async deviceProfile(): Promise<DeviceProfile | undefined> {
    const known = this.hq.learned.device;
    if (known) return known;
    try {
      const d = await this.deviceId();
      const device = { manufacturerId: d.manufacturerId, productId: d.productId };
      this.hq.learn({ device });
      return device;
    } catch (e) {
      if (e instanceof IpmiTimeoutError) throw e;
      return undefined;
    }
  }

  private async sensorContext(): Promise<SensorReadContext> {
    // The GUID comes with the login: log in first so the cache can tell this BMC from a replaced one.
    await this.runner.connect();
    return { key: this.sdrCacheKey, cache: this.sdrCache, quirks: this.quirks, device: () => this.deviceProfile() };
  }

  /** Sensor records of this BMC (through the SDR cache, checked against the repository's timestamps). */
  async sensorRecords(): Promise<SensorRecord[]> {
    return readSensorRecords(this.runner, await this.sensorContext());
  }

  async sensors(q: SensorQuery = {}): Promise<SensorValue[]> {
    return readSensors(this.runner, await this.sensorContext(), q);
  }

  sel(): Promise<SelEvent[]> {
    return readSel(this.runner);
  }

  clearSel(): Promise<void> {
    return clearSel(this.runner, this.key);
  }

  /** DCMI Get Power Reading as the BMC answers it (see powerDraw for the figure to trust). */
  powerReading(): Promise<PowerReading> {
    return this.run(dcmiGetPowerReading, {});
  }

  /** The host's draw in watts: DCMI when its measurement is active and not 0 W, else the SDR's watts sensors. */
  powerDraw(): Promise<PowerDraw> {
    return readPowerDraw({ quirks: this.quirks, dcmi: () => this.powerReading(), wattsSensors: () => this.sensors({ unitCode: WATTS }) });
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
