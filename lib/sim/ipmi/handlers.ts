/**
 * What the simulated BMC does for each IPMI command. Requests are parsed and answers built with
 * the command modules' own server-side halves (decodeRequest / encodeResponse), so the simulator
 * and the client share one codec. Each command names the privilege it needs.
 */
import { IpmiRequestError, type IpmiCommand } from '../../ipmi/commands/command.ts';
import { IpmiError } from '../../ipmi/errors.ts';
import { getDeviceId } from '../../ipmi/commands/get-device-id.ts';
import { getChannelAuthCapabilities } from '../../ipmi/commands/get-channel-auth-capabilities.ts';
import { encodeCipherSuiteRecords, getChannelCipherSuites } from '../../ipmi/commands/get-channel-cipher-suites.ts';
import { CIPHER_SUITES } from '../../ipmi/crypto/cipher-suites.ts';
import { closeSession, setSessionPrivilegeLevel } from '../../ipmi/commands/session-control.ts';
import { ChassisAction, chassisControl, chassisIdentify, getChassisStatus, RESTORE_POLICIES, setPowerRestorePolicy, setSystemBootOptions, type ChassisStatus } from '../../ipmi/commands/chassis.ts';
import { getFruInventoryAreaInfo } from '../../ipmi/commands/get-fru-inventory-area-info.ts';
import { readFruData } from '../../ipmi/commands/read-fru-data.ts';
import { getSensorReading } from '../../ipmi/commands/get-sensor-reading.ts';
import { getSdr, getSdrRepositoryInfo, reserveSdrRepository } from '../../ipmi/commands/sdr-repository.ts';
import { clearSel, getSelEntry, getSelInfo, reserveSel } from '../../ipmi/commands/sel.ts';
import { dcmiGetPowerReading } from '../../ipmi/commands/dcmi-power-reading.ts';
import { getLanConfig, LanParam, setLanConfig } from '../../ipmi/commands/lan-config.ts';
import { getChannelAccess, getUserAccess, getUserName, setChannelAccess, setUserAccess, setUserName, setUserPassword, UserPasswordOperation } from '../../ipmi/commands/users.ts';
import { getChannelInfo, IPMI_FORUM_IANA } from '../../ipmi/commands/get-channel-info.ts';
import { getSensorThresholds } from '../../ipmi/commands/get-sensor-thresholds.ts';
import { getSystemBootOptions } from '../../ipmi/commands/get-system-boot-options.ts';
import { getSelTime } from '../../ipmi/commands/get-sel-time.ts';
import { getSystemGuid } from '../../ipmi/commands/get-system-guid.ts';
import { getSessionInfo } from '../../ipmi/commands/get-session-info.ts';
import {
  dcmiGetCapabilities,
  DCMI_CONFORMANCE,
  encodeDcmiManageabilityAccess,
  encodeDcmiMandatoryAttributes,
  encodeDcmiOptionalAttributes,
  encodeDcmiSupportedCapabilities,
} from '../../ipmi/commands/dcmi-capabilities.ts';
import type { BmcState } from './bmc-state.ts';
import type { ControlAction } from './host-model.ts';

/** What a handler may know of the session a request came in. */
export interface SessionView {
  kind: '1.5' | '2.0';
  userId: number;
  privilege: number;
  maxPrivilege: number;
  setPrivilege(p: number): void;
  close(id: number): boolean;
}

export interface EngineView {
  readonly activeSessions: number;
  readonly sessionSlots: number;
  readonly suites: number[];
}

export interface HandlerContext {
  state: BmcState;
  engine: EngineView;
  /** Undefined outside a session (only discovery commands are answered then). */
  session?: SessionView;
}

export interface Answer {
  cc: number;
  data: Buffer;
}

/** Throw to answer with a completion code. */
export class Completion extends Error {
  constructor(readonly cc: number) {
    super(`completion code 0x${cc.toString(16)}`);
  }
}

type Handler = (ctx: HandlerContext, data: Buffer) => Buffer;

const OUT_OF_SESSION = 0;
const USER = 2;
const OPERATOR = 3;
const ADMIN = 4;

interface Entry {
  privilege: number;
  run: Handler;
}

const table = new Map<number, Entry>();
const key = (netFn: number, cmd: number): number => (netFn << 8) | cmd;

