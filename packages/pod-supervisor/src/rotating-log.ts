// One JSON-lines log file for the whole pod, rotated in process by size and count
// (pod.log → pod.log.1 → … → pod.log.N), so no pm2-logrotate process is needed.
import fs from 'node:fs';
import path from 'node:path';

export interface RotatingLogOptions {
  file: string;
  maxBytes: number;
  /** Rotated files kept besides the live one. */
  maxFiles: number;
  /** Also copy every line to stdout (containers: `docker logs`). */
  stdout: boolean;
}

export interface RotatingLog {
  /** `echo` copies this line to stdout even when the log as a whole is not. */
  write(line: string, echo?: boolean): void;
  close(): void;
}

export function openRotatingLog(options: RotatingLogOptions): RotatingLog {
  fs.mkdirSync(path.dirname(options.file), { recursive: true });
  let fd = fs.openSync(options.file, 'a');
  let size = fs.fstatSync(fd).size;

  const rotate = (): void => {
    fs.closeSync(fd);
    for (let n = options.maxFiles - 1; n >= 1; n--) {
      const from = `${options.file}.${n}`;
      if (fs.existsSync(from)) fs.renameSync(from, `${options.file}.${n + 1}`);
    }
    if (options.maxFiles >= 1) fs.renameSync(options.file, `${options.file}.1`);
    else fs.unlinkSync(options.file);
    fd = fs.openSync(options.file, 'a');
    size = 0;
  };

  return {
    write(line, echo = false) {
      const text = line.endsWith('\n') ? line : `${line}\n`;
      const bytes = Buffer.byteLength(text);
      if (size > 0 && size + bytes > options.maxBytes) rotate();
      // Synchronous on purpose: lines stay whole and ordered, and a crash loses none.
      fs.writeSync(fd, text);
      size += bytes;
      if (options.stdout || echo) process.stdout.write(text);
    },
    close() {
      fs.closeSync(fd);
    },
  };
}
