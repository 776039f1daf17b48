/**
 * Everything a simulated BMC remembers apart from sessions: users, channel access, LAN
 * parameters, boot flags, identify, the SEL and the sensor repository, its machine's identity
 * (GUID and FRU) and power restore policy, over one host model.
 */
import { encodeSystemEvent } from '../../ipmi/index.ts';
import { THRESHOLD_BITS, type ThresholdName } from '../../ipmi/index.ts';
import { rawToX } from '../../ipmi/index.ts';
import type { Clock } from './clock.ts';
import { HostModel, type HostModelOptions } from './host-model.ts';
import { buildRepository, defaultSensors, valueToRaw, type SimSensor } from './sensors.ts';
import { simFruImage, simIdentityFor, type SimIdentity } from './identity.ts';
import type { RestorePolicyChoice } from '../../ipmi/index.ts';
import { ownerOf, quirkSensors, recordOf, type SimQuirks } from './quirk-modes.ts';

export interface SimUser {
  id: number;
  name: string;
  password: Buffer;
  /** Channel privilege limit: 2 user, 3 operator, 4 administrator, 15 no access. */
  privilege: number;
  enabled: boolean;
  ipmiMessaging: boolean;
  linkAuth: boolean;
}

export interface LanState {
  ipSource: number;
  ip: Buffer;
  netmask: Buffer;
  mac: Buffer;
  gatewayIp: Buffer;
  gatewayMac: Buffer;
  /** Set In Progress: 0 complete, 1 in progress. */
  setInProgress: number;
}

export interface SimBmcOptions {
  name: string;
  /** Serials and GUID of the machine; simIdentityFor(name) by default. */
  identity?: SimIdentity;
  /** The System GUID as sent, overriding the identity's. */
  guid?: Buffer;
  /** False: no FRU device (Get FRU Inventory Area Info answers 0xCB, as on a BMC without one). */
  fru?: boolean;
  /** Longest Read FRU Data the BMC answers, in units (longer ones get 0xCA); 32 by default. */
  maxFruRead?: number;
  /** The FRU device is accessed by 16-bit words (offsets and counts in words). */
  fruByWords?: boolean;
  /** Power restore policy at start ('previous' by default). */
  restorePolicy?: RestorePolicyChoice;
  adminPassword: string;
  host: Partial<HostModelOptions> & Pick<HostModelOptions, 'timings'>;
  /** How many sessions may be active at once (real BMCs allow few). */
  sessionSlots?: number;
  /** Longest partial SDR read the BMC answers (longer ones get 0xCA, as small BMCs do). */
  maxSdrRead?: number;
  maxUsers?: number;
  deviceId?: number;
  /** Get Device ID's IANA manufacturer (0 by default; 674 Dell, 11 HP, 343 Intel...) and product. */
  manufacturerId?: number;
  productId?: number;
  ip?: string;
  /** Ways to stray from the specification as real BMCs do (quirk-modes.ts). */
  quirks?: SimQuirks;
}

export interface SensorReading {
  raw: number;
  unavailable: boolean;
  thresholdBits: number;
}

export const SEL_CAPACITY = 512;

