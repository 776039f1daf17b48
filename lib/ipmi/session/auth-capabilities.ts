/**
 * Get Channel Authentication Capabilities before any session exists, as IPMI v1.5 with auth type
 * none: the first message of both handshakes (RMCP+ and IPMI v1.5).
 */
import { AuthType, decodeLan15, encodeLan15 } from '../codec/lan15.ts';
import { decodeRmcpHeader, RMCP_CLASS_IPMI } from '../codec/rmcp.ts';
import { encodeRequest, NetFn, type IpmiResponse } from '../codec/ipmi-message.ts';
import { completionCodeName } from '../codec/completion-codes.ts';
import { getChannelAuthCapabilities, type ChannelAuthCapabilities } from '../commands/get-channel-auth-capabilities.ts';
import { exchange, type Peer } from '../transport/exchange.ts';
import { IpmiCompletionCodeError } from '../errors.ts';
import { answerIn, type HostQuirkView } from './session.ts';

/** Decode an out-of-session IPMI v1.5 reply (used for Get Channel Authentication Capabilities). */
export function acceptPlainResponse(packet: Buffer, netFn: number, cmd: number, rqSeq: number, hq: HostQuirkView): IpmiResponse | undefined {
  const h = decodeRmcpHeader(packet);
  if (h.messageClass !== RMCP_CLASS_IPMI || packet[4] === AuthType.rmcpPlus) return undefined;
  const p = decodeLan15(packet);
  if (p.sessionId !== 0) return undefined;
  return answerIn(p.message, hq, netFn, cmd, rqSeq, {});
}

/** Get Channel Authentication Capabilities, before any session, as IPMI v1.5 with auth type none. */
export async function probeAuthCapabilities(peer: Peer, privilege: number, v2: boolean, timeoutMs: number, retries: number, hq: HostQuirkView): Promise<ChannelAuthCapabilities> {
  // A handshake-time request, sent once: any number will do, a random one avoids old answers.
  const rqSeq = Math.floor(Math.random() * 64);
  const data = getChannelAuthCapabilities.encode({ privilege, v2 });
  const rsp = await exchange(peer, {
    what: 'Get Channel Authentication Capabilities',
    timeoutMs,
    retries,
    build: () =>
      encodeLan15({ authType: AuthType.none, sequence: 0, sessionId: 0, message: encodeRequest({ netFn: NetFn.app, cmd: getChannelAuthCapabilities.cmd, data, rqSeq }) }),
    accept: (packet) => acceptPlainResponse(packet, NetFn.app, getChannelAuthCapabilities.cmd, rqSeq, hq),
  });
  if (rsp.completionCode !== 0) {
    throw new IpmiCompletionCodeError(getChannelAuthCapabilities.name, rsp.completionCode, completionCodeName(rsp.completionCode), peer.host);
  }
  return getChannelAuthCapabilities.decode(rsp.data);
}
