/** Incidents, given events, when a command or a timer, then events: the decision timer, updates, resolution. */
import { describe, expect, it } from 'vitest';
import type { IncidentCommand, IncidentTimer } from '../../../src/domain/incident/decide.js';
import { decide, decideTimer } from '../../../src/domain/incident/decide.js';
import type { IncidentEvent, IncidentPolicy } from '../../../src/domain/incident/events.js';
import { incidentPolicy } from '../../../src/domain/incident/policy.js';
import { fold } from '../../../src/domain/incident/state.js';
import { DomainError } from '../../../src/domain/errors.js';

const T0 = Date.parse('2026-11-23T14:00:00.000Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);
const iso = (minutes: number): string => at(minutes).toISOString();
const alice = 'slack:U0ALICE';
const bob = 'slack:U0BOB';

const policy: IncidentPolicy = { timeboxMs: 20 * 60_000, warnBeforeMs: 5 * 60_000, maxExtensions: 2, escalateAfterMs: 5 * 60_000, updatesEveryMs: 30 * 60_000, nudgeBeforeMs: 2 * 60_000 };
const trouble: IncidentCommand = { type: 'declare', title: 'Checkout 500s after canary', severity: 2, release: 'web-deploy-1', channel: 'C0REL', platform: 'slack', stakeholders: 'C0STATUS', escalation: 'sre', policy };

const when = (given: readonly IncidentEvent[], command: IncidentCommand, actor = alice, minute = 0): IncidentEvent[] | DomainError => decide(fold(given), command, { now: at(minute), actor });
const then = (given: readonly IncidentEvent[], command: IncidentCommand, actor = alice, minute = 0): IncidentEvent[] => {
  const result = when(given, command, actor, minute);
  if (result instanceof DomainError) throw new Error(result.message);
  return [...given, ...result];
};
const fire = (given: readonly IncidentEvent[], timer: IncidentTimer, minute: number): IncidentEvent[] => decideTimer(fold(given), timer, at(minute));
const types = (events: readonly IncidentEvent[]): string[] => events.map((event) => event.type);

describe('declaring', () => {
  it('records the incident led by whoever declared it, and starts the decision timer', () => {
    const events = then([], trouble);
    expect(events).toEqual([
      { type: 'incident.declared', at: iso(0), actor: alice, data: { incident: 'inc-1', title: 'Checkout 500s after canary', severity: 2, lead: alice, channel: 'C0REL', platform: 'slack', policy, release: 'web-deploy-1', stakeholders: 'C0STATUS', escalation: 'sre' } },
      { type: 'incident.timer_started', at: iso(0), actor: alice, data: { incident: 'inc-1', deadline: iso(20) } },
    ]);
    const incident = fold(events).incidents[0];
    expect(incident?.nextUpdateAt).toBe(iso(30));
    expect(incident?.timer).toEqual({ deadline: iso(20), warned: false, expired: false, escalated: false });
  });

  it('refuses a second open incident for the same release, and an empty title', () => {
    const given = then([], trouble);
    expect((when(given, trouble, bob, 1) as DomainError).message).toBe('inc-1 is already open for web-deploy-1 (Checkout 500s after canary), led by U0ALICE: /incident update inc-1 <what changed>');
    expect((when([], { ...trouble, title: '  ' }) as DomainError).code).toBe('title_missing');
    const { release: _release, ...plain } = trouble;
    expect(types(when(given, plain, bob, 1) as IncidentEvent[])).toEqual(['incident.declared', 'incident.timer_started']);
  });
});

describe('the decision timer', () => {
  it('warns before the deadline, expires at it, escalates after it, each once', () => {
    let events = then([], trouble);
    events = [...events, ...fire(events, { type: 'warn', incident: 'inc-1', deadline: iso(20) }, 15)];
    expect(fire(events, { type: 'warn', incident: 'inc-1', deadline: iso(20) }, 15)).toEqual([]);
    events = [...events, ...fire(events, { type: 'expire', incident: 'inc-1', deadline: iso(20) }, 20)];
    events = [...events, ...fire(events, { type: 'escalate', incident: 'inc-1', deadline: iso(20) }, 25)];
    expect(types(events).slice(2)).toEqual(['incident.timer_warned', 'incident.timer_expired', 'incident.escalated']);
    expect(events.at(-1)).toEqual({ type: 'incident.escalated', at: iso(25), actor: null, data: { incident: 'inc-1', deadline: iso(20), escalation: 'sre' } });
    expect(fire(events, { type: 'escalate', incident: 'inc-1', deadline: iso(20) }, 25)).toEqual([]);
  });

  it('an escalation that fires before the expiry (both due after a restart) records the expiry too', () => {
    const events = then([], trouble);
    expect(types(fire(events, { type: 'escalate', incident: 'inc-1', deadline: iso(20) }, 40))).toEqual(['incident.timer_expired', 'incident.escalated']);
  });

  it('extends from the deadline while it is ahead, from now once it passed; needs a reason; stops at the limit', () => {
    let events = then([], trouble);
    expect((when(events, { type: 'extend', incident: 'inc-1', extendMs: 600_000, reason: ' ' }) as DomainError).code).toBe('reason_missing');
    events = then(events, { type: 'extend', incident: 'inc-1', extendMs: 10 * 60_000, reason: 'hotfix is building' }, bob, 18);
    expect(events.at(-1)).toEqual({ type: 'incident.timer_extended', at: iso(18), actor: bob, data: { incident: 'inc-1', deadline: iso(30), reason: 'hotfix is building', extension: 1 } });
    // The old deadline's timers are stale now.
    expect(fire(events, { type: 'expire', incident: 'inc-1', deadline: iso(20) }, 20)).toEqual([]);
    events = [...events, ...fire(events, { type: 'expire', incident: 'inc-1', deadline: iso(30) }, 30)];
    events = then(events, { type: 'extend', incident: 'inc-1', extendMs: 5 * 60_000, reason: 'deploying the fix' }, bob, 33);
    expect((events.at(-1)?.data as { deadline: string }).deadline).toBe(iso(38));
    expect((when(events, { type: 'extend', incident: 'inc-1', extendMs: 60_000, reason: 'one more minute' }, bob, 37) as DomainError).message).toBe(
      'No more extensions: 2 of 2 used. Decide now: /incident decide inc-1 rollback | fixed',
    );
    const incident = fold(events).incidents[0];
    expect(incident?.extensions.map((extension) => [extension.by, extension.reason])).toEqual([
      [bob, 'hotfix is building'],
      [bob, 'deploying the fix'],
    ]);
  });

  it('a decision records who and why, stops the timer, and cannot be made twice', () => {
    let events = then([], trouble);
    events = then(events, { type: 'decide', incident: 'inc-1', decision: 'rollback', reason: 'error rate still 12%' }, bob, 19);
    expect(events.at(-1)).toEqual({ type: 'incident.decided', at: iso(19), actor: bob, data: { incident: 'inc-1', decision: 'rollback', reason: 'error rate still 12%' } });
    expect(fold(events).incidents[0]?.timer).toBeUndefined();
    expect(fire(events, { type: 'expire', incident: 'inc-1', deadline: iso(20) }, 20)).toEqual([]);
    expect((when(events, { type: 'decide', incident: 'inc-1', decision: 'fixed' }, alice, 21) as DomainError).message).toBe(
      'inc-1 was decided at 14:19 UTC by U0BOB: roll back. If it goes wrong again, open new trouble.',
    );
    expect((when(events, { type: 'extend', incident: 'inc-1', extendMs: 60_000, reason: 'x' }, alice, 21) as DomainError).code).toBe('already_decided');
  });
});

describe('stakeholder updates', () => {
  it('a posted update restarts the clock: the nudge and the automatic update for the old time are stale', () => {
    let events = then([], trouble);
    events = [...events, ...fire(events, { type: 'nudge', incident: 'inc-1', due: iso(30) }, 28)];
    expect(types(events).at(-1)).toBe('incident.update_nudged');
    expect(fire(events, { type: 'nudge', incident: 'inc-1', due: iso(30) }, 28)).toEqual([]);
    events = then(events, { type: 'update', incident: 'inc-1', text: 'Rolling back; checkout degraded' }, alice, 29);
    expect(events.at(-1)?.data).toEqual({ incident: 'inc-1', text: 'Rolling back; checkout degraded', auto: false, next: iso(59) });
    expect(fire(events, { type: 'update_due', incident: 'inc-1', due: iso(30), text: 'state' }, 30)).toEqual([]);
    expect(types(fire(events, { type: 'nudge', incident: 'inc-1', due: iso(59) }, 57))).toEqual(['incident.update_nudged']);
  });

  it('when nobody updated, the bot posts the state itself and sets the next time', () => {
    const events = then([], trouble);
    expect(fire(events, { type: 'update_due', incident: 'inc-1', due: iso(30), text: 'Still investigating.' }, 30)).toEqual([
      { type: 'incident.update_posted', at: iso(30), actor: null, data: { incident: 'inc-1', text: 'Still investigating.', auto: true, next: iso(60) } },
    ]);
  });

  it('severity 4 has no cadence: no next update', () => {
    const quiet = then([], { ...trouble, severity: 4, policy: incidentPolicy(4, {}, []) });
    expect(fold(quiet).incidents[0]?.nextUpdateAt).toBeUndefined();
  });
});

describe('internal notes', () => {
  it('records who noted what, trimmed; a note is no stakeholder update and leaves their clock alone', () => {
    let events = then([], trouble);
    events = then(events, { type: 'note', incident: 'inc-1', text: '  pool 3 drained, connections at 0 ' }, bob, 12);
    expect(events.at(-1)).toEqual({ type: 'incident.note_added', at: iso(12), actor: bob, data: { incident: 'inc-1', text: 'pool 3 drained, connections at 0' } });
    expect(fold(events).incidents[0]).toMatchObject({ updates: [], nextUpdateAt: iso(30) });
    expect(types(fire(events, { type: 'nudge', incident: 'inc-1', due: iso(30) }, 28))).toEqual(['incident.update_nudged']);
    expect(fire(events, { type: 'update_due', incident: 'inc-1', due: iso(30), text: 'Still investigating.' }, 30)).toEqual([
      { type: 'incident.update_posted', at: iso(30), actor: null, data: { incident: 'inc-1', text: 'Still investigating.', auto: true, next: iso(60) } },
    ]);
  });

  it('refuses an empty note, and any note once the incident is resolved', () => {
    const open = then([], trouble);
    expect(when(open, { type: 'note', incident: 'inc-1', text: '   ' }, bob, 5)).toMatchObject({ code: 'text_missing', message: 'Say what the responders should know: /incident note inc-1 <text>' });
    const resolved = then(open, { type: 'resolve', incident: 'inc-1' }, alice, 10);
    expect(when(resolved, { type: 'note', incident: 'inc-1', text: 'for the record' }, bob, 11)).toMatchObject({ code: 'incident_resolved', message: 'inc-1 was resolved at 14:10 UTC.' });
  });
});

describe('resolving', () => {
  it('stops every timer and update, and refuses what comes after', () => {
    let events = then([], trouble);
    events = then(events, { type: 'resolve', incident: 'inc-1', summary: 'rolled back, error rate normal' }, alice, 40);
    const incident = fold(events).incidents[0];
    expect([incident?.status, incident?.timer, incident?.nextUpdateAt, incident?.summary]).toEqual(['resolved', undefined, undefined, 'rolled back, error rate normal']);
    for (const timer of [
      { type: 'expire', incident: 'inc-1', deadline: iso(20) },
      { type: 'nudge', incident: 'inc-1', due: iso(30) },
      { type: 'update_due', incident: 'inc-1', due: iso(30), text: 'x' },
    ] as const) {
      expect(fire(events, timer, 41)).toEqual([]);
    }
    expect((when(events, { type: 'update', incident: 'inc-1', text: 'late' }, alice, 42) as DomainError).message).toBe('inc-1 was resolved at 14:40 UTC.');
    expect((when(events, { type: 'lead', incident: 'inc-9', lead: bob }) as DomainError).code).toBe('unknown_incident');
  });

  it('hands the lead over, and says so when it is the same person', () => {
    const events = then(then([], trouble), { type: 'lead', incident: 'inc-1', lead: bob }, alice, 1);
    expect(fold(events).incidents[0]?.lead).toBe(bob);
    expect((when(events, { type: 'lead', incident: 'inc-1', lead: bob }) as DomainError).message).toBe('U0BOB already leads inc-1.');
  });
});

describe('incidentPolicy', () => {
  it('takes the command first, then the runbook, then planb.yaml, then the defaults; the severity sets the cadence', () => {
    expect(incidentPolicy(1, {}, [])).toEqual({ timeboxMs: 1_200_000, warnBeforeMs: 300_000, maxExtensions: 2, escalateAfterMs: 300_000, updatesEveryMs: 900_000, nudgeBeforeMs: 120_000 });
    const runbook = { decision: { timeboxMs: 600_000 }, updates: { nudgeBeforeMs: 60_000 } };
    const defaults = { decision: { timeboxMs: 1_800_000, maxExtensions: 1 }, updates: { everyMs: 2_700_000 } };
    expect(incidentPolicy(3, {}, [runbook, defaults])).toEqual({ timeboxMs: 600_000, warnBeforeMs: 300_000, maxExtensions: 1, escalateAfterMs: 300_000, updatesEveryMs: 2_700_000, nudgeBeforeMs: 60_000 });
    expect(incidentPolicy(3, { timeboxMs: 300_000, updatesMs: 600_000 }, [runbook, defaults])).toMatchObject({ timeboxMs: 300_000, updatesEveryMs: 600_000 });
    expect(incidentPolicy(4, {}, [undefined]).updatesEveryMs).toBeUndefined();
  });
});

describe('the post-mortem draft', () => {
  const file = 'postmortem-inc-1.md';

  it('is shared once after the rollback and once after the resolution, and on request any time', () => {
    const open = then([], trouble);
    expect(fire(open, { type: 'postmortem', incident: 'inc-1', file, why: 'resolved' }, 5)).toEqual([]);
    const rolledBack = [...open, ...fire(open, { type: 'postmortem', incident: 'inc-1', file, why: 'rolled_back' }, 5)];
    expect(rolledBack.at(-1)).toEqual({ type: 'incident.postmortem_drafted', at: iso(5), actor: null, data: { incident: 'inc-1', file, why: 'rolled_back' } });
    expect(fire(rolledBack, { type: 'postmortem', incident: 'inc-1', file, why: 'rolled_back' }, 6)).toEqual([]);
    const resolved = then(rolledBack, { type: 'resolve', incident: 'inc-1' }, bob, 10);
    const drafted = [...resolved, ...fire(resolved, { type: 'postmortem', incident: 'inc-1', file, why: 'resolved' }, 10)];
    expect(types(drafted).slice(-2)).toEqual(['incident.resolved', 'incident.postmortem_drafted']);
    expect(fire(drafted, { type: 'postmortem', incident: 'inc-1', file, why: 'resolved' }, 11)).toEqual([]);
    expect(fold(drafted).incidents[0]?.drafts).toEqual(['rolled_back', 'resolved']);
    // Resolved, nothing else is accepted; the draft still is.
    expect((when(drafted, { type: 'update', incident: 'inc-1', text: 'more' }, bob, 12) as DomainError).code).toBe('incident_resolved');
    expect(when(drafted, { type: 'share_postmortem', incident: 'inc-1', file }, bob, 12)).toEqual([
      { type: 'incident.postmortem_drafted', at: iso(12), actor: bob, data: { incident: 'inc-1', file, why: 'requested' } },
    ]);
  });
});
