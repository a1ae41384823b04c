// Fetches small documents (pod-health's /health, an upstream's health path) with a short deadline;
// null means "not answering", so the caller falls back to another view.
import * as http from 'node:http';

export interface FetchedDocument {
  status: number;
  contentType: string;
  body: Buffer;
}

export function createDocumentFetcher(baseUrl: string, timeoutMs: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4, timeout: 4000 });
  const base = new URL(baseUrl);

  function fetchDocument(path: string, extraTimeoutMs = timeoutMs): Promise<FetchedDocument | null> {
    return new Promise((resolve) => {
      const request = http.get({
        host: base.hostname, port: base.port || 80, path: base.pathname.replace(/\/$/, '') + path, agent,
        headers: { accept: '*/*' },
      }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 502,
            contentType: response.headers['content-type'] ?? 'application/octet-stream',
            body: Buffer.concat(chunks),
          });
        });
        response.on('error', () => resolve(null));
      });
      const timer = setTimeout(() => request.destroy(new Error('timeout')), extraTimeoutMs);
      request.on('error', () => {
        clearTimeout(timer);
        resolve(null);
      });
    });
  }

  return { fetchDocument, close: () => agent.destroy() };
}
export type DocumentFetcher = ReturnType<typeof createDocumentFetcher>;