/** Register a command: parse with its decodeRequest, answer with its encodeResponse. */
function serve<Req, Res>(c: IpmiCommand<Req, Res>, privilege: number, fn: (req: Req, ctx: HandlerContext) => Res): void {
  const decode = c.decodeRequest;
  const encode = c.encodeResponse;
  if (!decode || !encode) throw new Error(`${c.name}: the command module has no server side`);
  table.set(key(c.netFn, c.cmd), { privilege, run: (ctx, data) => encode(fn(decode(data), ctx)) });
}

export function dispatch(ctx: HandlerContext, netFn: number, cmd: number, data: Buffer): Answer {
  const entry = table.get(key(netFn, cmd));
  if (!entry) return { cc: 0xc1, data: Buffer.alloc(0) };
  const privilege = ctx.session?.privilege ?? 0;
  if (entry.privilege > privilege) return { cc: 0xd4, data: Buffer.alloc(0) };
  try {
    return { cc: 0, data: entry.run(ctx, data) };
  } catch (e) {
    if (e instanceof Completion) return { cc: e.cc, data: Buffer.alloc(0) };
    // A request the command's own decoder refuses: its completion code says why (0xC7 length, 0xCC field).
    if (e instanceof IpmiRequestError) return { cc: e.completionCode, data: Buffer.alloc(0) };
    if (e instanceof IpmiError) return { cc: 0xc7, data: Buffer.alloc(0) };
    throw e;
  }
}

// ---- App ----

serve(getDeviceId, USER, () => ({
  deviceId: 0x20,
  deviceRevision: 1,
  providesSdrs: false,
  firmwareMajor: 1,
  firmwareMinor: 42,
  deviceAvailable: true,
  ipmiVersion: '2.0',
  additionalSupport: 0xaf, // chassis, event generator, SEL, SDR repository, FRU inventory, sensors
  manufacturerId: 0,
  productId: 0x10ad,
  auxFirmware: Buffer.from([0, 0, 0, 0]),
}));

serve(getChannelAuthCapabilities, OUT_OF_SESSION, (req) => {
  const v2 = req.v2 ?? false;
  return {
    channel: 1,
    authTypes: { none: false, md2: false, md5: true, password: false, oem: false },
    extendedCapabilities: v2,
    kgSet: false,
    perMessageAuthDisabled: false,
    userLevelAuthDisabled: false,
    nonNullUsers: true,
    nullUsers: false,
    anonymousLogin: false,
    supportsV15: true,
    supportsV20: v2,
    oemId: 0,
    oemAux: 0,
  };
});

serve(getChannelCipherSuites, OUT_OF_SESSION, (req, ctx) => {
  const records = encodeCipherSuiteRecords(
    ctx.engine.suites.map((id) => {
      const s = CIPHER_SUITES[id];
      return { id, auth: [s.auth], integrity: [s.integrity], confidentiality: [s.confidentiality] };
    }),
  );
  return { channel: 1, data: records.subarray(req.index * 16, req.index * 16 + 16) };
});

serve(setSessionPrivilegeLevel, USER, (req, ctx) => {
  const s = ctx.session as SessionView;
  if (req.privilege === 0) return { privilege: s.privilege };
  if (req.privilege > s.maxPrivilege) throw new Completion(0x81);
  s.setPrivilege(req.privilege);
  return { privilege: req.privilege };
});

serve(closeSession, 1, (req, ctx) => {
  if (!(ctx.session as SessionView).close(req.sessionId)) throw new Completion(0x87);
});

serve(getChannelInfo, USER, (req, ctx) => {
  const ch = req.channel === undefined || req.channel === 0x0e ? 1 : req.channel;
  if (ch !== 1) throw new Completion(0xcc);
  return { channel: 1, medium: 0x04, protocol: 0x01, sessionSupport: 'multi-session', activeSessions: ctx.engine.activeSessions, vendorId: IPMI_FORUM_IANA, auxInfo: [0, 0] };
});

serve(getSystemGuid, USER, (_req, ctx) => ({ guid: ctx.state.guid }));