export class BmcState {
  readonly host: HostModel;
  readonly users: SimUser[] = [];
  private identityValue!: SimIdentity;
  private fruValue!: Buffer;
  /** What the chassis does when mains power returns; reported in Get Chassis Status. */
  restorePolicy: RestorePolicyChoice;
  /** The last power down came from a power feed outage (Get Chassis Status, last power event bit 0). */
  acFailed = false;
  readonly quirks: SimQuirks;
  readonly sensors: SimSensor[];
  readonly repository: Buffer[];
  /** The SDR repository's last addition and erase, in BMC seconds (Get SDR Repository Info). */
  repositoryAddedAt: number;
  repositoryErasedAt = 0;
  /** sessionsExhaustedFor: session requests still to refuse. */
  sessionRefusalsLeft: number;
  channelAccess = { mode: 2, privilegeLimit: 4, alerting: true, perMessageAuth: true, userLevelAuth: true };
  readonly lan: LanState;
  bootFlags: Buffer = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x00]);
  identifyUntil = 0;
  identifyForced = false;
  sel: Buffer[] = [];
  selNextId = 1;
  selAddedAt = 0;
  selErasedAt = 0;
  sdrReservation = 0;
  selReservation = 0;
  private readonly lastThresholdBits = new Map<number, number>();

  constructor(
    readonly o: SimBmcOptions,
    readonly clock: Clock,
  ) {
    this.host = new HostModel(clock, {
      peakWatts: 420,
      idleFraction: 0.65,
      standbyWatts: 9,
      inletC: 22,
      load: 0.3,
      initiallyOn: true,
      osRefusesSoftOff: false,
      ...o.host,
    });
    const identity = o.identity ?? simIdentityFor(o.name);
    this.identity = o.guid ? { ...identity, guid: Buffer.from(o.guid) } : identity;
    this.restorePolicy = o.restorePolicy ?? 'previous';
    const maxUsers = o.maxUsers ?? 16;
    for (let id = 1; id <= maxUsers; id++) {
      this.users.push({ id, name: '', password: Buffer.alloc(0), privilege: 0x0f, enabled: false, ipmiMessaging: false, linkAuth: false });
    }
    Object.assign(this.users[1], { name: 'admin', password: Buffer.from(o.adminPassword, 'utf8'), privilege: 4, enabled: true, ipmiMessaging: true, linkAuth: true });
    this.quirks = o.quirks ?? {};
    this.sessionRefusalsLeft = this.quirks.sessionsExhaustedFor ?? 0;
    this.sensors = [...defaultSensors(), ...quirkSensors(this.quirks)];
    this.repository = buildRepository(this.sensors);
    this.repositoryAddedAt = this.seconds();
    const ip = (o.ip ?? '192.0.2.10').split('.').map(Number);
    const macTail = this.guid.subarray(0, 3);
    this.lan = {
      ipSource: 1,
      ip: Buffer.from(ip),
      netmask: Buffer.from([255, 255, 255, 0]),
      mac: Buffer.from([0x02, 0x00, 0x5e, macTail[0], macTail[1], macTail[2]]),
      gatewayIp: Buffer.from([ip[0], ip[1], ip[2], 1]),
      gatewayMac: Buffer.from([0x02, 0x00, 0x5e, 0x00, 0x00, 0x01]),
      setInProgress: 0,
    };
    this.host.onEvent = (e) => {
      if (e.kind === 'power') {
        // System ACPI Power State (0x22) sensor-specific: S0/G0 working (0) or S5/G2 soft-off (5).
        this.addEvent(0x22, 0x10, 0x6f, 'assertion', e.on ? 0x00 : 0x05);
      } else {
        // Power Unit (0x09): soft power control failure (offset 5).
        this.addEvent(0x09, 0x11, 0x6f, 'assertion', 0x05);
      }
    };
  }

  /**
   * The machine's identity. Assigning another one (`state.identity = simIdentityFor('other')`) is
   * the "bmc-foreign" fault: from the next command on, this BMC answers Get System GUID and Read
   * FRU Data with another machine's GUID and serials.
   */
  get identity(): SimIdentity {
    return this.identityValue;
  }

  set identity(id: SimIdentity) {
    if (id.guid.length !== 16) throw new Error(`simulated BMC ${this.o.name}: a GUID is 16 bytes, not ${id.guid.length}`);
    this.identityValue = { ...id, guid: Buffer.from(id.guid) };
    this.fruValue = simFruImage(this.identityValue);
  }

  /** The System GUID as sent (also the BMC GUID of RAKP message 2). */
  get guid(): Buffer {
    return this.identityValue.guid;
  }

  /** The FRU image of device 0; undefined when this BMC has no FRU device. */
  get fru(): Buffer | undefined {
    return this.o.fru === false ? undefined : this.fruValue;
  }

  /**
   * Mains power fails and returns: the chassis goes off, then comes back as the restore policy
   * says (always-off: off; previous: as it was; always-on: on). Logged in the SEL as AC lost.
   */
  powerFeedOutage(): 'on' | 'off' {
    const on = this.host.powerFeedOutage(this.restorePolicy);
    this.acFailed = true;
    // Power Unit (0x09) sensor-specific offset 4: AC lost.
    this.addEvent(0x09, 0x11, 0x6f, 'assertion', 0x04);
    return on ? 'on' : 'off';
  }

  seconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  userByName(name: string): SimUser | undefined {
    return this.users.find((u) => u.name === name && u.name !== '');
  }

  addEvent(sensorType: number, sensorNumber: number, eventType: number, direction: 'assertion' | 'deassertion', offset: number, d2 = 0xff, d3 = 0xff): void {
    if (this.sel.length >= SEL_CAPACITY) return;
    const recordId = this.selNextId++;
    const flags = eventType === 0x01 ? 0x50 : 0x00; // threshold events carry trigger reading and threshold
    this.sel.push(
      encodeSystemEvent({ recordId, timestamp: this.seconds(), sensorType, sensorNumber, eventType, direction, data: [flags | offset, d2, d3] }),
    );
    this.selAddedAt = this.seconds();
  }

  clearSel(): void {
    this.sel = [];
    this.selErasedAt = this.seconds();
  }

  /** The sensor with this number at this LUN of this controller (the BMC, 0x20, by default). */
  sensorByNumber(n: number, lun = 0, owner = 0x20): SimSensor | undefined {
    return this.sensors.find((s) => s.spec.sensorNumber === n && (s.spec.ownerLun ?? 0) === lun && ownerOf(s) === owner);
  }

  /**
   * A sensor added to the repository (a board gained a part): its record is appended and the
   * repository's last addition time moves on, as Get SDR Repository Info then reports.
   */
  addSensor(s: SimSensor): void {
    this.sensors.push(s);
    this.repository.push(recordOf(s));
    this.repositoryAddedAt = Math.max(this.seconds(), this.repositoryAddedAt + 1);
  }

  /** A reading with threshold bits as the BMC computes them, logging crossings in the SEL. */
  readSensor(s: SimSensor): SensorReading {
    const value = s.read(this.host);
    if (value === null) return { raw: 0, unavailable: true, thresholdBits: 0 };
    const c = s.spec.conversion;
    const raw = valueToRaw(value, c);
    if (s.states !== undefined) return { raw, unavailable: false, thresholdBits: s.states };
    const x = rawToX(raw, c.format);
    let bits = 0;
    THRESHOLD_BITS.forEach((t: ThresholdName, bit) => {
      const tr = s.spec.thresholdsRaw[t];
      if (tr === undefined) return;
      const tx = rawToX(tr, c.format);
      const upper = t.startsWith('u');
      if (upper ? x >= tx : x <= tx) bits |= 1 << bit;
    });
    const before = this.lastThresholdBits.get(s.spec.sensorNumber) ?? 0;
    if (before !== bits) {
      // Upper going-high offsets: UNC 7, UCR 9, UNR 11 (table 42-2).
      for (const [bit, offset] of [[3, 7], [4, 9], [5, 11]] as const) {
        const was = (before >> bit) & 1;
        const is = (bits >> bit) & 1;
        if (was !== is) this.addEvent(s.spec.sensorType, s.spec.sensorNumber, 0x01, is ? 'assertion' : 'deassertion', offset, raw, s.spec.thresholdsRaw[THRESHOLD_BITS[bit]] ?? 0xff);
      }
      this.lastThresholdBits.set(s.spec.sensorNumber, bits);
    }
    return { raw, unavailable: false, thresholdBits: bits };
  }
}
