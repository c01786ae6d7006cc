/** Deliveries of messages with a file, on a real Redis with real BullMQ workers: posted once, never edited. */
import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../src/app/effects.js';
import type { Logger } from '../../../src/app/ports.js';
import type { Backbone } from '../../../src/adapters/redis/backbone.js';
import { backboneHarness } from '../../support/backbones.js';
import { RecordingChat } from '../../support/recording-chat.js';
import { until as poll } from '../../support/until.js';

const harness = backboneHarness('file-delivery');
const start = (chat: RecordingChat, logger: Logger): Promise<Backbone> => harness.start(harness.fresh(), new Map([['slack', chat]]), logger);

const deliver = (key: string, text: string, extra: { file?: string; thread?: string } = {}): Effect => ({
  kind: 'deliver',
  platform: 'slack',
  conversation: { channel: 'C0INC' },
  message: { key, text: [text], ...(extra.file === undefined ? {} : { file: { name: 'postmortem-inc-3.md', title: 'Post-mortem INC-3', content: extra.file } }) },
  ...(extra.thread === undefined ? {} : { thread: extra.thread }),
});

const until = (check: () => boolean, ms = 8_000): Promise<void> => poll(check, ms);

describe('a message with a file', () => {
  it("goes into its thread, is never edited when its key comes again, and holds up nothing after it", async () => {
    const chat = new RecordingChat();
    const warned: unknown[] = [];
    const backbone = await start(chat, { error: () => undefined, info: () => undefined, warn: (context, message) => warned.push([message, (context as { key?: string }).key]) });
    const event = (id: string): { id: string; type: string; at: string; actor: null; data: object } => ({ id, type: 'x.y', at: new Date().toISOString(), actor: null, data: {} });

    await backbone.store.append('s', 0, [event('e1')], [deliver('card', 'INC-3 declared'), deliver('pm/1', 'The draft', { file: '# v1', thread: 'card' })]);
    await backbone.store.append('s', 1, [event('e2')], [deliver('pm/1', 'The draft again', { file: '# v2', thread: 'card' }), deliver('line/1', 'after the draft', { thread: 'card' })]);
    await until(() => chat.posted.length === 3);
    expect(await backbone.settle('slack', 2_000)).toBe(true);

    expect(chat.posted.map((post) => [post.message.key, post.ref, post.conversation.thread, post.message.file?.content])).toEqual([
      ['card', undefined, undefined, undefined],
      ['pm/1', undefined, 'ref-1', '# v1'],
      ['line/1', undefined, 'ref-1', undefined],
    ]);
    expect(warned).toEqual([['a message with a file is posted once: not sent again', 'pm/1']]);
  });
});
