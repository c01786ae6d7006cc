/** The logs are JSON lines a machine can read, with the ids we pass, and never a credential. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logger.js';

const capture = (): { lines: () => Record<string, unknown>[]; stream: { write: (line: string) => void } } => {
  const written: string[] = [];
  return { stream: { write: (line) => written.push(line) }, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
};

describe('the logger', () => {
  it('writes one JSON object a line, with the ids the caller gives', () => {
    const out = capture();
    createLogger('info', out.stream).warn({ release: 'web-deploy-3', incident: 'inc-2', requestId: 'lb-1' }, 'runner report failed');
    expect(out.lines()).toEqual([expect.objectContaining({ level: 40, msg: 'runner report failed', release: 'web-deploy-3', incident: 'inc-2', requestId: 'lb-1' })]);
  });

  it('redacts tokens, secrets, passwords and authorization headers wherever a caller puts them', () => {
    const out = capture();
    createLogger('info', out.stream).error(
      {
        token: 'xoxb-top',
        config: { botToken: 'xoxb-nested', signingSecret: 'shh-nested', appPassword: 'pw-nested', apiToken: 'api-nested', calendarToken: 'cal-nested' },
        req: { headers: { authorization: 'Bearer abc', 'x-slack-signature': 'v0=sig' } },
        teams: { password: 'teams-pw' },
        release: 'web-deploy-3',
      },
      'failed',
    );
    const text = JSON.stringify(out.lines());
    for (const secret of ['xoxb-top', 'xoxb-nested', 'shh-nested', 'pw-nested', 'api-nested', 'cal-nested', 'Bearer abc', 'v0=sig', 'teams-pw']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(text).toContain('web-deploy-3');
  });

  it('keeps quiet below its level', () => {
    const out = capture();
    createLogger('warn', out.stream).info({}, 'chatty');
    expect(out.lines()).toEqual([]);
  });
});
