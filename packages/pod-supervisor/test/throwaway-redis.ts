// A disposable redis-server (Debian package redis-server) on a free loopback port, no persistence,
// for the fleet test's shared rate limits; stopped by the test that started it.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { eventually, freePorts } from './pod-harness';

export interface ThrowawayRedis {
  url: string;
  stop(): Promise<void>;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => socket.destroy());
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (reply: Buffer) => {
      socket.end();
      resolve(reply.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const [port] = (await freePorts(1)) as [number];
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  let failure: Error | null = null;
  child.once('error', (error) => (failure = error));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await eventually(async () => {
    if (failure) throw new Error(`cannot start redis-server (apt-get install -y redis-server): ${(failure as Error).message}`);
    return answersPing(port);
  }, 'redis-server to answer PING');
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
