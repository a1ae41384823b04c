// HEALTHCHECK command: GET /readyz of the local pod-health, print the JSON report, exit 0 when
// ready, 1 otherwise. Imports only node:http so a run stays cheap (see README for figures).
import http from 'node:http';

const host = process.env.HEALTH_HOST || '127.0.0.1';
const port = Number(process.env.HEALTH_PORT || 3003);
const timeoutMs = Number(process.env.HEALTH_CHECK_TIMEOUT_MS || 2000);

function fail(output: string): void {
  process.stdout.write(`${JSON.stringify({ status: 'fail', output })}\n`);
  process.exitCode = 1;
}

const req = http.get({ host: host === '0.0.0.0' ? '127.0.0.1' : host, port, path: '/readyz', timeout: timeoutMs }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => {
    process.stdout.write(`${body.trim()}\n`);
    process.exitCode = res.statusCode === 200 ? 0 : 1;
  });
});
req.on('timeout', () => req.destroy(new Error(`no answer from pod-health within ${timeoutMs} ms`)));
req.on('error', (err) => fail(`pod-health at ${host}:${port} unreachable: ${err.message}`));
