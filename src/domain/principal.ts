/**
 * Principals name who may do what: `slack:U123`, `teams:<aad-object-id>`, `console:alice`,
 * `group:<name>` (resolved through the configured groups) and `*` (anyone).
 */

export type Principal = string;

/** Group name → its members, which may themselves be groups. */
export type Groups = Readonly<Record<string, readonly Principal[]>>;

export const PRINCIPAL_PATTERN = /^(?:\*|(?:slack|teams|console|group):[^\s:][^\s]*)$/;

export const isPrincipal = (text: string): boolean => PRINCIPAL_PATTERN.test(text);

/** Whether `who` is named by any entry of `allowed`, following groups (cycles are harmless). */
export const isEligible = (who: Principal, allowed: readonly Principal[], groups: Groups): boolean => {
  const seen = new Set<string>();
  const visit = (entries: readonly Principal[]): boolean =>
    entries.some((entry) => {
      if (entry === '*' || entry === who) return true;
      if (!entry.startsWith('group:')) return false;
      const name = entry.slice('group:'.length);
      if (seen.has(name)) return false;
      seen.add(name);
      return visit(groups[name] ?? []);
    });
  return visit(allowed);
};

/** The readable part of a principal for messages: `console:alice` → `alice`. Adapters may know better names. */
export const shortName = (who: Principal): string => who.slice(who.indexOf(':') + 1);

/** Everyone a group names, through nested groups (cycles are harmless), without the groups themselves or `*`. */
export const membersOf = (group: string, groups: Groups): Principal[] => {
  const seen = new Set<string>();
  const people = new Set<Principal>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const entry of groups[name] ?? []) {
      if (entry.startsWith('group:')) visit(entry.slice('group:'.length));
      else if (entry !== '*') people.add(entry);
    }
  };
  visit(group);
  return [...people];
};
