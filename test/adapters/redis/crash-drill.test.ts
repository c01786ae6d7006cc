/**
 * SIGKILL drills on the real `planb` console on a real Redis: a release with a timer is driven through a
 * console that is killed at every boundary between append and delivery (named failpoints) and at random
 * moments; a fresh console takes over each time. No channel message or timer may be lost or duplicated.
 */
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleExited, ConsoleProcess } from '../../support/console-process.js';
import { connect, dropPrefix, redisUrl, uniquePrefix } from '../../support/redis.js';

interface Action {
  readonly user: string;
  readonly line?: string;
  readonly press?: string;
  /** Waits until some console has printed this. */
  readonly waitFor?: string;
}

const OVERDUE = 'two (Step two) has run past its expected 1s';

const SCRIPT: readonly Action[] = [
  { user: 'alice', line: '/release start drill version=1.0.0 confirmer=@bob' },
  { user: 'bob', press: 'Accept' },
  { user: 'alice', press: 'Start' },
  { user: 'alice', press: 'Done' },
  { user: 'bob', press: 'Confirm' },
  { user: 'alice', press: 'Start' },
  { user: 'alice', waitFor: OVERDUE },
  { user: 'alice', press: 'Done' },
  { user: 'bob', press: 'Confirm' },
  { user: 'alice', press: 'Start' },
  { user: 'alice', press: 'Done' },
  { user: 'bob', press: 'Confirm' },
];

/** Every timeline line of the drill, in order; each must reach the channel exactly once. */
const TIMELINE = [
  'alice started Drill 1.0.0 with bob as confirmer.',
  'bob accepted to confirm every step.',
  'alice started one: Step one.',
  'alice finished one; waiting for bob to confirm.',
  'bob confirmed one.',
  'alice started two: Step two.',
  OVERDUE,
  'alice finished two; waiting for bob to confirm.',
  'bob confirmed two.',
  'alice started three: Step three.',
  'alice finished three; waiting for bob to confirm.',
  'bob confirmed three.',
  'Drill 1.0.0 is complete.',
];

const CARD = '[#console] Drill 1.0.0 (drill-1):';

const redis = connect();
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await dropPrefix(redis, prefix);
  redis.disconnect();
});

/**
 * Drives SCRIPT through consoles on one Redis prefix, starting a new console whenever one dies. With
 * `replicas`, each person types into a console of their own: two processes share the work on one Redis.
 */
class Drill {
  readonly consoles: ConsoleProcess[] = [];
  /** Per lane (one lane, or one per person with replicas): its live console and who types there. */
  private readonly lanes = new Map<string, { console: ConsoleProcess; user: string }>();

  constructor(
    private readonly prefix: string,
    private readonly options: { failpoint?: string; replicas?: boolean } = {},
  ) {}

  private laneOf(user: string): string {
    return this.options.replicas ? user : 'only';
  }

  /** The lane's console, a new one when it has none or it died (only the very first gets the failpoint). */
  private consoleFor(lane: string): { console: ConsoleProcess; fresh: boolean } {
    const held = this.lanes.get(lane);
    if (held?.console.alive) return { console: held.console, fresh: false };
    const failpoint = this.consoles.length === 0 ? this.options.failpoint : undefined;
    const console = new ConsoleProcess({
      REDIS_URL: redisUrl(),
      PLANB_REDIS_PREFIX: this.prefix,
      PLANB_CONFIG: resolve('test/fixtures/drill/planb.yaml'),
      ...(failpoint ? { PLANB_FAILPOINT: failpoint } : {}),
    });
    this.consoles.push(console);
    this.lanes.set(lane, { console, user: '' });
    return { console, fresh: true };
  }

  /** The console a kill would hit now: the newest live one. */
  get current(): ConsoleProcess {
    return this.consoleFor(this.laneOf('alice')).console;
  }

  /** A console killed at the very end is replaced, so what it owed is still delivered. */
  replaceIfDead(): void {
    for (const lane of this.lanes.keys()) this.consoleFor(lane);
  }

  get everything(): string {
    return this.consoles.map((console) => console.transcript).join('\n');
  }

