/** Finding a record by its id in the SDR repository or the SEL, as both commands address them. */

/** The index of record `id` (0 the first, 0xFFFF the last, else the record whose first two bytes are its id), or -1. */
export function recordIndex<T extends { readUInt16LE(offset: number): number }>(records: T[], id: number): number {
  if (records.length === 0) return -1;
  if (id === 0) return 0;
  if (id === 0xffff) return records.length - 1;
  return records.findIndex((r) => r.readUInt16LE(0) === id);
}
