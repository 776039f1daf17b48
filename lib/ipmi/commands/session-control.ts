/** Set Session Privilege Level (App 0x3B) and Close Session (App 0x3C), IPMI v2.0 sections 22.18, 22.19. */
import { defineCommand } from './command.ts';
import { ByteReader, u32le } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

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
});

export const closeSession = defineCommand<{ sessionId: number }, void>({
  name: 'Close Session',
  netFn: NetFn.app,
  cmd: 0x3c,
  completionCodes: { 0x87: 'invalid session ID in request', 0x88: 'invalid session handle in request' },
  encode: (req) => Buffer.from(u32le(req.sessionId)),
  decode: () => undefined,
});
