// The parts of node-zookeeper-client (which ships no types) that src/apps/zookeeper.ts uses.
declare module 'node-zookeeper-client' {
  export interface Stat {
    readonly version: number;
  }
  export interface Client {
    connect(): void;
    close(): void;
    once(event: 'connected' | 'disconnected' | 'expired', cb: () => void): void;
    create(path: string, data: Buffer, cb: (err: Error | null, path?: string) => void): void;
    getData(path: string, cb: (err: Error | null, data?: Buffer, stat?: Stat) => void): void;
    exists(path: string, cb: (err: Error | null, stat?: Stat | null) => void): void;
    remove(path: string, version: number, cb: (err: Error | null) => void): void;
  }
  export function createClient(connectionString: string, options?: { sessionTimeout?: number; spinDelay?: number; retries?: number }): Client;
  const zookeeper: { createClient: typeof createClient };
  export default zookeeper;
}
