/**
 * The packaging configuration, checked without downloading anything: electron-builder's own
 * loader reads electron-builder.yml and its own JSON schema validates it (both are local files of
 * the installed electron-builder); then the targets, the packaged files and the unpacked
 * WebAssembly binaries are checked against the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CONFIG_FILE = join(ROOT, 'electron-builder.yml');

interface BuilderConfig {
  appId?: string;
  productName?: string;
  /** Normalised by the loader into file sets. */
  files?: { filter?: string[] }[];
  asar?: boolean;
  asarUnpack?: string[];
  directories?: { output?: string };
  linux?: { target?: string[]; maintainer?: string };
  mac?: { target?: string[] };
  win?: { target?: string[] };
  electronFuses?: Record<string, boolean>;
  [key: string]: unknown;
}

interface ConfigModule {
  getConfig(
    projectDir: string,
    configPath: string | null,
    configFromOptions: unknown,
  ): Promise<BuilderConfig>;
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>;
}

/** electron-builder's configuration module (in app-builder-lib, resolved the way electron-builder resolves it). */
function builderConfigModule(): ConfigModule {
  const fromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder/package.json'));
  return fromBuilder(fromBuilder.resolve('app-builder-lib/out/util/config/config.js')) as ConfigModule;
}

const quietLogger = { isEnabled: false, add: () => {} };

async function loadConfig(): Promise<BuilderConfig> {
  return builderConfigModule().getConfig(ROOT, CONFIG_FILE, null);
}

describe('electron-builder configuration', () => {
  it('passes electron-builder’s own schema', async () => {
    const config = await loadConfig();
    await expect(builderConfigModule().validateConfiguration(config, quietLogger)).resolves.toBeUndefined();
  });

  it('is really validated: a misspelt option is refused', async () => {
    const config = { ...(await loadConfig()), linux: { targett: ['AppImage'] } };
    await expect(builderConfigModule().validateConfiguration(config, quietLogger)).rejects.toThrow(
      /configuration\.linux/,
    );
  });

  it('names the product and builds AppImage and deb, dmg, and nsis', async () => {
    const config = await loadConfig();
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe('O2O Studio');
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.maintainer).toBeTruthy();
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.directories?.output).toBe('release');
  });

  it('packages the compiled app, the renderer, the datasets and package.json, and the entry it names', async () => {
    const config = await loadConfig();
    const files = (config.files ?? []).flatMap((set) => set.filter ?? []);
    for (const pattern of ['package.json', 'dist/**/*', 'renderer/dist/**/*', 'datasets/**/*']) {
      expect(files).toContain(pattern);
    }
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      main: string;
      scripts: Record<string, string>;
    };
    expect(manifest.main).toBe('dist/electron/main.js');
    expect(manifest.scripts.dist).toContain('electron-builder --config electron-builder.yml');
  });

  it('unpacks the WebAssembly binaries the engine loads at run time', async () => {
    const config = await loadConfig();
    expect(config.asar).toBe(true);
    const unpack = config.asarUnpack ?? [];
    expect(unpack).toContain('node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm');
    expect(unpack).toContain('node_modules/parquet-wasm/**/*.wasm');
    const tfjsWasm = readdirSync(join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')).filter(
      (name) => name.endsWith('.wasm'),
    );
    expect(tfjsWasm.length).toBeGreaterThan(0);
    const parquetWasm = readdirSync(join(ROOT, 'node_modules/parquet-wasm'), { recursive: true }).filter(
      (name) => String(name).endsWith('.wasm'),
    );
    expect(parquetWasm.length).toBeGreaterThan(0);
  });

  it('flips the Electron fuses: no run-as-node, NODE_OPTIONS or --inspect; encrypted cookies; only an integrity-checked app.asar', async () => {
    const config = await loadConfig();
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // the fuses only protect an app that lives in app.asar
    expect(config.asar).toBe(true);
  });

  // After `npm run build` (CI builds before testing) the files the packaged app starts from exist.
  const built = existsSync(join(ROOT, 'dist', 'electron', 'main.js'));
  it.runIf(built || process.env.CI !== undefined)(
    'finds the built entry points the package starts from',
    () => {
      for (const file of [
        'dist/electron/main.js',
        'dist/electron/preload.cjs',
        'dist/core/server/engine-worker.js',
        'dist/core/server/engine-api.js',
        'renderer/dist/index.html',
      ]) {
        expect(existsSync(join(ROOT, file)), file).toBe(true);
      }
    },
  );
});

describe('supported Node.js versions', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    engines: { node: string };
    scripts: Record<string, string>;
  };

  it('states in package.json what every tool the project runs requires, and README says the same', () => {
    expect(manifest.engines.node).toBe('^20.19.0 || >=22.12.0');
    // the range covers each development tool's own requirement (read from the installed packages)
    for (const name of ['vite', 'eslint', '@sveltejs/vite-plugin-svelte']) {
      const file = join(ROOT, 'node_modules', name, 'package.json');
      const engines = (JSON.parse(readFileSync(file, 'utf8')) as { engines?: { node?: string } }).engines;
      expect(engines?.node, name).toMatch(/20\.19|20\.0|>=\s*18/);
    }
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('Node.js 20.19+');
    expect(readme).toContain('Node.js 22.12+');
    expect(readme).toContain('`npm run dist` refuses to start');
  });

  it('refuses `npm run dist` before Node.js 22.12 with a message saying why', async () => {
    const { spawnSync } = await import('node:child_process');
    const check = manifest.scripts.predist
      .replace(/^node -e "/, '')
      .replace(/"$/, '')
      .replace(/\\"/g, '"');
    const result = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' });
    const [major, minor] = process.versions.node.split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 12)) {
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('npm run dist needs Node.js 22.12 or newer');
    } else {
      expect(result.status).toBe(0);
    }
  });
});
