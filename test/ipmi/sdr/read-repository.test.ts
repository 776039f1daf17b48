/**
 * Walking the SDR repository through a runner: records read in parts, reservations taken again
 * when another reader cancels ours (0xC5), within a bound, and the cache keyed by timestamps.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { clearSdrCache, readSdrRepository } from '../../../lib/ipmi/sdr/read-repository.ts';
import { getSdr, getSdrRepositoryInfo } from '../../../lib/ipmi/commands/sdr-repository.ts';
import { IpmiCompletionCodeError } from '../../../lib/ipmi/errors.ts';
import { fullSdr, GEN_SDRS_SENSORS } from './sdr-builder.ts';
import { repositoryBmc } from './scripted-repository.ts';

const records = GEN_SDRS_SENSORS.map(fullSdr);
let key = 0;
const nextKey = () => ({ key: { host: '127.0.0.1', port: 20000 + ++key } });
const read = async (k: ReturnType<typeof nextKey>, bmc: ReturnType<typeof repositoryBmc>) => (await readSdrRepository(bmc, k)).records;

beforeEach(() => clearSdrCache());

describe('readSdrRepository', () => {
  it('reads every record, in parts, and decodes them', async () => {
    const bmc = repositoryBmc({ records });
    const out = await read(nextKey(), bmc);
    expect(out.map((r) => ('name' in r ? r.name : ''))).toEqual(GEN_SDRS_SENSORS.map((s) => s.name));
    // A header read and at least one body read per record.
    expect(bmc.count(getSdr)).toBeGreaterThanOrEqual(2 * records.length);
  });

  it('a cancelled reservation is taken again and the walk goes on', async () => {
    let cancels = 0;
    const bmc = repositoryBmc({ records, refuse: (r) => (r.recordId === 3 && r.offset === 0 && cancels++ < 2 ? 0xc5 : undefined) });
    const out = await read(nextKey(), bmc);
    expect(out).toHaveLength(records.length);
    expect(cancels).toBe(3);
    // The first reservation, and one more per cancellation.
    expect(bmc.reservations).toBe(3);
  });

  it('more than 12 cancellations over one walk end it with the 0xC5 error', async () => {
    const bmc = repositoryBmc({ records, refuse: () => 0xc5 });
    const err = await read(nextKey(), bmc).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpmiCompletionCodeError);
    expect((err as IpmiCompletionCodeError).code).toBe(0xc5);
    expect(bmc.count(getSdr)).toBe(13);
    expect(bmc.reservations).toBe(13);
  });

  it('other refusals are not retried', async () => {
    const bmc = repositoryBmc({ records, refuse: () => 0xd5 });
    await expect(read(nextKey(), bmc)).rejects.toThrow(/0xd5/);
    expect(bmc.count(getSdr)).toBe(1);
  });

  it('a warm read with unchanged timestamps costs one Get SDR Repository Info; a change reads again', async () => {
    const k = nextKey();
    const script = { records, lastAddition: 1 };
    const bmc = repositoryBmc(script);
    await read(k, bmc);
    const reads = bmc.count(getSdr);
    await read(k, bmc);
    expect(bmc.count(getSdr)).toBe(reads);
    expect(bmc.count(getSdrRepositoryInfo)).toBe(2);
    script.lastAddition = 2;
    await read(k, bmc);
    expect(bmc.count(getSdr)).toBe(2 * reads);
  });
});
