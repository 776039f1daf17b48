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
export { ipLiteralLookup } from './transport/ip-literal-lookup.ts';
export { POWER_ACTIONS } from './power.ts';
export { BootDevice, ChassisAction, chassisControl, chassisIdentify, getChassisStatus, setPowerRestorePolicy, setSystemBootOptions } from './commands/chassis.ts';
export { IpmiRequestError, Privilege, type IpmiCommand } from './commands/command.ts';
export { LanParam, getLanConfig, setLanConfig, type IpSource } from './commands/lan-config.ts';
export { getSystemGuid } from './commands/get-system-guid.ts';
export { encodeSystemEvent } from './sel/event.ts';
export { THRESHOLD_BITS, encodeFullSensorRecord, type FullSensorSpec, type ThresholdName } from './sdr/records.ts';
export { rawToX, type Conversion } from './sdr/linearize.ts';
export { RMCP_CLASS_ASF, RMCP_CLASS_IPMI, decodeAsfPing, decodeRmcpHeader, encodeAsfPong } from './codec/rmcp.ts';
export { AuthType, decodeLan15, encodeLan15, verifyLan15, type Lan15Packet } from './codec/lan15.ts';
export { PayloadType, decodeLanPlus, encodeLanPlus, peekLanPlus, type SessionCrypto } from './codec/lanplus.ts';
export { NetFn, decodeRequest, encodeResponse, type IpmiRequest } from './codec/ipmi-message.ts';
export { activateSession, getSessionChallenge } from './commands/session-v15.ts';
export { RQSEQ_REUSE_MS, requestKey } from './session/session.ts';
export { getDeviceId } from './commands/get-device-id.ts';
export { getChannelAuthCapabilities } from './commands/get-channel-auth-capabilities.ts';
export { encodeCipherSuiteRecords, getChannelCipherSuites } from './commands/get-channel-cipher-suites.ts';
export { CIPHER_SUITES, cipherSuiteByAlgorithms, type CipherSuite } from './crypto/cipher-suites.ts';
export { closeSession, setSessionPrivilegeLevel } from './commands/session-control.ts';
export { IPMI_FORUM_IANA, getChannelInfo } from './commands/get-channel-info.ts';
export { getSessionInfo } from './commands/get-session-info.ts';
export { getSystemBootOptions } from './commands/get-system-boot-options.ts';
export { dcmiGetPowerReading } from './commands/dcmi-power-reading.ts';
export { DCMI_CONFORMANCE, dcmiGetCapabilities, encodeDcmiManageabilityAccess, encodeDcmiMandatoryAttributes, encodeDcmiOptionalAttributes, encodeDcmiSupportedCapabilities } from './commands/dcmi-capabilities.ts';
export { getFruInventoryAreaInfo } from './commands/get-fru-inventory-area-info.ts';
export { readFruData } from './commands/read-fru-data.ts';
export { getSensorReading } from './commands/get-sensor-reading.ts';
export { getSensorThresholds } from './commands/get-sensor-thresholds.ts';
export { getSdr, getSdrRepositoryInfo, reserveSdrRepository } from './commands/sdr-repository.ts';
export { clearSel, getSelEntry, getSelInfo, reserveSel } from './commands/sel.ts';
export { getSelTime } from './commands/get-sel-time.ts';
export { UserPasswordOperation, getChannelAccess, getUserAccess, getUserName, setChannelAccess, setUserAccess, setUserName, setUserPassword } from './commands/users.ts';
export { fruText } from './fru/type-length.ts';
export { guidWireBytes } from './guid.ts';
export { decodeOpenSessionRequest, decodeRakp1, decodeRakp3, encodeOpenSessionResponse, encodeRakp2, encodeRakp4 } from './codec/rakp.ts';
export { deriveKeys, rakp2AuthCode, rakp3AuthCode, rakp4CheckValue, sessionIntegrityKey, type RakpExchange } from './crypto/rakp-keys.ts';
export { SEND_MESSAGE_CMD, decodeSendMessage, forwardedAnswer } from './codec/bridge.ts';
export { type SensorReadingRaw } from './commands/get-sensor-reading.ts';
