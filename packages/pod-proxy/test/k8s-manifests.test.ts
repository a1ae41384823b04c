// Checks deploy/k8s against the pod it deploys: probe paths and ports against a real proxy, the entry
// point against docker/Dockerfile, secret names and paths against docker/docker-compose.core-pod.yml.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../src/config';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream';
import { request, startProxy, unusedPort } from './support/harness';
import { startPodHealthDouble, type PodHealthDoubleOptions } from './support/pod-health-double';

const root = path.resolve(__dirname, '../../..');
const k8sDir = path.join(root, 'deploy/k8s');
/** pod-supervisor stops the whole pod within this (contract: POD_STOP_DEADLINE_MS 9000 + exit). */
const podStopSeconds = 10;

/** Parsed YAML: the test walks it by the Kubernetes field names. */
type Doc = Record<string, any>;

function manifests(file: string): Doc[] {
  return parseAllDocuments(readFileSync(path.join(k8sDir, file), 'utf8')).map((doc) => {
    expect(doc.errors, `${file} parses`).to.deep.equal([]);
    return doc.toJS() as Doc;
  });
}

const deployment = manifests('deployment.yaml').find((doc) => doc.kind === 'Deployment')!;
const service = manifests('service.yaml').find((doc) => doc.kind === 'Service')!;
const secret = manifests('secret.example.yaml').find((doc) => doc.kind === 'Secret')!;
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const probes: Record<string, Doc> = {
  startup: container.startupProbe, readiness: container.readinessProbe, liveness: container.livenessProbe,
};

