// What the bench runs: the real pod when every service is built, otherwise fixture services
// (BENCH_TARGET=fixtures|real forces one), all on free ports.
import fs from 'node:fs';
import path from 'node:path';
import { corePodDefinition, repoRoot } from '../pod-definition';
import { defaultRestartPolicy, type PodDefinition } from '../pod-types';

export interface BenchTarget {
  name: string;
  script: string;
  readinessUrl: string;
  env: Record<string, string>;
}

export interface BenchSetup {
  mode: 'real' | 'fixture';
  targets: BenchTarget[];
  /** Extra environment for every process (ports). */
  env: Record<string, string>;
  /** Definition file for `core-pod start`, or null for the real pod. */
  definitionFile: string | null;
}

export function benchTargets(workDir: string, ports: number[]): BenchSetup {
  const [auth, users, health, proxy, proxyAdmin] = ports.map(String) as [string, string, string, string, string];
  const env = { AUTH_PORT: auth, USERS_PORT: users, HEALTH_PORT: health, PROXY_PORT: proxy, PROXY_ADMIN_PORT: proxyAdmin, NODE_ENV: 'development' };
  const real = corePodDefinition(env);
  const built = real.services.every((s) => fs.existsSync(s.script));
  const wanted = process.env.BENCH_TARGET ?? (built ? 'real' : 'fixtures');
  if (wanted === 'real') {
    if (!built) throw new Error('bench: BENCH_TARGET=real but not every packages/*/dist/main.js exists (npm run build)');
    return { mode: 'real', env, definitionFile: null, targets: real.services.map((s) => ({ name: s.name, script: s.script, readinessUrl: s.readinessUrl, env: s.env ?? {} })) };
  }
  const fixture = path.join(repoRoot, 'packages', 'pod-supervisor', 'test', 'fixtures', 'fixture-service.js');
  const targets = real.services.map((s, i) => {
    const port = [auth, users, health, proxyAdmin][i]!;
    return { name: s.name, script: fixture, readinessUrl: `http://127.0.0.1:${port}/ready`, env: { FIXTURE_NAME: s.name, FIXTURE_PORT: port } };
  });
  const definition: PodDefinition = {
    services: targets.map((t, i) => ({
      name: t.name,
      script: t.script,
      env: t.env,
      dependsOn: i === 0 ? [] : [targets[i - 1]!.name],
      readinessUrl: t.readinessUrl,
      startTimeoutMs: 10_000,
      restart: defaultRestartPolicy,
      stopsignal: 'SIGTERM',
      stopTimeoutMs: 8_500,
      critical: true,
    })),
  };
  const definitionFile = path.join(workDir, 'fixture-pod.json');
  fs.writeFileSync(definitionFile, JSON.stringify(definition));
  return { mode: 'fixture', env, definitionFile, targets };
}
