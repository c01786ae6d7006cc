/**
 * Slack's documented Block Kit limits for a message (docs.slack.dev/reference/block-kit), checked on a rendered payload.
 * The numbers are written out here, not imported from the renderer, so a wrong constant there is caught.
 */
import type { KnownBlock, TextObject } from '@slack/types';

const MAX_BLOCKS = 50;

/** Every violation found, as `blocks[i]…: what`; empty when Slack would accept the blocks. */
export const checkBlockKitLimits = (blocks: readonly KnownBlock[]): string[] => {
  const problems: string[] = [];
  const text = (where: string, object: TextObject | undefined, max: number): void => {
    if (!object) {
      problems.push(`${where}: missing text`);
      return;
    }
    if (object.text.trim() === '') problems.push(`${where}: empty text`);
    if (object.text.length > max) problems.push(`${where}: ${object.text.length} characters, more than ${max}`);
  };
  const actionIds = new Set<string>();
  if (blocks.length > MAX_BLOCKS) problems.push(`${blocks.length} blocks, more than ${MAX_BLOCKS}`);
  blocks.forEach((block, index) => {
    const at = `blocks[${index}]`;
    switch (block.type) {
      case 'header':
        if (block.text.type !== 'plain_text') problems.push(`${at}: header text must be plain_text`);
        text(`${at}.text`, block.text, 150);
        break;
      case 'section':
        if (!block.text && !block.fields) problems.push(`${at}: section without text or fields`);
        if (block.text) text(`${at}.text`, block.text, 3000);
        if (block.fields && block.fields.length > 10) problems.push(`${at}: ${block.fields.length} fields, more than 10`);
        block.fields?.forEach((field, f) => text(`${at}.fields[${f}]`, field, 2000));
        break;
      case 'actions':
        if (block.elements.length === 0 || block.elements.length > 25) problems.push(`${at}: ${block.elements.length} elements, not 1 to 25`);
        block.elements.forEach((element, e) => {
          if (element.type !== 'button') {
            problems.push(`${at}.elements[${e}]: not a button`);
            return;
          }
          text(`${at}.elements[${e}].text`, element.text, 75);
          const id = element.action_id ?? '';
          if (id === '' || id.length > 255) problems.push(`${at}.elements[${e}]: action_id of ${id.length} characters, not 1 to 255`);
          if (actionIds.has(id)) problems.push(`${at}.elements[${e}]: action_id ${id} used twice`);
          actionIds.add(id);
          if ((element.value ?? '').length > 2000) problems.push(`${at}.elements[${e}]: value of ${element.value?.length} characters, more than 2000`);
        });
        break;
      case 'context':
        if (block.elements.length === 0 || block.elements.length > 10) problems.push(`${at}: ${block.elements.length} elements, not 1 to 10`);
        block.elements.forEach((element, e) => {
          if (element.type === 'mrkdwn' || element.type === 'plain_text') text(`${at}.elements[${e}]`, element, 2000);
        });
        break;
      default:
        problems.push(`${at}: unexpected block type ${block.type}`);
    }
  });
  return problems;
};
