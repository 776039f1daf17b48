/**
 * lib/fleet: many BMCs at once. The inventory file (shared with the BMC simulator) and the sweep
 * that reads power, temperatures and draw from every BMC in it.
 */
export { readInventory, writeInventory, validateInventory, InventoryError, type InventoryEntry, type FleetHost } from './inventory.ts';
export {
  sweepFleet,
  readHost,
  readBmc,
  mapBounded,
  hottestOf,
  toTemperatures,
  summarise,
  errorText,
  DEFAULT_CONCURRENCY,
  type SweepOptions,
  type SweepResult,
  type HostResult,
  type HostReading,
  type HostFailure,
  type BmcReader,
  type Temperature,
} from './sweep.ts';
