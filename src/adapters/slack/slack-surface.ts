/** What Plan B asks of Slack: its slash commands, scopes and the one URL Slack calls. The manifest and the Bolt app both read these. */

/** Slash commands, all parsed by the shared grammar. */
export const SLASH_COMMANDS = [
  { command: '/release', description: 'Run a release step by step, each step confirmed by a second person', usage_hint: 'start <runbook> version=1.2.3 [env=staging] confirmer=@name | drill | rehearsals | status | list | help' },
  { command: '/incident', description: 'Declare an incident, decide fix or roll back, update stakeholders', usage_hint: 'declare <title> | update <text> | note <text> | decide rollback|extend|fixed | help' },
  { command: '/maintenance', description: 'Announce and track maintenance windows', usage_hint: 'schedule <title> at <time> for <duration> | list | help' },
] as const;

/**
 * Bot scopes, each for something the code calls: `commands` for the slash commands, `chat:write` for
 * chat.postMessage/chat.update/chat.postEphemeral, `chat:write.public` to post in stakeholder channels the bot
 * was not invited to, `files:write` to share documents such as post-mortem drafts (files.getUploadURLExternal and
 * files.completeUploadExternal), `users:read` to show people's names instead of their ids, `channels:history` and
 * `groups:history` to look for a message whose post went unanswered before posting it again (conversations.history,
 * conversations.replies; without them such a message may show twice).
 */
export const BOT_SCOPES = ['commands', 'chat:write', 'chat:write.public', 'files:write', 'users:read', 'channels:history', 'groups:history'] as const;

/** Slash commands, interactivity (buttons, modals) and options all arrive here in HTTP mode. */
export const SLACK_EVENTS_PATH = '/slack/events';