  /** Runs one action; when the console dies under it, a new console looks at the state and does what is left. */
  async run(action: Action): Promise<void> {
    const lane = this.laneOf(action.user);
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const { console } = this.consoleFor(lane);
      const held = this.lanes.get(lane);
      try {
        if (held?.user !== action.user) await console.send(`/as ${action.user}`);
        if (held) held.user = action.user;
        if (action.waitFor !== undefined) {
          for (const deadline = Date.now() + 30_000; !this.everything.includes(action.waitFor); ) {
            if (Date.now() > deadline) throw new Error(`"${action.waitFor}" never came:\n${this.everything}`);
            if (!console.alive) throw new ConsoleExited('died while waiting');
            await new Promise((wake) => setTimeout(wake, 50));
          }
          return;
        }
        if (action.line !== undefined) {
          // A command that was recorded before the crash is refused the second time: nothing is recorded twice.
          await console.send(action.line);
          return;
        }
        // Buttons from the state itself, not from the channel: deliveries may lag behind a console that died.
        // No such button means a console that died had pressed it already.
        const from = console.transcript.length;
        await console.send('/release status drill-1');
        const number = console.button(action.press ?? '', from);
        if (number !== undefined) await console.send(`!${number}`);
        return;
      } catch (error) {
        if (!(error instanceof ConsoleExited)) throw error;
      }
    }
    throw new Error(`gave up on ${JSON.stringify(action)}:\n${this.everything}`);
  }

  /** Runs the script, then lets the consoles deliver what is owed and exit. */
  async complete(kill?: () => void): Promise<void> {
    for (const action of SCRIPT) {
      kill?.();
      await this.run(action);
    }
    for (const deadline = Date.now() + 30_000; !this.everything.includes('Drill 1.0.0 is complete.') || !this.everything.includes('Completed at'); ) {
      if (Date.now() > deadline) throw new Error(`the release never completed in the channel:\n${this.everything}`);
      this.replaceIfDead();
      await new Promise((wake) => setTimeout(wake, 50));
    }
    await new Promise((wake) => setTimeout(wake, 500));
    await Promise.all([...this.lanes.values()].map((held) => held.console.end()));
  }

  /** The channel's timeline lines (cards are edits and print again by design), per console. */
  timelines(): string[][] {
    return this.consoles.map((console) =>
      console.transcript
        .split('\n')
        .filter((line) => line.startsWith('[#console] ') && !line.startsWith(CARD))
        .map((line) => line.slice('[#console] '.length)),
    );
  }
}

const ofTimeline = (line: string): string => TIMELINE.find((expected) => line === expected || (expected === OVERDUE && line.startsWith(OVERDUE))) ?? `unexpected: ${line}`;

const start = (options: { failpoint?: string; replicas?: boolean } = {}): Drill => {
  const prefix = uniquePrefix('drill');
  prefixes.push(prefix);
  return new Drill(prefix, options);
};

describe.concurrent('SIGKILL at every boundary between append and delivery', () => {
  const points = [
    'append.committed@1',
    'append.committed@4',
    'append.committed@6',
    'relay.enqueued@2',
    'relay.enqueued@7',
    'delivery.sending@3',
    'delivery.recorded@5',
    'delivery.recorded@14',
    'timer.firing@1',
    'timer.fired@1',
  ];
  for (const point of points) {
    it(`killed at ${point}: every message and the timer exactly once, in order`, { timeout: 120_000 }, async () => {
      const drill = start({ failpoint: point });
      await drill.complete();
      expect(drill.consoles.length, `the failpoint ${point} was never reached`).toBeGreaterThan(1);
      const lines = drill.timelines().flat().map(ofTimeline);
      expect(lines).toEqual(TIMELINE);
      expect(drill.everything).toContain('Completed at');
    });
  }
});

describe('replicas', () => {
  it('two consoles on one Redis, alice typing in one and bob in the other: each message and the timer once', { timeout: 60_000 }, async () => {
    const drill = start({ replicas: true });
    await drill.complete();
    expect(drill.consoles).toHaveLength(2);
    expect(drill.timelines().flat().map(ofTimeline).sort()).toEqual([...TIMELINE].sort());
    // Both processes delivered: the work is shared, not done by one of them alone.
    expect(drill.timelines().every((lines) => lines.length > 0)).toBe(true);
  });
});

/** A seeded generator, so a failing run can be repeated. */
const random = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
};

describe('SIGKILL at random moments', () => {
  it('loses nothing and duplicates nothing but the one message a console may print as it dies', { timeout: 180_000 }, async () => {
    const seed = Date.now() % 100_000;
    const next = random(seed);
    const drill = start();
    let kills = 0;
    await drill.complete(() => {
      if (kills >= 6 || next() < 0.4) return;
      kills += 1;
      const victim = drill.current;
      setTimeout(() => victim.kill(), Math.floor(next() * 250));
    });
    expect(drill.consoles.length, `no console was killed (seed ${seed})`).toBeGreaterThan(1);
    const perConsole = drill.timelines().map((lines) => lines.map(ofTimeline));
    const all = perConsole.flat();
    // Nothing lost, nothing unexpected.
    expect([...new Set(all)].sort(), `seed ${seed}`).toEqual([...TIMELINE].sort());
    // A message printed twice is only the one a killed console had printed but not yet recorded as delivered:
    // the last thing it said. Anything else is a real duplicate (seed ${seed}).
    for (const line of TIMELINE) {
      const printers = perConsole.map((lines, index) => ({ index, count: lines.filter((entry) => entry === line).length })).filter((entry) => entry.count > 0);
      const total = printers.reduce((sum, entry) => sum + entry.count, 0);
      if (total === 1) continue;
      expect(total, `${line} printed ${total} times (seed ${seed})`).toBe(2);
      const [dying] = printers;
      expect(dying && perConsole[dying.index]?.at(-1), `seed ${seed}`).toBe(line);
    }
  });
});
