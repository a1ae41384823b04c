// Closing a socket with unread input makes the kernel send RST, and an RST can discard the answer still
// waiting in the client's receive buffer (a client busy uploading has not read it yet: a 413, an early
// 4xx, an HTTP/1.0 answer). So the edge half-closes and keeps reading, dropping the bytes, until the
// client closes or a bounded time passes (NGINX's lingering close): after a parse error, after a raw
// answer on an upgrade or CONNECT socket, and wherever Node would close after a last response (it calls
// destroySoon, which closes as soon as the write ends).
import type { Socket } from 'node:net';

/** How long a closing socket may keep sending before it is closed outright. */
export const lingerMs = 2000;

const lingering = new WeakSet<Socket>();

/** The socket is closing: anything it still sends is dropped unanswered. */
export function isLingering(socket: Socket): boolean {
  return lingering.has(socket);
}

function destroyLater(socket: Socket): void {
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  socket.once('close', () => clearTimeout(timer));
}

/** Sends `last` (if any), half-closes, and destroys the socket when the client closes or lingerMs pass. */
export function endLingering(socket: Socket, last?: string): void {
  if (lingering.has(socket)) return;
  lingering.add(socket);
  if (last === undefined) socket.end();
  else socket.end(last);
  // A socket Node handed over (upgrade, CONNECT) has no parser reading it any more: drain it here.
  if ((socket as Socket & { parser?: unknown }).parser == null) socket.resume();
  destroyLater(socket);
}

/** Makes Node's own close after a last response (destroySoon) a lingering close; for each new connection. */
export function lingerOnClose(socket: Socket): void {
  socket.destroySoon = () => endLingering(socket);
}
