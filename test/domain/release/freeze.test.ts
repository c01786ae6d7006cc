/** Change freezes: a start inside one needs an override, and the confirmer approves it by accepting. */
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/domain/release/decide.js';
import type { ReleaseCommand } from '../../../src/domain/release/decide.js';
import type { ReleaseEvent } from '../../../src/domain/release/events.js';
import { fold } from '../../../src/domain/release/state.js';
import type { Freeze } from '../../../src/domain/freeze.js';
import { activeFreeze } from '../../../src/domain/freeze.js';
import type { DomainError } from '../../../src/domain/errors.js';
import type { Runbook } from '../../../src/domain/runbook.js';
import { alice, at, bob, groups, runbook, start } from './fixtures.js';

const holiday: Freeze = { from: at(-60).toISOString(), until: at(60).toISOString(), services: ['checkout'], reason: 'Holiday sales' };
const checkout: Runbook = { ...runbook, service: 'checkout' };

const when = (given: readonly ReleaseEvent[], command: ReleaseCommand, actor: string, freezes: readonly Freeze[], book = checkout): ReleaseEvent[] | DomainError =>
  decide(fold(book.name, given), command, { now: at(1), actor, groups, runbook: book, freezes });

describe('a change freeze', () => {
  it('refuses a start without an override, saying until when, why, and how to override', () => {
    const refused = when([], start, alice, [holiday]) as DomainError;
    expect(refused.code).toBe('frozen');
    expect(refused.message).toBe(
      'checkout-deploy is in a change freeze until 15:02 UTC on 2026-11-23 (Holiday sales). If it cannot wait, start it with override="<why it cannot wait>": bob approves the override by accepting.',
    );
    expect((when([], { ...start, override: '  ' }, alice, [holiday]) as DomainError).code).toBe('frozen');
  });

  it('records the override and the freeze, and the acceptance approves it', () => {
    const started = when([], { ...start, override: 'Fixes a checkout outage' }, alice, [holiday]) as ReleaseEvent[];
    expect(started[0]?.data).toMatchObject({ override: 'Fixes a checkout outage', freeze: { until: holiday.until, reason: 'Holiday sales' } });
    const accepted = when(started, { type: 'accept', release: 'checkout-deploy-1' }, bob, [holiday]) as ReleaseEvent[];
    expect(accepted).toEqual([{ type: 'release.confirmer_accepted', at: at(1).toISOString(), actor: bob, data: { release: 'checkout-deploy-1', override: 'Fixes a checkout outage' } }]);
  });

  it('holds only inside its time and for its services; a freeze without services holds for every runbook', () => {
    expect(activeFreeze([holiday], 'checkout', at(-61))).toBeUndefined();
    expect(activeFreeze([holiday], 'checkout', at(-60))).toBe(holiday);
    expect(activeFreeze([holiday], 'checkout', at(60))).toBeUndefined();
    expect(activeFreeze([holiday], 'search', at(0))).toBeUndefined();
    expect(activeFreeze([holiday], undefined, at(0))).toBeUndefined();
    const everything = { from: holiday.from, until: holiday.until };
    expect(activeFreeze([everything], undefined, at(0))).toBe(everything);
    const plain = when([], start, alice, [{ ...holiday, services: ['search'] }]) as ReleaseEvent[];
    expect(plain[0]?.data).not.toHaveProperty('freeze');
    expect((when([], start, alice, [everything], runbook) as DomainError).code).toBe('frozen');
  });
});
