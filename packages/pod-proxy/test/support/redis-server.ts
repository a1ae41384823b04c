// A throwaway redis-server (Debian package redis-server) on a free loopback port, no persistence,
// that a test can kill and start again on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { eventually, unusedPort } from './harness';

export interface RedisServer {
  port: number;
  url: string;
  /** Sends one inline command and returns the raw reply (enough for PING, FLUSHALL, INFO). */
  command(line: string): Promise<string>;
  /** SIGKILL: the way a crashed or partitioned Redis looks to its clients. */
  kill(): Promise<void>;
  /** Starts again on the same port (empty: nothing was persisted). */
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that still accepts connections but answers nothing (a hung host). */
  pause(): void;
  resume(): void;
}

function inlineCommand(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('redis did not answer')));
    socket.on('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      // Simple replies end at the first CRLF; bulk replies ($len) once their length has arrived.
      const bulk = /^\$(\d+)\r\n/.exec(reply);
      if ((bulk && reply.length >= bulk[0].length + Number(bulk[1]) + 2) || (!bulk && !reply.startsWith('$') && reply.endsWith('\r\n'))) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', reject);
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await unusedPort();
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    const started = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr!.resume();
    let spawnError: Error | null = null;
    started.once('error', (error) => { spawnError = error; });
    child = started;
    await eventually(async () => {
      if (spawnError !== null) throw new Error(`cannot start redis-server (apt-get install -y redis-server): ${(spawnError as Error).message}`);
      return inlineCommand(port, 'PING').then((reply) => reply.startsWith('+PONG'), () => false);
    }, 'redis-server to answer PING');
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    command: (line) => inlineCommand(port, line),
    async kill() {
      const running = child;
      if (running === null || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
      child = null;
    },
    start,
    pause: () => { child?.kill('SIGSTOP'); },
    resume: () => { child?.kill('SIGCONT'); },
  };
}
