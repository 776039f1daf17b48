/**
 * The PowerDriver port over Redfish (lib/redfish). One handle per BMC for the life of the process
 * (its session, its queue, its pinned certificate); the password comes from the Secrets port. A
 * certificate seen for the first time is pinned and stored with the host (trust on first use); a
 * host with a pin refuses any other certificate until an admin accepts the new one.
 */
import { RedfishHosts, RedfishStateError, type RedfishBmc, type SensorView as RedfishSensorView } from '../redfish/index.ts';
import { normalizeGuidText } from '../ipmi/index.ts';
import type { Secrets } from '../store/index.ts';
import type { BmcIdentityRecord, Host } from '../store/index.ts';
import type { BmcHost, HostPowerAction, PowerDriver, PowerStatus, SelView, SensorView } from '../ops/index.ts';

export interface RedfishDriverOptions {
  /** Deadline of one exchange (default 10 s). */
  timeoutMs?: number;
  /** How long a cycle without PowerCycle waits for the off before the on (default 60 s). */
  cycleConfirmMs?: number;
  /** Between two state reads (default 1 s). */
  pollMs?: number;
  /**
   * How long a reset answered with a task is followed (default 30 s). The step that sent it reads
   * the chassis itself: a task still running then is left to that read, not waited for.
   */
  taskTimeoutMs?: number;
  /** Told when a host's certificate was pinned on first use, to store it with the host. */
  onPinned?: (host: BmcHost, fingerprint256: string) => Promise<void> | void;
  /** A PEM bundle of CAs for hosts whose trust is `ca`. */
  caBundle?: string;
}

const sensorView = (s: RedfishSensorView): SensorView => ({ name: s.name, type: s.type, value: s.value, unit: s.unit, status: s.status, thresholds: s.thresholds });

export class RedfishPowerDriver implements PowerDriver {
  private readonly hosts = new RedfishHosts();

  constructor(
    private readonly secrets: Secrets,
    private readonly o: RedfishDriverOptions = {},
  ) {}

  private async bmc(host: BmcHost): Promise<RedfishBmc> {
    const pin = host.tlsPin?.fingerprint256;
    const useCa = host.tlsPin?.ca === true;
    return this.hosts.get({
      host: host.bmcAddress,
      port: host.bmcPort,
      protocol: host.bmcScheme ?? 'https',
      username: host.bmcUser,
      password: await this.secrets.get(host.secretRef),
      timeoutMs: this.o.timeoutMs,
      useEtag: host.redfishNoEtag !== true,
      tls: useCa
        ? { ca: this.o.caBundle }
        : {
            fingerprint: pin,
            onFirstUse: pin === undefined && this.o.onPinned ? (fp) => void Promise.resolve(this.o.onPinned?.(host, fp)).catch(() => undefined) : undefined,
          },
      power: { pollMs: this.o.pollMs },
    });
  }

  async status(host: Host): Promise<PowerStatus> {
    try {
      const s = await (await this.bmc(host)).powerState();
      return { power: s.power, observedAt: s.observedAt, source: 'redfish', inferred: false, detail: s.power === 'unknown' ? `PowerState ${s.raw ?? 'not reported'}` : undefined };
    } catch (e) {
      return { power: 'unknown', observedAt: new Date().toISOString(), source: 'redfish', inferred: false, detail: e instanceof Error ? e.message : String(e) };
    }
  }

  async readPower(host: Host): Promise<'on' | 'off'> {
    const s = await (await this.bmc(host)).powerState();
    // PoweringOn, PoweringOff or no state: not a guess in either direction.
    if (s.power === 'unknown') throw new RedfishStateError(`${host.hostId}: the BMC reports PowerState ${s.raw ?? 'nothing'}`);
    return s.power;
  }

  /**
   * The reset that carries out `action`, posted once (a lost answer is never posted again). The
   * state is read first: an on for a host that is on sends nothing. A cycle on a BMC without
   * PowerCycle is ForceOff, the off confirmed, then On, inside this call.
   */
  async sendOnce(host: Host, action: HostPowerAction): Promise<void> {
    const bmc = await this.bmc(host);
    await bmc.power(action, { confirmTimeoutMs: action === 'cycle' ? (this.o.cycleConfirmMs ?? 60_000) : 0, softWaitMs: 0, pollMs: this.o.pollMs, taskTimeoutMs: this.o.taskTimeoutMs ?? 30_000 });
  }

  async readWatts(host: Host): Promise<number | null> {
    try {
      return (await (await this.bmc(host)).watts()).watts;
    } catch {
      return null;
    }
  }

  async sensors(host: Host): Promise<SensorView[]> {
    return (await (await this.bmc(host)).sensors()).map(sensorView);
  }

  async eventLog(host: Host): Promise<SelView[]> {
    return (await (await this.bmc(host)).eventLog()).entries;
  }

  async identity(host: BmcHost): Promise<BmcIdentityRecord> {
    const id = await (await this.bmc(host)).identity();
    return { protocol: 'redfish', guid: id.uuid ? (normalizeGuidText(id.uuid) ?? id.uuid) : undefined, productSerial: id.systemSerial ?? id.serialNumber, chassisSerial: id.chassisSerial };
  }

  async guid(host: Host): Promise<string | undefined> {
    const id = await (await this.bmc(host)).identity();
    return id.uuid ? (normalizeGuidText(id.uuid) ?? id.uuid) : undefined;
  }

  async setRestorePolicy(host: Host, policy: 'previous' | 'always-off'): Promise<void> {
    await (await this.bmc(host)).setRestorePolicy(policy);
  }

  /** The certificate a host's BMC presents now (for an admin to accept it). */
  async certificate(host: BmcHost): Promise<string | undefined> {
    const bmc = await this.bmc(host);
    await bmc.client.serviceRoot().catch(() => undefined);
    return bmc.certificateFingerprint;
  }

  async close(): Promise<void> {
    await this.hosts.close();
  }
}
