/**
 * Runs a `lowpower` sub-command in this process and keeps what it wrote to stdout and stderr
 * (the commands write there directly), restoring both streams afterwards.
 */
import { vi } from 'vitest';

export interface Captured {
  code: number;
  out: string;
  err: string;
}

export async function capture(run: () => Promise<number>): Promise<Captured> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    const code = await run();
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
