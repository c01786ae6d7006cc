/** Every Redis key Plan B uses, under one prefix so several deployments can share a Redis. */

export interface RedisKeys {
  /** The events of one aggregate: a Redis stream whose entry ids are `0-<version>`. */
  stream(name: string): string;
  /** Every event of every aggregate, in commit order: a Redis stream whose entry ids are `0-<position>`. */
  readonly global: string;
  readonly position: string;
  /** Effects committed with their events, waiting for the relay (a Redis stream with a consumer group). */
  readonly outbox: string;
  /** Requests a platform adapter accepted, waiting for the relay to queue them (a Redis stream, same consumer group). */
  readonly inbox: string;
  /** How many outbox entries were published without events (their positions are the negatives). */
  readonly published: string;
  /** Timer id → the generation that is current; a firing job of another generation is stale. */
  readonly timers: string;
  /** Per conversation: the last delivery sequence number handed out, and the last one delivered. */
  sequence(platform: string, channel: string): string;
  delivered(platform: string, channel: string): string;
  /** The platform's reference of the message posted under a message key. */
  ref(messageKey: string): string;
  /** Set while a message key's first post is on its way (when it began, in ms): left behind, the post may have gone out. */
  sending(messageKey: string): string;
  /** A request key already handled (a platform's retry of it is ignored). */
  seen(key: string): string;
  /** A platform adapter's own small records (Teams conversation references), one hash per kind. */
  records(kind: string): string;
  /** Instances of runner `name` by when they last reported in (a sorted set, scores in ms). */
  runners(name: string): string;
  /** Who took an attempt of an automated step: its runner instance, or the bot's watch that gave it up. */
  claim(job: string): string;
  /** BullMQ's own keys live under this prefix. */
  readonly bull: string;
}

export const redisKeys = (prefix: string): RedisKeys => ({
  stream: (name) => `${prefix}:stream:${name}`,
  global: `${prefix}:global`,
  position: `${prefix}:position`,
  outbox: `${prefix}:outbox`,
  inbox: `${prefix}:inbox`,
  published: `${prefix}:published`,
  timers: `${prefix}:timers`,
  sequence: (platform, channel) => `${prefix}:conversation:${platform}:${channel}:sequence`,
  delivered: (platform, channel) => `${prefix}:conversation:${platform}:${channel}:delivered`,
  ref: (messageKey) => `${prefix}:ref:${messageKey}`,
  sending: (messageKey) => `${prefix}:sending:${messageKey}`,
  seen: (key) => `${prefix}:seen:${key}`,
  records: (kind) => `${prefix}:records:${kind}`,
  runners: (name) => `${prefix}:runners:${name}`,
  claim: (job) => `${prefix}:claim:${job}`,
  bull: `${prefix}:bull`,
});
