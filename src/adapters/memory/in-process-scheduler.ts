/** Timers for the embedded mode: setTimeout against an injected clock. They die with the process (Redis mode does not). */
import type { Clock, Scheduler, TimerRequest } from '../../app/ports.js';

export type TimerHandler = (timer: TimerRequest) => Promise<void>;

/** setTimeout cannot wait longer than 2^31-1 ms; longer timers re-arm until due. */
const MAX_DELAY_MS = 2_147_483_647;

export class InProcessScheduler implements Scheduler {
  private readonly timers = new Map<string, { request: TimerRequest; handle: NodeJS.Timeout }>();
  private handler: TimerHandler = () => Promise.resolve();

  constructor(
    private readonly clock: Clock,
    private readonly onError: (error: unknown, timer: TimerRequest) => void,
  ) {}

  onFire(handler: TimerHandler): void {
    this.handler = handler;
  }

  schedule(request: TimerRequest): Promise<void> {
    this.clear(request.id);
    this.arm(request);
    return Promise.resolve();
  }

  cancel(id: string): Promise<void> {
    this.clear(id);
    return Promise.resolve();
  }

  /** Timers still waiting, soonest first. */
  pending(): TimerRequest[] {
    return [...this.timers.values()].map((timer) => timer.request).sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  /** Drops every timer, so a finished console lets the process exit. */
  stop(): void {
    for (const id of [...this.timers.keys()]) this.clear(id);
  }

  private arm(request: TimerRequest): void {
    const delay = Math.max(0, request.at.getTime() - this.clock.now().getTime());
    const handle = setTimeout(() => {
      if (this.clock.now().getTime() < request.at.getTime()) {
        this.arm(request);
        return;
      }
      this.timers.delete(request.id);
      this.handler(request).catch((error: unknown) => this.onError(error, request));
    }, Math.min(delay, MAX_DELAY_MS));
    this.timers.set(request.id, { request, handle });
  }

  private clear(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer.handle);
    this.timers.delete(id);
  }
}
