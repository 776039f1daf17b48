/** The part of Vates' xen-api (4.7, untyped JavaScript) that the tests use. */
declare module 'xen-api' {
  export interface XenApiRecord {
    readonly $type: string;
    readonly $ref: string;
    readonly $id: string;
    readonly [field: string]: unknown;
  }
  export interface XenApiCollection {
    readonly all: Record<string, XenApiRecord>;
  }
  export interface XenApiError extends Error {
    code: string;
    params: string[];
  }
  export interface Xapi {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    readonly status: 'connected' | 'connecting' | 'disconnected';
    readonly objects: XenApiCollection;
    readonly objectsFetched: Promise<void>;
    readonly pool: XenApiRecord;
    call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
    callAsync<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
    getObjectByRef(ref: string): XenApiRecord;
  }
  export function createClient(opts: {
    url: string;
    auth: { user: string; password: string };
    allowUnauthorized?: boolean;
    transport?: 'auto' | 'json-rpc' | 'xml-rpc';
    debounce?: number;
    callTimeout?: number;
    watchEvents?: boolean | string[];
  }): Xapi;
}
