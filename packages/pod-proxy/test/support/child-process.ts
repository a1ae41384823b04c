// Starts a helper script in a child Node process (with tsx) and waits for its "listening <port>" line.
import { spawn, type ChildProcess } from 'node:child_process';

export async function startChild(script: string, args: string[]): Promise<{ child: ChildProcess; port: number; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  child.stderr!.resume();
  return { child, port, exited };
}
