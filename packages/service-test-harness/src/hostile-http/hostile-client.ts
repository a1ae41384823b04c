// Plays one hostile case over a raw TCP socket to 127.0.0.1 and records what the server wrote, when
// it closed, and whether the client itself cut the exchange short. Bounded: a case ends by itself
// after `caseTimeoutMs`.
import net from 'node:net';
import { readResponses, type ReadOutcome } from './http-response-reader';
import { toWire, type HostileCase } from './hostile-cases';

export interface CaseOutcome {
  bytes: Buffer;
  read: ReadOutcome;
  /** Methods of the request heads sent, in order. */
  methods: string[];
  closedByServer: boolean;
  /** The client aborted on purpose (mid-body, mid-response): a partial or missing answer is expected. */
  clientAborted: boolean;
  /** Nothing decided the exchange within the deadline (the server neither answered nor closed). */
  stalled: boolean;
  durationMs: number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function playCase(port: number, hostile: HostileCase, caseTimeoutMs: number): Promise<CaseOutcome> {
  const started = Date.now();
  const first = toWire(hostile.request);
  const second = hostile.pipelined === null ? null : toWire(hostile.pipelined);
  const methods = second === null ? [first.method] : [first.method, second.method];
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  let received = 0;
  let closedByServer = false;
  let clientAborted = false;
  let gone = false;
  /** The hard deadline had to close the socket: the client was still blocked writing. */
  let writeBlocked = false;
  let onProgress: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
    onProgress?.();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => {
    gone = true;
    if (!clientAborted && !writeBlocked) closedByServer = true;
    onProgress?.();
    resolve();
  }));
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('close', resolve);
  });

  // A server that stops reading leaves a write pending forever: every wait also ends when the socket
  // closes, and the hard deadline below closes it.
  const write = (data: Buffer) => new Promise<void>((resolve) => {
    if (gone || data.length === 0) return resolve();
    socket.write(data, () => resolve());
    void closed.then(resolve);
  });
  const hardDeadline = setTimeout(() => {
    if (gone) return;
    writeBlocked = true;
    socket.destroy();
  }, caseTimeoutMs + 250);
  /** Resolves when the server wrote at least `bytes` bytes, closed, or `ms` passed. */
  const waitForAnswer = (bytes: number, ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      onProgress = null;
      resolve();
    }
    onProgress = () => { if (received >= bytes || gone) done(); };
    onProgress();
  });
  const abort = () => {
    clientAborted = true;
    socket.destroy();
  };

  const timing = hostile.timing;
  const deadline = started + caseTimeoutMs;
  if (timing.kind === 'slow-read') {
    socket.pause();
    setTimeout(() => socket.resume(), timing.ms).unref();
  }
  await write(first.head);
  switch (timing.kind) {
    case 'pause-after-head':
      await delay(timing.ms);
      await write(first.body);
      break;
    case 'upload-after-answer': {
      // Part of the body, then wait until the upstream (or the edge) has answered, then the rest: the
      // answer arrives while the client is still uploading.
      await write(first.body.subarray(0, timing.firstBytes));
      await waitForAnswer(1, timing.maxWaitMs);
      for (let at = timing.firstBytes; at < first.body.length && !gone; at += 8192) await write(first.body.subarray(at, at + 8192));
      break;
    }
    case 'drip-body':
      for (let at = 0; at < first.body.length && !gone && Date.now() < deadline - 200; at += timing.bytesPerWrite) {
        await write(first.body.subarray(at, at + timing.bytesPerWrite));
        await delay(timing.intervalMs);
      }
      break;
    case 'abort-mid-body':
      await write(first.body.subarray(0, Math.min(timing.afterBytes, Math.max(0, first.body.length - 1))));
      abort();
      break;
    default:
      await write(first.body);
  }
  if (second !== null && !gone) await write(Buffer.concat([second.head, second.body]));
  if (timing.kind === 'abort-mid-response' && !gone) {
    await waitForAnswer(1, 300);
    abort();
  }
  if (timing.kind === 'half-close' && !gone) socket.end();

  // Done when every request has its final answer (then a moment for anything extra), the server
  // closed, or the deadline passed.
  const answered = () => readResponses(Buffer.concat(chunks), methods, false).responses
    .filter((response) => response.complete && (response.status >= 200 || response.status === 101)).length >= methods.length;
  while (!gone && Date.now() < deadline && !answered()) await waitForAnswer(received + 1, Math.max(1, deadline - Date.now()));
  if (!gone && answered()) await waitForAnswer(Number.MAX_SAFE_INTEGER, 30);
  const stalled = (!gone && !answered() && !clientAborted) || (writeBlocked && !answered());
  clearTimeout(hardDeadline);
  if (!gone) {
    clientAborted = clientAborted || !stalled;
    socket.destroy();
  }
  await closed;
  const bytes = Buffer.concat(chunks);
  return {
    bytes, read: readResponses(bytes, methods, closedByServer), methods, closedByServer, clientAborted, stalled,
    durationMs: Date.now() - started,
  };
}
