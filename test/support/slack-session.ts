/**
 * A test file's session with `planb serve` acting as Slack: the server and fake Web API started before its tests and
 * stopped after, signed requests in, and what Slack was asked to post out.
 */
import { afterAll, beforeAll } from 'vitest';
import { FakeSlack } from './fake-slack.js';
import type { SlackCall } from './fake-slack.js';
import { startSlackServer } from './slack-server.js';
import { blockActionsBody, sign, SIGNING_SECRET, slashCommandBody } from './slack-requests.js';
import { until } from './until.js';

interface ButtonElement {
  readonly text?: { readonly text: string } | string;
  readonly action_id?: string;
  readonly value?: string;
}

export interface SlackSession {
  readonly slack: FakeSlack;
  /** The server's base URL, once started. */
  readonly base: () => string;
  /** Posts a signed body to /slack/events. */
  readonly post: (body: string) => Promise<Response>;
  /** A slash command typed by `user` (`/release start …`); its reply goes to the response URL `responseId`. */
  readonly command: (user: string, text: string, responseId?: string) => Promise<number>;
  /** Presses the newest button labelled `label` as `user`. */
  readonly press: (user: string, label: string, responseId?: string) => Promise<number>;
  /** Channel messages, posted or edited, in the order Slack received them. */
  readonly messages: () => SlackCall[];
  readonly texts: () => string[];
  /** Waits (polling) until `check` holds; fails with what was posted. */
  readonly until: (check: () => boolean, ms?: number) => Promise<void>;
}

/** Call at the top of a test file: `planb.yaml` from `configPath`, a bot token of its own, more variables in `env`. */
export const slackSession = (configPath: string, botToken: string, env: Readonly<Record<string, string>> = {}): SlackSession => {
  const slack = new FakeSlack();
  let base = '';
  let stop: () => Promise<void> = () => Promise.resolve();
  beforeAll(async () => {
    await slack.start();
    const server = await startSlackServer(slack, { SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, PLANB_CONFIG: configPath, ...env });
    base = server.base;
    stop = server.stop;
  });
  afterAll(async () => {
    await stop();
    await slack.stop();
  });

  const post = (body: string): Promise<Response> => {
    const signed = sign(body);
    return fetch(`${base}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers });
  };
  const messages = (): SlackCall[] => slack.calls.filter((call) => call.method === 'chat.postMessage' || call.method === 'chat.update');
  const texts = (): string[] => messages().map((call) => String(call.args['text']));
  const button = (label: string): { action_id: string; value: string } => {
    for (const call of [...messages()].reverse()) {
      const found = ((call.args['blocks'] ?? []) as { type: string; elements?: ButtonElement[] }[])
        .filter((block) => block.type === 'actions')
        .flatMap((block) => block.elements ?? [])
        .find((element) => typeof element.text === 'object' && element.text.text === label);
      if (found?.action_id !== undefined && found.value !== undefined) return { action_id: found.action_id, value: found.value };
    }
    throw new Error(`no button ${label}`);
  };

  return {
    slack,
    base: () => base,
    post,
    messages,
    texts,
    command: async (user, text, responseId = 'r') => {
      const [name = '', ...rest] = text.split(' ');
      return (await post(slashCommandBody({ user, userName: user.toLowerCase(), command: name, text: rest.join(' '), responseUrl: slack.responseUrl(responseId) }))).status;
    },
    press: async (user, label, responseId = 'press') => {
      const pressed = button(label);
      return (await post(blockActionsBody({ user, userName: user.toLowerCase(), actionId: pressed.action_id, value: pressed.value, messageTs: '1.1', responseUrl: slack.responseUrl(responseId) }))).status;
    },
    until: (check, ms = 15_000) => until(check, ms, () => `posted: ${JSON.stringify(texts())}; replies: ${JSON.stringify(slack.responses.map((response) => response.body['text']))}`),
  };
};
