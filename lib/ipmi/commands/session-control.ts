/** Set Session Privilege Level (App 0x3B) and Close Session (App 0x3C), IPMI v2.0 sections 22.18, 22.19. */
import { defineCommand, noData, requestLength } from './command.ts';
import { ByteReader, u32le } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

/** Privilege 0 asks for no change: the reply names the present level. */
export const setSessionPrivilegeLevel = defineCommand<{ privilege: number }, { privilege: number }>({
  name: 'Set Session Privilege Level',
  netFn: NetFn.app,
  cmd: 0x3b,
  completionCodes: {
    0x80: 'requested level not available for this user',
    0x81: 'requested level exceeds channel and/or user privilege limit',
    0x82: 'cannot disable user level authentication',
  },
  encode: (req) => Buffer.from([req.privilege & 0x0f]),
  decode: (data) => ({ privilege: new ByteReader(data, 'Set Session Privilege Level').u8() & 0x0f }),
  decodeRequest(data) {
    requestLength(data, 'Set Session Privilege Level', 1);
    return { privilege: data[0] & 0x0f };
  },
  encodeResponse: (res) => Buffer.from([res.privilege & 0x0f]),
});

/** Session ID 0 with a session handle (byte 5) closes a session by its handle. */
export const closeSession = defineCommand<{ sessionId: number; sessionHandle?: number }, void>({
  name: 'Close Session',
  netFn: NetFn.app,
  cmd: 0x3c,
  completionCodes: { 0x87: 'invalid session ID in request', 0x88: 'invalid session handle in request' },
  encode: (req) => Buffer.from(req.sessionHandle === undefined ? u32le(req.sessionId) : [...u32le(req.sessionId), req.sessionHandle & 0xff]),
  decode: () => undefined,
  decodeRequest(data) {
    requestLength(data, 'Close Session', 4, 5);
    const r = new ByteReader(data, 'Close Session request');
    const sessionId = r.u32();
    return data.length === 5 ? { sessionId, sessionHandle: r.u8() } : { sessionId };
  },
  encodeResponse: noData,
});
