/**
 * What electron-builder.yml and package.json promise the installers, checked against
 * electron-builder 26's own defaults (read from the installed app-builder-lib, not copied here).
 * The packed result itself (asar contents, fuses) is checked in packaging.test.ts; .deb, .AppImage
 * and .dmg cannot be built on these machines (see docs/desktop.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const semver = require('semver') as { satisfies(version: string, range: string): boolean };

interface BuilderConfig {
  electronFuses?: Record<string, boolean>;
  linux: { category: string };
  deb: { depends: string[] };
  mac: {
    target: Array<{ target: string; arch: string[] }>;
    hardenedRuntime: boolean;
    entitlements: string;
    entitlementsInherit: string;
    extendInfo: Record<string, unknown>;
  };
}
const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

/** electron-builder's default deb dependencies, which a `deb.depends` list replaces. */
function builderDefaultDebDepends(): string[] {
  const { default: FpmTarget } = require('app-builder-lib/out/targets/FpmTarget') as {
    default: { prototype: { getDefaultDepends(target: string): string[] } };
  };
  return FpmTarget.prototype.getDefaultDepends.call(null, 'deb');
}

/** The Desktop Menu Specification's registered main categories. */
const MAIN_CATEGORIES = [
  'AudioVideo',
  'Audio',
  'Video',
  'Development',
  'Education',
  'Game',
  'Graphics',
  'Network',
  'Office',
  'Science',
  'Settings',
  'System',
  'Utility',
];

describe('Linux packages', () => {
  it('deb.depends keeps every default electron-builder would have used (libgtk-3-0 included)', () => {
    const defaults = builderDefaultDebDepends();
    expect(defaults).toContain('libgtk-3-0');
    const alternatives = config.deb.depends.map((d) => d.split('|').map((a) => a.trim()));
    for (const needed of defaults) {
      expect(
        alternatives.some((alts) => alts.includes(needed)),
        needed,
      ).toBe(true);
    }
    for (const lib of ['libsecret-1-0', 'libgbm1', 'libasound2']) {
      expect(
        alternatives.some((alts) => alts.includes(lib)),
        lib,
      ).toBe(true);
    }
  });

  it('the desktop entry names a registered main category first, then Finance', () => {
    const categories = config.linux.category.split(';').filter(Boolean);
    expect(MAIN_CATEGORIES).toContain(categories[0]);
    expect(categories).toContain('Finance');
  });
});

describe('macOS', () => {
  it('a dmg for Intel and Apple silicon, hardened runtime with an entitlements file, no Dock icon', () => {
    const dmg = config.mac.target.find((t) => t.target === 'dmg');
    expect(dmg?.arch.sort()).toEqual(['arm64', 'x64']);
    expect(config.mac.hardenedRuntime).toBe(true);
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(text).toContain('<key>com.apple.security.cs.allow-jit</key>');
    }
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
  });
});

describe('hardening and scripts', () => {
  it('fuses: no run-as-node, NODE_OPTIONS or inspect; only app.asar, integrity validated', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it('npm run dist builds first, then the installers of this platform with this config', () => {
    expect(pkg.scripts.dist).toMatch(/^node build\.mjs && electron-builder /);
    expect(pkg.scripts.dist).toContain('--config electron-builder.yml');
    expect(existsSync(join(root, 'node_modules/.bin/electron-builder'))).toBe(true);
  });

  it('engines admit only Node versions whose require(esm) Electron’s installer needs', () => {
    for (const ok of ['20.19.0', '20.20.1', '22.12.0', '24.1.0'])
      expect(semver.satisfies(ok, pkg.engines.node), ok).toBe(true);
    for (const bad of ['20.18.3', '21.7.3', '22.0.0', '22.11.0']) {
      expect(semver.satisfies(bad, pkg.engines.node), bad).toBe(false);
    }
  });
});
