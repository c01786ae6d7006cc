/** Mentions as each platform sends them → principals. Mass mentions are never a person. */
import type { Principal } from '../../domain/principal.js';
import { isPrincipal } from '../../domain/principal.js';
import type { GrammarOptions } from './commands.js';

const MASS = /^(?:<!(?:here|channel|everyone)(?:\|[^>]*)?>|@(?:here|channel|everyone|all))$/i;

/** A principal, or the sentence saying why the word names nobody. */
export const parseMention = (word: string, platform: GrammarOptions['platform']): Principal | { readonly error: string } => {
  if (MASS.test(word)) return { error: `${word} is everyone, not a person: name one person.` };
  const slack = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word);
  if (slack?.[1]) return `slack:${slack[1]}`;
  const teams = /^<at:(teams:[^>\s]+)>$/.exec(word);
  if (teams?.[1]) return teams[1];
  if (/^(?:slack|teams|console):\S+$/.test(word) && isPrincipal(word)) return word;
  const bare = /^@([a-z0-9][a-z0-9._-]*)$/i.exec(word);
  if (bare?.[1]) {
    return platform === 'console' ? `console:${bare[1].toLowerCase()}` : { error: `Pick ${word} from the mention list, so the mention names one account.` };
  }
  return { error: `"${word}" does not name a person: mention them (@name).` };
};
