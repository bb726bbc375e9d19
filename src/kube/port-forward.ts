/**
 * `kubectl port-forward pod/P LOCAL:REMOTE` through the API: a loopback TCP listener whose every connection is
 * piped into its own port-forward stream to the pod. Traffic stays on 127.0.0.1 and the API server.
 */
import net from 'node:net';
import { PortForward } from '@kubernetes/client-node';
import type { Kube } from './client.ts';

export interface Forward {
  readonly localPort: number;
  readonly address: string;
  /** Drops every connection open now (the listener stays): a client sees its connection closed and reconnects. */
  reset(): void;
  close(): Promise<void>;
}

export async function portForward(kube: Kube, namespace: string, pod: string, remotePort: number): Promise<Forward> {
  const pf = new PortForward(kube.kc, true);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    pf.portForward(namespace, pod, [remotePort], socket, null, socket)
      .then((ws) => {
        if (typeof ws === 'function') return;
        // The stream ends when the pod (or its node) goes away: close the local connection too, or its client
        // waits on a half-open socket instead of moving to another member.
        ws.on('close', () => socket.destroy());
        ws.on('error', () => socket.destroy());
      })
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('port-forward: no local port');
  return {
    localPort: addr.port,
    address: `127.0.0.1:${addr.port}`,
    reset: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
