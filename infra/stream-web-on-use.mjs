// node:stream/web's ReadableStream as @middy/core uses it, without loading web streams at import.
//
// @middy/core imports ReadableStream from node:stream/web at its top, but uses it only to check a
// streamed response (`body instanceof ReadableStream`) when a handler is wrapped with
// streamifyResponse, which lowpower's are not. Importing node:stream/web loads Node's web streams
// at every cold start: about 6 ms of each function's import (measured by bench/functions-bench.ts).
// The build (infra/esbuild-plugins.cjs) gives @middy/core this module instead: the same check,
// made against the global ReadableStream, which Node loads on first use.
export class ReadableStream {
  static [Symbol.hasInstance](value) {
    return value instanceof globalThis.ReadableStream;
  }
}
