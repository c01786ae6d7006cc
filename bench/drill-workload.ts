/**
 * What the drill's people do: releases of the example runbooks, step by step with a second person confirming;
 * incidents with short decision timers and update cadences, extended, updated, decided and resolved; maintenance
 * windows that start and end on their own. Each lane keeps starting new work until the workload's time is up.
 */
import type { DrillRunbook, Pace } from './drill-config.js';
import { ANNOUNCE } from './drill-config.js';
import type { Act, People, PublicEvent, Request, User } from './drill-people.js';
import { ALICE, BOB, CAROL, hasEvent } from './drill-people.js';
import type { Random } from './drill-random.js';
import { sleep } from './drill-random.js';

/** Who may drive and who may confirm (test/fixtures/slack/planb.yaml's team): never the same person for one release. */
const PAIRS: readonly (readonly [User, User])[] = [
  [ALICE, BOB],
  [ALICE, CAROL],
  [CAROL, BOB],
];

export interface Lanes {
  /** One lane per runbook (a runbook runs one release at a time), each in its own channel. */
  readonly releases: readonly { readonly runbook: DrillRunbook; readonly channel: string }[];
  readonly incidents: readonly string[];
  readonly windows: number;
  /**
   * Each release and incident in a channel of its own (`<lane channel>X<n>`), as teams often do: how busy one
   * conversation gets is then one release's or incident's doing, not a whole lane's.
   */
  readonly channelPerItem: boolean;
}

export interface WorkloadCounts {
  releases: number;
  incidents: number;
  windows: number;
}

export class Workload {
  readonly counts: WorkloadCounts = { releases: 0, incidents: 0, windows: 0 };

  constructor(
    private readonly people: People,
    private readonly pace: Pace,
    /** Until when lanes start new work (they finish what they are doing). */
    private readonly endsAt: number,
  ) {}

  /** Runs every lane, each on its own random stream, until the time is up; rejects on the drill's own mistakes. */
  async run(lanes: Lanes, random: Random): Promise<void> {
    const channel = (lane: string, n: number): string => (lanes.channelPerItem ? `${lane}X${n}` : lane);
    await Promise.all([
      ...lanes.releases.map((lane, index) => this.lane(random.fork(), (rng, n) => this.release(rng, lane.runbook, channel(lane.channel, n), `1.${index}.${n}`))),
      ...lanes.incidents.map((lane, index) => this.lane(random.fork(), (rng, n) => this.incident(rng, channel(lane, n), `${index + 1}.${n}`))),
      ...Array.from({ length: lanes.windows }, (_, index) => this.lane(random.fork(), (rng, n) => this.window(rng, `${index + 1}.${n}`))),
    ]);
  }

  /** At least one piece of work, then more while time is left. */
  private async lane(random: Random, work: (random: Random, n: number) => Promise<void>): Promise<void> {
    let n = 1;
    do {
      await work(random, n);
      n += 1;
    } while (Date.now() < this.endsAt);
  }

  private think(random: Random): Promise<void> {
    return sleep(random.between(this.pace.thinkMs[0], this.pace.thinkMs[1]));
  }

  private act(what: string, user: User, channel: string, request: Request, done: () => Promise<boolean>): Promise<void> {
    return this.people.act({ what, user, channel, request, done } satisfies Act);
  }

