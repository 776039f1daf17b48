/**
 * The power port of operations: everything lib/ops needs from a host's BMC, whatever protocol
 * reaches it: the power state (on, off, or unknown, with when it was seen), one power command
 * never repeated here, watts, sensors with thresholds, the event log, the identity for the binding,
 * and the restore policy. Drivers (lib/drivers): IPMI, Redfish, XAPI for
 * hosts without a usable BMC; by-protocol.ts picks one per host.
 */
import type { BmcIdentityRecord, BmcProtocol, Host } from '../store/index.ts';

export type HostPowerAction = 'on' | 'off' | 'soft' | 'cycle';

/** What a driver needs of a host to reach its BMC (a host being added has no version yet). */
export type BmcHost = Pick<Host, 'poolId' | 'hostId' | 'bmcAddress' | 'bmcPort' | 'bmcUser' | 'secretRef' | 'cipherSuite' | 'bmcProtocol' | 'bmcScheme' | 'tlsPin' | 'redfishNoEtag'>;

/** A host's power as a driver saw it. `unknown` is never turned into a guess. */
export interface PowerStatus {
  power: 'on' | 'off' | 'unknown';
  observedAt: string;
  source: BmcProtocol;
  /** True when the state is not the BMC's own word (XAPI's `live` for hosts without a BMC). */
  inferred: boolean;
  /** Why the state is unknown, or what it was inferred from. */
  detail?: string;
}

/** One sensor with its thresholds, the same shape over every protocol. */
export interface SensorView {
  name: string;
  type: string;
  value: number | null;
  unit: string;
  status: string;
  thresholds: Partial<Record<'lnr' | 'lcr' | 'lnc' | 'unc' | 'ucr' | 'unr', number>>;
}

/** One event log entry, the same shape over every protocol. */
export interface SelView {
  id: number;
  /** ISO time, or null when the BMC gave none (or a time since its own start). */
  timestamp: string | null;
  sensor: string | null;
  event: string;
  direction: 'assertion' | 'deassertion' | null;
}

export interface PowerDriver {
  /** On or off as the BMC says now; throws when it cannot say (never a guess). */
  readPower(host: Host): Promise<'on' | 'off'>;
  /** The power state with when it was seen; unknown (with why) instead of throwing. */
  status(host: Host): Promise<PowerStatus>;
  /** Exactly one power command: never repeated here, whatever happens to its answer. */
  sendOnce(host: Host, action: HostPowerAction): Promise<void>;
  /** The host's power draw, or null when the BMC cannot tell (never a made-up 0). */
  readWatts(host: Host): Promise<number | null>;
  /** Every sensor the BMC reports, with thresholds. */
  sensors(host: Host): Promise<SensorView[]>;
  /** The BMC's event log, oldest first. */
  eventLog(host: Host): Promise<SelView[]>;
  /** The BMC's identity (GUID / UUID, serials), read afresh. */
  identity(host: BmcHost): Promise<BmcIdentityRecord>;
  /** The BMC's GUID as it answers now (canonical), or undefined when it has none: the check before a cut. */
  guid(host: Host): Promise<string | undefined>;
  /** Chassis power restore policy after a power-feed outage. */
  setRestorePolicy(host: Host, policy: 'previous' | 'always-off'): Promise<void>;
  close(): Promise<void>;
}
