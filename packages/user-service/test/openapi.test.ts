// The OpenAPI document served at /api/v1/users/openapi.json describes exactly the routes the app
// really has under /api/v1/users (read from express's router), with every method.
import { expect } from 'chai';
import type { Express } from 'express';
import { API_PREFIX } from '../src/app';
import { startPod, type Pod } from './support/pod';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string;
}

/** "GET /me"-style entries for every route mounted under the public prefix. */
function routesOf(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = `${prefix}${layer.route.path}`;
        for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${path}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, `${prefix}${typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found
    .filter((r) => r.split(' ')[1]?.startsWith(API_PREFIX))
    .map((r) => {
      const [method, path] = r.split(' ') as [string, string];
      const relative = path.slice(API_PREFIX.length) || '/';
      return `${method} ${relative.replace(/:(\w+)/g, '{$1}')}`;
    });
}

describe('OpenAPI document', () => {
  let pod: Pod;
  before(async () => {
    pod = await startPod();
  });
  after(() => pod.close());

  it('is served as OpenAPI 3.1 at /api/v1/users/openapi.json', async () => {
    const res = await pod.api.get('/api/v1/users/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body.openapi).to.match(/^3\.1\./);
    expect(res.body.servers[0].url).to.equal(API_PREFIX);
  });

  it('documents every real route and no route that does not exist', async () => {
    const doc = (await pod.api.get('/api/v1/users/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const real = routesOf(pod.users.app);
    expect(real.length).to.be.greaterThan(8);
    expect([...new Set(real)].sort()).to.deep.equal([...new Set(documented)].sort());
  });

  it('resolves every $ref and lists a problem schema for every error response', async () => {
    const doc = (await pod.api.get('/api/v1/users/openapi.json')).body;
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of refs) expect(doc.components.schemas, ref).to.have.property(ref.split('/').pop() as string);
    for (const ops of Object.values(doc.paths) as Array<Record<string, { responses: Record<string, { content?: object }> }>>) {
      for (const op of Object.values(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400 && Number(status) !== 503) expect(response.content, status).to.have.property('application/problem+json');
        }
      }
    }
  });
});