serve(getSessionInfo, USER, (req, ctx) => {
  const s = ctx.session as SessionView;
  const base = { handle: 1, slots: ctx.engine.sessionSlots, activeSessions: ctx.engine.activeSessions };
  // Index 0 (this session) is what clients ask; other lookups report no details.
  if ('index' in req && (req.index ?? 0) !== 0) return { ...base, handle: 0 };
  return { ...base, session: { userId: s.userId, privilege: s.privilege, channel: 1, protocolAux: s.kind === '2.0' ? 1 : 0 } };
});

// ---- Chassis ----

serve(getChassisStatus, USER, (_req, ctx): ChassisStatus => {
  const s = ctx.state;
  const now = s.clock.now();
  return {
    powerOn: s.host.powerOn,
    powerOverload: false,
    interlock: false,
    powerFault: false,
    powerControlFault: false,
    restorePolicy: s.restorePolicy,
    lastPowerEvent: { acFailed: s.acFailed, overload: false, interlock: false, fault: false, commandOn: s.host.controlCounts.on > 0 },
    intrusion: false,
    frontPanelLockout: false,
    driveFault: false,
    coolingFault: false,
    identify: s.identifyForced ? 'on' : s.identifyUntil > now ? 'timed' : 'off',
  };
});

const ACTIONS: Record<number, ControlAction> = {
  [ChassisAction.powerDown]: 'off',
  [ChassisAction.powerUp]: 'on',
  [ChassisAction.powerCycle]: 'cycle',
  [ChassisAction.hardReset]: 'reset',
  [ChassisAction.diagnosticInterrupt]: 'diag',
  [ChassisAction.softShutdown]: 'soft',
};

serve(chassisControl, OPERATOR, (req, ctx) => {
  const action = ACTIONS[req.action];
  if (!action) throw new Completion(0xcc);
  ctx.state.host.control(action);
  ctx.state.acFailed = false;
});

serve(setPowerRestorePolicy, OPERATOR, (req, ctx) => {
  if (req.policy !== 'no-change') ctx.state.restorePolicy = req.policy;
  return { supported: [...RESTORE_POLICIES] };
});

serve(chassisIdentify, OPERATOR, (req, ctx) => {
  ctx.state.identifyForced = !!req.forceOn;
  ctx.state.identifyUntil = ctx.state.clock.now() + 1000 * (req.seconds ?? 15);
});

serve(setSystemBootOptions, OPERATOR, (req, ctx) => {
  if (req.parameter === 5) {
    if (req.data.length < 5) throw new Completion(0xc7);
    ctx.state.bootFlags = Buffer.from(req.data.subarray(0, 5));
    return;
  }
  // Parameters 0 (set in progress), 3 (info acknowledge) and 4 (boot info) are accepted as no-ops.
  if (req.parameter > 5) throw new Completion(0x80);
});

serve(getSystemBootOptions, OPERATOR, (req, ctx) => {
  if (req.parameter === 5) return { version: 1, parameter: 5, invalid: false, data: ctx.state.bootFlags };
  if (req.parameter === 0) return { version: 1, parameter: 0, invalid: false, data: Buffer.from([0]) };
  throw new Completion(0x80);
});

// ---- Sensors and SDR ----

serve(getSensorReading, USER, (req, ctx) => {
  const sensor = ctx.state.sensorByNumber(req.sensorNumber);
  if (!sensor) throw new Completion(0xcb);
  const r = ctx.state.readSensor(sensor);
  return { raw: r.raw, eventMessagesEnabled: true, scanningEnabled: true, unavailable: r.unavailable, state0: r.thresholdBits | 0xc0, state1: undefined };
});

serve(getSensorThresholds, USER, (req, ctx) => {
  const sensor = ctx.state.sensorByNumber(req.sensorNumber);
  if (!sensor) throw new Completion(0xcb);
  return { thresholdsRaw: sensor.spec.thresholdsRaw };
});

serve(getSdrRepositoryInfo, USER, (_req, ctx) => ({
  version: '1.5',
  recordCount: ctx.state.repository.length,
  freeSpace: 0xffff,
  lastAddition: ctx.state.repositoryAddedAt,
  lastErase: 0,
  operationSupport: 0x02, // reserve supported
}));

serve(reserveSdrRepository, USER, (_req, ctx) => {
  ctx.state.sdrReservation = (ctx.state.sdrReservation % 0xffff) + 1;
  return { reservationId: ctx.state.sdrReservation };
});

