/**
 * Live reads from a host's BMC for the API and Slack: sensors with their thresholds, and the event
 * log, through the power port, whatever protocol the host's BMC speaks.
 */
import type { PowerDriver, SelView, SensorView } from './power-driver.ts';
import type { Host } from '../store/index.ts';

export type { SensorView, SelView } from './power-driver.ts';

export interface BmcReads {
  sensors(host: Host): Promise<SensorView[]>;
  sel(host: Host): Promise<SelView[]>;
}

/** Live reads through the power port. */
export function driverBmcReads(driver: Pick<PowerDriver, 'sensors' | 'eventLog'>): BmcReads {
  return { sensors: (host) => driver.sensors(host), sel: (host) => driver.eventLog(host) };
}
