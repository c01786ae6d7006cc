/** The Teams app manifest and package: Microsoft's schema accepts them, the icons meet Teams' rules, the zip unzips. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/app/grammar/index.js';
import {
  manifestJson,
  PLACEHOLDER_APP_ID,
  TEAMS_APP_VERSION,
  TEAMS_COMMANDS,
  TEAMS_MANIFEST_DIR,
  TeamsAppIdError,
  teamsManifest,
  teamsPackage,
} from '../../../src/adapters/teams/manifest.js';
import { crc32 } from '../../../src/adapters/teams/zip.js';
import { unzip } from '../../support/unzip.js';

const SCHEMA_FILE = '../shared/schemas/teams-manifest/MicrosoftTeams.schema.v1.25.json';
const APP_ID = '3c2f5e8a-0b1d-4c6e-9f7a-2d4b6c8e0a1f';

interface Bot {
  botId: string;
  scopes: string[];
  supportsFiles: boolean;
  isNotificationOnly: boolean;
  commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[];
}
interface Manifest {
  id: string;
  version: string;
  name: { short: string; full: string };
  description: { short: string; full: string };
  developer: Record<string, string>;
  icons: { color: string; outline: string };
  bots: Bot[];
  [key: string]: unknown;
}
const manifest = (...args: Parameters<typeof teamsManifest>): Manifest => teamsManifest(...args) as unknown as Manifest;

/** Keyword positions where draft-04 and draft-07 differ: `id` (→ `$id`) and boolean exclusive bounds. */
const draft04Only = (node: unknown, path = ''): string[] => {
  if (Array.isArray(node)) return node.flatMap((item, i) => draft04Only(item, `${path}/${i}`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => [
    ...((key === 'id' && typeof value === 'string') || (/^exclusive(Minimum|Maximum)$/.test(key) && typeof value === 'boolean') ? [`${path}/${key}`] : []),
    ...draft04Only(value, `${path}/${key}`),
  ]);
};

/**
 * The schema is draft-04, which Ajv 8 reads only through the separate ajv-draft-04 package (not a dependency).
 * It uses none of the keywords whose meaning changed after draft-04 (asserted below), so Ajv's draft-07 class
 * validates it as written (its one `const`, a draft-06 keyword, included); only the `$schema` naming the draft-04
 * meta-schema, which Ajv 8 does not know, is dropped.
 */
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
// `format: uri` (on `$schema` and an Office add-in's helpUrl) is not checked: Ajv ships no formats, ajv-formats is not installed.
ajv.addFormat('uri', true);
const { $schema: _draft04, ...rules } = schema;
const validate = ajv.compile(rules);
const problems = (candidate: unknown): string[] =>
  validate(candidate) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? error.keyword}`);

const checkedInText = readFileSync(join(TEAMS_MANIFEST_DIR, 'manifest.json'), 'utf8');

describe('the Teams manifest schema, as loaded here', () => {
  it('is draft-04 without the keywords draft-07 reads differently, so the draft-07 validator is exact', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-04/schema#');
    expect(draft04Only(schema)).toEqual([]);
  });

  it('rejects an id that is not a GUID, an unknown key, a missing icon and a second bot', () => {
    expect(problems({ ...manifest(APP_ID), id: 'planb' })).toContain('/id must match pattern "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"');
    expect(problems({ ...manifest(APP_ID), commands: [] })).toContain(' must NOT have additional properties');
    expect(problems({ ...manifest(APP_ID), icons: { color: 'color.png' } })).toContain("/icons must have required property 'outline'");
    const bots = manifest(APP_ID).bots;
    expect(problems({ ...manifest(APP_ID), bots: [...bots, ...bots] })).toContain('/bots must NOT have more than 1 items');
  });
});

describe('teamsManifest', () => {
  it('is what manifests/teams/manifest.json holds for the all-zero placeholder id, byte for byte', () => {
    expect(JSON.parse(checkedInText)).toEqual(teamsManifest(PLACEHOLDER_APP_ID));
    expect(checkedInText).toBe(manifestJson(PLACEHOLDER_APP_ID));
  });

  it("passes Microsoft's schema: the checked-in file, a real app id, another name and developer", () => {
    expect(problems(JSON.parse(checkedInText))).toEqual([]);
    expect(problems(teamsManifest(APP_ID))).toEqual([]);
    const developer = { name: 'Acme SRE', websiteUrl: 'https://acme.example', privacyUrl: 'https://acme.example/privacy', termsOfUseUrl: 'https://acme.example/terms' };
    expect(problems(teamsManifest(APP_ID, { name: 'Acme Releases', developer }))).toEqual([]);
    expect(manifest(APP_ID, { name: 'Acme Releases', developer })).toMatchObject({ name: { short: 'Acme Releases' }, developer });
    expect(manifest(APP_ID, { name: 'Acme Releases' }).description.full).toContain('Mention @Acme Releases followed by');
  });

  it('puts the one app id in both id and botId, and describes one conversational bot in teams, chats and 1:1', () => {
    const { id, version, bots, icons } = manifest(APP_ID);
    expect({ id, version, icons }).toEqual({ id: APP_ID, version: TEAMS_APP_VERSION, icons: { color: 'color.png', outline: 'outline.png' } });
    expect(bots).toEqual([
      {
        botId: APP_ID,
        scopes: ['team', 'personal', 'groupChat'],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [{ scopes: ['team', 'personal', 'groupChat'], commands: [...TEAMS_COMMANDS] }],
      },
    ]);
  });

  it('offers as commands exactly the grammar families, each of which answers help', () => {
    expect(TEAMS_COMMANDS.map((command) => command.title)).toEqual(['release', 'incident', 'maintenance']);
    const options = { platform: 'teams', isReleaseId: () => false, isIncidentId: () => false, isWindowId: () => false } as const;
    expect(TEAMS_COMMANDS.map(({ title }) => parseCommand(`${title} help`, options))).toEqual([{ kind: 'release.help' }, { kind: 'incident.help' }, { kind: 'maintenance.help' }]);
  });

  it.each(['planb', '', '3c2f5e8a0b1d4c6e9f7a2d4b6c8e0a1f', '{3c2f5e8a-0b1d-4c6e-9f7a-2d4b6c8e0a1f}', ` ${APP_ID}`, `${APP_ID}\n`, '3c2f5e8a-0b1d-4c6e-9f7a-2d4b6c8e0a1g'])(
    'refuses the app id %j',
    (appId) => {
      expect(() => teamsManifest(appId)).toThrow(TeamsAppIdError);
      expect(() => teamsManifest(appId)).toThrow('is not a Microsoft App ID');
    },
  );
});

interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
  /** RGBA, row by row. */
  pixels: Buffer;
}

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/** Enough of a PNG decoder (RFC 2083) for 8-bit RGBA, not interlaced: what the icons must be to be read here. */
const readPng = (file: string): Png => {
  const data = readFileSync(file);
  expect(data.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: { type: string; body: Buffer }[] = [];
  for (let at = 8; at < data.length; ) {
    const length = data.readUInt32BE(at);
    const typed = data.subarray(at + 4, at + 8 + length);
    expect(data.readUInt32BE(at + 8 + length), `CRC of chunk at ${at}`).toBe(crc32(typed));
    chunks.push({ type: typed.subarray(0, 4).toString('latin1'), body: typed.subarray(4) });
    at += 12 + length;
  }
  const ihdr = chunks[0];
  expect(ihdr?.type).toBe('IHDR');
  expect(chunks.at(-1)?.type).toBe('IEND');
  const head = ihdr?.body ?? Buffer.alloc(13);
  const png = { width: head.readUInt32BE(0), height: head.readUInt32BE(4), bitDepth: head[8] ?? 0, colorType: head[9] ?? 0, interlace: head[12] ?? 0 };
  expect({ bitDepth: png.bitDepth, colorType: png.colorType, interlace: png.interlace }, 'decoded here: 8-bit RGBA, not interlaced').toEqual({ bitDepth: 8, colorType: 6, interlace: 0 });
  const raw = inflateSync(Buffer.concat(chunks.filter((chunk) => chunk.type === 'IDAT').map((chunk) => chunk.body)));
  const stride = png.width * 4;
  expect(raw.length).toBe(png.height * (stride + 1));
  const pixels = Buffer.alloc(png.height * stride);
  for (let y = 0; y < png.height; y += 1) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x += 1) {
      const value = raw[y * (stride + 1) + 1 + x] ?? 0;
      const left = x >= 4 ? (pixels[y * stride + x - 4] ?? 0) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = x >= 4 && y > 0 ? (pixels[(y - 1) * stride + x - 4] ?? 0) : 0;
      const predicted = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter ?? 0];
      expect(predicted, `filter type ${filter} of row ${y}`).toBeDefined();
      pixels[y * stride + x] = (value + (predicted ?? 0)) & 0xff;
    }
  }
  return { ...png, pixels };
};

const pixelAt = (png: Png, x: number, y: number): number[] => [...png.pixels.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4)];
const everyPixel = (png: Png): { x: number; y: number; rgba: number[] }[] =>
  Array.from({ length: png.width * png.height }, (_, i) => ({ x: i % png.width, y: Math.floor(i / png.width), rgba: pixelAt(png, i % png.width, Math.floor(i / png.width)) }));

describe('the icons in manifests/teams', () => {
  it('color.png is 192x192 on a solid square background, its symbol inside the central 96x96 (48px of padding for the crop)', () => {
    const color = readPng(join(TEAMS_MANIFEST_DIR, 'color.png'));
    expect([color.width, color.height]).toEqual([192, 192]);
    const background = pixelAt(color, 0, 0);
    expect(background[3]).toBe(255);
    const symbol = everyPixel(color).filter(({ rgba }) => rgba.join() !== background.join());
    expect(symbol.length).toBeGreaterThan(96 * 96 * 0.2);
    expect(symbol.filter(({ x, y }) => x < 48 || x >= 144 || y < 48 || y >= 144)).toEqual([]);
    expect(everyPixel(color).every(({ rgba }) => rgba[3] === 255)).toBe(true);
  });

  it('outline.png is 32x32, white on transparent only, the symbol reaching the edges (no padding)', () => {
    const outline = readPng(join(TEAMS_MANIFEST_DIR, 'outline.png'));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    const visible = everyPixel(outline).filter(({ rgba }) => rgba[3] !== 0);
    expect(visible.filter(({ rgba }) => rgba.slice(0, 3).join() !== '255,255,255')).toEqual([]);
    expect(visible.filter(({ rgba }) => rgba[3] === 255).length).toBeGreaterThan(32 * 32 * 0.25);
    const ys = visible.map(({ y }) => y);
    expect([Math.min(...ys), Math.max(...ys)]).toEqual([0, 31]);
  });
});

describe('teamsPackage', () => {
  it('unzips to exactly manifest.json, color.png and outline.png at the root, with the app id substituted', () => {
    const unzipped = unzip(teamsPackage(APP_ID));
    expect([...unzipped.names].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const inside = JSON.parse(unzipped.read('manifest.json').toString('utf8')) as Manifest;
    expect(inside).toEqual(teamsManifest(APP_ID));
    expect([inside.id, inside.bots[0]?.botId]).toEqual([APP_ID, APP_ID]);
    expect(JSON.stringify(inside)).not.toContain(PLACEHOLDER_APP_ID);
    expect(problems(inside)).toEqual([]);
    expect(unzipped.read('color.png')).toEqual(readFileSync(join(TEAMS_MANIFEST_DIR, 'color.png')));
    expect(unzipped.read('outline.png')).toEqual(readFileSync(join(TEAMS_MANIFEST_DIR, 'outline.png')));
  });

  it('is the same bytes for the same app id, so a rebuilt package is recognisably unchanged', () => {
    expect(teamsPackage(APP_ID).equals(teamsPackage(APP_ID))).toBe(true);
    expect(teamsPackage(APP_ID).equals(teamsPackage('6f1e2d3c-4b5a-4968-8776-655443322110'))).toBe(false);
  });

  it('refuses an app id that is not a GUID', () => {
    expect(() => teamsPackage('planb')).toThrow(TeamsAppIdError);
  });
});
