/**
 * The drill's people: they type slash commands and press buttons, sent as Slack sends them (signed, to any live
 * replica, the same request again with the same trigger id when it is not acknowledged), and look in the JSON API
 * for what each should have done. A command acknowledged but never carried out is done again, like a person would,
 * and counted.
 */
import type { FakeSlack } from '../test/support/fake-slack.js';
import { blockActionsBody, nextTrigger, sign, slashCommandBody } from '../test/support/slack-requests.js';
import type { Cluster } from './drill-cluster.js';
import type { PlanbProcess } from './planb-process.js';
import { sleep } from './drill-random.js';

export interface User {
  readonly id: string;
  readonly name: string;
}

export const ALICE: User = { id: 'U0ALICE', name: 'alice' };
export const BOB: User = { id: 'U0BOB', name: 'bob' };
export const CAROL: User = { id: 'U0CAROL', name: 'carol' };

/** Slack sends a request once and retries it up to three times when it is not acknowledged within 3 s. */
const SLACK_TRIES = 4;
const ACK_WAIT_MS = 3_000;
/**
 * How long a person waits for a command to show before doing it again, even when the replica that acknowledged it has
 * died (another may carry it out). Longer than a store command can take while Redis is away (ioredis gives up after
 * 20 reconnection attempts, about 10 s), so a slow command is not taken for a lost one.
 */
const PATIENCE_MS = 20_000;
/** A request that never shows, again and again: the drill's own mistake, not chaos. */
const MAX_ATTEMPTS = 8;
const APOLOGY = /failed on our side|Too many people pressed at once/;

export interface CommandCounts {
  /** What people set out to do. */
  acts: number;
  /** Slash commands and button presses sent; each one done again counts again. */
  sent: number;
  /** Slack's retries of a request not acknowledged in time: the same body and trigger id, to another replica. */
  slackRetries: number;
  /** Acknowledged with 200, then never carried out, nothing said: people had to notice and do it again. */
  ackedButLost: number;
  /** Answered "Sorry, that failed on our side" (or "too many pressed at once"): refused in words, done again. */
  apologised: number;
  /** Not acknowledged even after Slack's retries (Slack shows the person an error), done again. */
  notAcked: number;
}

export interface PublicEvent {
  readonly id: string;
  readonly type: string;
  readonly actor: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

export type Request =
  | { readonly kind: 'command'; readonly command: string; readonly text: string }
  | { readonly kind: 'press'; readonly actionId: string; readonly value: string };

export interface Act {
  /** For the drill's own errors: "start web-deploy 1.0.3". */
  readonly what: string;
  readonly user: User;
  readonly channel: string;
  readonly request: Request;
  /** Whether it has happened, from the JSON API. */
  readonly done: () => Promise<boolean>;
}

type Outcome = 'done' | 'apologised' | 'refused' | 'lost';

/** A command acknowledged and never seen carried out: what, which trigger id, who acknowledged it. */
export interface LostCommand {
  readonly what: string;
  readonly trigger: string;
  readonly sentAt: number;
  readonly ackedBy: PlanbProcess;
}

/** The read-only JSON API of whichever replica is up; waits out deaths and Redis being away. */
export class Api {
  constructor(
    private readonly cluster: Cluster,
    private readonly token: string,
  ) {}

  /** The JSON at `path`, or undefined for a 404; retried until a replica answers (throws after a minute). */
  async get<T>(path: string): Promise<T | undefined> {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(250)) {
      const replica = this.cluster.pick();
      if (!replica) continue;
      try {
        const response = await fetch(`${replica.base}${path}`, { headers: { Authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(5_000) });
        if (response.status === 404) return undefined;
        if (response.ok) return (await response.json()) as T;
      } catch {
        // Died under us, or Redis is away: ask again.
      }
    }
    throw new Error(`the JSON API did not answer ${path} for a minute`);
  }

  async events(collection: 'releases' | 'incidents' | 'windows', id: string): Promise<readonly PublicEvent[]> {
    return (await this.get<{ events: PublicEvent[] }>(`/api/v1/${collection}/${encodeURIComponent(id)}`))?.events ?? [];
  }

  /** The id of the item of `collection` with this title, once there is one. */
  async idByTitle(collection: 'releases' | 'incidents' | 'windows', title: string): Promise<string | undefined> {
    const list = (await this.get<Record<string, { id: string; title: string }[]>>(`/api/v1/${collection}`))?.[collection] ?? [];
    return list.find((item) => item.title === title)?.id;
  }
}

export class People {
  readonly counts: CommandCounts = { acts: 0, sent: 0, slackRetries: 0, ackedButLost: 0, apologised: 0, notAcked: 0 };
  readonly lost: LostCommand[] = [];
  /** Response URL ids handed out: each request's answer is found by its own. */
  private replies = 0;
  private readonly ackListeners: ((replica: PlanbProcess) => void)[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly slack: FakeSlack,
    readonly api: Api,
  ) {}

