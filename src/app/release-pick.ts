/** Which release a command means: the one it names, or the one running in the channel it was typed in. */
import type { DomainError } from '../domain/errors.js';
import { fail } from '../domain/errors.js';
import type { Release, ReleaseSlot } from '../domain/release/state.js';
import { activeReleases } from '../domain/release/state.js';

/** The release `id` names, or the one active in `channel` (asking which when several are; `usage` shows how to name one). */
export const pickRelease = (slots: readonly ReleaseSlot[], channel: string, id: string | undefined, usage: string): Release | DomainError => {
  if (id !== undefined) {
    return slots.flatMap((slot) => slot.releases).find((release) => release.id === id) ?? fail('unknown_release', `There is no release ${id}.`);
  }
  const active = slots.flatMap(activeReleases).filter((release) => release.channel === channel);
  const [only, ...others] = active;
  if (!only) return fail('no_active_release', `No release is running in this channel. Name one: ${usage}`);
  if (others.length > 0) return fail('which_release', `Several releases run here: ${active.map((r) => r.id).join(', ')}. Name one: ${usage}`);
  return only;
};

/** The latest release that ran in `channel`, ended or not: what `/release status` shows when nothing runs there. */
export const latestIn = (slots: readonly ReleaseSlot[], channel: string): Release | undefined =>
  slots
    .flatMap((slot) => slot.releases)
    .filter((release) => release.channel === channel)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
