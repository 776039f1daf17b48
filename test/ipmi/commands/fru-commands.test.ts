/** Get FRU Inventory Area Info (Storage 0x10) and Read FRU Data (Storage 0x11), both halves. */
import { describe, expect, it } from 'vitest';
import { getFruInventoryAreaInfo } from '../../../lib/ipmi/commands/get-fru-inventory-area-info.ts';
import { readFruData } from '../../../lib/ipmi/commands/read-fru-data.ts';
import { completionCodeName } from '../../../lib/ipmi/codec/completion-codes.ts';
import { expectShortRepliesRefused } from './expect-protocol-error.ts';
import { expectLongRequestRefused, expectRequestRoundTrip, expectResponseRoundTrip, expectShortRequestsRefused } from './server-side-helpers.ts';

describe('Get FRU Inventory Area Info (Storage 0x10)', () => {
  it('is Storage command 0x10 with the FRU device id', () => {
    expect([getFruInventoryAreaInfo.netFn, getFruInventoryAreaInfo.cmd]).toEqual([0x0a, 0x10]);
    expectRequestRoundTrip(getFruInventoryAreaInfo, { deviceId: 0 }, [0x00]);
    expectRequestRoundTrip(getFruInventoryAreaInfo, { deviceId: 3 }, [0x03]);
  });

  it('decodes size LS first and the access bit', () => {
    expect(getFruInventoryAreaInfo.decode(Buffer.from([0x00, 0x04, 0x00]))).toEqual({ size: 1024, byWords: false });
    expect(getFruInventoryAreaInfo.decode(Buffer.from([0x18, 0x01, 0x01]))).toEqual({ size: 0x118, byWords: true });
    // Reserved bits 7:1 of byte 3 are ignored.
    expect(getFruInventoryAreaInfo.decode(Buffer.from([0x08, 0x00, 0xfe]))).toEqual({ size: 8, byWords: false });
    expectShortRepliesRefused((b) => getFruInventoryAreaInfo.decode(b), Buffer.from([0x00, 0x04, 0x00]), 3);
  });

  it('BMC side: refuses a missing or extra byte, answers size and access', () => {
    expectShortRequestsRefused(getFruInventoryAreaInfo, Buffer.from([0]));
    expectLongRequestRefused(getFruInventoryAreaInfo, Buffer.from([0]));
    expectResponseRoundTrip(getFruInventoryAreaInfo, { size: 0xabcd, byWords: true }, [0xcd, 0xab, 0x01]);
    expectResponseRoundTrip(getFruInventoryAreaInfo, { size: 0, byWords: false }, [0, 0, 0]);
  });
});

describe('Read FRU Data (Storage 0x11)', () => {
  it('is Storage command 0x11: device, offset LS first, count', () => {
    expect([readFruData.netFn, readFruData.cmd]).toEqual([0x0a, 0x11]);
    expectRequestRoundTrip(readFruData, { deviceId: 0, offset: 0x0123, count: 24 }, [0x00, 0x23, 0x01, 24]);
    expectRequestRoundTrip(readFruData, { deviceId: 1, offset: 0xffff, count: 255 }, [0x01, 0xff, 0xff, 0xff]);
  });

  it('decodes the count returned and the data after it', () => {
    expect(readFruData.decode(Buffer.from([3, 0xa, 0xb, 0xc]))).toEqual({ count: 3, data: Buffer.from([0xa, 0xb, 0xc]) });
    expect(readFruData.decode(Buffer.from([0]))).toEqual({ count: 0, data: Buffer.alloc(0) });
    expectShortRepliesRefused((b) => readFruData.decode(b), Buffer.from([0]), 1);
  });

  it('names 0x81 as FRU device busy', () => {
    expect(completionCodeName(0x81, readFruData.completionCodes)).toBe('FRU device busy');
  });

  it('BMC side: 4 request bytes exactly; the reply is the count and the data', () => {
    expectShortRequestsRefused(readFruData, Buffer.from([0, 0, 0, 8]));
    expectLongRequestRefused(readFruData, Buffer.from([0, 0, 0, 8]));
    expectResponseRoundTrip(readFruData, { count: 2, data: Buffer.from([0x01, 0x02]) }, [0x02, 0x01, 0x02]);
  });
});