function recordIndex<T extends { readUInt16LE(offset: number): number }>(records: T[], id: number): number {
  if (records.length === 0) return -1;
  if (id === 0) return 0;
  if (id === 0xffff) return records.length - 1;
  return records.findIndex((r) => r.readUInt16LE(0) === id);
}

serve(getSdr, USER, (req, ctx) => {
  const repo = ctx.state.repository;
  if (req.offset !== 0 && req.reservationId !== ctx.state.sdrReservation) throw new Completion(0xc5);
  const i = recordIndex(repo, req.recordId);
  if (i < 0) throw new Completion(0xcb);
  const record = repo[i];
  if (req.offset > record.length) throw new Completion(0xc9);
  const length = req.length === 0xff ? record.length - req.offset : req.length;
  if (req.length !== 0xff && length > (ctx.state.o.maxSdrRead ?? 64)) throw new Completion(0xca);
  const next = i + 1 < repo.length ? repo[i + 1].readUInt16LE(0) : 0xffff;
  return { nextRecordId: next, data: record.subarray(req.offset, req.offset + length) };
});

// ---- FRU (device 0: the machine's chassis, board and product areas) ----

function fruImage(ctx: HandlerContext, deviceId: number): Buffer {
  const fru = ctx.state.fru;
  if (!fru || deviceId !== 0) throw new Completion(0xcb);
  return fru;
}

serve(getFruInventoryAreaInfo, USER, (req, ctx) => ({ size: fruImage(ctx, req.deviceId).length, byWords: !!ctx.state.o.fruByWords }));

serve(readFruData, USER, (req, ctx) => {
  const fru = fruImage(ctx, req.deviceId);
  const unit = ctx.state.o.fruByWords ? 2 : 1;
  if (req.count > (ctx.state.o.maxFruRead ?? 32)) throw new Completion(0xca);
  const start = req.offset * unit;
  if (start > fru.length) throw new Completion(0xc9);
  // A count past the end gives what is left (a trailing odd byte of a word device is padded).
  const data = Buffer.alloc(Math.min(req.count * unit, Math.ceil((fru.length - start) / unit) * unit));
  fru.copy(data, 0, start, start + data.length);
  return { count: data.length / unit, data };
});

// ---- SEL ----

serve(getSelInfo, USER, (_req, ctx) => ({
  version: '1.5',
  entries: ctx.state.sel.length,
  freeSpace: (512 - ctx.state.sel.length) * 16,
  lastAddition: ctx.state.selAddedAt,
  lastErase: ctx.state.selErasedAt,
  overflow: false,
  operationSupport: 0x02, // reserve supported
}));

serve(reserveSel, USER, (_req, ctx) => {
  ctx.state.selReservation = (ctx.state.selReservation % 0xffff) + 1;
  return { reservationId: ctx.state.selReservation };
});

serve(getSelEntry, USER, (req, ctx) => {
  const sel = ctx.state.sel;
  const offset = req.offset ?? 0;
  if (offset !== 0 && req.reservationId !== ctx.state.selReservation) throw new Completion(0xc5);
  const i = recordIndex(sel, req.recordId);
  if (i < 0) throw new Completion(0xcb);
  const length = (req.length ?? 0xff) === 0xff ? 16 - offset : (req.length as number);
  const next = i + 1 < sel.length ? sel[i + 1].readUInt16LE(0) : 0xffff;
  return { nextRecordId: next, data: sel[i].subarray(offset, offset + length) };
});

serve(getSelTime, USER, (_req, ctx) => ({ timestamp: ctx.state.seconds() }));

serve(clearSel, OPERATOR, (req, ctx) => {
  if (req.reservationId !== ctx.state.selReservation) throw new Completion(0xc5);
  if (req.initiate) ctx.state.clearSel();
  return { complete: true };
});

// ---- DCMI ----

serve(dcmiGetPowerReading, USER, (_req, ctx) => {
  const p = ctx.state.host.power();
  return {
    watts: p.watts,
    minWatts: p.min,
    maxWatts: p.max,
    averageWatts: p.average,
    timestamp: ctx.state.seconds(),
    periodMs: p.periodMs,
    active: true,
  };
});

