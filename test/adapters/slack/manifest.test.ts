/** The Slack app manifest: the checked-in file is what the code builds, and Slack's own schema accepts both variants. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ManifestUrlError, manifestYaml, PLACEHOLDER_URL, slackManifest } from '../../../src/adapters/slack/manifest.js';
import { BOT_SCOPES, SLASH_COMMANDS } from '../../../src/adapters/slack/slack-surface.js';

const SCHEMAS = resolve('../shared/schemas/slack-manifest');
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

interface Manifest {
  display_information: { name: string; description: string; background_color: string };
  features: { bot_user: { display_name: string; always_online: boolean }; slash_commands: { command: string; url?: string; description: string; usage_hint: string; should_escape: boolean }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url?: string }; org_deploy_enabled: boolean; socket_mode_enabled: boolean; token_rotation_enabled: boolean };
}
const manifest = (options: Parameters<typeof slackManifest>[0]): Manifest => slackManifest(options) as unknown as Manifest;

const remoteRefs = (node: unknown): string[] => {
  if (Array.isArray(node)) return node.flatMap(remoteRefs);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => (key === '$ref' && typeof value === 'string' && value.startsWith('https://') ? [value] : remoteRefs(value)));
};

/**
 * manifest.schema.json only dispatches on `_metadata.major_version`; the rules live in the versioned schemas it
 * `$ref`s by their GitHub URLs. Those files carry no `$id` and were stored flattened (`schemas/x.json` →
 * `schemas_x.json`), so each is registered under the URL that refers to it.
 */
const loadValidator = (): ValidateFunction => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  // `$schema` is declared `format: uri`; Ajv ships no formats and ajv-formats is not a dependency.
  ajv.addFormat('uri', true);
  const main = readJson(join(SCHEMAS, 'manifest.schema.json')) as object;
  for (const url of new Set(remoteRefs(main))) {
    const file = join(SCHEMAS, new URL(url).pathname.replace(/^\/slackapi\/manifest-schema\/[^/]+\//, '').replaceAll('/', '_'));
    expect(existsSync(file), `${url} → ${file}`).toBe(true);
    ajv.addSchema(readJson(file) as object, url);
  }
  return ajv.compile(main);
};

const validate = loadValidator();
const problems = (candidate: unknown): string[] =>
  validate(candidate) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? error.keyword}`);

const checkedIn = parse(readFileSync('manifests/slack/manifest.yaml', 'utf8')) as unknown;

describe('the Slack manifest schema, as loaded here', () => {
  it("accepts Slack's own valid samples of both versions", () => {
    expect(problems(readJson(join(SCHEMAS, 'tests_manifests_v1_manifest.valid.json')))).toEqual([]);
    expect(problems(readJson(join(SCHEMAS, 'tests_manifests_v2_manifest.valid.json')))).toEqual([]);
  });

  it('rejects a command without its slash, an unknown top-level key and an overlong description', () => {
    const noSlash = manifest({});
    noSlash.features.slash_commands[0] = { ...SLASH_COMMANDS[0], command: 'release', should_escape: true };
    expect(problems(noSlash)).toContain('/features/slash_commands/0/command must match pattern "^\\/"');

    expect(problems({ ...manifest({}), slash_commands: [] })).toContain(' must NOT have additional properties');

    const chatty = manifest({});
    chatty.display_information.description = 'x'.repeat(141);
    expect(problems(chatty)).toContain('/display_information/description must NOT have more than 140 characters');
  });
});

describe('slackManifest', () => {
  it('is what manifests/slack/manifest.yaml holds, so the file cannot drift from the code', () => {
    expect(checkedIn).toEqual(slackManifest({ url: PLACEHOLDER_URL }));
    expect(checkedIn).toEqual(slackManifest({}));
  });

  it("passes Slack's schema over HTTP, on localhost and in Socket Mode", () => {
    expect(problems(checkedIn)).toEqual([]);
    expect(problems(slackManifest({ url: 'http://localhost:3000' }))).toEqual([]);
    expect(problems(slackManifest({ socketMode: true }))).toEqual([]);
  });

  it("keeps the background colour to the pattern the schema states under a keyword Ajv does not know ('regex')", () => {
    const v1 = readJson(join(SCHEMAS, 'schemas_manifest.schema.1.0.0.json')) as { definitions: Record<string, { properties: { background_color: { regex: string } } }> };
    const stated = v1.definitions['app-manifests.v1.display_information.schema']?.properties.background_color.regex ?? 'missing';
    expect(manifest({}).display_information.background_color).toMatch(new RegExp(stated));
  });

  it('offers exactly the commands and bot scopes the code serves, with mentions escaped to ids', () => {
    const { features, oauth_config } = manifest({});
    expect(features.slash_commands.map(({ command, description, usage_hint }) => ({ command, description, usage_hint }))).toEqual(SLASH_COMMANDS);
    expect(features.slash_commands.every((command) => command.should_escape)).toBe(true);
    expect(oauth_config.scopes.bot).toEqual(BOT_SCOPES);
    expect(features.bot_user).toEqual({ display_name: 'Plan B', always_online: true });
  });

  it('sends commands and interactivity to <url>/slack/events, keeping a base path and dropping a trailing slash', () => {
    const { features, settings } = manifest({ url: 'https://chat.acme.com/planb/' });
    expect(features.slash_commands.map((command) => command.url)).toEqual(Array(SLASH_COMMANDS.length).fill('https://chat.acme.com/planb/slack/events'));
    expect(settings).toEqual({ interactivity: { is_enabled: true, request_url: 'https://chat.acme.com/planb/slack/events' }, org_deploy_enabled: false, socket_mode_enabled: false, token_rotation_enabled: false });
  });

  it('in Socket Mode carries no request URL at all', () => {
    const socket = manifest({ socketMode: true });
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(socket.settings.interactivity).toEqual({ is_enabled: true });
    expect(JSON.stringify(socket)).not.toMatch(/url|https?:/);
  });

  it.each([
    ['planb.acme.com', 'is not a URL'],
    ['http://planb.acme.com', 'must be an https URL'],
    ['http://localhost.acme.com', 'must be an https URL'],
    ['ftp://planb.acme.com', 'must be an https URL'],
    ['https://planb.acme.com/?team=ops', 'without credentials, query or fragment'],
    ['https://bot:secret@planb.acme.com', 'without credentials, query or fragment'],
    [`https://planb.acme.com/${'x'.repeat(3000)}`, 'too long'],
  ])('refuses %s', (url, reason) => {
    expect(() => slackManifest({ url })).toThrow(ManifestUrlError);
    expect(() => slackManifest({ url })).toThrow(reason);
  });

  it('refuses a URL together with Socket Mode, which would never use it', () => {
    expect(() => slackManifest({ url: 'https://planb.acme.com', socketMode: true })).toThrow('Socket Mode takes no URL');
  });
});

describe('manifestYaml', () => {
  it('is the manifest as YAML, long lines unfolded', () => {
    const text = manifestYaml({ url: 'https://planb.acme.com' });
    expect(parse(text)).toEqual(slackManifest({ url: 'https://planb.acme.com' }));
    expect(text).toContain(`usage_hint: ${SLASH_COMMANDS[0].usage_hint}\n`);
  });
});
