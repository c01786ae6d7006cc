/** The Slack app manifest, built from slack-surface.ts so the app Slack installs and the code cannot drift apart. */
import { stringify } from 'yaml';
import { BOT_SCOPES, SLACK_EVENTS_PATH, SLASH_COMMANDS } from './slack-surface.js';

/** What manifests/slack/manifest.yaml is generated with; nobody can install it as is. */
export const PLACEHOLDER_URL = 'https://planb.example.com';

export interface SlackManifestOptions {
  /** Public base URL of `planb serve`, e.g. https://planb.acme.com; `/slack/events` is appended. */
  readonly url?: string;
  /** Slack delivers over the Socket Mode connection, so the manifest carries no request URLs. */
  readonly socketMode?: boolean;
}

// Slack's own limit on slash command URLs (the manifest schema's maxLength); request URLs allow 3,500.
const MAX_URL_LENGTH = 3000;
/** The URL given cannot be Slack's request URL; the message says why. */
export class ManifestUrlError extends Error {
  override readonly name = 'ManifestUrlError';
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The events URL for a public base URL; throws an Error naming the problem when Slack could not or should not call it. */
const eventsUrl = (base: string): string => {
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new ManifestUrlError(`"${base}" is not a URL: pass the public https URL of planb serve, e.g. https://planb.example.com`);
  }
  const local = LOCAL_HOSTS.has(parsed.hostname);
  // Slack signs its requests but does not encrypt them; plain http is only for a local fake or tunnel endpoint.
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local)) {
    throw new ManifestUrlError(`"${base}" must be an https URL (http only for localhost): Slack sends commands and button presses to it`);
  }
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') {
    throw new ManifestUrlError(`"${base}" must be a base URL without credentials, query or fragment: ${SLACK_EVENTS_PATH} is appended to it`);
  }
  const url = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}${SLACK_EVENTS_PATH}`;
  if (url.length > MAX_URL_LENGTH) throw new ManifestUrlError(`"${base}" is too long: Slack accepts request URLs of up to ${MAX_URL_LENGTH} characters`);
  return url;
};

/**
 * The v1 app manifest Slack's "Create app from manifest" accepts. Commands go out with `should_escape: true`,
 * so Slack sends mentions as `<@U…|name>` and channels as `<#C…|name>`: ids the grammar resolves, not names.
 *
 * @example slackManifest({ url: 'https://planb.acme.com' }) // commands and buttons → https://planb.acme.com/slack/events
 */
export const slackManifest = (options: SlackManifestOptions = {}): Record<string, unknown> => {
  const socketMode = options.socketMode === true;
  if (socketMode && options.url !== undefined) {
    throw new ManifestUrlError('Socket Mode takes no URL: Slack delivers over the socket, so pass either a URL or Socket Mode');
  }
  const url = socketMode ? undefined : eventsUrl(options.url ?? PLACEHOLDER_URL);
  const at = url === undefined ? {} : { url };
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: 'Plan B',
      description: 'Production changes, two people per step, a rollback decision timer and stakeholder updates.',
      background_color: '#1f3a5f',
    },
    features: {
      bot_user: { display_name: 'Plan B', always_online: true },
      slash_commands: SLASH_COMMANDS.map(({ command, description, usage_hint }) => ({ command, ...at, description, usage_hint, should_escape: true })),
    },
    oauth_config: { scopes: { bot: [...BOT_SCOPES] } },
    settings: {
      interactivity: { is_enabled: true, ...(url === undefined ? {} : { request_url: url }) },
      org_deploy_enabled: false,
      socket_mode_enabled: socketMode,
      token_rotation_enabled: false,
    },
  };
};

/** The manifest as YAML, what Slack's manifest editor takes. */
export const manifestYaml = (options: SlackManifestOptions = {}): string =>
  // lineWidth 0: long descriptions and usage hints stay on one line, as Slack's editor shows them.
  stringify(slackManifest(options), { lineWidth: 0 });