serve(dcmiGetCapabilities, USER, (req) => {
  const data = (() => {
    switch (req.parameter) {
      case 1:
        return encodeDcmiSupportedCapabilities({
          identification: false,
          selLogging: false,
          chassisPower: false,
          temperatureMonitor: false,
          powerManagement: true,
          inBandSystemInterface: false,
          serialTmode: false,
          secondaryLan: false,
          primaryLan: false,
          sol: false,
          vlan: false,
        });
      case 2:
        return encodeDcmiMandatoryAttributes({
          selEntries: 512,
          recordLevelFlush: false,
          entireFlush: false,
          selAutoRollover: false,
          guid: true,
          dhcpHostName: false,
          assetTag: false,
          inletTemperature: true,
          processorTemperature: true,
          baseboardTemperature: true,
          temperatureSamplingSeconds: 1,
        });
      case 3:
        return encodeDcmiOptionalAttributes({ powerManagementAddress: 0x20, powerManagementChannel: 0, deviceRevision: 1 });
      case 4:
        return encodeDcmiManageabilityAccess({ primaryLanChannel: 1, secondaryLanChannel: null, serialTmodeChannel: null });
      default:
        throw new Completion(0xcc);
    }
  })();
  return { major: DCMI_CONFORMANCE.major, minor: DCMI_CONFORMANCE.minor, parameterRevision: DCMI_CONFORMANCE.parameterRevision, data };
});

// ---- LAN ----

function lanParameter(ctx: HandlerContext, parameter: number): Buffer {
  const l = ctx.state.lan;
  switch (parameter) {
    case LanParam.setInProgress:
      return Buffer.from([l.setInProgress]);
    case LanParam.authTypeSupport:
      return Buffer.from([0x04]);
    case LanParam.authTypeEnables:
      return Buffer.from([0x04, 0x04, 0x04, 0x04, 0x00]);
    case LanParam.ipAddress:
      return l.ip;
    case LanParam.ipSource:
      return Buffer.from([l.ipSource]);
    case LanParam.macAddress:
      return l.mac;
    case LanParam.subnetMask:
      return l.netmask;
    case 7: // IPv4 header parameters: TTL, flags, precedence / type of service
      return Buffer.from([0x40, 0x40, 0x10]);
    case LanParam.arpControl:
      return Buffer.from([0x02]);
    case 11: // gratuitous ARP interval
      return Buffer.from([0x00]);
    case LanParam.defaultGatewayIp:
      return l.gatewayIp;
    case LanParam.defaultGatewayMac:
      return l.gatewayMac;
    case 14: // backup gateway
      return Buffer.from([0, 0, 0, 0]);
    case 15:
      return Buffer.alloc(6);
    case 16: // community string
      return Buffer.concat([Buffer.from('public'), Buffer.alloc(12)]);
    case LanParam.vlanId:
      return Buffer.from([0x00, 0x00]);
    case 21: // VLAN priority
      return Buffer.from([0x00]);
    case LanParam.cipherSuiteCount:
      return Buffer.from([ctx.engine.suites.length]);
    case LanParam.cipherSuites:
      return Buffer.from([0x00, ...ctx.engine.suites]);
    case 24: // cipher suite privilege levels: administrator for every entry
      return Buffer.from([0x00, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44]);
    default:
      throw new Completion(0x80);
  }
}

serve(getLanConfig, OPERATOR, (req, ctx) => {
  if (req.channel !== 1 && req.channel !== 0x0e) throw new Completion(0xcc);
  return { revision: 0x11, data: lanParameter(ctx, req.parameter) };
});

