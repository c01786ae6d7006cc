/** Every Redis key Plan B uses, under one prefix so several deployments can share a Redis. */

export interface RedisKeys {
  /** The events of one aggregate: a Redis stream whose entry ids are `0-<version>`. */
  stream(name: string): string;
  /** Every event of every aggregate, in commit order: a Redis stream whose entry ids are `0-<position>`. */
  readonly global: string;
  readonly position: string;
  /** Effects committed with their events, waiting for the relay (a Redis stream with a consumer group). */
  readonly outbox: string;
  /** Timer id → the generation that is current; a firing job of another generation is stale. */
  readonly timers: string;
  /** Per conversation: the last delivery sequence number handed out, and the last one delivered. */
  sequence(platform: string, channel: string): string;
  delivered(platform: string, channel: string): string;
  /** The platform's reference of the message posted under a message key. */
  ref(messageKey: string): string;
  /** A request key already handled (a platform's retry of it is ignored). */
  seen(key: string): string;
  /** A platform adapter's own small records (Teams conversation references), one hash per kind. */
  records(kind: string): string;
  /** BullMQ's own keys live under this prefix. */
  readonly bull: string;
}

export const redisKeys = (prefix: string): RedisKeys => ({
  stream: (name) => `${prefix}:stream:${name}`,
  global: `${prefix}:global`,
  position: `${prefix}:position`,
  outbox: `${prefix}:outbox`,
  timers: `${prefix}:timers`,
  sequence: (platform, channel) => `${prefix}:conversation:${platform}:${channel}:sequence`,
  delivered: (platform, channel) => `${prefix}:conversation:${platform}:${channel}:delivered`,
  ref: (messageKey) => `${prefix}:ref:${messageKey}`,
  seen: (key) => `${prefix}:seen:${key}`,
  records: (kind) => `${prefix}:records:${kind}`,
  bull: `${prefix}:bull`,
});
