/**
 * lib/ipmi: a native IPMI-over-LAN client (RMCP+ with cipher suites 3 and 17, IPMI v1.5 MD5).
 * The public face: open a BMC, ask it things, close it.
 */
export { openBmc, pingBmc, Bmc, type BmcOptions, type PrivilegeLevel, type SensorQuery, type CommandRunner, type RunOptions } from './client.ts';
export {
  IpmiError,
  IpmiTimeoutError,
  IpmiAuthError,
  IpmiCompletionCodeError,
  IpmiNotSupportedError,
  IpmiProtocolError,
  IpmiInsecureError,
  IpmiSessionsExhaustedError,
  IpmiPrivilegeRefusedError,
  IpmiUserNameRefusedError,
  IpmiPasswordTooLongError,
  IpmiChecksumError,
} from './errors.ts';
export { QUIRK_TABLE, DEFAULT_QUIRKS, MANUFACTURER, quirkOn, withoutQuirks, type QuirkId, type QuirkEntry, type QuirkSelection, type BmcQuirks } from './quirks.ts';
export { HostQuirkMemory, learnedQuirks, type LearnedQuirks, type DeviceProfile } from './host-quirks.ts';
export {
  MemorySdrCache,
  LayeredSdrCache,
  processSdrCache,
  sdrCacheId,
  packRecords,
  unpackRecords,
  entryIsCurrent,
  type SdrCache,
  type SdrCacheKey,
  type SdrCacheEntry,
  type SdrStamp,
} from './sdr/sdr-cache.ts';
export type { PowerDraw } from './power-draw.ts';
export type { PowerAction, PowerResult } from './power.ts';
export type { SensorValue, SensorStatus } from './sdr/sensor-value.ts';
export type { SelEvent } from './sel/event.ts';
export type { LanConfig, LanConfigChange } from './lan.ts';
export type { UserInfo, UserChange } from './users.ts';
export type { ChassisStatus, BootDeviceName, RestorePolicy, RestorePolicyChoice } from './commands/chassis.ts';
export { RESTORE_POLICIES } from './commands/chassis.ts';
export { readBmcIdentity, identityFromFru, type BmcIdentity } from './identity.ts';
export { canonicalGuid, guidMatches, guidDecodings, normalizeGuidText, type GuidByteOrder } from './guid.ts';
export { decodeFru, encodeFru, type FruInventory, type FruChassisArea, type FruBoardArea, type FruProductArea } from './fru/fru-format.ts';
export type { FruField, FruEncoding } from './fru/type-length.ts';
export type { DeviceId } from './commands/get-device-id.ts';
export type { PowerReading } from './commands/dcmi-power-reading.ts';
export { setupBmc, type SetupSpec, type SetupStep } from './setup.ts';
export { UdpTransport } from './transport/udp-transport.ts';
