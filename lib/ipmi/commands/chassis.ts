/**
 * Chassis commands, IPMI v2.0 chapter 28: Get Chassis Status (0x01), Chassis Control (0x02),
 * Chassis Identify (0x04), Set Power Restore Policy (0x06), Set System Boot Options (0x08).
 */
import { defineCommand, emptyRequest, invalidRequestField, noData, requestLength } from './command.ts';
import { ByteReader } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export type RestorePolicy = 'always-off' | 'previous' | 'always-on' | 'unknown';
export type IdentifyState = 'off' | 'timed' | 'on' | 'unknown';

export interface ChassisStatus {
  powerOn: boolean;
  powerOverload: boolean;
  interlock: boolean;
  powerFault: boolean;
  powerControlFault: boolean;
  restorePolicy: RestorePolicy;
  lastPowerEvent: { acFailed: boolean; overload: boolean; interlock: boolean; fault: boolean; commandOn: boolean };
  intrusion: boolean;
  frontPanelLockout: boolean;
  driveFault: boolean;
  coolingFault: boolean;
  identify: IdentifyState;
  /** Front panel button capabilities and disable/enable status, when the BMC sends the optional byte. */
  frontPanel?: number;
}

const POLICIES: RestorePolicy[] = ['always-off', 'previous', 'always-on', 'unknown'];
const IDENTIFY_STATES: IdentifyState[] = ['off', 'timed', 'on', 'unknown'];

/** Table 28-3. */
export const getChassisStatus = defineCommand<void, ChassisStatus>({
  name: 'Get Chassis Status',
  netFn: NetFn.chassis,
  cmd: 0x01,
  encode: noData,
  decode(data) {
    const r = new ByteReader(data, 'Get Chassis Status');
    const power = r.u8();
    const last = r.u8();
    const misc = r.u8();
    const identifyKnown = (misc & 0x40) !== 0;
    return {
      powerOn: (power & 0x01) !== 0,
      powerOverload: (power & 0x02) !== 0,
      interlock: (power & 0x04) !== 0,
      powerFault: (power & 0x08) !== 0,
      powerControlFault: (power & 0x10) !== 0,
      restorePolicy: POLICIES[(power >> 5) & 3],
      lastPowerEvent: {
        acFailed: (last & 0x01) !== 0,
        overload: (last & 0x02) !== 0,
        interlock: (last & 0x04) !== 0,
        fault: (last & 0x08) !== 0,
        commandOn: (last & 0x10) !== 0,
      },
      intrusion: (misc & 0x01) !== 0,
      frontPanelLockout: (misc & 0x02) !== 0,
      driveFault: (misc & 0x04) !== 0,
      coolingFault: (misc & 0x08) !== 0,
      identify: identifyKnown ? IDENTIFY_STATES[(misc >> 4) & 3] : 'unknown',
      frontPanel: r.remaining > 0 ? r.u8() : undefined,
    };
  },
  decodeRequest: emptyRequest('Get Chassis Status'),
  encodeResponse(s) {
    // 'unknown' policy is 11b; an unknown identify state is "identify status not supported" (bit 6 clear).
    const policy = POLICIES.indexOf(s.restorePolicy);
    if (policy < 0) throw new IpmiProtocolError(`Get Chassis Status: power restore policy "${s.restorePolicy}" is unknown`);
    const state = IDENTIFY_STATES.indexOf(s.identify);
    if (state < 0) throw new IpmiProtocolError(`Get Chassis Status: identify state "${s.identify}" is unknown`);
    const identify = s.identify === 'unknown' ? 0 : 0x40 | (state << 4);
    const e = s.lastPowerEvent;
    const bytes = [
      (s.powerOn ? 0x01 : 0) | (s.powerOverload ? 0x02 : 0) | (s.interlock ? 0x04 : 0) | (s.powerFault ? 0x08 : 0) | (s.powerControlFault ? 0x10 : 0) | (policy << 5),
      (e.acFailed ? 0x01 : 0) | (e.overload ? 0x02 : 0) | (e.interlock ? 0x04 : 0) | (e.fault ? 0x08 : 0) | (e.commandOn ? 0x10 : 0),
      (s.intrusion ? 0x01 : 0) | (s.frontPanelLockout ? 0x02 : 0) | (s.driveFault ? 0x04 : 0) | (s.coolingFault ? 0x08 : 0) | identify,
    ];
    if (s.frontPanel !== undefined) bytes.push(s.frontPanel & 0xff);
    return Buffer.from(bytes);
  },
});

/** Chassis Control actions, table 28-4. */
export const ChassisAction = { powerDown: 0, powerUp: 1, powerCycle: 2, hardReset: 3, diagnosticInterrupt: 4, softShutdown: 5 } as const;
export type ChassisActionCode = (typeof ChassisAction)[keyof typeof ChassisAction];

