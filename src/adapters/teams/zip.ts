/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3: local headers, central directory, end record; no ZIP64, no
 * encryption), enough for a Teams app package. Node 20 has deflate but no zip, and no zlib.crc32 before 22.
 */
import { deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated; Teams wants its files at the root. */
  readonly name: string;
  readonly data: Buffer;
}

// Reflected CRC-32 of ISO 3309 / ITU-T V.42 (polynomial 0xEDB88320), which ZIP and PNG both use.
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as ZIP and PNG use it. @example crc32(Buffer.from('123456789')) // 0xcbf43926 */
export const crc32 = (data: Uint8Array, seed = 0): number => {
  let crc = ~seed >>> 0;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return ~crc >>> 0;
};

const STORED = 0;
const DEFLATED = 8;
// 2.0: the version that introduced deflate, which is all a reader needs for these entries.
const VERSION = 20;
// Every entry is dated 1980-01-01 00:00, the DOS epoch, so the same inputs always give the same bytes.
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1;
// Beyond these a ZIP64 record is needed, which this writer does not write.
const MAX_SIZE = 0xffffffff;
const MAX_ENTRIES = 0xffff;

/** A ZIP archive of the entries in order; each is deflated unless that would not make it smaller (PNGs often). */
export const zip = (entries: readonly ZipEntry[]): Buffer => {
  if (entries.length > MAX_ENTRIES) throw new RangeError(`a zip without ZIP64 holds at most ${MAX_ENTRIES} entries`);
  const names = new Set<string>();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    if (name === '' || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) throw new RangeError(`"${name}" is not a relative path inside the archive`);
    if (names.has(name)) throw new RangeError(`"${name}" is in the archive twice`);
    names.add(name);
    const deflated = deflateRawSync(data, { level: 9 });
    const method = deflated.length < data.length ? DEFLATED : STORED;
    const body = method === DEFLATED ? deflated : data;
    if (data.length > MAX_SIZE || offset > MAX_SIZE) throw new RangeError('a zip without ZIP64 holds at most 4 GiB');
    const fileName = Buffer.from(name, 'utf8');
    // Bit 11: the name is UTF-8, so a reader never takes it for code page 437.
    const flags = /^[\x20-\x7e]*$/.test(name) ? 0 : 0x0800;
    const crc = crc32(data);

    /** The fields both headers share, in the same order: the local header has them at 4, the central one at 6. */
    const common = (header: Buffer, at: number): void => {
      header.writeUInt16LE(VERSION, at);
      header.writeUInt16LE(flags, at + 2);
      header.writeUInt16LE(method, at + 4);
      header.writeUInt16LE(DOS_TIME, at + 6);
      header.writeUInt16LE(DOS_DATE, at + 8);
      header.writeUInt32LE(crc, at + 10);
      header.writeUInt32LE(body.length, at + 14);
      header.writeUInt32LE(data.length, at + 18);
      header.writeUInt16LE(fileName.length, at + 22);
    };

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    common(local, 4);
    // Extra field length: 0 (bytes 28-29).

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    // Version made by, then the shared fields from "version needed" on.
    central.writeUInt16LE(VERSION, 4);
    common(central, 6);
    // Extra field, comment, disk number, internal and external attributes: none (bytes 30-41 stay zero).
    central.writeUInt32LE(offset, 42);

    locals.push(local, fileName, body);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  // This disk and the disk the directory starts on: 0 (bytes 4-7).
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  // Comment length: 0 (bytes 20-21).
  return Buffer.concat([...locals, directory, end]);
};
