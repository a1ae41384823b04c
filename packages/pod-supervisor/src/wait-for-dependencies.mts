// Preload for plain `pm2 start ecosystem.config.js` (PM2 has no start order): loaded with
// `node --import`, it holds the service's entry point until every URL in POD_WAIT_FOR answers 2xx.
const urls = (process.env.POD_WAIT_FOR ?? '').split(',').map((u) => u.trim()).filter(Boolean);
const timeoutMs = Number(process.env.POD_WAIT_TIMEOUT_MS ?? 60_000);
const name = process.env.name ?? process.env.POD_SERVICE_NAME ?? 'service';

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

if (urls.length > 0) {
  const started = Date.now();
  const log = (level: number, msg: string, extra: object = {}): void => {
    process.stdout.write(`${JSON.stringify({ level, time: Date.now(), pid: process.pid, name, msg, ...extra })}\n`);
  };
  log(30, `waiting for dependencies of ${name}`, { urls });
  let pending = urls;
  while (pending.length > 0) {
    const results = await Promise.all(pending.map(answers));
    pending = pending.filter((_, i) => !results[i]);
    if (pending.length === 0) break;
    if (Date.now() - started > timeoutMs) {
      log(50, `dependencies of ${name} not ready after ${timeoutMs} ms: ${pending.join(', ')}`);
      // Non-zero: PM2 restarts us and we wait again (bounded by max_restarts).
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  log(30, `dependencies of ${name} ready`, { ms: Date.now() - started });
}
