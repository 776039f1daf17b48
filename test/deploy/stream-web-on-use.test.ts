/**
 * The ReadableStream the Lambda build gives @middy/core instead of node:stream/web's
 * (infra/stream-web-on-use.mjs): the same instanceof answer as the real class, for web streams,
 * Node streams and anything else, without being the class itself.
 */
import { Readable } from 'node:stream';
import { ReadableStream as WebReadableStream } from 'node:stream/web';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the build, without type declarations.
import { ReadableStream as OnUse } from '../../infra/stream-web-on-use.mjs';

describe('stream/web on use', () => {
  it('answers instanceof as node:stream/web does', () => {
    const values: unknown[] = [new WebReadableStream(), new globalThis.ReadableStream(), Readable.from(['a']), {}, null, 'text', new Uint8Array(2)];
    for (const v of values) expect(v instanceof (OnUse as typeof WebReadableStream)).toBe(v instanceof WebReadableStream);
    expect(values.filter((v) => v instanceof (OnUse as typeof WebReadableStream))).toHaveLength(2);
  });
});
