/** Usage lines, in DESIGN.md's notation: the help text and the tail of every grammar error. */

export const RELEASE_USAGE = {
  help: '/release help',
  runbooks: '/release runbooks                  list runbooks you may run',
  start: '/release start <runbook> [key=value ...] confirmer=@user [env=<environment>] [window=<id>] [override="<reason>"]',
  drill: '/release drill <runbook> [key=value ...] confirmer=@user [env=<environment>]   run the rollback path for practice, each step timed',
  rehearsals: '/release rehearsals <runbook>   its rehearsals and rollback drills, per environment and step',
  status: '/release status [<release-id>]',
  list: '/release list',
  check: '/release check [<release-id>] <check-id> [evidence ...]   tick a preflight check',
  reject: '/release reject [<release-id>] <reason>   (confirmer) send the current step back to the driver',
  abort: '/release abort [<release-id>] <reason>',
  rollback: '/release rollback [<release-id>] <reason>   undo the started steps, in reverse, under the same pair',
  unlock: '/release unlock <runbook> [env=<environment>] <reason>   after a rollback, once the cause is addressed',
  trouble: '/release trouble [<release-id>] <what is wrong> [timebox=20m]',
} as const;

export const INCIDENT_USAGE = {
  declare: '/incident declare <title> [severity=1..4] [timebox=20m] [updates=15m] [stakeholders=#channel]',
  lead: '/incident lead [<incident-id>] @user',
  update: '/incident update [<incident-id>] <text>',
  note: '/incident note [<incident-id>] <text>   internal: for responders and the post-mortem, never stakeholders',
  decide: '/incident decide [<incident-id>] rollback [reason] | extend <duration> <reason> | fixed [reason]',
  resolve: '/incident resolve [<incident-id>] [summary]',
  postmortem: '/incident postmortem [<incident-id>]',
} as const;

export const MAINTENANCE_USAGE = {
  schedule: '/maintenance schedule <title> at <time> for <duration> [in #channel] [impact="..."] [services=a,b] [remind=24h,1h,10m]',
  list: '/maintenance list',
  cancel: '/maintenance cancel <id> <reason>',
  extend: '/maintenance extend <id> <duration> <reason>',
  start: '/maintenance start <id>',
  complete: '/maintenance complete <id>',
  reschedule: '/maintenance reschedule <id> at <time>',
} as const;

/** Every subcommand of a family, one per line. */
export const helpText = (family: 'release' | 'incident' | 'maintenance'): string => {
  const usage = { release: RELEASE_USAGE, incident: INCIDENT_USAGE, maintenance: MAINTENANCE_USAGE }[family];
  return Object.values(usage).join('\n');
};
