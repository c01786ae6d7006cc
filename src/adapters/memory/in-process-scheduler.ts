/** Timers for the embedded mode: setTimeout against an injected clock. They die with the process (Redis mode does not). */
import type { Clock, Scheduler, TimerRequest } from '../../app/ports.js';

export type TimerHandler = (timer: TimerRequest) => Promise<void>;

/** setTimeout cannot wait longer than 2^31-1 ms; longer timers re-arm until due. */
const MAX_DELAY_MS = 2_147_483_647;

export class InProcessScheduler implements Scheduler {
  private readonly timers = new Map<string, { request: TimerRequest; handle: NodeJS.Timeout }>();
  private handler: TimerHandler = () => Promise.resolve();
  private running = 0;

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

  /** Resolves once no timer is due or firing (later ones are left waiting), or after `timeoutMs` of real time. */
  async idle(timeoutMs: number): Promise<void> {
    const busy = (): boolean => this.running > 0 || this.pending().some((timer) => timer.at.getTime() <= this.clock.now().getTime());
    for (let waited = 0; busy() && waited < timeoutMs; waited += 10) await new Promise((wake) => setTimeout(wake, 10));
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
      this.running += 1;
      this.handler(request)
        .catch((error: unknown) => this.onError(error, request))
        .finally(() => {
          this.running -= 1;
        });
    }, Math.min(delay, MAX_DELAY_MS));
    this.timers.set(request.id, { request, handle });
  }

  private clear(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer.handle);
    this.timers.delete(id);
  }
}
