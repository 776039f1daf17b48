/** Text output of `lowpower bmc`, close to what an operator knows from ipmitool. */
import type { ChassisStatus } from '../ipmi/index.ts';
import type { DeviceId } from '../ipmi/index.ts';
import type { PowerReading } from '../ipmi/index.ts';
import type { SensorValue } from '../ipmi/index.ts';
import type { SelEvent } from '../ipmi/index.ts';
import type { LanConfig } from '../ipmi/index.ts';
import type { UserInfo } from '../ipmi/index.ts';
import type { SetupStep } from '../ipmi/index.ts';
import type { BmcIdentity } from '../ipmi/index.ts';

/** Left column padded, "Label : value" lines. */
export function fields(rows: Array<[string, string | number | boolean]>): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)} : ${v}`).join('\n') + '\n';
}

/** A "|"-separated table with padded columns. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join(' | ')).join('\n') + '\n';
}

export function formatChassisStatus(s: ChassisStatus): string {
  const last = s.lastPowerEvent;
  const lastEvent = [last.commandOn && 'command', last.fault && 'fault', last.interlock && 'interlock', last.overload && 'overload', last.acFailed && 'ac-failed']
    .filter(Boolean)
    .join(', ');
  return fields([
    ['System Power', s.powerOn ? 'on' : 'off'],
    ['Power Overload', s.powerOverload],
    ['Power Interlock', s.interlock ? 'active' : 'inactive'],
    ['Main Power Fault', s.powerFault],
    ['Power Control Fault', s.powerControlFault],
    ['Power Restore Policy', s.restorePolicy],
    ['Last Power Event', lastEvent],
    ['Chassis Intrusion', s.intrusion ? 'active' : 'inactive'],
    ['Front-Panel Lockout', s.frontPanelLockout ? 'active' : 'inactive'],
    ['Drive Fault', s.driveFault],
    ['Cooling/Fan Fault', s.coolingFault],
    ['Identify State', s.identify],
  ]);
}

export function formatDeviceId(d: DeviceId): string {
  return fields([
    ['Device ID', d.deviceId],
    ['Device Revision', d.deviceRevision],
    ['Firmware Revision', `${d.firmwareMajor}.${String(d.firmwareMinor).padStart(2, '0')}`],
    ['IPMI Version', d.ipmiVersion],
    ['Manufacturer ID', d.manufacturerId],
    ['Product ID', `${d.productId} (0x${d.productId.toString(16).padStart(4, '0')})`],
    ['Device Available', d.deviceAvailable ? 'yes' : 'no'],
    ['Provides Device SDRs', d.providesSdrs ? 'yes' : 'no'],
  ]);
}

function showValue(v: SensorValue): string {
  if (v.status === 'discrete') return `0x${(v.states ?? 0).toString(16).padStart(4, '0')}`;
  return v.value === null ? 'na' : String(v.value);
}

export function formatSensors(list: SensorValue[]): string {
  if (list.length === 0) return 'no sensors\n';
  return table(list.map((s) => [s.name, `${s.number.toString(16).padStart(2, '0')}h`, showValue(s), s.value === null ? '' : s.unit, s.status]));
}

export function formatSel(list: SelEvent[]): string {
  if (list.length === 0) return 'SEL has no entries\n';
  return table(
    list.map((e) => [
      e.recordId.toString(16).padStart(4, ' '),
      e.timestamp === null ? '' : e.preInit ? `Pre-Init ${e.timestamp.toString(16).padStart(8, '0')}` : new Date(e.timestamp * 1000).toISOString().replace('T', ' ').slice(0, 19),
      e.sensorType !== undefined ? `${e.sensorType} #0x${(e.sensorNumber ?? 0).toString(16).padStart(2, '0')}` : `record type 0x${e.recordType.toString(16)}`,
      e.description,
      e.direction === 'deassertion' ? 'Deasserted' : e.direction === 'assertion' ? 'Asserted' : '',
    ]),
  );
}

export function formatPowerReading(p: PowerReading): string {
  return fields([
    ['Instantaneous power reading', `${p.watts} Watts`],
    ['Minimum during sampling period', `${p.minWatts} Watts`],
    ['Maximum during sampling period', `${p.maxWatts} Watts`],
    ['Average power reading over sample period', `${p.averageWatts} Watts`],
    ['Sampling period', `${p.periodMs} Milliseconds`],
    ['Power reading state is', p.active ? 'activated' : 'deactivated'],
  ]);
}

const SOURCE_TEXT: Record<string, string> = {
  unspecified: 'Unspecified',
  static: 'Static Address',
  dhcp: 'DHCP Address',
  bios: 'BIOS Assigned Address',
  other: 'Other',
};

export function formatLan(l: LanConfig): string {
  return fields([
    ['Channel', l.channel],
    ['IP Address Source', SOURCE_TEXT[l.ipSource] ?? l.ipSource],
    ['IP Address', l.ipAddress],
    ['Subnet Mask', l.netmask],
    ['MAC Address', l.macAddress],
    ['Default Gateway IP', l.gatewayIp],
    ['Default Gateway MAC', l.gatewayMac ?? 'not supported'],
    ['802.1q VLAN ID', l.vlan === null ? 'Disabled' : l.vlan],
  ]);
}

export function formatUsers(users: UserInfo[]): string {
  const rows = [['ID', 'Name', 'Enabled', 'Link Auth', 'IPMI Msg', 'Privilege']];
  // Unused slots (no name, no access) are left out, as a person reading the list expects.
  for (const u of users.filter((x) => x.name || x.ipmiMessaging || x.linkAuth)) {
    rows.push([String(u.id), u.name, u.enabled === null ? '?' : u.enabled ? 'yes' : 'no', u.linkAuth ? 'on' : 'off', u.ipmiMessaging ? 'on' : 'off', u.privilegeName]);
  }
  return table(rows);
}

export function formatSetup(steps: SetupStep[]): string {
  return table(steps.map((s) => [s.result, s.what, s.detail]));
}

export function formatIdentity(id: BmcIdentity): string {
  const none = 'not reported';
  return fields([
    ['System GUID', id.guid ?? none],
    ['System GUID (as sent)', id.guidHex ?? none],
    ['Chassis Serial', id.chassisSerial ?? none],
    ['Board Serial', id.boardSerial ?? none],
    ['Product Serial', id.productSerial ?? none],
    ['Manufacturer', id.manufacturer ?? none],
    ['Product Name', id.productName ?? none],
    ['FRU', id.fru ? ['chassis', 'board', 'product'].filter((a) => a in (id.fru ?? {})).join(', ') + ' areas' : 'none'],
  ]);
}
