import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readRepoFile, readYaml, repoRoot, variablesReadByCode } from './repo-files';

interface Service {
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: unknown;
  build?: { context: string; dockerfile: string };
  secrets?: string[];
}
interface Compose {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
}

describe('docker/docker-compose.core-pod.yml', () => {
  const compose = readYaml<Compose>('docker', 'docker-compose.core-pod.yml');
  const docker = join(repoRoot, 'docker');

  it('runs the pod by default, PostgreSQL under the postgres profile and Prometheus + Grafana under monitoring', () => {
    const byProfile = (p?: string) =>
      Object.entries(compose.services).filter(([, s]) => (p ? s.profiles?.includes(p) : !s.profiles)).map(([n]) => n).sort();
    expect(byProfile()).to.deep.equal(['pod']);
    expect(byProfile('postgres')).to.deep.equal(['pod-pg', 'postgres']);
    expect(byProfile('monitoring')).to.deep.equal(['grafana', 'prometheus']);
  });

  it('builds the image from docker/Dockerfile and publishes the proxy port with a volume on /data', () => {
    const pod = compose.services.pod!;
    expect(existsSync(join(docker, pod.build!.context, pod.build!.dockerfile))).to.equal(true);
    expect(pod.ports).to.deep.equal(['8080:8080']);
    expect(pod.volumes).to.deep.equal(['pod-data:/data']);
  });

  it('uses the same healthcheck command as the Dockerfile', () => {
    const dockerfile = readRepoFile('docker', 'Dockerfile');
    const match = /HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(dockerfile);
    expect(match, 'HEALTHCHECK CMD in the Dockerfile').to.not.equal(null);
    expect(['CMD', ...JSON.parse(match![1]!)]).to.deep.equal(compose.services.pod!.healthcheck!.test);
  });

  it('points the postgres-profile pod at one database per service on the postgres service', () => {
    const env = compose.services['pod-pg']!.environment!;
    expect(env.AUTH_DATABASE_URL).to.match(/^postgresql:\/\/corepod:.*@postgres:5432\/corepod_auth$/);
    expect(env.USERS_DATABASE_URL).to.match(/^postgresql:\/\/corepod:.*@postgres:5432\/corepod_users$/);
    const init = readRepoFile('docker', 'postgres', 'init-databases.sql');
    expect(init).to.contain('CREATE DATABASE corepod_auth').and.to.contain('CREATE DATABASE corepod_users');
  });

  it('sets only environment variables that the code reads', () => {
    const known = variablesReadByCode();
    for (const name of ['pod', 'pod-pg']) {
      for (const variable of Object.keys(compose.services[name]!.environment ?? {})) {
        expect(known.has(variable), `${name}: ${variable} is read by no package`).to.equal(true);
      }
    }
  });

  it('mounts files that exist in the repository (secrets aside) and scrapes the pod service by name', () => {
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('./') || source.startsWith('./secrets/')) continue;
        expect(existsSync(join(docker, source)), `${source} exists`).to.equal(true);
      }
    }
    const prometheus = readRepoFile('docker', 'prometheus', 'prometheus.yml');
    expect(prometheus).to.contain("'pod:8080'");
    expect(prometheus).to.contain('/etc/prometheus/pod-metrics-token');
    for (const secret of Object.values(compose.secrets)) expect(secret.file).to.match(/^\.\/secrets\//);
  });
});
