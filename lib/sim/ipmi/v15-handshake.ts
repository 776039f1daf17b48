/**
 * The simulated BMC's side of the IPMI v1.5 session handshake (IPMI v2.0 sections 22.16, 22.17):
 * Get Session Challenge outside a session, then Activate Session signed with the user's password
 * (MD5). A wrong password gets silence, as real BMCs answer it.
 */
import { randomBytes } from 'node:crypto';
import { AuthType, encodeLan15, verifyLan15, type Lan15Packet } from '../../ipmi/index.ts';
import { encodeResponse, type IpmiRequest } from '../../ipmi/index.ts';
import { activateSession, getSessionChallenge } from '../../ipmi/index.ts';
import { IpmiError } from '../../ipmi/index.ts';
import type { Challenge, HandshakeContext } from './session-table.ts';

/** Get Session Challenge: a temporary session id and a random challenge for a known, enabled user asking for MD5. */
export function sessionChallenge(hs: HandshakeContext, req: IpmiRequest): Buffer {
  const { table } = hs;
  table.expire();
  let cc = 0;
  let data: Buffer = Buffer.alloc(0);
  try {
    const q = getSessionChallenge.decodeRequest?.(Buffer.from(req.data));
    const user = q ? hs.state.userByName(q.username.toString('latin1').replace(/\0+$/, '')) : undefined;
    if (!q) cc = 0xc1;
    else if (q.authType !== AuthType.md5) cc = 0xcc;
    else if (!user || !user.enabled) cc = 0x81;
    else {
      const id = table.newId();
      const challenge = randomBytes(16);
      table.challenges.set(id, { user, authType: q.authType, challenge, at: hs.now() });
      data = getSessionChallenge.encodeResponse?.({ temporarySessionId: id, challenge }) ?? data;
    }
  } catch (e) {
    if (!(e instanceof IpmiError)) throw e;
    cc = 0xc7;
  }
  return encodeLan15({ authType: AuthType.none, sequence: 0, sessionId: 0, message: encodeResponse(req, cc, data) });
}

/** Activate Session: the challenge answered under the password opens a session with a fresh id and inbound sequence. */
export function activate(hs: HandshakeContext, p: Lan15Packet, req: IpmiRequest, c: Challenge, from: string): Buffer[] {
  const { table } = hs;
  if (p.authType !== c.authType || !verifyLan15(p, c.user.password)) {
    // Wrong password: the BMC stays silent, as real ones do.
    hs.counters.authFailures++;
    return hs.drop();
  }
  const q = activateSession.decodeRequest?.(Buffer.from(req.data));
  if (!q || !q.challenge.equals(c.challenge)) return hs.drop();
  table.challenges.delete(p.sessionId);
  const answer = (cc: number, data: Buffer = Buffer.alloc(0)): Buffer[] => [
    encodeLan15({ authType: c.authType, sequence: 0, sessionId: p.sessionId, message: encodeResponse(req, cc, data), password: c.user.password }),
  ];
  const modes = hs.state.quirks;
  if (table.full || hs.state.sessionRefusalsLeft > 0) {
    if (!table.full) hs.state.sessionRefusalsLeft--;
    hs.counters.sessionsRefused++;
    return answer(0x81);
  }
  const max = Math.min(q.privilege, c.user.privilege, hs.state.channelAccess.privilegeLimit);
  if (q.privilege > c.user.privilege || (modes.adminPrivilegeRefused === 'rakp2' && q.privilege > 3)) return answer(0x86);
  // v15NoPerMessageAuth: the rest of the session goes unsigned, as this answer says (auth type none).
  const perMessageAuth = !modes.v15NoPerMessageAuth;
  const bmcId = table.newId();
  const inbound = randomBytes(4).readUInt32LE(0) || 1;
  table.sessions.set(bmcId, {
    kind: '1.5',
    bmcId,
    from,
    user: c.user,
    authType: c.authType,
    active: true,
    perMessageAuth,
    maxPrivilege: max,
    privilege: Math.min(max, 2),
    lastActivity: hs.now(),
    outSeq: q.initialOutboundSequence,
    highestIn: inbound - 1,
    seenIn: new Set(),
    cache: new Map(),
  });
  const data = activateSession.encodeResponse?.({ authType: perMessageAuth ? c.authType : AuthType.none, sessionId: bmcId, initialInboundSequence: inbound, maxPrivilege: max }) ?? Buffer.alloc(0);
  return answer(0, data);
}
