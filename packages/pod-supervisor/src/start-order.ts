// Orders a pod's services so that each comes after its dependencies (ties broken by priority);
// stopping walks the same list backwards.
import type { ServiceDefinition } from './pod-types';

export function startOrder(services: ServiceDefinition[]): ServiceDefinition[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const service of services) {
    for (const dependency of service.dependsOn ?? []) {
      if (!byName.has(dependency)) throw new Error(`service "${service.name}" depends on unknown service "${dependency}"`);
    }
  }
  const ordered: ServiceDefinition[] = [];
  const placed = new Set<string>();
  while (ordered.length < services.length) {
    const ready = services
      .filter((s) => !placed.has(s.name) && (s.dependsOn ?? []).every((d) => placed.has(d)))
      .sort((a, b) => (a.priority ?? 999) - (b.priority ?? 999));
    const next = ready[0];
    if (!next) {
      const left = services.filter((s) => !placed.has(s.name)).map((s) => s.name);
      throw new Error(`dependency cycle among services: ${left.join(', ')}`);
    }
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}
