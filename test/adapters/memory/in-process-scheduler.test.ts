import { describe, expect, it } from 'vitest';
import { InProcessScheduler } from '../../../src/adapters/memory/in-process-scheduler.js';
import type { TimerRequest } from '../../../src/app/ports.js';
import { systemClock } from '../../../src/adapters/memory/system.js';

const soon = (ms: number): Date => new Date(systemClock.now().getTime() + ms);

const collect = (): { scheduler: InProcessScheduler; fired: TimerRequest[]; wait: (n: number) => Promise<void> } => {
  const fired: TimerRequest[] = [];
  const scheduler = new InProcessScheduler(systemClock, (error) => {
    throw error;
  });
  scheduler.onFire((timer) => {
    fired.push(timer);
    return Promise.resolve();
  });
  const wait = async (n: number): Promise<void> => {
    for (let i = 0; i < 200 && fired.length < n; i += 1) await new Promise((wake) => setTimeout(wake, 5));
  };
  return { scheduler, fired, wait };
};

describe('InProcessScheduler', () => {
  it('fires a timer with its payload once its time has come', async () => {
    const { scheduler, fired, wait } = collect();
    await scheduler.schedule({ id: 't1', at: soon(20), payload: { release: 'web-deploy-1' } });
    await wait(1);
    expect(fired.map((timer) => [timer.id, timer.payload])).toEqual([['t1', { release: 'web-deploy-1' }]]);
    expect(scheduler.pending()).toEqual([]);
  });

  it('replaces a timer scheduled again under the same id, and forgets a cancelled one', async () => {
    const { scheduler, fired, wait } = collect();
    await scheduler.schedule({ id: 'same', at: soon(10), payload: { n: '1' } });
    await scheduler.schedule({ id: 'same', at: soon(30), payload: { n: '2' } });
    await scheduler.schedule({ id: 'gone', at: soon(10), payload: {} });
    await scheduler.cancel('gone');
    await wait(1);
    await new Promise((wake) => setTimeout(wake, 40));
    expect(fired.map((timer) => timer.payload)).toEqual([{ n: '2' }]);
  });

  it('stop() drops every waiting timer', async () => {
    const { scheduler, fired } = collect();
    await scheduler.schedule({ id: 'a', at: soon(10), payload: {} });
    scheduler.stop();
    await new Promise((wake) => setTimeout(wake, 30));
    expect(fired).toEqual([]);
  });
});
