/** DESIGN.md's defaults for maintenance notices, and planb.yaml's `maintenance:` over them. */

const MINUTE = 60_000;

/** Reminders T-24h, T-1h, T-10m. */
export const DEFAULT_REMINDERS: readonly number[] = [24 * 60 * MINUTE, 60 * MINUTE, 10 * MINUTE];

/** "15 minutes before the end". */
export const DEFAULT_ENDING_SOON = 15 * MINUTE;

export interface MaintenanceDefaults {
  /** The announcement channel; else the channel the window is scheduled from. */
  readonly channel?: string;
  readonly remindMs: readonly number[];
  readonly endingSoonMs: number;
}

export const DEFAULT_MAINTENANCE: MaintenanceDefaults = { remindMs: DEFAULT_REMINDERS, endingSoonMs: DEFAULT_ENDING_SOON };
