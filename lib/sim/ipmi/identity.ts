/**
 * Who a simulated BMC says its machine is: serials and a System GUID derived from a name, so that
 * the local runner can put the same serials into the simulated XAPI host's bios_strings and the
 * demo pool binds. The FRU image a simulated BMC serves is built from it here.
 */
import { createHash } from 'node:crypto';
import { encodeFru } from '../../ipmi/index.ts';
import { fruText } from '../../ipmi/index.ts';
import { guidWireBytes } from '../../ipmi/index.ts';

export interface SimIdentity {
  productSerial: string;
  boardSerial: string;
  chassisSerial: string;
  /** The 16 GUID bytes as the BMC sends them (IPMI order: least significant byte first). */
  guid: Buffer;
}

export const SIM_MANUFACTURER = 'lowpower-sim';
export const SIM_PRODUCT_NAME = 'lowpower simulated host';

/**
 * The identity of the simulated machine `name`: product serial `LPSIM-<name>`, board serial
 * `LPSIMB-<name>`, chassis serial `LPSIMC-<name>`, and a version 4 UUID from a hash of the name,
 * sent in IPMI byte order. The same name always gives the same identity.
 */
export function simIdentityFor(name: string): SimIdentity {
  const network = createHash('sha256').update(`lowpower-sim-guid:${name}`).digest().subarray(0, 16);
  network[6] = (network[6] & 0x0f) | 0x40; // version 4
  network[8] = (network[8] & 0x3f) | 0x80; // variant 10xx
  return { productSerial: `LPSIM-${name}`, boardSerial: `LPSIMB-${name}`, chassisSerial: `LPSIMC-${name}`, guid: guidWireBytes(network, 'ipmi') };
}

/** The FRU image (device 0) of a simulated machine: chassis, board and product areas. */
export function simFruImage(id: SimIdentity): Buffer {
  return encodeFru({
    chassis: { type: 23, typeName: 'Rack Mount Chassis', partNumber: fruText('LPSIM-CH-1U'), serialNumber: fruText(id.chassisSerial), custom: [] },
    board: {
      language: 0,
      manufactured: '2024-01-15T08:30:00.000Z',
      manufacturer: fruText(SIM_MANUFACTURER),
      productName: fruText('lowpower simulated board'),
      serialNumber: fruText(id.boardSerial),
      partNumber: fruText('LPSIM-MB-01'),
      fruFileId: fruText('sim-fru-1'),
      custom: [],
    },
    product: {
      language: 0,
      manufacturer: fruText(SIM_MANUFACTURER),
      productName: fruText(SIM_PRODUCT_NAME),
      partNumber: fruText('LPSIM-1U'),
      version: fruText('1.0'),
      serialNumber: fruText(id.productSerial),
      assetTag: fruText('lowpower'),
      fruFileId: fruText('sim-fru-1'),
      custom: [],
    },
  });
}
