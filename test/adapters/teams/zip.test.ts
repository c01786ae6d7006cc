/** The minimal ZIP writer: CRC-32 against its published check value, archives read back by unzip and by the central directory. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32, zip } from '../../../src/adapters/teams/zip.js';
import { readCentralDirectory, unzip } from '../../support/unzip.js';

describe('crc32', () => {
  it('gives the check values of CRC-32/ISO-HDLC', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    expect(crc32(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('continues from a seed, so data can be fed in parts', () => {
    const whole = Buffer.from('chunked data, fed in two parts');
    expect(crc32(whole.subarray(10), crc32(whole.subarray(0, 10)))).toBe(crc32(whole));
  });
});

describe('zip', () => {
  const text = { name: 'text.txt', data: Buffer.from('Plan B '.repeat(200)) };
  const entries = [
    text,
    { name: 'noise.bin', data: randomBytes(2048) },
    { name: 'empty', data: Buffer.alloc(0) },
    { name: 'dir/nested.json', data: Buffer.from('{"a":1}\n') },
  ];

  it('writes entries that unzip lists in order and reads back intact', () => {
    const archive = zip(entries);
    for (const reader of [unzip(archive), readCentralDirectory(archive)]) {
      expect(reader.names).toEqual(entries.map((entry) => entry.name));
      for (const { name, data } of entries) expect(reader.read(name).equals(data), name).toBe(true);
    }
  });

  it('deflates what shrinks and stores what does not (random bytes), as the central directory says', () => {
    const archive = zip(entries.slice(0, 2));
    const methodAt = (offset: number): number => archive.readUInt16LE(offset + 8);
    expect(methodAt(0)).toBe(8);
    const second = 30 + 'text.txt'.length + archive.readUInt32LE(18);
    expect(methodAt(second)).toBe(0);
    expect(archive.readUInt32LE(18)).toBeLessThan(archive.readUInt32LE(22));
    expect(archive.readUInt32LE(second + 18)).toBe(2048);
  });

  // Some builds of Info-ZIP's unzip 6.0 (this machine's among them) print such names mangled whatever the flag.
  it('marks a non-ASCII name as UTF-8 (general purpose bit 11) and leaves ASCII names unmarked', () => {
    const flagsOf = (name: string): number => zip([{ name, data: Buffer.from('x') }]).readUInt16LE(6);
    expect(flagsOf('größe.txt')).toBe(0x0800);
    expect(flagsOf('plain.txt')).toBe(0);
    expect(readCentralDirectory(zip([{ name: 'größe.txt', data: Buffer.from('ü') }])).names).toEqual(['größe.txt']);
  });

  it('is byte-for-byte the same for the same entries', () => {
    expect(zip(entries).equals(zip(entries))).toBe(true);
  });

  it('of nothing is just the 22-byte end record', () => {
    const archive = zip([]);
    expect(archive).toEqual(Buffer.from([0x50, 0x4b, 0x05, 0x06, ...Array<number>(18).fill(0)]));
    expect(readCentralDirectory(archive).names).toEqual([]);
  });

  it.each([
    ['', 'not a relative path'],
    ['/etc/passwd', 'not a relative path'],
    ['../up.txt', 'not a relative path'],
    ['a\\b.txt', 'not a relative path'],
  ])('refuses the entry name %j', (name, problem) => {
    expect(() => zip([{ name, data: Buffer.alloc(1) }])).toThrow(problem);
  });

  it('refuses the same name twice', () => {
    expect(() => zip([text, text])).toThrow('"text.txt" is in the archive twice');
  });
});
