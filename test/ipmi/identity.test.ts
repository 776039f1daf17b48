/**
 * readBmcIdentity with BMCs that lack parts of it: no FRU device (0xC1, 0xCB), an empty or blank
 * FRU, no Get System GUID. Absence gives what is there; real failures (a timeout, a corrupt area)
 * still fail. The BMC here is a table of answers built with the command modules' own encoders.
 */
import { describe, expect, it } from 'vitest';
import type { IpmiCommand, RunCommand } from '../../lib/ipmi/commands/command.ts';
import { getSystemGuid } from '../../lib/ipmi/commands/get-system-guid.ts';
import { getFruInventoryAreaInfo } from '../../lib/ipmi/commands/get-fru-inventory-area-info.ts';
import { readFruData } from '../../lib/ipmi/commands/read-fru-data.ts';
import { encodeFru } from '../../lib/ipmi/fru/fru-format.ts';
import { fruText } from '../../lib/ipmi/fru/type-length.ts';
import { fruFieldText, readBmcIdentity } from '../../lib/ipmi/identity.ts';
import { IpmiCompletionCodeError, IpmiNotSupportedError, IpmiProtocolError, IpmiTimeoutError } from '../../lib/ipmi/errors.ts';

const GUID = Buffer.from('01332ce805030c9ad341894fe004253f', 'hex'); // 3f2504e0-4f89-41d3-9a0c-0305e82c3301 in IPMI order

interface FakeBmc {
  guid?: Buffer | number | Error;
  fruInfo?: { size: number; byWords: boolean } | number;
  image?: Buffer;
  /** Answer Read FRU Data with this code once. */
  busyOnce?: number;
}

function fake(b: FakeBmc): { run: RunCommand; reads: number } {
  const state = { reads: 0, busy: b.busyOnce };
  const fail = (c: IpmiCommand<unknown, unknown>, code: number): never => {
    throw code === 0xc1 ? new IpmiNotSupportedError(c.name, code, 'invalid command') : new IpmiCompletionCodeError(c.name, code, 'x');
  };
  const run = (async (c: IpmiCommand<unknown, unknown>, req: unknown) => {
    if (c === getSystemGuid) {
      if (b.guid instanceof Error) throw b.guid;
      if (typeof b.guid === 'number' || b.guid === undefined) return fail(c, typeof b.guid === 'number' ? b.guid : 0xc1);
      return c.decode(getSystemGuid.encodeResponse({ guid: b.guid }));
    }
    if (c === getFruInventoryAreaInfo) {
      if (typeof b.fruInfo === 'number') return fail(c, b.fruInfo);
      const info = b.fruInfo ?? { size: b.image?.length ?? 0, byWords: false };
      return c.decode(getFruInventoryAreaInfo.encodeResponse(info));
    }
    if (c === readFruData) {
      state.reads++;
      if (state.busy) {
        const code = state.busy;
        state.busy = undefined;
        return fail(c, code);
      }
      const r = req as { offset: number; count: number };
      const data = (b.image ?? Buffer.alloc(0)).subarray(r.offset, r.offset + r.count);
      return c.decode(readFruData.encodeResponse({ count: data.length, data }));
    }
    return fail(c, 0xc1);
  }) as RunCommand;
  return {
    run,
    get reads() {
      return state.reads;
    },
  };
}

const IMAGE = encodeFru({
  board: { language: 0, serialNumber: fruText('  BRD-1  '), manufacturer: fruText('Acme'), productName: fruText('Board X'), custom: [] },
  product: { language: 0, serialNumber: { encoding: 'latin1', value: 'PRD-1\u0000\u0000' }, productName: fruText('Server X'), custom: [] },
});

describe('readBmcIdentity', () => {
  it('a BMC with everything: GUID (canonical and raw), trimmed serials, product name before board name', async () => {
    const id = await readBmcIdentity(fake({ guid: GUID, image: IMAGE }).run);
    expect(id).toMatchObject({
      guid: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
      guidHex: GUID.toString('hex'),
      boardSerial: 'BRD-1',
      productSerial: 'PRD-1',
      manufacturer: 'Acme',
      productName: 'Server X',
    });
    expect(id.chassisSerial).toBeUndefined();
    expect(Object.keys(id)).not.toContain('chassisSerial');
    expect(id.fru?.board?.serialNumber?.value).toBe('  BRD-1  ');
  });

  for (const code of [0xc1, 0xcb, 0xcc]) {
    it(`no FRU device (completion code 0x${code.toString(16)}): the GUID alone`, async () => {
      expect(await readBmcIdentity(fake({ guid: GUID, fruInfo: code }).run)).toEqual({ guid: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', guidHex: GUID.toString('hex') });
    });
  }

  it('an empty FRU area (size 0) or a blank one (all 0xFF): the GUID alone', async () => {
    expect(await readBmcIdentity(fake({ guid: GUID, fruInfo: { size: 0, byWords: false } }).run)).toEqual({ guid: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', guidHex: GUID.toString('hex') });
    const f = fake({ guid: GUID, image: Buffer.alloc(256, 0xff) });
    expect(await readBmcIdentity(f.run)).toEqual({ guid: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', guidHex: GUID.toString('hex') });
    expect(f.reads).toBe(1); // only the header was read
  });

  it('no Get System GUID (0xC1): the serials without a guid', async () => {
    const id = await readBmcIdentity(fake({ guid: 0xc1, image: IMAGE }).run);
    expect(id.guid).toBeUndefined();
    expect(id.guidHex).toBeUndefined();
    expect(id).toMatchObject({ boardSerial: 'BRD-1', productSerial: 'PRD-1' });
  });

  it('a timeout is not absence: it propagates', async () => {
    const timeout = new IpmiTimeoutError('127.0.0.1', 623, 4, 'Get System GUID', 2000);
    await expect(readBmcIdentity(fake({ guid: timeout, image: IMAGE }).run)).rejects.toBe(timeout);
  });

  it('another completion code is not absence either, nor 0xCC to Get System GUID', async () => {
    await expect(readBmcIdentity(fake({ guid: GUID, fruInfo: 0xd4 }).run)).rejects.toMatchObject({ code: 0xd4 });
    await expect(readBmcIdentity(fake({ guid: 0xcc, image: IMAGE }).run)).rejects.toMatchObject({ code: 0xcc });
  });

  it('a corrupt area fails with the area named, rather than binding on part of the FRU', async () => {
    const bad = Buffer.from(IMAGE);
    bad[bad.length - 1] ^= 0xff;
    const e = await readBmcIdentity(fake({ guid: GUID, image: bad }).run).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpmiProtocolError);
    expect((e as Error).message).toMatch(/FRU product info area: checksum/);
  });

  it('a FRU device busy (0x81) answer is asked again', async () => {
    const f = fake({ guid: GUID, image: IMAGE, busyOnce: 0x81 });
    expect((await readBmcIdentity(f.run)).productSerial).toBe('PRD-1');
  });

  it('fruFieldText trims spaces and NULs and treats nothing left as absent', () => {
    expect(fruFieldText({ encoding: 'latin1', value: ' a b \u0000' })).toBe('a b');
    expect(fruFieldText({ encoding: 'latin1', value: '  ' })).toBeUndefined();
    expect(fruFieldText(undefined)).toBeUndefined();
  });
});