export const chassisControl = defineCommand<{ action: ChassisActionCode }, void>({
  name: 'Chassis Control',
  netFn: NetFn.chassis,
  cmd: 0x02,
  encode: (req) => Buffer.from([req.action & 0x0f]),
  decode: () => undefined,
  decodeRequest(data) {
    requestLength(data, 'Chassis Control', 1);
    const action = data[0] & 0x0f;
    if (action > ChassisAction.softShutdown) throw invalidRequestField('Chassis Control', `action 0x${action.toString(16)} is not in table 28-4`);
    return { action: action as ChassisActionCode };
  },
  encodeResponse: noData,
});

/**
 * Section 28.5. Both request bytes are optional: no interval means 15 seconds, and Force Identify
 * On (byte 2 bit 0) overrides the interval. The decoded request always has both fields.
 */
export const chassisIdentify = defineCommand<{ seconds?: number; forceOn?: boolean }, void>({
  name: 'Chassis Identify',
  netFn: NetFn.chassis,
  cmd: 0x04,
  encode: (req) => {
    const clamp = (s: number) => Math.max(0, Math.min(255, s));
    return req.forceOn ? Buffer.from([clamp(req.seconds ?? 0), 0x01]) : Buffer.from([clamp(req.seconds ?? 15)]);
  },
  decode: () => undefined,
  decodeRequest(data) {
    requestLength(data, 'Chassis Identify', 0, 2);
    return { seconds: data.length >= 1 ? data[0] : 15, forceOn: data.length >= 2 && (data[1] & 0x01) !== 0 };
  },
  encodeResponse: noData,
});

/** A power restore policy a BMC can be set to (what the chassis does when mains power comes back). */
export type RestorePolicyChoice = Exclude<RestorePolicy, 'unknown'>;
export const RESTORE_POLICIES: readonly RestorePolicyChoice[] = ['always-off', 'previous', 'always-on'];

/**
 * Section 28.8, table 28-9. Request bits 2:0: 0 always off, 1 previous, 2 always on, 3 no change
 * (asks only which policies are supported). The reply is that set, as a bit mask (bit 0 always
 * off, bit 1 previous, bit 2 always on).
 */
export const setPowerRestorePolicy = defineCommand<{ policy: RestorePolicyChoice | 'no-change' }, { supported: RestorePolicyChoice[] }>({
  name: 'Set Power Restore Policy',
  netFn: NetFn.chassis,
  cmd: 0x06,
  encode: (req) => Buffer.from([req.policy === 'no-change' ? 3 : RESTORE_POLICIES.indexOf(req.policy) & 0x07]),
  decode(data) {
    const mask = new ByteReader(data, 'Set Power Restore Policy').u8();
    return { supported: RESTORE_POLICIES.filter((_, i) => (mask & (1 << i)) !== 0) };
  },
  decodeRequest(data) {
    requestLength(data, 'Set Power Restore Policy', 1);
    const v = data[0] & 0x07;
    if (v > 3) throw invalidRequestField('Set Power Restore Policy', `policy ${v} is not 0 to 3`);
    return { policy: v === 3 ? 'no-change' : RESTORE_POLICIES[v] };
  },
  encodeResponse(res) {
    let mask = 0;
    for (const p of res.supported) {
      const i = RESTORE_POLICIES.indexOf(p);
      if (i < 0) throw new IpmiProtocolError(`Set Power Restore Policy: policy "${p}" is unknown`);
      mask |= 1 << i;
    }
    return Buffer.from([mask]);
  },
});

/** Boot device selectors (boot flags parameter 5, data 2 bits 5:2). */
export const BootDevice = { none: 0x00, pxe: 0x04, disk: 0x08, safe: 0x0c, diag: 0x10, cdrom: 0x14, bios: 0x18, floppy: 0x3c } as const;
export type BootDeviceName = keyof typeof BootDevice;

export interface SetBootOptionsRequest {
  /** Boot option parameter selector, bits 6:0 (section 28.13). */
  parameter: number;
  data: Uint8Array;
  /** Byte 1 bit 7: mark the parameter invalid / locked. Clear (valid) unless asked. */
  invalid?: boolean;
}

/** Section 28.12. */
export const setSystemBootOptions = defineCommand<SetBootOptionsRequest, void>({
  name: 'Set System Boot Options',
  netFn: NetFn.chassis,
  cmd: 0x08,
  completionCodes: { 0x80: 'parameter not supported', 0x81: 'attempt to set the set in progress value when not in set complete state', 0x82: 'attempt to write read-only parameter' },
  encode: (req) => Buffer.concat([Buffer.from([(req.invalid ? 0x80 : 0) | (req.parameter & 0x7f)]), req.data]),
  decode: () => undefined,
  decodeRequest(data) {
    // Every boot option parameter has at least one data byte.
    requestLength(data, 'Set System Boot Options', 2, Infinity);
    return { parameter: data[0] & 0x7f, invalid: (data[0] & 0x80) !== 0, data: Buffer.from(data.subarray(1)) };
  },
  encodeResponse: noData,
});

/** Boot flags (parameter 5) for the next boot only: valid bit set, persistence bit clear. */
export function bootFlagsNextBoot(device: BootDeviceName, efi = false): Buffer {
  return Buffer.from([0x80 | (efi ? 0x20 : 0), BootDevice[device], 0, 0, 0]);
}