serve(setLanConfig, ADMIN, (req, ctx) => {
  if (req.channel !== 1 && req.channel !== 0x0e) throw new Completion(0xcc);
  const l = ctx.state.lan;
  const d = Buffer.from(req.data);
  const need = (n: number): void => {
    if (d.length < n) throw new Completion(0xc7);
  };
  switch (req.parameter) {
    case LanParam.setInProgress: {
      need(1);
      const v = d[0] & 0x03;
      if (v === 1 && l.setInProgress === 1) throw new Completion(0x81);
      if (v === 0 || v === 1) l.setInProgress = v;
      return;
    }
    case LanParam.ipAddress:
      need(4);
      l.ip = d.subarray(0, 4);
      return;
    case LanParam.ipSource:
      need(1);
      if ((d[0] & 0x0f) > 4) throw new Completion(0xcc);
      l.ipSource = d[0] & 0x0f;
      return;
    case LanParam.subnetMask:
      need(4);
      l.netmask = d.subarray(0, 4);
      return;
    case LanParam.defaultGatewayIp:
      need(4);
      l.gatewayIp = d.subarray(0, 4);
      return;
    case LanParam.defaultGatewayMac:
      need(6);
      l.gatewayMac = d.subarray(0, 6);
      return;
    case LanParam.macAddress:
    case LanParam.authTypeSupport:
    case LanParam.cipherSuiteCount:
    case LanParam.cipherSuites:
      throw new Completion(0x82);
    default:
      throw new Completion(0x80);
  }
});

// ---- Users and channel access ----

function userById(ctx: HandlerContext, id: number) {
  const u = ctx.state.users.find((x) => x.id === id);
  if (!u) throw new Completion(0xcc);
  return u;
}

serve(getChannelAccess, USER, (req, ctx) => {
  if (req.channel !== 1 && req.channel !== 0x0e) throw new Completion(0xcc);
  const c = ctx.state.channelAccess;
  const modes = ['disabled', 'pre-boot', 'always', 'shared'] as const;
  return { accessMode: modes[c.mode], alertingEnabled: c.alerting, perMessageAuthEnabled: c.perMessageAuth, userLevelAuthEnabled: c.userLevelAuth, privilegeLimit: c.privilegeLimit };
});

serve(setChannelAccess, ADMIN, (req, ctx) => {
  if (req.channel !== 1 && req.channel !== 0x0e) throw new Completion(0xcc);
  const c = ctx.state.channelAccess;
  const modes = ['disabled', 'pre-boot', 'always', 'shared'];
  c.mode = Math.max(0, modes.indexOf(req.access.accessMode));
  c.alerting = req.access.alertingEnabled;
  c.perMessageAuth = req.access.perMessageAuthEnabled;
  c.userLevelAuth = req.access.userLevelAuthEnabled;
  if (req.access.privilegeLimit >= 1 && req.access.privilegeLimit <= 5) c.privilegeLimit = req.access.privilegeLimit;
});

serve(getUserAccess, OPERATOR, (req, ctx) => {
  const u = userById(ctx, req.userId);
  const users = ctx.state.users;
  return {
    maxUsers: users.length,
    enabledUsers: users.filter((x) => x.enabled).length,
    enableStatus: u.enabled ? 'enabled' : 'disabled',
    fixedNameUsers: 1,
    callbackOnly: false,
    linkAuthEnabled: u.linkAuth,
    ipmiMessagingEnabled: u.ipmiMessaging,
    privilegeLimit: u.privilege,
  };
});

serve(setUserAccess, ADMIN, (req, ctx) => {
  const u = userById(ctx, req.userId);
  u.ipmiMessaging = req.ipmiMessaging;
  u.linkAuth = req.linkAuth;
  u.privilege = req.privilegeLimit;
});

serve(getUserName, OPERATOR, (req, ctx) => ({ name: userById(ctx, req.userId).name }));

serve(setUserName, ADMIN, (req, ctx) => {
  if (req.userId === 1) throw new Completion(0xcc); // the anonymous user's name is fixed
  const u = userById(ctx, req.userId);
  if (req.name && ctx.state.users.some((x) => x !== u && x.name === req.name)) throw new Completion(0xcc);
  u.name = req.name;
});

serve(setUserPassword, ADMIN, (req, ctx) => {
  const u = userById(ctx, req.userId);
  const given = req.password ? Buffer.from(req.password.subarray(0, req.password.indexOf(0) < 0 ? req.password.length : req.password.indexOf(0))) : Buffer.alloc(0);
  switch (req.operation) {
    case UserPasswordOperation.disable:
      u.enabled = false;
      return;
    case UserPasswordOperation.enable:
      u.enabled = true;
      return;
    case UserPasswordOperation.set:
      u.password = given;
      return;
    case UserPasswordOperation.test:
      if (!u.password.equals(given)) throw new Completion(0x80);
      return;
  }
});

