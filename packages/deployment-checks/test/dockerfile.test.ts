import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRepoFile, repoRoot } from './repo-files';

describe('docker/Dockerfile', () => {
  const dockerfile = readRepoFile('docker', 'Dockerfile');

  it('copies the manifest of every workspace package before npm ci, so that layer caches', () => {
    const workspaces = JSON.parse(readRepoFile('package.json')).workspaces as string[];
    const shipped = workspaces.filter((w) => !w.endsWith('deployment-checks'));
    for (const ws of shipped) expect(dockerfile, ws).to.contain(`COPY ${ws}/package.json ${ws}/package.json`);
    const copied = [...dockerfile.matchAll(/COPY (packages\/[^/]+)\/package\.json/g)].map((m) => m[1]);
    for (const pkg of copied) expect(readdirSync(join(repoRoot, 'packages'))).to.include(pkg!.split('/')[1]);
  });

  it('runs as a non-root user under tini with pod-supervisor as the entry point and /data as a volume', () => {
    expect(dockerfile).to.match(/^USER node$/m);
    expect(dockerfile).to.contain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(dockerfile).to.contain('CMD ["node", "/app/packages/pod-supervisor/dist/cli.js", "start"]');
    expect(dockerfile).to.contain('VOLUME ["/data"]');
    expect(dockerfile).to.match(/^EXPOSE 8080 8443$/m);
  });

  it('defaults to a supported Node LTS base image', () => {
    const major = Number(/ARG NODE_MAJOR=(\d+)/.exec(dockerfile)?.[1]);
    expect(major).to.be.at.least(22);
    expect(major % 2, 'an even (LTS) major').to.equal(0);
    expect(dockerfile).to.contain('FROM node:${NODE_MAJOR}-bookworm-slim');
  });
});