/** A probe's port, named or numbered, as the container port number. */
function containerPort(port: string | number): number {
  if (typeof port === 'number') return port;
  const named = container.ports.find((entry: Doc) => entry.name === port);
  expect(named, `container port named ${port}`).to.exist;
  return named.containerPort;
}

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('run at least two replicas of the core-pod image with the Dockerfile\'s entry point (tini, pod-supervisor start)', () => {
    expect(deployment.spec.replicas).to.be.at.least(2);
    expect(container.image.split('/').pop().split(':')[0]).to.equal('core-pod');
    const dockerfile = readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect([...container.command, ...container.args]).to.deep.equal([...entrypoint, ...cmd]);
    expect(container.volumeMounts.find((mount: Doc) => mount.mountPath === '/data')).to.exist;
    expect(container.env.find((env: Doc) => env.name === 'POD_DATA_DIR').value).to.equal('/data');
  });

  it('point every probe at the proxy\'s public port 8080 (the Service targets it too), never at a loopback-only port', () => {
    const publicPort = loadConfig({}).port;
    expect(publicPort).to.equal(8080);
    expect(readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8')).to.match(/PROXY_PORT=8080\b/);
    for (const [name, probe] of Object.entries(probes)) {
      expect(probe, `${name} probe`).to.exist;
      expect(probe.httpGet, `${name} probe is an HTTP GET`).to.exist;
      expect(containerPort(probe.httpGet.port), `${name} probe port`).to.equal(publicPort);
    }
    expect(containerPort(service.spec.ports[0].targetPort)).to.equal(publicPort);
    expect(service.spec.selector).to.deep.equal(deployment.spec.selector.matchLabels);
  });

  describe('probe paths answered by a real proxy', () => {
    let upstream: EchoUpstream;
    before(async () => { upstream = await startEchoUpstream(); });
    after(async () => { await upstream.close(); });

    /** GETs every probe's path on a real proxy in front of a pod-health stand-in; returns the statuses. */
    async function probeStatuses(podHealth: PodHealthDoubleOptions, env: Record<string, string> = {}) {
      const health = await startPodHealthDouble(podHealth);
      const edge = await startProxy({ PROXY_HEALTH_URL: health.url, PROXY_AUTH_URL: upstream.url, PROXY_USERS_URL: upstream.url, ...env });
      try {
        const statuses: Record<string, number> = {};
        for (const [name, probe] of Object.entries(probes)) {
          statuses[name] = (await request(edge.port, { path: probe.httpGet.path, headers: { 'user-agent': 'kube-probe/1.33' } })).status;
        }
        return statuses;
      } finally {
        await edge.close();
        await health.close();
      }
    }

    it('answer 200 to all three probes on a healthy pod', async () => {
      expect(await probeStatuses({ health: 'pass' })).to.deep.equal({ startup: 200, readiness: 200, liveness: 200 });
    });

    it('take a failing pod out of the Service (readiness 503) without restarting it (liveness 200)', async () => {
      expect(await probeStatuses({ health: 'fail' })).to.deep.equal({ startup: 200, readiness: 503, liveness: 200 });
    });

    it('keep a pod whose Redis is unreachable ready (health warns, rate limits fall back to per pod)', async () => {
      const statuses = await probeStatuses({ health: 'pass' }, { PROXY_REDIS_URL: `redis://127.0.0.1:${await unusedPort()}` });
      expect(statuses).to.deep.equal({ startup: 200, readiness: 200, liveness: 200 });
    });

    it('keep liveness and startup independent of pod-health (the proxy answers them itself)', async () => {
      const statuses = await probeStatuses({ hang: true }, { PROXY_HEALTH_TIMEOUT_MS: '100' });
      expect(statuses.startup).to.equal(200);
      expect(statuses.liveness).to.equal(200);
    });
  });

  it('give the pod more time to stop than pod-supervisor needs after the preStop pause', () => {
    const preStop = container.lifecycle?.preStop?.exec?.command as string[] | undefined;
    const pause = preStop && preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
    expect(pod.terminationGracePeriodSeconds).to.be.at.least(pause + podStopSeconds);
    expect(pod.terminationGracePeriodSeconds).to.be.at.least(pause + loadConfig({}).shutdownTimeoutMs / 1000);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).to.equal(0);
  });

  it('set CPU and memory requests and limits', () => {
    for (const kind of ['requests', 'limits']) {
      expect(container.resources[kind], kind).to.have.keys('cpu', 'memory');
    }
  });

  it('read every secret from the Secret template, with the file names and paths docker-compose uses', () => {
    const provided = Object.keys(secret.stringData);
    const referenced = container.env.filter((env: Doc) => env.valueFrom?.secretKeyRef)
      .map((env: Doc) => env.valueFrom.secretKeyRef);
    for (const ref of referenced) {
      expect(ref.name).to.equal(secret.metadata.name);
      expect(provided).to.include(ref.key);
    }
    expect(referenced.map((ref: Doc) => ref.key)).to.include.members(['AUTH_DATABASE_URL', 'USERS_DATABASE_URL', 'PROXY_REDIS_URL']);
    const volume = pod.volumes.find((entry: Doc) => entry.secret);
    expect(volume.secret.secretName).to.equal(secret.metadata.name);
    const mount = container.volumeMounts.find((entry: Doc) => entry.name === volume.name);
    const files = new Map<string, string>(volume.secret.items.map((item: Doc) => [path.posix.join(mount.mountPath, item.path), item.key]));
    for (const key of files.values()) expect(provided).to.include(key);

    const compose = parse(readFileSync(path.join(root, 'docker/docker-compose.core-pod.yml'), 'utf8'), { merge: true }) as Doc;
    const composeFiles = Object.entries(compose['x-pod-env'] as Record<string, string>).filter(([name]) => name.endsWith('_FILE'));
    expect(composeFiles.map(([name]) => name)).to.include.members(['AUTH_JWT_PRIVATE_KEY_FILE', 'POD_INTERNAL_TOKEN_FILE', 'PROXY_METRICS_TOKEN_FILE']);
    for (const [name, value] of composeFiles) {
      const env = container.env.find((entry: Doc) => entry.name === name);
      expect(env?.value, `${name} as in docker-compose`).to.equal(value);
      expect(files.has(value), `${value} comes from the Secret`).to.equal(true);
    }
  });

  it('list in kustomization.yaml files that exist, and not the Secret template', () => {
    const kustomization = manifests('kustomization.yaml')[0]!;
    for (const file of kustomization.resources as string[]) expect(existsSync(path.join(k8sDir, file)), file).to.equal(true);
    expect(kustomization.resources).not.to.include('secret.example.yaml');
  });
});