  /** The replica that acknowledges the next request, when it does. */
  nextAck(): Promise<PlanbProcess> {
    return new Promise((resolve) => this.ackListeners.push(resolve));
  }

  /** Does it, again until it shows (each time with a new trigger id, as a person typing or clicking again). */
  async act(act: Act): Promise<void> {
    this.counts.acts += 1;
    const answers: string[] = [];
    for (let attempt = 1; !(await act.done()); attempt += 1) {
      if (attempt > MAX_ATTEMPTS) throw new Error(`${act.what}: not done after ${MAX_ATTEMPTS} tries; answers: ${JSON.stringify(answers)}`);
      this.replies += 1;
      const replyId = `drill-${this.replies}`;
      this.counts.sent += 1;
      const trigger = nextTrigger();
      const sentAt = Date.now();
      const acker = await this.send(this.body(act, replyId, trigger));
      if (!acker) {
        this.counts.notAcked += 1;
        continue;
      }
      const outcome = await this.watch(act, replyId);
      const answer = this.answer(replyId);
      if (answer !== undefined) answers.push(answer);
      if (outcome === 'done') return;
      if (outcome === 'apologised') this.counts.apologised += 1;
      if (outcome === 'lost') {
        this.counts.ackedButLost += 1;
        this.lost.push({ what: act.what, trigger, sentAt, ackedBy: acker });
      }
      // 'refused': a rule said no to what the drill meant; done again (and given up after MAX_ATTEMPTS, with the answers).
    }
  }

  private body(act: Act, replyId: string, trigger: string): string {
    const responseUrl = this.slack.responseUrl(replyId);
    const person = { user: act.user.id, userName: act.user.name, channel: act.channel, responseUrl, trigger };
    return act.request.kind === 'command'
      ? slashCommandBody({ ...person, command: act.request.command, text: act.request.text })
      : blockActionsBody({ ...person, actionId: act.request.actionId, value: act.request.value, messageTs: '1.1' });
  }

  /** As Slack sends it: to a live replica; again (same body) to another when it is not acknowledged within 3 s. */
  private async send(body: string): Promise<PlanbProcess | undefined> {
    for (let attempt = 0; attempt < SLACK_TRIES; attempt += 1) {
      if (attempt > 0) {
        this.counts.slackRetries += 1;
        await sleep(300);
      }
      const replica = this.cluster.pick();
      if (!replica) continue;
      const signed = sign(body);
      const retry: Record<string, string> = attempt === 0 ? {} : { 'X-Slack-Retry-Num': String(attempt), 'X-Slack-Retry-Reason': 'http_timeout' };
      try {
        const response = await fetch(`${replica.base}/slack/events`, { method: 'POST', body: signed.body, headers: { ...signed.headers, ...retry }, signal: AbortSignal.timeout(ACK_WAIT_MS) });
        await response.arrayBuffer();
        if (response.status === 200) {
          for (const listener of this.ackListeners.splice(0)) listener(replica);
          return replica;
        }
      } catch {
        // Refused (dead), reset (killed while answering) or too slow: Slack retries.
      }
    }
    return undefined;
  }

  private answer(replyId: string): string | undefined {
    const reply = this.slack.responses.find((response) => response.id === replyId);
    return reply === undefined ? undefined : String(reply.body['text']);
  }

  /** Until it shows, the bot says it failed, a rule refuses it, or it is clearly not going to happen. */
  private async watch(act: Act, replyId: string): Promise<Outcome> {
    const sent = Date.now();
    let answeredAt: number | undefined;
    for (;;) {
      if (await act.done()) return 'done';
      const answer = this.answer(replyId);
      if (answer !== undefined && APOLOGY.test(answer)) return 'apologised';
      // An answer that is not an apology is a rule's refusal, or a confirmation whose effect shows a moment later.
      if (answer !== undefined) answeredAt ??= Date.now();
      if (answeredAt !== undefined && Date.now() - answeredAt > 3_000) return 'refused';
      if (Date.now() - sent > PATIENCE_MS) return 'lost';
      await sleep(300);
    }
  }
}

/** Has an event of `type` whose data has every field of `data`. */
export const hasEvent = (events: readonly PublicEvent[], type: string, data: Readonly<Record<string, unknown>> = {}, actor?: string): boolean =>
  events.some((event) => event.type === type && Object.entries(data).every(([key, value]) => event.data[key] === value) && (actor === undefined || event.actor === actor));
