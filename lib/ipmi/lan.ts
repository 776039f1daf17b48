/**
 * A BMC's LAN channel settings as one record, read and written through the LAN configuration
 * parameters; and the channel's access settings, written to both of their copies.
 */
import type { RunCommand } from './commands/command.ts';
import { setChannelAccess, type ChannelAccess } from './commands/users.ts';
import {
  decodeIPv4,
  decodeIpSource,
  decodeMac,
  decodeVlan,
  encodeIPv4,
  encodeIpSource,
  encodeMac,
  encodeNetmask,
  getLanConfig,
  LanParam,
  setLanConfig,
  type IpSource,
} from './commands/lan-config.ts';
import { IpmiCompletionCodeError } from './errors.ts';

export interface LanConfig {
  channel: number;
  ipSource: IpSource;
  ipAddress: string;
  netmask: string;
  macAddress: string;
  gatewayIp: string;
  gatewayMac: string | null;
  /** VLAN ID, null when disabled or not supported. */
  vlan: number | null;
}

export interface LanConfigChange {
  ipSource?: IpSource;
  ipAddress?: string;
  netmask?: string;
  gatewayIp?: string;
  gatewayMac?: string;
}

async function param(run: RunCommand, channel: number, parameter: number): Promise<Buffer | null> {
  try {
    return (await run(getLanConfig, { channel, parameter })).data;
  } catch (e) {
    // 0x80: "parameter not supported" is an answer, not a failure of the whole read.
    if (e instanceof IpmiCompletionCodeError && (e.code === 0x80 || e.notSupported)) return null;
    throw e;
  }
}

export async function readLanConfig(run: RunCommand, channel: number): Promise<LanConfig> {
  const need = async (p: number): Promise<Buffer> => {
    const d = await param(run, channel, p);
    if (!d) throw new IpmiCompletionCodeError(`Get LAN Configuration Parameters (${p})`, 0x80, 'parameter not supported');
    return d;
  };
  const ipSource = decodeIpSource(await need(LanParam.ipSource));
  const ipAddress = decodeIPv4(await need(LanParam.ipAddress));
  const netmask = decodeIPv4(await need(LanParam.subnetMask), 'netmask');
  const macAddress = decodeMac(await need(LanParam.macAddress));
  const gatewayIp = decodeIPv4(await need(LanParam.defaultGatewayIp), 'gateway');
  const gwMac = await param(run, channel, LanParam.defaultGatewayMac);
  const vlan = await param(run, channel, LanParam.vlanId);
  return {
    channel,
    ipSource,
    ipAddress,
    netmask,
    macAddress,
    gatewayIp,
    gatewayMac: gwMac ? decodeMac(gwMac, 'gateway MAC') : null,
    vlan: vlan && vlan.length >= 2 ? decodeVlan(vlan) : null,
  };
}

/**
 * Encode every value first, so a bad one (a typo in an address) changes nothing on the BMC.
 * The address source goes first: some BMCs refuse a static address while DHCP is on.
 */
export async function writeLanConfig(run: RunCommand, channel: number, c: LanConfigChange): Promise<void> {
  const writes: Array<[number, Buffer]> = [];
  if (c.ipSource !== undefined) writes.push([LanParam.ipSource, encodeIpSource(c.ipSource)]);
  if (c.ipAddress !== undefined) writes.push([LanParam.ipAddress, encodeIPv4(c.ipAddress)]);
  if (c.netmask !== undefined) writes.push([LanParam.subnetMask, encodeNetmask(c.netmask)]);
  if (c.gatewayIp !== undefined) writes.push([LanParam.defaultGatewayIp, encodeIPv4(c.gatewayIp, 'gateway')]);
  if (c.gatewayMac !== undefined) writes.push([LanParam.defaultGatewayMac, encodeMac(c.gatewayMac, 'gateway MAC')]);
  if (writes.length === 0) return;
  // Set In Progress: lock, write, commit, unlock (section 23.1). BMCs such as OpenIPMI's apply
  // the new values only on commit; a BMC without the parameter just takes the writes.
  const setInProgress = async (value: number): Promise<void> => {
    try {
      await run(setLanConfig, { channel, parameter: LanParam.setInProgress, data: Buffer.from([value]) });
    } catch (e) {
      if (!(e instanceof IpmiCompletionCodeError && (e.code === 0x80 || e.code === 0x81 || e.notSupported))) throw e;
    }
  };
  await setInProgress(SET_IN_PROGRESS);
  try {
    for (const [parameter, data] of writes) await run(setLanConfig, { channel, parameter, data });
    await setInProgress(COMMIT_WRITE);
  } finally {
    await setInProgress(SET_COMPLETE);
  }
}

const SET_COMPLETE = 0;
const SET_IN_PROGRESS = 1;
const COMMIT_WRITE = 2;

/**
 * Channel access, both copies: the non-volatile one (what the BMC starts with) first, then the
 * volatile one (what it uses now), so the change holds now and after a BMC restart.
 */
export async function writeChannelAccess(run: RunCommand, channel: number, access: ChannelAccess): Promise<void> {
  await run(setChannelAccess, { channel, access, volatile: false });
  await run(setChannelAccess, { channel, access, volatile: true });
}
