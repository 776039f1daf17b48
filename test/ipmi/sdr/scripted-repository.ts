/** An SDR repository served by a ScriptedBmc: records as bytes, read in parts as Get SDR asks. */
import { getSdr, getSdrRepositoryInfo, reserveSdrRepository, SDR_LAST_RECORD } from '../../../lib/ipmi/commands/sdr-repository.ts';
import { Refuse, ScriptedBmc } from '../scripted-bmc.ts';

export interface RepositoryScript {
  /** Records by position; record N (1-based) has ID N. */
  records: Buffer[];
  /** Changes the repository's timestamps: a cached copy is then stale. */
  lastAddition?: number;
  /** Answers Get SDR with this completion code when it returns one (called before each read). */
  refuse?: (read: { reservationId: number; recordId: number; offset: number; length: number }) => number | undefined;
}

export function repositoryBmc(s: RepositoryScript): ScriptedBmc & { reservations: number } {
  let reservation = 0;
  const bmc = new ScriptedBmc()
    .on(getSdrRepositoryInfo, () => ({ version: '1.5', recordCount: s.records.length, freeSpace: 0, lastAddition: s.lastAddition ?? 1, lastErase: 0, operationSupport: 0x02 }))
    .on(reserveSdrRepository, () => ({ reservationId: ++reservation }))
    .on(getSdr, (r) => {
      const code = s.refuse?.(r);
      if (code !== undefined) throw new Refuse(code);
      const index = r.recordId === 0 ? 0 : r.recordId - 1;
      const bytes = s.records[index];
      if (!bytes) throw new Refuse(0xcb);
      // The records carry their own ID in the header, as the BMC numbers them.
      const record = Buffer.from(bytes);
      record.writeUInt16LE(index + 1, 0);
      const end = r.length === 0xff ? record.length : Math.min(record.length, r.offset + r.length);
      return { nextRecordId: index + 1 < s.records.length ? index + 2 : SDR_LAST_RECORD, data: record.subarray(r.offset, end) };
    });
  return Object.defineProperty(bmc, 'reservations', { get: () => reservation }) as ScriptedBmc & { reservations: number };
}
