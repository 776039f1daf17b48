/**
 * The System Event Log over IPMI: every entry read in record order, and the log erased
 * (IPMI v2.0 sections 31.2-31.9).
 */
import type { CommandRunner } from '../command-runner.ts';
import { clearSel as clearSelCommand, getSelEntry, getSelInfo, reserveSel } from '../commands/sel.ts';
import { IpmiError } from '../errors.ts';
import { decodeSelRecord, type SelEvent } from './event.ts';

/** The record ID that asks for the first entry, and the next-record ID that ends the log. */
const FIRST_RECORD = 0x0000;
const LAST_RECORD = 0xffff;
/** Entries read beyond the count Get SEL Info gave, before a next-record chain counts as a loop. */
const GROWTH_ALLOWANCE = 16;
const ERASE_POLL_MS = 100;
const ERASE_DEADLINE_MS = 10_000;

/** Every SEL entry, decoded, in the order the BMC chains them. */
export async function readSel(bmc: CommandRunner): Promise<SelEvent[]> {
  const info = await bmc.run(getSelInfo, undefined);
  if (info.entries === 0) return [];
  const events: SelEvent[] = [];
  let recordId = FIRST_RECORD;
  while (recordId !== LAST_RECORD && events.length <= info.entries + GROWTH_ALLOWANCE) {
    // Reservation 0: a whole-record read needs none (section 31.5).
    const e = await bmc.run(getSelEntry, { reservationId: 0, recordId });
    events.push(decodeSelRecord(e.data));
    if (e.nextRecordId === recordId) break;
    recordId = e.nextRecordId;
  }
  return events;
}

/** Erase the SEL and wait until the BMC says the erasure is complete (at most 10 s). */
export async function clearSel(bmc: CommandRunner, bmcKey: string): Promise<void> {
  const { reservationId } = await bmc.run(reserveSel, undefined);
  let status = await bmc.run(clearSelCommand, { reservationId, initiate: true });
  const until = performance.now() + ERASE_DEADLINE_MS;
  while (!status.complete && performance.now() < until) {
    await new Promise((r) => setTimeout(r, ERASE_POLL_MS));
    status = await bmc.run(clearSelCommand, { reservationId, initiate: false });
  }
  if (!status.complete) throw new IpmiError(`${bmcKey}: SEL erase did not complete within 10 s`);
}
