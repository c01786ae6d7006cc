/** Runbooks from a directory laid out as Kubernetes mounts a ConfigMap: each file a symlink into a hidden data folder. */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRunbooks } from '../../../src/adapters/files/runbook-files.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loading runbooks', () => {
  it('follows symlinks to files (a mounted ConfigMap) and skips dangling ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'planb-configmap-'));
    made.push(dir);
    mkdirSync(join(dir, '..2026_11_24_data'));
    copyFileSync(resolve('examples/runbooks/web-deploy.yaml'), join(dir, '..2026_11_24_data', 'web-deploy.yaml'));
    symlinkSync('..2026_11_24_data', join(dir, '..data'));
    symlinkSync(join('..data', 'web-deploy.yaml'), join(dir, 'web-deploy.yaml'));
    symlinkSync(join('..data', 'gone.yaml'), join(dir, 'gone.yaml'));
    const loaded = await loadRunbooks(dir);
    expect(loaded.issues).toEqual([]);
    expect(loaded.runbooks.map((book) => book.name)).toEqual(['web-deploy']);
  });
});
