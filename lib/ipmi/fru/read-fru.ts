/**
 * Reading a FRU device over IPMI: Get FRU Inventory Area Info for the size and access unit, then
 * Read FRU Data in chunks of the common header and of each area lowpower decodes (not the whole
 * device: FRUs run to kilobytes of multi-record data nobody here reads). Many BMCs refuse reads
 * longer than their message buffer with 0xCA, 0xC7 or 0xC8; the chunk then shrinks and the read is
 * asked again. A device accessed by words is read in whole words.
 */
import type { RunCommand } from '../commands/command.ts';
import { getFruInventoryAreaInfo, type FruAreaInfo } from '../commands/get-fru-inventory-area-info.ts';
import { readFruData, type ReadFruDataResponse } from '../commands/read-fru-data.ts';
import { IpmiCompletionCodeError, IpmiError, IpmiProtocolError } from '../errors.ts';
import { retry } from '../../util/index.ts';
import { decodeFru, decodeFruHeader, FRU_HEADER_SIZE, isBlankFru, type FruInventory } from './fru-format.ts';

export interface ReadFruOptions {
  /** FRU device ID: 0 is the BMC's own (the system's) FRU. */
  deviceId?: number;
  /** First chunk size in bytes (default 24: fits every BMC's buffer we know of, halved on refusal). */
  chunk?: number;
}

/** "Ask for less": request data length invalid, field length limit exceeded, cannot return that many bytes. */
const TOO_LONG = new Set([0xc7, 0xc8, 0xca]);
/** Read FRU Data's own "FRU device busy". */
const FRU_BUSY = 0x81;
const BUSY_RETRIES = 3;
/** The first busy back-off cap, doubled for each next try. */
const BUSY_BASE_MS = 20;

/** Reads byte ranges of one FRU device into a sparse image of its full size. */
export class FruReader {
  readonly image: Buffer;
  private readonly have: Uint8Array;
  private chunk: number;
  private readonly unit: number;

  constructor(
    private readonly run: RunCommand,
    readonly info: FruAreaInfo,
    private readonly deviceId = 0,
    chunk = 24,
  ) {
    this.image = Buffer.alloc(info.size);
    this.have = new Uint8Array(info.size);
    this.unit = info.byWords ? 2 : 1;
    this.chunk = Math.max(this.unit, Math.min(255 * this.unit, chunk));
  }

  /** Bytes [offset, offset + length) of the device, clamped to its size; read once, then kept. */
  async read(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(this.info.size, offset + length);
    let pos = Math.floor(offset / this.unit) * this.unit;
    while (pos < end) {
      if (this.have[pos]) {
        pos++;
        continue;
      }
      pos += await this.fetch(pos, end);
    }
    return this.image.subarray(offset, Math.max(offset, end));
  }

  /** One Read FRU Data from `pos` (aligned to the unit) toward `end`; returns the bytes it got. */
  private async fetch(pos: number, end: number): Promise<number> {
    for (;;) {
      const want = Math.min(this.chunk, Math.ceil((end - pos) / this.unit) * this.unit, this.info.size - pos);
      const units = Math.max(1, Math.floor(want / this.unit));
      let r: ReadFruDataResponse;
      try {
        r = await retry(() => this.run(readFruData, { deviceId: this.deviceId, offset: pos / this.unit, count: units }), {
          attempts: BUSY_RETRIES + 1,
          retryOn: (e) => e instanceof IpmiCompletionCodeError && e.code === FRU_BUSY,
          baseMs: BUSY_BASE_MS,
          maxMs: BUSY_BASE_MS * 2 ** (BUSY_RETRIES - 1),
        });
      } catch (e) {
        if (e instanceof IpmiCompletionCodeError && TOO_LONG.has(e.code) && this.chunk > this.unit) {
          this.chunk = Math.max(this.unit, Math.floor(this.chunk / 2 / this.unit) * this.unit);
          continue;
        }
        throw e;
      }
      const bytes = r.count * this.unit;
      if (bytes === 0) throw new IpmiProtocolError(`Read FRU Data: device ${this.deviceId} returned no data at offset ${pos} of ${this.info.size}`);
      if (bytes > r.data.length) throw new IpmiProtocolError(`Read FRU Data: the reply counts ${bytes} bytes but carries ${r.data.length}`);
      const got = Math.min(bytes, this.info.size - pos);
      r.data.copy(this.image, pos, 0, got);
      this.have.fill(1, pos, pos + got);
      return got;
    }
  }
}

/** Size and access unit of a FRU device; undefined for an empty one. */
export async function fruAreaInfo(run: RunCommand, deviceId = 0): Promise<FruAreaInfo | undefined> {
  const info = await run(getFruInventoryAreaInfo, { deviceId });
  return info.size === 0 ? undefined : info;
}

/**
 * The chassis, board and product areas of a FRU device. Undefined when the device is empty or was
 * never written (its header all 0x00 or all 0xFF). Completion codes come out as the client's
 * errors: a BMC with no FRU device answers 0xC1 or 0xCB, which the caller decides about.
 */
export async function readFruInventory(run: RunCommand, o: ReadFruOptions = {}): Promise<FruInventory | undefined> {
  const deviceId = o.deviceId ?? 0;
  const info = await fruAreaInfo(run, deviceId);
  if (!info) return undefined;
  if (info.size < FRU_HEADER_SIZE) throw new IpmiError(`FRU device ${deviceId}: ${info.size} bytes, too small for the ${FRU_HEADER_SIZE}-byte common header`);
  const reader = new FruReader(run, info, deviceId, o.chunk);
  const header = await reader.read(0, FRU_HEADER_SIZE);
  if (isBlankFru(header)) return undefined;
  const h = decodeFruHeader(header);
  for (const offset of [h.chassis, h.board, h.product]) {
    if (!offset) continue;
    const [, eights] = await reader.read(offset, 2);
    if (eights !== undefined) await reader.read(offset, eights * 8);
  }
  return decodeFru(reader.image);
}
