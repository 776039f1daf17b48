/**
 * IPMI v1.5 session commands: Get Session Challenge (0x39), Activate Session (0x3A),
 * IPMI v2.0 sections 22.16 and 22.17.
 */
import { defineCommand, requestLength, trimTrailingZeros } from './command.ts';
import { ByteReader, fixedField, u32le } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';

/** The user name goes in a 16-byte zero-padded field; the BMC side gives it back without the padding. */
export const getSessionChallenge = defineCommand<{ authType: number; username: Buffer }, { temporarySessionId: number; challenge: Buffer }>({
  name: 'Get Session Challenge',
  netFn: NetFn.app,
  cmd: 0x39,
  completionCodes: { 0x81: 'invalid user name', 0x82: 'null user name not enabled' },
  encode: (req) => Buffer.concat([Buffer.from([req.authType & 0x0f]), fixedField(req.username, 16, 'user name')]),
  decode(data) {
    const r = new ByteReader(data, 'Get Session Challenge');
    return { temporarySessionId: r.u32(), challenge: r.bytes(16) };
  },
  decodeRequest(data) {
    requestLength(data, 'Get Session Challenge', 17);
    return { authType: data[0] & 0x0f, username: trimTrailingZeros(data.subarray(1, 17)) };
  },
  encodeResponse(res) {
    if (res.challenge.length !== 16) throw new IpmiProtocolError(`Get Session Challenge: the challenge is ${res.challenge.length} bytes, not 16`);
    return Buffer.concat([Buffer.from(u32le(res.temporarySessionId)), res.challenge]);
  },
});

export interface ActivateSessionRequest {
  authType: number;
  privilege: number;
  challenge: Buffer;
  initialOutboundSequence: number;
}

export interface ActivatedSession {
  authType: number;
  sessionId: number;
  initialInboundSequence: number;
  maxPrivilege: number;
}

export const activateSession = defineCommand<ActivateSessionRequest, ActivatedSession>({
  name: 'Activate Session',
  netFn: NetFn.app,
  cmd: 0x3a,
  completionCodes: {
    0x81: 'no session slot available',
    0x82: 'no slot available for given user',
    0x83: 'no slot available to support user due to maximum privilege capability',
    0x84: 'session sequence number out of range',
    0x85: 'invalid session ID in request',
    0x86: 'requested maximum privilege level exceeds user and/or channel privilege limit',
  },
  encode: (req) =>
    Buffer.concat([
      Buffer.from([req.authType & 0x0f, req.privilege & 0x0f]),
      fixedField(req.challenge, 16, 'challenge'),
      Buffer.from(u32le(req.initialOutboundSequence)),
    ]),
  decode(data) {
    const r = new ByteReader(data, 'Activate Session');
    return { authType: r.u8() & 0x0f, sessionId: r.u32(), initialInboundSequence: r.u32(), maxPrivilege: r.u8() & 0x0f };
  },
  decodeRequest(data) {
    requestLength(data, 'Activate Session', 22);
    const r = new ByteReader(data, 'Activate Session request');
    return { authType: r.u8() & 0x0f, privilege: r.u8() & 0x0f, challenge: r.bytes(16), initialOutboundSequence: r.u32() };
  },
  encodeResponse: (s) =>
    Buffer.from([s.authType & 0x0f, ...u32le(s.sessionId), ...u32le(s.initialInboundSequence), s.maxPrivilege & 0x0f]),
});
