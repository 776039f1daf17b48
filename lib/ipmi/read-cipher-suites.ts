/**
 * The cipher suites a BMC offers on a channel: Get Channel Cipher Suites returns the record data
 * 16 bytes at a time (IPMI v2.0 section 22.15); a shorter block is the last.
 */
import type { CommandRunner } from './command-runner.ts';
import { getChannelCipherSuites, parseCipherSuiteRecords, type CipherSuiteRecord } from './commands/get-channel-cipher-suites.ts';

const BLOCK = 16;
/** The list index is six bits wide. */
const MAX_BLOCKS = 64;

/** The suites of `channel` (0x0E: the channel this request arrives on). */
export async function readCipherSuites(bmc: CommandRunner, channel = 0x0e): Promise<CipherSuiteRecord[]> {
  const chunks: Buffer[] = [];
  for (let index = 0; index < MAX_BLOCKS; index++) {
    const r = await bmc.run(getChannelCipherSuites, { channel, index });
    chunks.push(r.data);
    if (r.data.length < BLOCK) break;
  }
  return parseCipherSuiteRecords(Buffer.concat(chunks));
}
