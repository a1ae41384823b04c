// Bytes received and sent per network interface from /proc/net/dev, which is per network
// namespace and so already the pod's own figure inside a container.
import path from 'node:path';
import { readText } from './proc-files';

export interface InterfaceSample {
  interface: string;
  receiveBytes: number;
  transmitBytes: number;
}

export function parseNetDev(raw: string): InterfaceSample[] {
  const samples: InterfaceSample[] = [];
  for (const line of raw.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    const receive = fields[0];
    const transmit = fields[8];
    if (name && receive !== undefined && transmit !== undefined) {
      samples.push({ interface: name, receiveBytes: receive, transmitBytes: transmit });
    }
  }
  return samples;
}

export async function collectNetwork(procRoot: string): Promise<InterfaceSample[]> {
  const raw = await readText(path.join(procRoot, 'net', 'dev'));
  if (raw === null) throw new Error(`cannot read ${procRoot}/net/dev`);
  return parseNetDev(raw);
}
