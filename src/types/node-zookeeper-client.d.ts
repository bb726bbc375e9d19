// The parts of node-zookeeper-client (which ships no types) that src/apps/zookeeper.ts uses.
declare module 'node-zookeeper-client' {
  export interface Stat {
    readonly version: number;
  }
  export interface Client {
    connect(): void;
    close(): void;
    once(event: 'connected' | 'disconnected' | 'expired', cb: () => void): void;
    on(event: 'connected' | 'disconnected' | 'expired', cb: () => void): void;
    mkdirp(path: string, cb: (err: Error | null, path?: string) => void): void;
    create(path: string, data: Buffer, cb: (err: Error | null, path?: string) => void): void;
    getData(path: string, cb: (err: Error | null, data?: Buffer, stat?: Stat) => void): void;
    exists(path: string, cb: (err: Error | null, stat?: Stat | null) => void): void;
    remove(path: string, version: number, cb: (err: Error | null) => void): void;
    setData(path: string, data: Buffer, version: number, cb: (err: Error | null, stat?: Stat) => void): void;
  }
  /** The errors the client passes to callbacks carry a code (Exception.NO_NODE, ...). */
  export interface ZkError extends Error {
    getCode(): number;
  }
  export const Exception: { readonly NO_NODE: number; readonly NODE_EXISTS: number };
  export function createClient(connectionString: string, options?: { sessionTimeout?: number; spinDelay?: number; retries?: number }): Client;
  const zookeeper: { createClient: typeof createClient; Exception: typeof Exception };
  export default zookeeper;
}
