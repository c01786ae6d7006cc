/** Bot Framework activities as Teams sends them to a bot in a team channel, for tests. */

export interface TeamsUser {
  /** The 29: id Teams addresses the user by in this tenant's conversations. */
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
}

export interface TeamsChannel {
  readonly id: string;
  readonly name: string;
}

export const BOT = { id: '28:plan-b-bot', name: 'Plan B' };
const TEAM = { id: '19:ops-team@thread.tacv2', name: 'Ops' };
let next = 0;

const base = (serviceUrl: string, from: TeamsUser, channel: TeamsChannel): Record<string, unknown> => {
  next += 1;
  return {
    id: `${Date.now()}${next}`,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    conversation: { id: channel.id, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
    recipient: BOT,
    localTimezone: 'Europe/Berlin',
    channelData: { channel: { id: channel.id, name: channel.name }, team: TEAM, tenant: { id: 'tenant-1' } },
  };
};

/** The bot added to a team: Teams tells it about the channel it is in. */
export const installed = (serviceUrl: string, by: TeamsUser, channel: TeamsChannel): Record<string, unknown> => ({
  ...base(serviceUrl, by, channel),
  type: 'conversationUpdate',
  membersAdded: [BOT],
});

/** `@Plan B <text>`; `mentions` are the people the text names as `<at>Name</at>`. */
export const message = (serviceUrl: string, from: TeamsUser, channel: TeamsChannel, text: string, mentions: readonly TeamsUser[] = []): Record<string, unknown> => ({
  ...base(serviceUrl, from, channel),
  type: 'message',
  text: `<at>${BOT.name}</at> ${text}`,
  entities: [
    { type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT },
    ...mentions.map((user) => ({ type: 'mention', text: `<at>${user.name}</at>`, mentioned: { id: user.id, name: user.name } })),
  ],
});

/** An Adaptive Card `Action.Execute` pressed (or a form submitted). */
export const execute = (serviceUrl: string, from: TeamsUser, channel: TeamsChannel, verb: string, data: Readonly<Record<string, unknown>>): Record<string, unknown> => ({
  ...base(serviceUrl, from, channel),
  type: 'invoke',
  name: 'adaptiveCard/action',
  value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
});
