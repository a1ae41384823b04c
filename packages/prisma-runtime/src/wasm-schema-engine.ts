// Loads Prisma's official wasm schema engine by hand: its ESM entry imports a .wasm file,
// which Node 20 cannot, and the native engine cannot be downloaded here (DESIGN §2).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

type Bindings = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');
export type SchemaEngine = Awaited<ReturnType<Bindings['SchemaEngine']['new']>>;

export const noSchemaFilter = { externalTables: [] as string[], externalEnums: [] as string[] };

// @types/node 20 does not declare the WebAssembly global; this is the slice used here.
interface WasmApi {
  Module: { new (bytes: Uint8Array): object; imports(module: object): Array<{ module: string; name: string }> };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let bindings: Bindings | undefined;

function loadBindings(): Bindings {
  if (bindings) return bindings;
  const bg: Bindings = require('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
  const module = new wasm.Module(readFileSync(wasmPath));
  const imports: Record<string, Record<string, unknown>> = {};
  for (const entry of wasm.Module.imports(module)) {
    let fn = (bg as unknown as Record<string, unknown>)[entry.name];
    // The engine leaves a 10 s timer armed after its work is done (seen on PostgreSQL), which kept
    // `migrate.js` alive for 10 s: its timers must not hold the process open.
    if (entry.name.startsWith('__wbg_setTimeout_') && typeof fn === 'function') {
      const arm = fn as (...args: unknown[]) => { unref?: () => void };
      fn = (...args: unknown[]) => {
        const timer = arm(...args);
        timer.unref?.();
        return timer;
      };
    }
    (imports[entry.module] ??= {})[entry.name] = fn;
  }
  const instance = new wasm.Instance(module, imports);
  const exports = instance.exports as Record<string, unknown> & { __wbindgen_start?: () => void };
  (bg as unknown as { __wbg_set_wasm(e: unknown): void }).__wbg_set_wasm(exports);
  exports.__wbindgen_start?.();
  bindings = bg;
  return bg;
}

export interface OpenedSchemaEngine {
  engine: SchemaEngine;
  /** Frees the engine and closes every database connection it opened. */
  close(): Promise<void>;
}

/** Opens a schema engine bound to a database through a migration-aware driver adapter. */
export async function openSchemaEngine(
  schema: { path: string; content: string },
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
): Promise<OpenedSchemaEngine> {
  const bg = loadBindings();
  // engine.free() does not close the adapter's connections: track them so a SQLite file is
  // not left locked and a PostgreSQL pool not left open.
  const opened: Array<{ dispose(): Promise<void> }> = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    async connect() {
      const adapter = await adapterFactory.connect();
      opened.push(adapter);
      return adapter;
    },
    async connectToShadowDb() {
      const adapter = await adapterFactory.connectToShadowDb();
      opened.push(adapter);
      return adapter;
    },
  };
  const engine = await bg.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(tracking),
  );
  return {
    engine,
    async close() {
      engine.free();
      await Promise.all(opened.splice(0).map((adapter) => adapter.dispose()));
    },
  };
}