  private async release(random: Random, runbook: DrillRunbook, channel: string, version: string): Promise<void> {
    const [driver, confirmer] = random.pick(PAIRS);
    const title = `${runbook.title} ${version}`;
    let id = '';
    const events = (): Promise<readonly PublicEvent[]> => this.people.api.events('releases', id);
    const press = (user: User, action: string, step: string | undefined, type: string, data: Readonly<Record<string, unknown>> = {}): Promise<void> =>
      this.act(`${action} ${id} ${step ?? ''}`, user, channel, { kind: 'press', actionId: action, value: JSON.stringify({ release: id, ...(step === undefined ? {} : { step }) }) }, async () =>
        hasEvent(await events(), type, { ...(step === undefined ? {} : { step }), ...data }, type === 'release.point_of_no_return_acknowledged' ? `slack:${user.id}` : undefined),
      );

    await this.act(`start ${title}`, driver, channel, { kind: 'command', command: '/release', text: `start ${runbook.name} version=${version} confirmer=<@${confirmer.id}|${confirmer.name}>` }, async () => {
      id = (await this.people.api.idByTitle('releases', title)) ?? '';
      return id !== '';
    });
    this.counts.releases += 1;
    await this.think(random);
    await press(confirmer, 'release_accept', undefined, 'release.confirmer_accepted');
    for (const item of runbook.preflight) {
      await this.think(random);
      const evidence = item.evidence === undefined ? '' : ` restore tested, ticket OPS-${version}`;
      await this.act(`check ${id} ${item.id}`, driver, channel, { kind: 'command', command: '/release', text: `check ${id} ${item.id}${evidence}` }, async () =>
        hasEvent(await events(), 'release.preflight_checked', { item: item.id }),
      );
    }
    for (const step of runbook.steps) {
      if (step.irreversible) {
        for (const person of [driver, confirmer]) {
          await this.think(random);
          await press(person, 'release_acknowledge', step.id, 'release.point_of_no_return_acknowledged');
        }
      }
      await this.think(random);
      await press(driver, 'release_step_start', step.id, 'release.step_started');
      await sleep(random.between(this.pace.stepWorkMs[0], this.pace.stepWorkMs[1]));
      await press(driver, 'release_step_done', step.id, 'release.step_done');
      await this.think(random);
      await press(confirmer, 'release_step_confirm', step.id, 'release.step_confirmed');
    }
  }

  private async incident(random: Random, channel: string, n: string): Promise<void> {
    const { incident: pace } = this.pace;
    const lead = random.pick([ALICE, CAROL]);
    const title = `Drill incident ${n}`;
    let id = '';
    const events = (): Promise<readonly PublicEvent[]> => this.people.api.events('incidents', id);
    const command = (what: string, text: string, type: string, data: Readonly<Record<string, unknown>> = {}): Promise<void> =>
      this.act(`${what} ${id}`, lead, channel, { kind: 'command', command: '/incident', text }, async () => hasEvent(await events(), type, data));

    const timebox = Math.round(random.between(pace.timeboxS[0], pace.timeboxS[1]));
    await this.act(`declare ${title}`, lead, channel, { kind: 'command', command: '/incident', text: `declare ${title} severity=2 timebox=${timebox}s updates=${pace.updatesS}s` }, async () => {
      id = (await this.people.api.idByTitle('incidents', title)) ?? '';
      return id !== '';
    });
    this.counts.incidents += 1;
    const investigate = random.between(pace.investigateMs[0], pace.investigateMs[1]);
    await sleep(investigate * random.between(0.3, 0.7));
    if (random.chance(0.5)) {
      const reason = `the fix for ${n} is building`;
      await command('extend', `decide ${id} extend ${pace.extendS}s ${reason}`, 'incident.timer_extended', { reason });
    }
    if (random.chance(0.5)) {
      const text = `Drill update on ${n}: rolling the fix out`;
      await command('update', `update ${id} ${text}`, 'incident.update_posted', { text, auto: false });
    }
    await sleep(investigate * random.between(0.3, 0.7));
    await command('decide', `decide ${id} fixed the fix for ${n} holds`, 'incident.decided');
    await sleep(random.between(0, pace.investigateMs[0] * 2));
    await command('resolve', `resolve ${id} fixed in drill ${n}`, 'incident.resolved');
  }

  private async window(random: Random, n: string): Promise<void> {
    const { window: pace } = this.pace;
    const title = `Drill window ${n}`;
    // An instant, not "in 16s": a command done again must mean the same window.
    const start = new Date(Date.now() + pace.leadS * 1_000).toISOString();
    const text = `schedule "${title}" at ${start} for ${pace.forS}s in <#${ANNOUNCE}|announce> remind=${pace.remindS}s`;
    await this.act(`schedule ${title}`, ALICE, ANNOUNCE, { kind: 'command', command: '/maintenance', text }, async () => (await this.people.api.idByTitle('windows', title)) !== undefined);
    this.counts.windows += 1;
    // Nobody touches it: the reminder, the start, "ending soon" and the end are the bot's timers alone.
    await sleep(pace.everyMs * random.between(0.8, 1.2));
  }
}
