/**
 * The PowerDriver port over IPMI (lib/ipmi): one session per BMC for the life of the process (two
 * callers at once share it); the password comes from the Secrets port and goes nowhere else.
 */
import { openBmc, type Bmc } from '../ipmi/index.ts';
import type { SdrCache } from '../ipmi/index.ts';
import { chassisControl, ChassisAction, getChassisStatus } from '../ipmi/index.ts';
import { getSystemGuid } from '../ipmi/index.ts';
import { canonicalGuid } from '../ipmi/index.ts';
import { IpmiNotSupportedError } from '../ipmi/index.ts';
import type { BmcIdentityRecord, Host } from '../store/index.ts';
import type { Secrets } from '../store/index.ts';
import type { BmcHost, HostPowerAction, PowerDriver, PowerStatus, SelView, SensorView } from '../ops/index.ts';

const CODE = { on: ChassisAction.powerUp, off: ChassisAction.powerDown, soft: ChassisAction.softShutdown, cycle: ChassisAction.powerCycle } as const;

export interface IpmiDriverOptions {
  timeoutMs?: number;
  retries?: number;
  /** Where the BMCs' SDR records are kept between reads (the store's, in a Lambda); this process's memory by default. */
  sdrCache?: SdrCache;
}

/** A BMC handle for a host of the store, its password read through the Secrets port. */
export async function openHostBmc(host: Pick<Host, 'bmcAddress' | 'bmcPort' | 'bmcUser' | 'secretRef' | 'cipherSuite'>, secrets: Secrets, o: IpmiDriverOptions = {}): Promise<Bmc> {
  return openBmc({ host: host.bmcAddress, port: host.bmcPort, username: host.bmcUser, password: await secrets.get(host.secretRef), cipherSuite: host.cipherSuite, timeoutMs: o.timeoutMs, retries: o.retries, sdrCache: o.sdrCache });
}

export class IpmiPowerDriver implements PowerDriver {
  private readonly handles = new Map<string, Promise<Bmc>>();

  constructor(
    private readonly secrets: Secrets,
    private readonly o: IpmiDriverOptions = {},
  ) {}

  private bmc(host: BmcHost): Promise<Bmc> {
    // The BMC's address and credentials are part of the key: a changed address is a new BMC.
    const key = `${host.poolId}/${host.hostId}@${host.bmcAddress}:${host.bmcPort}/${host.bmcUser}/${host.secretRef}/${host.cipherSuite}`;
    let b = this.handles.get(key);
    if (!b) {
      // The promise is kept, not the handle: two calls at once share one session.
      b = openHostBmc(host, this.secrets, this.o);
      this.handles.set(key, b);
      b.catch(() => this.handles.delete(key));
    }
    return b;
  }

  async readPower(host: Host): Promise<'on' | 'off'> {
    return (await (await this.bmc(host)).run(getChassisStatus, undefined)).powerOn ? 'on' : 'off';
  }

  async status(host: Host): Promise<PowerStatus> {
    try {
      const power = await this.readPower(host);
      return { power, observedAt: new Date().toISOString(), source: 'ipmi', inferred: false };
    } catch (e) {
      return { power: 'unknown', observedAt: new Date().toISOString(), source: 'ipmi', inferred: false, detail: e instanceof Error ? e.message : String(e) };
    }
  }

  async sensors(host: Host): Promise<SensorView[]> {
    const b = await this.bmc(host);
    const [values, records] = await Promise.all([b.sensors(), b.sensorRecords()]);
    const byNumber = new Map(records.map((r) => [r.sensorNumber, r]));
    return values.map((v) => ({ name: v.name, type: v.type, value: v.value, unit: v.unit, status: v.status, thresholds: byNumber.get(v.number)?.thresholds ?? {} }));
  }

  async eventLog(host: Host): Promise<SelView[]> {
    return (await (await this.bmc(host)).sel()).map((e) => ({
      id: e.recordId,
      timestamp: e.timestamp !== null && !e.preInit ? new Date(e.timestamp * 1000).toISOString() : null,
      sensor: e.sensorType ?? null,
      event: e.description,
      direction: e.direction ?? null,
    }));
  }

  async sendOnce(host: Host, action: HostPowerAction): Promise<void> {
    await (await this.bmc(host)).run(chassisControl, { action: CODE[action] }, { once: true });
  }

  /** The draw as powerDraw reads it: a deactivated meter or 0 W over DCMI is no reading (null), and the SDR's watts sensors stand in for DCMI. */
  async readWatts(host: Host): Promise<number | null> {
    try {
      return (await (await this.bmc(host)).powerDraw()).watts;
    } catch {
      return null;
    }
  }

  async identity(host: BmcHost): Promise<BmcIdentityRecord> {
    const bmc = await openHostBmc(host, this.secrets, this.o);
    try {
      const id = await bmc.identity();
      return { protocol: 'ipmi', guid: id.guid, productSerial: id.productSerial, chassisSerial: id.chassisSerial, boardSerial: id.boardSerial };
    } finally {
      await bmc.close().catch(() => undefined);
    }
  }

  async guid(host: Host): Promise<string | undefined> {
    try {
      return canonicalGuid((await (await this.bmc(host)).run(getSystemGuid, undefined)).guid);
    } catch (e) {
      if (e instanceof IpmiNotSupportedError) return undefined;
      throw e;
    }
  }

  async setRestorePolicy(host: Host, policy: 'previous' | 'always-off'): Promise<void> {
    await (await this.bmc(host)).setPowerRestorePolicy(policy);
  }

  async close(): Promise<void> {
    await Promise.all([...this.handles.values()].map(async (b) => (await b).close()));
    this.handles.clear();
  }
}
