/** Reads a zip archive the way a user's tools would: Info-ZIP's unzip when the machine has it, else the central directory here. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { expect } from 'vitest';
import { crc32 } from '../../src/adapters/teams/zip.js';

export interface Unzipped {
  /** Entry names in the archive's order. */
  readonly names: readonly string[];
  readonly read: (name: string) => Buffer;
}

const hasUnzip = ((): boolean => {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The central directory's entries, each checked against its CRC (APPNOTE 4.3.12, 4.3.16). */
export const readCentralDirectory = (archive: Buffer): Unzipped => {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end, 'end of central directory record').toBeGreaterThanOrEqual(0);
  const count = archive.readUInt16LE(end + 10);
  const entries = new Map<string, Buffer>();
  for (let i = 0, at = archive.readUInt32LE(end + 16); i < count; i += 1) {
    expect(archive.readUInt32LE(at), `central header ${i}`).toBe(0x02014b50);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const size = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    expect(archive.readUInt32LE(local), `local header of ${name}`).toBe(0x04034b50);
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const body = archive.subarray(start, start + size);
    expect([0, 8], `method of ${name}`).toContain(method);
    const data = method === 8 ? inflateRawSync(body) : body;
    expect(crc32(data), `CRC of ${name}`).toBe(crc);
    entries.set(name, data);
    at += 46 + nameLength + archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
  }
  return { names: [...entries.keys()], read: (name) => entries.get(name) ?? Buffer.alloc(0) };
};

/** Lists and reads an archive (a path, or bytes written to a temporary file first); fails the test on a bad CRC. */
export const unzip = (archive: Buffer | string): Unzipped => {
  if (!hasUnzip) return readCentralDirectory(typeof archive === 'string' ? readFileSync(archive) : archive);
  let path = archive;
  if (typeof path !== 'string') {
    path = join(mkdtempSync(join(tmpdir(), 'planb-unzip-')), 'archive.zip');
    writeFileSync(path, archive);
  }
  // -t tests every entry (CRCs included); -Z1 lists the bare names, one a line; -p writes an entry to stdout.
  expect(execFileSync('unzip', ['-t', path], { encoding: 'utf8' })).toContain('No errors detected');
  const names = execFileSync('unzip', ['-Z1', path], { encoding: 'utf8' }).trim().split('\n');
  return { names, read: (name) => execFileSync('unzip', ['-p', path, name], { maxBuffer: 1 << 24 }) };
};
