/** The embedded relay: runs effects as soon as they are committed, in order, in this process. */
import type { Effect } from '../../app/effects.js';
import type { Chat, Logger, MessageRef, Scheduler } from '../../app/ports.js';

export class DirectEffects {
  /** Message key → the platform's reference, so a later change edits the same message. */
  private readonly refs = new Map<string, MessageRef>();

  /** `chats`: where deliveries go, by platform name. */
  constructor(
    private readonly chats: ReadonlyMap<string, Chat>,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
  ) {}

  /** Never throws: the events are already committed, and a failed message must not undo them. */
  async run(effects: readonly Effect[]): Promise<void> {
    for (const effect of effects) {
      try {
        await this.apply(effect);
      } catch (error) {
        this.logger.error({ err: error, effect: effect.kind, ...('message' in effect ? { key: effect.message.key } : {}) }, 'effect failed');
      }
    }
  }

  private async apply(effect: Effect): Promise<void> {
    switch (effect.kind) {
      case 'deliver': {
        const chat = this.chats.get(effect.platform);
        if (!chat) throw new Error(`no chat platform ${effect.platform} in this process`);
        const ref = this.refs.get(effect.message.key);
        const thread = effect.thread === undefined ? undefined : this.refs.get(effect.thread);
        const conversation = thread === undefined ? effect.conversation : { ...effect.conversation, thread };
        if (ref === undefined) this.refs.set(effect.message.key, await chat.post(conversation, effect.message));
        // A shared file is posted once: its key coming again is a repeat, not an edit.
        else if (effect.message.file === undefined) await chat.update(conversation, ref, effect.message);
        return;
      }
      case 'schedule':
        return this.scheduler.schedule({ id: effect.timer, at: new Date(effect.at), payload: effect.payload });
      case 'cancel':
        return this.scheduler.cancel(effect.timer);
      case 'run':
        // Runners take their work from Redis; the embedded store has none. Steps were refused as offline; a preflight
        // command's check is given up by its watch at pickup time ("no runner took it"), as with Redis and no runner.
        this.logger.warn({ runner: effect.runner, release: effect.job.release, step: effect.job.step }, `no runner ${effect.runner} without Redis`);
        return;
    }
  }
}
