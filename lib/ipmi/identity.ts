/**
 * Who a BMC says its machine is: the System GUID and the serials and names of its FRU. lowpower
 * compares them with what XAPI reports of the host (bios_strings) before it cuts power through
 * that BMC, so that a BMC address pointing at the wrong machine never powers off a host by
 * mistake. A BMC without FRU data, or without Get System GUID, gives what it has: absence is a
 * fact for the binding logic to judge, not an error here. Timeouts and other failures propagate.
 */
import type { RunCommand } from './commands/command.ts';
import { getSystemGuid } from './commands/get-system-guid.ts';
import { IpmiCompletionCodeError, NOT_SUPPORTED_CODES } from './errors.ts';
import { canonicalGuid } from './guid.ts';
import { readFruInventory } from './fru/read-fru.ts';
import { getFruInventoryAreaInfo } from './commands/get-fru-inventory-area-info.ts';
import type { FruInventory } from './fru/fru-format.ts';
import type { FruField } from './fru/type-length.ts';

export interface BmcIdentity {
  /** Canonical System GUID (see guid.ts), lowercase 8-4-4-4-12. */
  guid?: string;
  /** The 16 GUID bytes as the BMC sent them, in hex. */
  guidHex?: string;
  chassisSerial?: string;
  boardSerial?: string;
  productSerial?: string;
  /** Product manufacturer, else board manufacturer. */
  manufacturer?: string;
  /** Product name, else board product name. */
  productName?: string;
  /** The decoded FRU areas. */
  fru?: FruInventory;
}

/** "Requested data not present": a FRU device that is not there. */
const NOT_PRESENT = 0xcb;
/** "Invalid data field": to Get FRU Inventory Area Info, whose one field is the device id, no such device (OpenIPMI answers so). */
const INVALID_FIELD = 0xcc;

const absent = (e: unknown): boolean => e instanceof IpmiCompletionCodeError && (NOT_SUPPORTED_CODES.has(e.code) || e.code === NOT_PRESENT);
const noFruDevice = (e: unknown): boolean => absent(e) || (e instanceof IpmiCompletionCodeError && e.code === INVALID_FIELD && e.command === getFruInventoryAreaInfo.name);

/** A field's text without the padding BMCs leave (spaces, NULs); undefined when nothing is left. */
export function fruFieldText(f: FruField | undefined): string | undefined {
  const t = f?.value.replace(/[\s\u0000]+$/u, '').replace(/^[\s\u0000]+/u, '');
  return t ? t : undefined;
}

/** The identity fields of decoded FRU areas. */
export function identityFromFru(fru: FruInventory): Omit<BmcIdentity, 'guid' | 'guidHex'> {
  const fields = {
    chassisSerial: fruFieldText(fru.chassis?.serialNumber),
    boardSerial: fruFieldText(fru.board?.serialNumber),
    productSerial: fruFieldText(fru.product?.serialNumber),
    manufacturer: fruFieldText(fru.product?.manufacturer) ?? fruFieldText(fru.board?.manufacturer),
    productName: fruFieldText(fru.product?.productName) ?? fruFieldText(fru.board?.productName),
    fru,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** Reads the GUID and the FRU of device 0 through `run`. */
export async function readBmcIdentity(run: RunCommand): Promise<BmcIdentity> {
  const id: BmcIdentity = {};
  try {
    const { guid } = await run(getSystemGuid, undefined);
    id.guid = canonicalGuid(guid);
    id.guidHex = guid.toString('hex');
  } catch (e) {
    if (!absent(e)) throw e;
  }
  let fru: FruInventory | undefined;
  try {
    fru = await readFruInventory(run);
  } catch (e) {
    if (!noFruDevice(e)) throw e;
  }
  return fru ? { ...id, ...identityFromFru(fru) } : id;
}
