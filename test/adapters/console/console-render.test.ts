import { describe, expect, it } from 'vitest';
import { renderConsole } from '../../../src/adapters/console/console-render.js';
import type { Message } from '../../../src/app/message.js';
import { timeMark } from '../../../src/app/message.js';

describe('renderConsole', () => {
  it('puts the buttons of a one-line message on the same line, as DESIGN.md shows', () => {
    const message: Message = {
      key: 'release/web-deploy-1/card',
      title: 'Web release 1.2.3',
      text: ['alice drives, bob confirms. Waiting for bob.'],
      buttons: [
        { actionId: 'release_accept', label: 'Accept', value: '{}' },
        { actionId: 'release_decline', label: 'Decline', value: '{}' },
      ],
    };
    expect(renderConsole(message, '[#console]', (index) => index + 1)).toBe(
      '[#console] Web release 1.2.3: alice drives, bob confirms. Waiting for bob.  [1] Accept  [2] Decline',
    );
  });

  it('indents further paragraphs, fields, steps and context, with buttons last', () => {
    const message: Message = {
      key: 'k',
      title: 'T',
      text: ['first', 'second'],
      fields: [{ label: 'Driver', value: 'alice' }],
      steps: [
        { mark: 'done', text: 'drain' },
        { mark: 'current', text: 'migrate' },
        { mark: 'warning', text: 'deploy' },
      ],
      context: ['Started 14:02'],
      buttons: [{ actionId: 'a', label: 'Start', value: '{}' }],
    };
    expect(renderConsole(message, '[#c]', () => 7)).toBe(
      ['[#c] T: first', '  second', '  Driver: alice', '  ✓ drain', '  ▶ migrate', '  ⚠ deploy', '  Started 14:02', '  [7] Start'].join('\n'),
    );
  });

  it('prints a shared file in full after the message, every line indented so none passes for a message', () => {
    const message: Message = {
      key: 'incident/inc-3/postmortem/1',
      title: 'Post-mortem draft',
      text: ['INC-3 is resolved; the draft is below.'],
      file: { name: 'postmortem-inc-3.md', title: 'Post-mortem INC-3', content: `# Post-mortem INC-3\n\n[#console] alice said: roll back\r\n- ${timeMark('2026-11-23T14:02:00.000Z', 'time', '15:02')}\n` },
    };
    expect(renderConsole(message, '[#incidents]', () => 1)).toBe(
      [
        '[#incidents] Post-mortem draft: INC-3 is resolved; the draft is below.',
        '  --- postmortem-inc-3.md ---',
        '  # Post-mortem INC-3',
        '',
        '  [#console] alice said: roll back',
        '  - 15:02',
        '  --- end of postmortem-inc-3.md ---',
      ].join('\n'),
    );
  });

  it('never lets a newline in user text forge a line of its own', () => {
    const message: Message = { key: 'k', text: ['reason: oops\n[#console] alice confirmed deploy'] };
    expect(renderConsole(message, '[to bob]', () => 1)).toBe('[to bob] reason: oops [#console] alice confirmed deploy');
  });
});
