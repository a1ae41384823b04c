// Re-exposes other processes' Prometheus text under a `service` label: parses each exposition
// into metric families, labels every sample and merges same-named families across services,
// so the output keeps one HELP/TYPE per family (promtool rejects duplicates).
export interface Family {
  name: string;
  help: string | null;
  type: string | null;
  samples: string[];
}

export interface Exposition {
  service: string;
  text: string;
}

const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_info'];

function belongsTo(sampleName: string, family: string): boolean {
  return sampleName === family || SUFFIXES.some((s) => sampleName === family + s);
}

export function parseExposition(text: string): Family[] {
  const families = new Map<string, Family>();
  let current: Family | null = null;
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, help: null, type: null, samples: [] }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)\s?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      current = family(name);
      if (kind === 'HELP') current.help = rest;
      else current.type = rest.trim();
      continue;
    }
    if (line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) continue;
    if (!current || !belongsTo(name, current.name)) current = family(name);
    current.samples.push(line);
  }
  return [...families.values()];
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Adds service="…" first; a label already called `service` becomes `exported_service`, as Prometheus does. */
export function withServiceLabel(sample: string, service: string): string {
  const label = `service="${escapeLabelValue(service)}"`;
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(sample)?.[0] ?? '';
  const rest = sample.slice(name.length);
  if (rest.startsWith('{')) {
    const labels = rest.slice(1).replace(/^service=/, 'exported_service=').replace(/,service="/, ',exported_service="');
    return labels.startsWith('}') ? `${name}{${label}${labels}` : `${name}{${label},${labels}`;
  }
  return `${name}{${label}}${rest}`;
}

/**
 * prom-client's default gauges nodejs_active_*_total break the naming rule promtool checks
 * ("non-counter metrics should not have _total suffix"); exposing them as untyped keeps the
 * names Node.js dashboards query while passing `promtool check metrics`.
 */
function exposedType(f: Family): string {
  if (!f.type) return 'untyped';
  return f.type === 'gauge' && f.name.endsWith('_total') ? 'untyped' : f.type;
}

/**
 * Merges the expositions; families whose name is in `reserved` (the pod's own metrics) or whose
 * type disagrees with the first source that declared them are dropped rather than emitted twice.
 * Families without samples yet (a GC histogram before the first GC) are kept, as prom-client does.
 */
export function mergeExpositions(sources: Exposition[], reserved: Set<string>): string {
  const merged = new Map<string, Family>();
  for (const { service, text } of sources) {
    for (const f of parseExposition(text)) {
      if (reserved.has(f.name)) continue;
      const existing = merged.get(f.name);
      if (existing && existing.type !== f.type) continue;
      const target = existing ?? { name: f.name, help: f.help, type: f.type, samples: [] };
      target.samples.push(...f.samples.map((s) => withServiceLabel(s, service)));
      merged.set(f.name, target);
    }
  }
  let out = '';
  for (const f of merged.values()) {
    out += `# HELP ${f.name} ${f.help || `${f.name} gathered from pod services.`}\n`;
    out += `# TYPE ${f.name} ${exposedType(f)}\n`;
    out += `${f.samples.join('\n')}\n`;
  }
  return out;
}
