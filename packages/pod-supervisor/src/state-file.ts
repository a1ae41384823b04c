// Writes and reads <POD_DATA_DIR>/run/pod-status.json (the contract pod-health reads),
// atomically: a temp file in the same directory, then rename.
import fs from 'node:fs';
import path from 'node:path';
import type { ServiceStatus } from './pod-types';

export interface PodStatusFile {
  updatedAt: string;
  supervisorPid: number;
  services: ServiceStatus[];
}

export function stateFilePath(dataDir: string): string {
  return path.join(dataDir, 'run', 'pod-status.json');
}

export function writeStateFile(file: string, services: ServiceStatus[]): void {
  const body: PodStatusFile = { updatedAt: new Date().toISOString(), supervisorPid: process.pid, services };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(body, null, 2)}\n`);
  fs.renameSync(temp, file);
}

export function readStateFile(file: string): PodStatusFile | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PodStatusFile;
  } catch {
    return null;
  }
}
