/**
 * The LAN configuration parameters a simulated BMC answers and accepts on channel 1: what
 * ipmitool's `lan print` reads, and the address settings a person may change.
 */
import { Privilege } from '../../../ipmi/index.ts';
import { getLanConfig, LanParam, setLanConfig } from '../../../ipmi/index.ts';
import { Completion, serve, type HandlerContext, type HandlerEntry } from './handler.ts';

function lanParameter(ctx: HandlerContext, parameter: number): Buffer {
  const l = ctx.state.lan;
  switch (parameter) {
    case LanParam.setInProgress:
      return Buffer.from([l.setInProgress]);
    case LanParam.authTypeSupport:
      return Buffer.from([0x04]);
    case LanParam.authTypeEnables:
      return Buffer.from([0x04, 0x04, 0x04, 0x04, 0x00]);
    case LanParam.ipAddress:
      return l.ip;
    case LanParam.ipSource:
      return Buffer.from([l.ipSource]);
    case LanParam.macAddress:
      return l.mac;
    case LanParam.subnetMask:
      return l.netmask;
    case 7: // IPv4 header parameters: TTL, flags, precedence / type of service
      return Buffer.from([0x40, 0x40, 0x10]);
    case LanParam.arpControl:
      return Buffer.from([0x02]);
    case 11: // gratuitous ARP interval
      return Buffer.from([0x00]);
    case LanParam.defaultGatewayIp:
      return l.gatewayIp;
    case LanParam.defaultGatewayMac:
      return l.gatewayMac;
    case 14: // backup gateway
      return Buffer.from([0, 0, 0, 0]);
    case 15:
      return Buffer.alloc(6);
    case 16: // community string
      return Buffer.concat([Buffer.from('public'), Buffer.alloc(12)]);
    case LanParam.vlanId:
      return Buffer.from([0x00, 0x00]);
    case 21: // VLAN priority
      return Buffer.from([0x00]);
    case LanParam.cipherSuiteCount:
      return Buffer.from([ctx.engine.suites.length]);
    case LanParam.cipherSuites:
      return Buffer.from([0x00, ...ctx.engine.suites]);
    case 24: // cipher suite privilege levels: administrator for every entry
      return Buffer.from([0x00, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44]);
    default:
      throw new Completion(0x80);
  }
}

const getParameter = serve(getLanConfig, Privilege.operator, (req, ctx) => {
  if (req.channel !== 1 && req.channel !== 0x0e) throw new Completion(0xcc);
  return { revision: 0x11, data: lanParameter(ctx, req.parameter) };
});

const setParameter = serve(setLanConfig, Privilege.administrator, (req, ctx) => {
  if (req.channel !== 1 && req.channel !== 0x0e) throw new Completion(0xcc);
  const l = ctx.state.lan;
  const d = Buffer.from(req.data);
  const need = (n: number): void => {
    if (d.length < n) throw new Completion(0xc7);
  };
  switch (req.parameter) {
    case LanParam.setInProgress: {
      need(1);
      const v = d[0] & 0x03;
      if (v === 1 && l.setInProgress === 1) throw new Completion(0x81);
      if (v === 0 || v === 1) l.setInProgress = v;
      return;
    }
    case LanParam.ipAddress:
      need(4);
      l.ip = d.subarray(0, 4);
      return;
    case LanParam.ipSource:
      need(1);
      if ((d[0] & 0x0f) > 4) throw new Completion(0xcc);
      l.ipSource = d[0] & 0x0f;
      return;
    case LanParam.subnetMask:
      need(4);
      l.netmask = d.subarray(0, 4);
      return;
    case LanParam.defaultGatewayIp:
      need(4);
      l.gatewayIp = d.subarray(0, 4);
      return;
    case LanParam.defaultGatewayMac:
      need(6);
      l.gatewayMac = d.subarray(0, 6);
      return;
    case LanParam.macAddress:
    case LanParam.authTypeSupport:
    case LanParam.cipherSuiteCount:
    case LanParam.cipherSuites:
      throw new Completion(0x82);
    default:
      throw new Completion(0x80);
  }
});

export const LAN_CONFIG_HANDLERS: readonly HandlerEntry[] = [getParameter, setParameter];
