/**
 * Where Plan B may post in Teams: a conversation reference for every team channel, group chat and personal chat the
 * bot was installed in or messaged from, kept across restarts and replicas, found by conversation id or by name.
 */
import type { ConversationReference } from 'botbuilder';
import type { Records } from '../records.js';

const REFERENCES = 'teams-conversations';
const NAMES = 'teams-names';

/** A thread's conversation id is the channel's with `;messageid=<root>`: references are kept per channel. */
export const baseConversation = (id: string): string => id.split(';', 1)[0] ?? id;

/** `#Releases`, `releases` and `Releases` name the same channel. */
const nameKey = (name: string): string => name.trim().replace(/^#/, '').toLowerCase();

export class TeamsReferences {
  constructor(private readonly records: () => Records) {}

  /** Remembers where a conversation is, under its id and the names people may use for it. */
  async remember(reference: Partial<ConversationReference>, names: readonly string[]): Promise<void> {
    const id = reference.conversation?.id;
    if (id === undefined) return;
    const base = baseConversation(id);
    const conversation = reference.conversation ? { ...reference.conversation, id: base } : undefined;
    // Without the activity it came from: what Plan B posts later starts a conversation of its own, not a reply.
    const { activityId: _activityId, ...rest } = reference;
    await this.records().set(REFERENCES, base, JSON.stringify({ ...rest, conversation }));
    for (const name of names) if (nameKey(name) !== '') await this.records().set(NAMES, nameKey(name), base);
  }

  /** The reference for a conversation id or a channel name, if Plan B has been there. */
  async find(idOrName: string): Promise<Partial<ConversationReference> | undefined> {
    const direct = await this.records().get(REFERENCES, baseConversation(idOrName));
    const id = direct === undefined ? await this.records().get(NAMES, nameKey(idOrName)) : undefined;
    const text = direct ?? (id === undefined ? undefined : await this.records().get(REFERENCES, id));
    return text === undefined ? undefined : (JSON.parse(text) as Partial<ConversationReference>);
  }
}
