// Caps the connections one client address may hold open on a listener (idle keep-alive connections
// cost a file descriptor and memory each); beyond the cap a new connection gets one 429 problem answer
// and is closed. Trusted proxies are exempt: each of their connections carries many clients.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { createClientKey, plainAddress, type TrustedProxies } from './client-address';
import { ClientSlots } from './client-slots';
import type { EdgeMetrics } from './metrics';
import { rawProblem } from './problem';
import { randomUUID } from 'node:crypto';

/** Marks a connection refused by the cap: any request Node still parses on it is dropped unanswered. */
export const kRefusedConnection = Symbol('pod-proxy.refusedConnection');

export function limitConnectionsPerClient(servers: readonly Server[], max: number, trusted: TrustedProxies,
  ipv6PrefixBits: number, retryAfterSeconds: number, metrics: EdgeMetrics): ClientSlots | null {
  if (max === 0) return null;
  const slots = new ClientSlots(max);
  const clientKey = createClientKey(ipv6PrefixBits);
  function onConnection(socket: Socket): void {
    const address = plainAddress(socket.remoteAddress);
    if (trusted.has(address)) return;
    const key = clientKey(address);
    if (!slots.acquire(key)) {
      metrics.clientLimit('connections');
      (socket as Socket & { [kRefusedConnection]?: true })[kRefusedConnection] = true;
      socket.write(rawProblem('too_many_connections', `more than ${max} open connections from this client`, randomUUID(),
        `retry-after: ${retryAfterSeconds}\r\n`), () => socket.destroy());
      return;
    }
    socket.once('close', () => slots.release(key));
  }
  for (const server of servers) server.on('connection', onConnection);
  return slots;
}
