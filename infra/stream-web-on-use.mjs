// node:stream/web's ReadableStream as @middy/core uses it, without loading web streams at import.
//
// @middy/core imports ReadableStream from node:stream/web at its top, but uses it only to check a
// streamed response (`body instanceof ReadableStream`) when a handler is wrapped with
// streamifyResponse, which lowpower's are not. Importing node:stream/web loads Node's web streams
// at every cold start. Without it, http's bundle imported in 102.5 ms instead of 103.9 ms (medians
// of 31 alternating cold imports; upper quartile 103.9 instead of 107.4 ms).
// The build (infra/esbuild-plugins.cjs) gives @middy/core this module instead: the same check,
// made against the global ReadableStream, which Node loads on first use.
export class ReadableStream {
  static [Symbol.hasInstance](value) {
    return value instanceof globalThis.ReadableStream;
  }
}
