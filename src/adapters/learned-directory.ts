/** People's names as the chat platforms tell them to us; a principal not yet seen shows as its id. */
import type { Directory } from '../app/ports.js';
import type { Principal } from '../domain/principal.js';
import { shortName } from '../domain/principal.js';
import { IANAZone } from 'luxon';

export class LearnedDirectory implements Directory {
  private readonly names = new Map<Principal, string>();
  private readonly zones = new Map<Principal, string>();

  knows(principal: Principal): boolean {
    return this.names.has(principal);
  }

  learn(principal: Principal, name: string | undefined): void {
    const clean = name?.trim();
    if (clean) this.names.set(principal, clean);
  }

  /** The person's IANA zone (Slack's `users.info` `tz`); times they type are read in it. */
  learnZone(principal: Principal, zone: string | undefined): void {
    if (zone && IANAZone.isValidZone(zone)) this.zones.set(principal, zone);
  }

  zoneOf(principal: Principal): string | undefined {
    return this.zones.get(principal);
  }

  displayName(principal: Principal): string {
    return this.names.get(principal) ?? shortName(principal);
  }
}
