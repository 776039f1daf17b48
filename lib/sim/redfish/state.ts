/**
 * Everything one simulated Redfish BMC knows, apart from HTTP: its machine (host model and power
 * state), identity, settings (restore policy, asset tag, boot override, each change a new ETag),
 * user, sessions, log, tasks and faults. The resources render from it; the server authenticates
 * against it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../ipmi/clock.ts';
import { HostModel, type HostModelOptions, type HostTimings } from '../ipmi/host-model.ts';
import { simIdentityFor, type SimIdentity } from '../ipmi/identity.ts';
import { EventLog } from './event-log.ts';
import { checkRedfishFaults, type RedfishFaults } from './faults.ts';
import { PowerMachine, type PowerTimings } from './power-state.ts';
import { readSensors, ThresholdWatch, type SensorReading } from './sensors.ts';
import { SessionStore } from './sessions.ts';
import { TaskStore } from './tasks.ts';

export const RESTORE_POLICIES = ['AlwaysOn', 'AlwaysOff', 'LastState'] as const;
export type RestorePolicy = (typeof RESTORE_POLICIES)[number];
export const BOOT_TARGETS = ['None', 'Pxe', 'Hdd', 'BiosSetup'] as const;
export const BOOT_ENABLED = ['Disabled', 'Once', 'Continuous'] as const;
export const BOOT_MODES = ['UEFI', 'Legacy'] as const;

export interface SystemSettings {
  powerRestorePolicy: RestorePolicy;
  assetTag: string;
  boot: { target: (typeof BOOT_TARGETS)[number]; enabled: (typeof BOOT_ENABLED)[number]; mode: (typeof BOOT_MODES)[number] };
}

/**
 * Which BMC firmware the simulator imitates. 'generic': reset types listed with
 * ResetType@Redfish.AllowableValues, resources named "1". 'openbmc': as bmcweb, an
 * @Redfish.ActionInfo resource lists them (On, ForceOff, ForceOn, ForceRestart, GracefulRestart,
 * GracefulShutdown, PowerCycle, Nmi), resources named "system", "chassis" and "bmc".
 */
export type RedfishVariant = 'generic' | 'openbmc';

export interface ResourceIds {
  system: string;
  chassis: string;
  manager: string;
}

export interface RedfishBmcStateOptions {
  name: string;
  user: string;
  password: string;
  clock: Clock;
  variant: RedfishVariant;
  asyncReset: boolean;
  ids: ResourceIds;
  hostTimings: HostTimings;
  powerTimings: PowerTimings;
  host: Partial<HostModelOptions>;
  identity: SimIdentity;
  restorePolicy: RestorePolicy;
  sessionLimit: number;
  sessionIdleMs: number;
  faults: RedfishFaults;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class RedfishBmcState {
  readonly host: HostModel;
  readonly power: PowerMachine;
  readonly log: EventLog;
  readonly sessions: SessionStore;
  readonly tasks: TaskStore;
  /** The host model's options in force (its peak watts, for the power resources). */
  readonly hostOptions: HostModelOptions;
  settings: SystemSettings;
  /** The machine's own identity; `identity` is what the BMC answers (another one under the foreign fault). */
  ownIdentity: SimIdentity;
  private faultsValue: RedfishFaults = {};
  private readonly watch = new ThresholdWatch();
  private readonly passwordDigest: Buffer;

  constructor(readonly o: RedfishBmcStateOptions) {
    this.hostOptions = {
      timings: o.hostTimings,
      peakWatts: 420,
      idleFraction: 0.65,
      standbyWatts: 9,
      inletC: 22,
      load: 0.3,
      initiallyOn: true,
      osRefusesSoftOff: false,
      ...o.host,
    };
    this.host = new HostModel(o.clock, this.hostOptions);
    this.power = new PowerMachine(o.clock, this.host, o.hostTimings, o.powerTimings);
    this.log = new EventLog(o.clock);
    this.sessions = new SessionStore(o.clock, { limit: o.sessionLimit, idleTimeoutMs: o.sessionIdleMs });
    this.tasks = new TaskStore(o.clock);
    this.ownIdentity = o.identity;
    this.settings = { powerRestorePolicy: o.restorePolicy, assetTag: '', boot: { target: 'None', enabled: 'Disabled', mode: 'UEFI' } };
    this.passwordDigest = digest(o.password);
    this.faults = o.faults;
    this.power.onEvent = (e) => {
      if (e.kind === 'power') {
        this.log.add({ message: e.on ? 'power on: the system entered S0/G0 (working)' : 'power off: the system entered S5/G2 (soft-off)', severity: 'OK', sensorType: 'System ACPI PowerState', entryCode: 'Assert' }, e.at);
      } else {
        this.log.add({ message: 'soft power off refused: the operating system did not shut down', severity: 'Warning', sensorType: 'Power Unit', entryCode: 'Assert' }, e.at);
      }
    };
  }

  get name(): string {
    return this.o.name;
  }

  get faults(): RedfishFaults {
    return this.faultsValue;
  }

  /** New fault settings, checked first; switching forgetSessions on ends every session. */
  set faults(f: RedfishFaults) {
    checkRedfishFaults(f);
    if (f.forgetSessions && !this.faultsValue.forgetSessions) this.sessions.clear();
    this.faultsValue = { ...f };
  }

  /** The identity the BMC answers with now. */
  get identity(): SimIdentity {
    return this.faultsValue.foreign ? simIdentityFor(`foreign-${this.o.name}`) : this.ownIdentity;
  }

  /** True when the user name and password are this BMC's (compared in constant time). */
  checkCredentials(user: unknown, password: unknown): boolean {
    if (typeof user !== 'string' || typeof password !== 'string') return false;
    const passwordOk = timingSafeEqual(digest(password), this.passwordDigest);
    return passwordOk && user === this.o.user;
  }

  /** The ETag of the system's writable settings: it changes exactly when they do. */
  get systemEtag(): string {
    return `"${createHash('sha256').update(JSON.stringify(this.settings)).digest('hex').slice(0, 16)}"`;
  }

  /** Every sensor now, with temperature threshold crossings since the last reading logged. */
  readSensors(): SensorReading[] {
    const readings = readSensors(this.host);
    for (const c of this.watch.check(readings)) {
      const going = c.direction === 'Assert' ? 'going high' : 'going low';
      this.log.add({
        message: `${c.sensor.name}: upper ${c.threshold} threshold ${c.limit} C crossed ${going}, reading ${c.value} C`,
        severity: c.direction === 'Deassert' ? 'OK' : c.threshold === 'caution' ? 'Warning' : 'Critical',
        sensorType: 'Temperature',
        sensorNumber: c.sensor.number,
        entryCode: c.direction,
      });
    }
    return readings;
  }

  /**
   * Mains power fails and returns: the machine goes off, then on again as PowerRestorePolicy says.
   * Logged as AC lost. Returns the power afterwards.
   */
  powerFeedOutage(): 'on' | 'off' {
    const policy = this.settings.powerRestorePolicy;
    const on = this.host.powerFeedOutage(policy === 'AlwaysOn' ? 'always-on' : policy === 'AlwaysOff' ? 'always-off' : 'previous');
    this.log.add({ message: 'AC lost: the power feed failed and returned', severity: 'Warning', sensorType: 'Power Unit', entryCode: 'Assert' });
    return on ? 'on' : 'off';
  }
}
