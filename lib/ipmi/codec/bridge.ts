/**
 * Bridging a request to another controller behind the BMC (IPMI v2.0 section 6.13 and 22.7, Send
 * Message with tracking): the request for the target (an Intel ME at 0x2C on channel 6, say) is
 * wrapped in a Send Message to the BMC. The BMC answers the Send Message at once, then forwards
 * the target's answer as a message of its own; some BMCs put that answer inside the Send Message
 * reply instead. Both directions, so the simulator uses the same code.
 */
import { BMC_SLAVE_ADDRESS, checksum, decodeResponse, encodeRequest, NetFn, type DecodeResponseOptions, type IpmiRequest, type IpmiResponse } from './ipmi-message.ts';

export const SEND_MESSAGE_CMD = 0x34;
/** Send Message channel byte, bits 7:6 = 01b: track the request and route the answer back to us. */
const TRACK_REQUEST = 0x40;

/** Where a bridged request goes: the target's IPMB address and the channel it sits on. */
export interface BridgeTarget {
  channel: number;
  address: number;
}

/** The outer request: Send Message to the BMC carrying the request for the target, both with one rqSeq. */
export function encodeBridgedRequest(target: BridgeTarget, req: { netFn: number; cmd: number; data: Uint8Array; rqSeq: number; rsLun?: number }): Buffer {
  // The inner requester is the BMC itself: the target answers the BMC, which routes the answer back to us.
  const inner = encodeRequest({ rsAddr: target.address, netFn: req.netFn, rsLun: req.rsLun, rqAddr: BMC_SLAVE_ADDRESS, rqSeq: req.rqSeq, cmd: req.cmd, data: req.data });
  const data = Buffer.concat([Buffer.from([TRACK_REQUEST | (target.channel & 0x0f)]), inner]);
  return encodeRequest({ netFn: NetFn.app, cmd: SEND_MESSAGE_CMD, data, rqSeq: req.rqSeq });
}

export type BridgedAnswer =
  /** The target's answer (forwarded as a message of its own, or inside the Send Message reply). */
  | { kind: 'answer'; response: IpmiResponse }
  /** The BMC took the Send Message: the answer follows in another message. */
  | { kind: 'accepted' }
  /** The BMC could not deliver it (NAK, bus error...): the Send Message's completion code. */
  | { kind: 'refused'; response: IpmiResponse };

/**
 * Reads one response in a session as part of a bridged exchange; undefined when it is not ours.
 * `o` passes decodeResponse options (checksums) down to the embedded answer.
 */
export function readBridged(rsp: IpmiResponse, netFn: number, cmd: number, rqSeq: number, o: DecodeResponseOptions = {}): BridgedAnswer | undefined {
  if (rsp.rqSeq !== rqSeq) return undefined;
  if (rsp.netFn === (NetFn.app | 1) && rsp.cmd === SEND_MESSAGE_CMD) {
    if (rsp.completionCode !== 0) return { kind: 'refused', response: rsp };
    if (rsp.data.length < 8) return { kind: 'accepted' };
    const embedded = decodeResponse(rsp.data, o);
    return embedded.netFn === (netFn | 1) && embedded.cmd === cmd ? { kind: 'answer', response: embedded } : undefined;
  }
  return rsp.netFn === (netFn | 1) && rsp.cmd === cmd ? { kind: 'answer', response: rsp } : undefined;
}

/** The BMC side: the channel byte and the inner request of a Send Message. */
export function decodeSendMessage(data: Uint8Array): { channel: number; track: boolean; inner: Buffer } {
  return { channel: data[0] & 0x0f, track: (data[0] & 0xc0) === TRACK_REQUEST, inner: Buffer.from(data.subarray(1)) };
}

/**
 * The BMC side: the target's answer as the BMC forwards it to the console: addressed to the
 * console (the outer request's requester), from the target, with the console's rqSeq.
 */
export function forwardedAnswer(outer: IpmiRequest, inner: IpmiRequest, completionCode: number, data: Uint8Array): Buffer {
  const out = Buffer.alloc(8 + data.length);
  out[0] = outer.rqAddr ?? 0x81;
  out[1] = ((inner.netFn | 1) & 0x3f) << 2;
  out[2] = checksum(out, 0, 2);
  out[3] = inner.rsAddr ?? BMC_SLAVE_ADDRESS;
  out[4] = ((outer.rqSeq & 0x3f) << 2) | ((inner.rsLun ?? 0) & 3);
  out[5] = inner.cmd;
  out[6] = completionCode;
  out.set(data, 7);
  out[out.length - 1] = checksum(out, 3, out.length - 1);
  return out;
}
