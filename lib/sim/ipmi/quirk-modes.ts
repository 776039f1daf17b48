/**
 * The simulated BMC's quirk modes: each makes our BMC stray from the specification the way a real
 * one does (the quirk table in lib/ipmi/quirks.ts names the mode that shows each quirk), so the
 * client's handling can be tested over real UDP, and other clients (ipmitool, FreeIPMI and their
 * workaround flags) can show that the mode is what real BMCs do. Off unless asked for.
 */
import { encodeFullSensorRecord, type FullSensorSpec } from '../../ipmi/index.ts';
import type { Conversion } from '../../ipmi/index.ts';
import type { HostModel } from './host-model.ts';
import type { SimSensor } from './sensors.ts';

export interface SimQuirks {
  /** Refuse the first n session requests (Open Session status 0x01, IPMI 1.5 Activate Session 0x81), as when stale sessions hold every slot. */
  sessionsExhaustedFor?: number;
  /** Refuse Administrator to every user: in RAKP 2 ("unauthorized role"), or in Set Session Privilege Level. */
  adminPrivilegeRefused?: 'rakp2' | 'set-session-privilege';
  /** Drop a session idle this long (60 s otherwise, as the specification says). */
  idleSessionTimeoutMs?: number;
  /** Freeze (answer nothing for `freezeForMs`) when an in-session command comes sooner than this after the last answer. */
  freezesUnderMs?: number;
  /** How long a freeze lasts (2 s by default). */
  freezeForMs?: number;
  /** RAKP 2 one byte too long, as FreeIPMI's supermicro20 / sun20 workarounds expect. */
  rakp2ExtraByte?: boolean;
  /** Know a user only when RAKP 1 pads its name with NULs to 16 bytes (FreeIPMI's intel20). */
  paddedUserName?: boolean;
  /** Wrong checksums in every IPMI message the BMC sends (FreeIPMI's nochecksumcheck). */
  badChecksums?: boolean;
  /** IPMI 1.5 with per-message authentication disabled: after Activate Session, messages go unsigned. */
  v15NoPerMessageAuth?: boolean;
  /** This sensor answers Get Sensor Reading with this completion code. */
  sensorOddCode?: { sensorNumber: number; code: number };
  /** This sensor reads raw 0xFF (an absent device on the bus). */
  sensorFF?: number;
  /** A temperature sensor ("PCH Temp", number 0x40) owned by the Intel ME at 0x2C on channel 6, read through Send Message. */
  meSensorsViaBridge?: boolean;
  /** A temperature sensor ("Riser Temp", number 0x50) on LUN 1 of the BMC. */
  sensorsOnLun1?: boolean;
  /** These sensors report "scanning disabled" though their readings are good (Dell PowerEdge R610 and others). */
  scanningDisabledSensors?: number[];
  /** A discrete power-supply sensor ("Power Supply 1", 0x60) whose reading is analog watts (HP ProLiant). */
  discreteAnalogSensor?: boolean;
  /** The last SDR record names a next record that is not there, and asking for it answers 0xC3. */
  lastSdrC3?: boolean;
  /** DCMI Get Power Reading with the measurement deactivated, or active at 0 W. */
  dcmiReadingState?: 'deactivated' | 'zero';
  /** No DCMI; the SDR has a "Pwr Consumption" sensor in watts instead (as iDRACs name it). */
  noDcmiWithWattsSensor?: boolean;
}

/** The Intel ME's slave address and the channel it sits on (IPMB over SMLink on Intel boards). */
export const ME_ADDRESS = 0x2c;
export const ME_CHANNEL = 6;
export const ME_SENSOR = 0x40;
export const LUN1_SENSOR = 0x50;
export const HP_PSU_SENSOR = 0x60;
export const WATTS_SENSOR = 0x61;

const linear = (m: number, b = 0): Conversion => ({ m, b, rExp: 0, bExp: 0, format: 'unsigned', linearization: 0 });

function temperature(spec: Omit<FullSensorSpec, 'sensorType' | 'unit' | 'conversion' | 'thresholdsRaw' | 'entityInstance'>, read: (h: HostModel) => number | null): SimSensor {
  return { spec: { ...spec, entityInstance: 1, sensorType: 0x01, unit: 1, conversion: linear(1), thresholdsRaw: { unc: 85, ucr: 95, unr: 105 } }, read };
}

/** The sensors the quirk modes add to the repository. */
export function quirkSensors(q: SimQuirks): SimSensor[] {
  const out: SimSensor[] = [];
  if (q.meSensorsViaBridge) {
    out.push(temperature({ recordId: ME_SENSOR, sensorNumber: ME_SENSOR, entityId: 0x2d, name: 'PCH Temp', ownerId: ME_ADDRESS, ownerChannel: ME_CHANNEL }, (h) => (h.powerOn ? Math.round(h.temperatures().system + 12) : null)));
  }
  if (q.sensorsOnLun1) {
    out.push(temperature({ recordId: LUN1_SENSOR, sensorNumber: LUN1_SENSOR, entityId: 0x07, name: 'Riser Temp', ownerLun: 1 }, (h) => Math.round(h.temperatures().system + 3)));
  }
  if (q.discreteAnalogSensor) {
    out.push({
      spec: { recordId: HP_PSU_SENSOR, sensorNumber: HP_PSU_SENSOR, entityId: 0x0a, entityInstance: 1, sensorType: 0x08, eventReadingType: 0x6f, unit: 6, name: 'Power Supply 1', conversion: linear(2), thresholdsRaw: {} },
      read: (h) => h.power().watts,
      // Sensor-specific offset 0 of a power supply: presence detected.
      states: 0x01,
    });
  }
  if (q.noDcmiWithWattsSensor) {
    out.push({
      spec: { recordId: WATTS_SENSOR, sensorNumber: WATTS_SENSOR, entityId: 0x07, entityInstance: 1, sensorType: 0x03, unit: 6, name: 'Pwr Consumption', conversion: linear(2), thresholdsRaw: { ucr: 255 } },
      read: (h) => h.power().watts,
    });
  }
  return out;
}

/** The owner of a sensor's record: the BMC (0x20) unless the spec says another controller. */
export const ownerOf = (s: SimSensor): number => s.spec.ownerId ?? 0x20;

/** One record for a sensor (as buildRepository makes them). */
export const recordOf = (s: SimSensor): Buffer => encodeFullSensorRecord(s.spec);
