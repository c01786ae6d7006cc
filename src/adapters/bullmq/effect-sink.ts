/** Turns relayed outbox effects into BullMQ jobs with deterministic ids, so a replay adds nothing twice. */
import type { Queue } from 'bullmq';
import type { Clock, Logger } from '../../app/ports.js';
import { runJobId } from '../../app/runs.js';
import type { EffectSink } from '../redis/outbox-relay.js';
import type { PlanbQueues, TimerJob } from './queues.js';
import { jobId, timerJobId } from './queues.js';

/** A replaced timer's job is only clutter (firing it would be ignored as stale): removing it may fail harmlessly. */
const removeQuietly = async (queue: Queue<TimerJob>, id: string, logger: Logger): Promise<void> => {
  try {
    await queue.remove(id);
  } catch (error) {
    logger.info({ err: error, job: id }, 'could not remove a replaced timer job; it will be ignored when it fires');
  }
};

export const bullmqSink =
  (queues: PlanbQueues, clock: Clock, logger: Logger): EffectSink =>
  async (effects) => {
    for (const { effect, position, index, stamp, replaced } of effects) {
      switch (effect.kind) {
        case 'deliver':
          await queues
            .delivery(effect.platform)
            .add(
              'deliver',
              {
                platform: effect.platform,
                conversation: effect.conversation,
                message: effect.message,
                sequence: Number(stamp),
                ...(effect.thread === undefined ? {} : { thread: effect.thread }),
              },
              { jobId: jobId('d', position, index) },
            );
          break;
        case 'schedule':
          await queues.timers.add(
            'fire',
            { timer: effect.timer, generation: stamp, payload: effect.payload },
            { jobId: timerJobId(effect.timer, stamp), delay: Math.max(0, Date.parse(effect.at) - clock.now().getTime()) },
          );
          if (replaced) await removeQuietly(queues.timers, timerJobId(effect.timer, replaced), logger);
          break;
        case 'cancel':
          if (replaced) await removeQuietly(queues.timers, timerJobId(effect.timer, replaced), logger);
          break;
        case 'run':
          // The attempt's own id: relayed twice, it is still one job, so one run.
          await queues.runner(effect.runner).add('run', effect.job, { jobId: runJobId(effect.job) });
          break;
      }
    }
  };
