/**
 * The application commands (netFn App) a simulated BMC answers: Get Device ID, the discovery
 * commands a console sends before any session (channel authentication capabilities, cipher
 * suites), the session's own commands, channel info, the System GUID and session info.
 */
import { Privilege } from '../../../ipmi/index.ts';
import { getDeviceId } from '../../../ipmi/index.ts';
import { getChannelAuthCapabilities } from '../../../ipmi/index.ts';
import { encodeCipherSuiteRecords, getChannelCipherSuites } from '../../../ipmi/index.ts';
import { CIPHER_SUITES } from '../../../ipmi/index.ts';
import { closeSession, setSessionPrivilegeLevel } from '../../../ipmi/index.ts';
import { getChannelInfo, IPMI_FORUM_IANA } from '../../../ipmi/index.ts';
import { getSystemGuid } from '../../../ipmi/index.ts';
import { getSessionInfo } from '../../../ipmi/index.ts';
import { Completion, OUT_OF_SESSION, serve, type HandlerEntry, type SessionView } from './handler.ts';

const deviceId = serve(getDeviceId, Privilege.user, (_req, ctx) => ({
  deviceId: 0x20,
  deviceRevision: 1,
  providesSdrs: false,
  firmwareMajor: 1,
  firmwareMinor: 42,
  deviceAvailable: true,
  ipmiVersion: '2.0',
  additionalSupport: 0xaf, // chassis, event generator, SEL, SDR repository, FRU inventory, sensors
  manufacturerId: ctx.state.o.manufacturerId ?? 0,
  productId: ctx.state.o.productId ?? 0x10ad,
  auxFirmware: Buffer.from([0, 0, 0, 0]),
}));

const channelAuthCapabilities = serve(getChannelAuthCapabilities, OUT_OF_SESSION, (req, ctx) => {
  const v2 = req.v2 ?? false;
  return {
    channel: 1,
    authTypes: { none: false, md2: false, md5: true, password: false, oem: false },
    extendedCapabilities: v2,
    kgSet: false,
    perMessageAuthDisabled: !!ctx.state.quirks.v15NoPerMessageAuth,
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

const channelCipherSuites = serve(getChannelCipherSuites, OUT_OF_SESSION, (req, ctx) => {
  const records = encodeCipherSuiteRecords(
    ctx.engine.suites.map((id) => {
      const s = CIPHER_SUITES[id];
      return { id, auth: [s.auth], integrity: [s.integrity], confidentiality: [s.confidentiality] };
    }),
  );
  return { channel: 1, data: records.subarray(req.index * 16, req.index * 16 + 16) };
});

const sessionPrivilegeLevel = serve(setSessionPrivilegeLevel, Privilege.user, (req, ctx) => {
  const s = ctx.session as SessionView;
  if (req.privilege === 0) return { privilege: s.privilege };
  if (req.privilege > s.maxPrivilege) throw new Completion(0x81);
  // The adminPrivilegeRefused mode: Administrator granted in the handshake, refused here.
  if (req.privilege > Privilege.operator && ctx.state.quirks.adminPrivilegeRefused === 'set-session-privilege') throw new Completion(0x81);
  s.setPrivilege(req.privilege);
  return { privilege: req.privilege };
});

const sessionClose = serve(closeSession, Privilege.callback, (req, ctx) => {
  if (!(ctx.session as SessionView).close(req.sessionId)) throw new Completion(0x87);
});

const channelInfo = serve(getChannelInfo, Privilege.user, (req, ctx) => {
  const ch = req.channel === undefined || req.channel === 0x0e ? 1 : req.channel;
  if (ch !== 1) throw new Completion(0xcc);
  return { channel: 1, medium: 0x04, protocol: 0x01, sessionSupport: 'multi-session', activeSessions: ctx.engine.activeSessions, vendorId: IPMI_FORUM_IANA, auxInfo: [0, 0] };
});

const systemGuid = serve(getSystemGuid, Privilege.user, (_req, ctx) => ({ guid: ctx.state.guid }));

const sessionInfo = serve(getSessionInfo, Privilege.user, (req, ctx) => {
  const s = ctx.session as SessionView;
  const base = { handle: 1, slots: ctx.engine.sessionSlots, activeSessions: ctx.engine.activeSessions };
  // Index 0 (this session) is what clients ask; other lookups report no details.
  if ('index' in req && (req.index ?? 0) !== 0) return { ...base, handle: 0 };
  return { ...base, session: { userId: s.userId, privilege: s.privilege, channel: 1, protocolAux: s.kind === '2.0' ? 1 : 0 } };
});

export const APP_HANDLERS: readonly HandlerEntry[] = [deviceId, channelAuthCapabilities, channelCipherSuites, sessionPrivilegeLevel, sessionClose, channelInfo, systemGuid, sessionInfo];
