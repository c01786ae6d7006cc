/** Requests exactly as Slack sends them to /slack/events: form-encoded, signed with the app's signing secret. */
import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

export interface Signed {
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** Signs `body` as Slack does (v0, HMAC-SHA256 over `v0:<timestamp>:<body>`); `at` in seconds, default now. */
export const sign = (body: string, options: { secret?: string; at?: number } = {}): Signed => {
  const timestamp = String(options.at ?? Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', options.secret ?? SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  // Exactly this content type: Bolt reads form bodies only when it has no charset suffix.
  return { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': timestamp, 'X-Slack-Signature': signature } };
};

let triggers = 0;
export const nextTrigger = (): string => {
  triggers += 1;
  return `${triggers}.1234567890.abcdef${triggers}`;
};

export interface SlashCommand {
  readonly user: string;
  readonly userName: string;
  readonly command: string;
  readonly text: string;
  readonly channel?: string;
  readonly responseUrl: string;
  readonly trigger?: string;
}

export const slashCommandBody = (command: SlashCommand): string =>
  new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEST',
    team_domain: 'planb-test',
    channel_id: command.channel ?? 'C0RELEASES',
    channel_name: 'releases',
    user_id: command.user,
    user_name: command.userName,
    command: command.command,
    text: command.text,
    api_app_id: 'A0PLANB',
    is_enterprise_install: 'false',
    response_url: command.responseUrl,
    trigger_id: command.trigger ?? nextTrigger(),
  }).toString();

export interface ButtonPress {
  readonly user: string;
  readonly userName: string;
  readonly actionId: string;
  readonly value: string;
  readonly messageTs: string;
  readonly channel?: string;
  readonly responseUrl: string;
  readonly trigger?: string;
}

export const blockActionsBody = (press: ButtonPress): string => {
  const channel = press.channel ?? 'C0RELEASES';
  const payload = {
    type: 'block_actions',
    user: { id: press.user, username: press.userName, name: press.userName, team_id: 'T0TEST' },
    api_app_id: 'A0PLANB',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: press.messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: press.trigger ?? nextTrigger(),
    team: { id: 'T0TEST', domain: 'planb-test' },
    channel: { id: channel, name: 'releases' },
    message: { type: 'message', ts: press.messageTs, text: 'card' },
    response_url: press.responseUrl,
    actions: [{ action_id: press.actionId, block_id: 'b1', text: { type: 'plain_text', text: 'x' }, value: press.value, type: 'button', action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
};

export interface ViewSubmission {
  readonly user: string;
  readonly userName: string;
  /** The view as we sent it to views.open (callback id, blocks, private_metadata). */
  readonly view: Readonly<Record<string, unknown>>;
  /** block id → action id → state, as Slack reports the inputs. */
  readonly values: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export const viewSubmissionBody = (submission: ViewSubmission): string => {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0TEST', domain: 'planb-test' },
    user: { id: submission.user, username: submission.userName, name: submission.userName, team_id: 'T0TEST' },
    api_app_id: 'A0PLANB',
    token: 'deprecated-verification-token',
    trigger_id: nextTrigger(),
    view: {
      id: 'V0VIEW',
      team_id: 'T0TEST',
      type: 'modal',
      app_id: 'A0PLANB',
      bot_id: 'B0PLANB',
      hash: '1700000000.abcdef',
      ...submission.view,
      state: { values: submission.values },
    },
    response_urls: [],
    is_enterprise_install: false,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
};
