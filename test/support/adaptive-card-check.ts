/**
 * Everything wrong with an Adaptive Card as Teams would see it, by two outside oracles: the 1.5 JSON Schema (with
 * Teams' two host extensions) and the adaptivecards SDK parsing as a 1.5 host; plus mentions, button count and size.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as AdaptiveCards from 'adaptivecards';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { AdaptiveCard } from '../../src/adapters/teams/adaptive-card.js';
import { ADAPTIVE_CARD_LIMITS } from '../../src/adapters/teams/adaptive-card.js';

/** The package's main entry needs a DOM; its UMD bundle parses and validates in Node. */
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCards;

/**
 * The 1.5 schema (draft-06) with Teams' two host extensions, as strict as the rest: `msteams` on the card (width and
 * mentions: learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format) and the people
 * picker's `choices.data` (…/cards/people-picker; standard only from 1.6).
 */
const loadSchema = (): ValidateFunction => {
  const { id, ...schema } = JSON.parse(readFileSync('../shared/schemas/adaptive-cards/adaptive-card-1.5.0.json', 'utf8')) as {
    id: string;
    definitions: Record<string, { properties: Record<string, unknown> }>;
  };
  const definitions = schema.definitions;
  const card = definitions['AdaptiveCard'];
  const choiceSet = definitions['Input.ChoiceSet'];
  if (!card || !choiceSet) throw new Error('the schema has no AdaptiveCard or Input.ChoiceSet');
  card.properties['msteams'] = {
    type: 'object',
    additionalProperties: false,
    required: ['width'],
    properties: {
      width: { enum: ['Full'] },
      entities: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'text', 'mentioned'],
          properties: {
            type: { enum: ['mention'] },
            text: { type: 'string', pattern: '^<at>[^<>]+</at>$' },
            mentioned: { type: 'object', additionalProperties: false, required: ['id', 'name'], properties: { id: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } } },
          },
        },
      },
    },
  };
  choiceSet.properties['choices.data'] = {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'dataset'],
    properties: { type: { enum: ['Data.Query'] }, dataset: { type: 'string', minLength: 1 } },
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(JSON.parse(readFileSync('node_modules/ajv/dist/refs/json-schema-draft-06.json', 'utf8')) as object);
  // Ajv ships no formats and ajv-formats is not a dependency; URLs are not what these cards get wrong.
  ajv.addFormat('uri', true);
  ajv.addFormat('uri-reference', true);
  // draft-06 spells the schema id `id`; Ajv 8 reads only `$id`.
  return ajv.compile({ $id: id, ...schema });
};
const schemaValid = loadSchema();

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What our card says that the SDK may rightly not echo: Teams' extensions, defaults, and empty strings (as unset). */
const withoutUnechoed = (node: Json, key = ''): Json | undefined => {
  if (key === 'msteams' || key === 'choices.data' || node === '') return undefined;
  if ((key === 'isRequired' && node === false) || (key === 'style' && node === 'compact') || (key === 'choices' && Array.isArray(node) && node.length === 0)) return undefined;
  if (Array.isArray(node)) return node.map((item) => withoutUnechoed(item) ?? null);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(Object.entries(node).flatMap(([k, v]) => {
    const kept = withoutUnechoed(v, k);
    return kept === undefined ? [] : [[k, kept]];
  }));
};

/** Where Teams reads Markdown and mentions: TextBlocks and facts. */
export const markdown = (node: Json): string[] => {
  if (Array.isArray(node)) return node.flatMap(markdown);
  if (typeof node !== 'object' || node === null) return [];
  const own = node['type'] === 'TextBlock' && typeof node['text'] === 'string' ? [node['text']] : [];
  const fact = node['type'] === undefined && typeof node['title'] === 'string' && typeof node['value'] === 'string' ? [node['title'], node['value']] : [];
  return [...own, ...fact, ...Object.values(node).flatMap(markdown)];
};

/** Where the SDK's reading of the card differs from ours: a property it dropped (unknown to it) or read otherwise. */
const unread = (ours: Json | undefined, sdk: Json | undefined, path = ''): string[] => {
  if (typeof ours !== 'object' || ours === null || typeof sdk !== 'object' || sdk === null) {
    return JSON.stringify(ours) === JSON.stringify(sdk) ? [] : [`sdk read ${path || '/'} as ${JSON.stringify(sdk)}`];
  }
  const theirs = sdk as Record<string, Json>;
  return Object.entries(ours).flatMap(([key, value]) => (key in theirs ? unread(value, theirs[key], `${path}/${key}`) : [`sdk did not read ${path}/${key}`]));
};

/**
 * Everything wrong with a card, as Teams would see it: the schema's errors; the SDK's parse and validation events (as
 * a 1.5 host with Teams' action limit) and any property it did not read back; a mention without its entity or the
 * other way round; more than six buttons; more bytes than a Teams message holds.
 */
export const cardProblems = (card: AdaptiveCard): string[] => {
  const json = JSON.parse(JSON.stringify(card)) as Json;
  const found: string[] = [];
  if (!schemaValid(json)) found.push(...(schemaValid.errors ?? []).slice(0, 5).map((error) => `schema: ${error.instancePath} ${error.message ?? ''}`));
  const parsed = new AC.AdaptiveCard();
  // Teams shows six actions as buttons and the rest in its overflow menu, up to 50 (botbuilder-dotnet#6085).
  parsed.hostConfig = new AC.HostConfig({ actions: { maxActions: 50 } });
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  parsed.parse(json, context);
  const events = [...Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message), ...parsed.validateProperties().validationEvents.map((event) => event.message)];
  // Teams' people picker is `choices.data` (standard only from 1.6) on a set without static choices: the SDK says so
  // once for each picker, and nothing else may be said.
  const pickers = JSON.stringify(json).split('"choices.data"').length - 1;
  const picker = ['Property "choices.data" is supported in version 1.6, but you are using version 1.5.', 'An Input.ChoiceSet must have at least one choice defined.'];
  for (const known of picker) {
    const times = events.filter((message) => message === known).length;
    if (times !== pickers) found.push(`sdk: "${known}" ${times} times, for ${pickers} people pickers`);
  }
  found.push(...events.filter((message) => !picker.includes(message)).map((message) => `sdk: ${message}`));
  found.push(...unread(withoutUnechoed(json), JSON.parse(JSON.stringify(parsed.toJSON())) as Json));
  const tags = markdown(json).flatMap((text) => text.match(/(?<!\\)<at>.*?<\/at>/g) ?? []);
  const entities = card.msteams.entities ?? [];
  for (const tag of tags) if (!entities.some((entity) => entity.text === tag)) found.push(`mention ${tag} has no entity`);
  for (const entity of entities) if (!tags.includes(entity.text)) found.push(`entity ${entity.text} is not in the card`);
  const primary = (card.actions ?? []).filter((action) => !('mode' in action) || action.mode !== 'secondary').length;
  if (primary > 6) found.push(`${primary} primary actions, more than 6`);
  const size = new TextEncoder().encode(JSON.stringify(card)).length;
  if (size > ADAPTIVE_CARD_LIMITS.cardBytes) found.push(`${size} bytes, more than ${ADAPTIVE_CARD_LIMITS.cardBytes}`);
  return found;
};

