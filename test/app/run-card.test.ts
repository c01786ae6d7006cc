/** Automated steps as people see them: the card, the timeline, the run effects and the output message on each platform. */
import { describe, expect, it } from 'vitest';
import { renderConsole } from '../../src/adapters/console/console-render.js';
import { BLOCK_KIT_LIMITS, renderBlockKit } from '../../src/adapters/slack/block-kit.js';
import { ACTIONS } from '../../src/app/actions.js';
import type { Delivery, Effect } from '../../src/app/effects.js';
import type { Message } from '../../src/app/message.js';
import { plainText } from '../../src/app/message.js';
import type { CardContext } from '../../src/app/release-card.js';
import { releaseCard, timelineLine } from '../../src/app/release-card.js';
import type { EffectExtras } from '../../src/app/release-effects.js';
import { releaseEffects, runWatchPayload, runWatchTimerId } from '../../src/app/release-effects.js';
import type { RunTimings } from '../../src/app/runs.js';
import type { StoredEvent } from '../../src/domain/event.js';
import type { RunSignal } from '../../src/domain/release/decide.js';
import type { ReleaseEvent } from '../../src/domain/release/events.js';
import type { Release } from '../../src/domain/release/state.js';
import { fold } from '../../src/domain/release/state.js';
import { shortName } from '../../src/domain/principal.js';
import type { AutoStep } from '../domain/release/fixtures.js';
import { alice, approveDeploy, atDeploy, AUTO_R, autoRunbook, bob, continueAuto, runFinished, runStarted, startDeploy, whenAuto } from '../domain/release/fixtures.js';

const ctx: CardContext = { zone: 'UTC', name: shortName };
const timings: RunTimings = { heartbeatMs: 5_000, offlineAfterMs: 20_000, pickupMs: 90_000, outputEveryMs: 3_000 };
const CARD = 'release/web-deploy-1/card';
const OUTPUT = 'release/web-deploy-1/run/deploy/1';
const WATCH = 'release-web-deploy-1-deploy-run-1-watch';

const releaseOf = (events: readonly ReleaseEvent[]): Release => {
  const release = fold(autoRunbook.name, events).releases[0];
  if (!release) throw new Error('no release');
  return release;
};
const card = (events: readonly ReleaseEvent[]): Message => releaseCard(releaseOf(events), ctx);
const cardText = (events: readonly ReleaseEvent[]): string[] => card(events).text.map(plainText);
const buttons = (events: readonly ReleaseEvent[]): Array<[string, string]> => (card(events).buttons ?? []).map((b) => [b.actionId, b.label]);
const deployLine = (events: readonly ReleaseEvent[]): { mark: string; text: string } => {
  const line = card(events).steps?.[1];
  if (!line) throw new Error('no line for deploy');
  return { mark: line.mark, text: plainText(line.text) };
};

const stored = (events: readonly ReleaseEvent[]): StoredEvent[] => events.map((event, index) => ({ ...event, id: `e${index + 1}` }));

/** The effects of `next` (a command or a runner's news) after `given`, with the app's extras. */
const effectsOf = (given: readonly ReleaseEvent[], next: AutoStep, extras: EffectExtras = { timings }): { events: ReleaseEvent[]; effects: Effect[] } => {
  const events = continueAuto(given, next).slice(given.length);
  if (events.length === 0) throw new Error('nothing happened');
  return { events, effects: releaseEffects({ slot: fold(autoRunbook.name, [...given, ...events]), events: stored(events) }, ctx, extras) };
};
const deliveries = (effects: readonly Effect[]): Delivery[] => effects.filter((effect): effect is Delivery => effect.kind === 'deliver');
const byKey = (effects: readonly Effect[], key: string): Delivery[] => deliveries(effects).filter((effect) => effect.message.key === key);
const timeline = (effects: readonly Effect[]): string[] =>
  deliveries(effects)
    .filter((effect) => effect.message.key.includes('/event/'))
    .map((effect) => plainText(effect.message.text[0] ?? ''));

const awaiting = (): ReleaseEvent[] => continueAuto(atDeploy(), startDeploy);
const queued = (): ReleaseEvent[] => continueAuto(awaiting(), approveDeploy);
const running = (): ReleaseEvent[] => continueAuto(queued(), runStarted('deploy'));
const failed = (): ReleaseEvent[] => continueAuto(running(), runFinished('deploy', { exitCode: 1, tail: ['error: image 1.2.3 not found'] }));

const HOSTILE_TAIL = ['pulling image 1.2.3', 'notify <!channel> now', 'see <https://evil|x>', '```', 'then *bold* ``` and `code`', 'error: exit 1'];

/** The output message of a run of deploy that ended with `tail`, as the effects deliver it. */
const finishedOutput = (tail: readonly string[]): Message => {
  const { effects } = effectsOf(running(), runFinished('deploy', { exitCode: 1, tail }));
  const [delivery] = byKey(effects, OUTPUT);
  if (!delivery) throw new Error('no output message');
  return delivery.message;
};

describe('the card of an automated step', () => {
  it('pending: the command it will run, who approves it, and a Start button', () => {
    expect(cardText(atDeploy())).toEqual([
      'alice drives, bob confirms. Step 2 of 3: alice to start Deploy 1.2.3. It runs on runner prod: ./deploy.sh --version 1.2.3',
      'bob approves the command before it runs.',
    ]);
    expect(buttons(atDeploy())).toEqual([
      [ACTIONS.startStep, 'Start'],
      [ACTIONS.rollback, 'Roll back'],
    ]);
    expect(deployLine(atDeploy())).toEqual({ mark: 'pending', text: 'deploy: Deploy 1.2.3 (~5m)' });
  });

  it('awaiting approval: "Approve and run" for the confirmer, and no Done button', () => {
    expect(cardText(awaiting())).toEqual(['alice drives, bob confirms. Step 2 of 3: bob to approve running ./deploy.sh --version 1.2.3 on runner prod.']);
    expect(buttons(awaiting())).toEqual([
      ['release_step_approve', 'Approve and run'],
      [ACTIONS.trouble, "Something's wrong"],
      [ACTIONS.rollback, 'Roll back'],
    ]);
    expect(buttons(awaiting()).map(([id]) => id)).not.toContain(ACTIONS.doneStep);
    expect(deployLine(awaiting())).toEqual({ mark: 'current', text: 'deploy: Deploy 1.2.3 (~5m), waiting for bob to approve the run on prod' });
  });

  it('queued and running: nothing can roll the command back, so no button offers to', () => {
    expect(buttons(queued())).toEqual([[ACTIONS.trouble, "Something's wrong"]]);
    expect(cardText(running())).toEqual(['alice drives, bob confirms. Step 2 of 3: runner prod is running ./deploy.sh --version 1.2.3 on deploy-01. Its output follows in the thread.']);
    expect(buttons(running())).toEqual([[ACTIONS.trouble, "Something's wrong"]]);
    expect(deployLine(running()).text).toMatch(/^deploy: Deploy 1\.2\.3 \(~5m\), running on prod \(deploy-01\) since \d\d:\d\d$/);
  });

  it('failed: the exit code, and Retry, Something\'s wrong and Roll back', () => {
    expect(cardText(failed())).toEqual([
      'alice drives, bob confirms. Step 2 of 3: Deploy 1.2.3 failed on prod: it exited with code 1 after 42s.',
      "alice: retry it (bob approves again), say something's wrong, or roll back.",
    ]);
    expect(buttons(failed())).toEqual([
      [ACTIONS.startStep, 'Retry'],
      [ACTIONS.trouble, "Something's wrong"],
      [ACTIONS.rollback, 'Roll back'],
    ]);
    expect(card(failed()).buttons?.[0]?.value).toBe(JSON.stringify({ release: AUTO_R, step: 'deploy' }));
    expect(deployLine(failed())).toEqual({ mark: 'failed', text: 'deploy: Deploy 1.2.3 (~5m), failed on prod: it exited with code 1 after 42s' });
  });

  it('a retry says which attempt it is on', () => {
    const retried = continueAuto(failed(), startDeploy);
    expect(deployLine(retried).text).toBe('deploy: Deploy 1.2.3 (~5m), waiting for bob to approve the run on prod (attempt 2)');
    expect(buttons(retried)[0]).toEqual(['release_step_approve', 'Approve and run']);
  });

  it('succeeded: where it ran, how long, and who approved it', () => {
    const done = continueAuto(running(), runFinished('deploy'));
    expect(deployLine(done)).toEqual({ mark: 'done', text: 'deploy: Deploy 1.2.3 (~5m), ran on prod in 42s, approved by bob' });
  });
});

describe('the timeline of an automated step', () => {
  const line = (given: readonly ReleaseEvent[], next: AutoStep): Array<string | undefined> => {
    const events = continueAuto(given, next);
    const release = releaseOf(events);
    return stored(events.slice(given.length)).map((event) => {
      const text = timelineLine(release, event, ctx);
      return text === undefined ? undefined : plainText(text);
    });
  };

  it('tells the approval, the start and the end', () => {
    expect(line(awaiting(), approveDeploy)).toEqual(['bob approved running ./deploy.sh --version 1.2.3 on runner prod.']);
    expect(line(queued(), runStarted('deploy'))).toEqual(['Runner prod (deploy-01) started deploy.']);
    expect(line(running(), runFinished('deploy', { exitCode: 1 }))).toEqual(['deploy failed on prod: it exited with code 1 after 42s.']);
  });

  it('a success confirmed by the bot adds no "finished" or "confirmed" lines: its own line says it', () => {
    expect(line(running(), runFinished('deploy'))).toEqual(['deploy succeeded on prod after 42s.', undefined, undefined]);
  });

  it('a step done and confirmed by people keeps its lines', () => {
    const accepted = atDeploy().slice(0, 2);
    const drainStarted = continueAuto(accepted, [{ type: 'start_step', release: AUTO_R, step: 'drain' }, alice]);
    expect(line(drainStarted, [{ type: 'done_step', release: AUTO_R, step: 'drain' }, alice])).toEqual(['alice finished drain; waiting for bob to confirm.']);
  });
});

describe('the effects of an automated step', () => {
  it('approval hands the job to the runner once and watches that it is taken in time', () => {
    const { events, effects } = effectsOf(awaiting(), approveDeploy);
    const approvedAt = events[0]?.at ?? '';
    const startBy = new Date(Date.parse(approvedAt) + 90_000).toISOString();
    expect(effects.filter((effect) => effect.kind === 'run')).toEqual([
      {
        kind: 'run',
        runner: 'prod',
        job: { release: AUTO_R, runbook: 'web-deploy', step: 'deploy', attempt: 1, params: { version: '1.2.3' }, argv: ['./deploy.sh', '--version', '1.2.3'], startBy },
      },
    ]);
    expect(effects.filter((effect) => effect.kind === 'schedule')).toEqual([
      { kind: 'schedule', timer: WATCH, at: startBy, payload: { kind: 'release.run_watch', release: AUTO_R, step: 'deploy', attempt: '1' } },
    ]);
    expect(runWatchTimerId(AUTO_R, 'deploy', 1)).toBe(WATCH);
    expect(runWatchPayload(AUTO_R, 'deploy', 1)).toEqual({ kind: 'release.run_watch', release: AUTO_R, step: 'deploy', attempt: '1' });
  });

  it('without timings, the default pickup time applies', () => {
    const { events, effects } = effectsOf(awaiting(), approveDeploy, {});
    const run = effects.find((effect) => effect.kind === 'run');
    expect(run?.kind === 'run' && Date.parse(run.job.startBy) - Date.parse(events[0]?.at ?? '')).toBe(60_000);
  });

  it('the start posts the live output message in the card\'s thread and moves the watch to the runner\'s heartbeat', () => {
    const { events, effects } = effectsOf(queued(), runStarted('deploy'));
    expect(byKey(effects, OUTPUT)).toEqual([
      {
        kind: 'deliver',
        platform: 'console',
        conversation: { channel: 'C1' },
        thread: CARD,
        message: { key: OUTPUT, text: [expect.stringContaining('runner prod is running ./deploy.sh --version 1.2.3 on deploy-01.')], context: ['No output yet.'] },
      },
    ]);
    expect(effects.filter((effect) => effect.kind === 'schedule')).toEqual([
      { kind: 'schedule', timer: WATCH, at: new Date(Date.parse(events[0]?.at ?? '') + 20_000).toISOString(), payload: runWatchPayload(AUTO_R, 'deploy', 1) },
    ]);
  });

  it('the end edits the output message to the tail, shares the full log as a file, and cancels the watch', () => {
    const log = 'pulling image 1.2.3\nerror: image 1.2.3 not found\n';
    const { effects } = effectsOf(running(), runFinished('deploy', { exitCode: 1, tail: ['error: image 1.2.3 not found'], log: 'web-deploy-1-deploy-1.log' }), { timings, runLog: log });
    expect(byKey(effects, OUTPUT)).toEqual([
      {
        kind: 'deliver',
        platform: 'console',
        conversation: { channel: 'C1' },
        thread: CARD,
        message: { key: OUTPUT, text: [expect.stringContaining('failed on prod: it exited with code 1 after 42s.')], output: ['error: image 1.2.3 not found'] },
      },
    ]);
    expect(byKey(effects, `${OUTPUT}/log`)).toEqual([
      {
        kind: 'deliver',
        platform: 'console',
        conversation: { channel: 'C1' },
        thread: CARD,
        message: {
          key: `${OUTPUT}/log`,
          text: ['The full output of deploy (attempt 1).'],
          file: { name: 'web-deploy-1-deploy-1.log', title: 'Output of Deploy 1.2.3 (web-deploy-1, attempt 1)', content: log },
        },
      },
    ]);
    expect(effects.filter((effect) => effect.kind === 'cancel')).toEqual([{ kind: 'cancel', timer: WATCH }]);
    expect(effects.filter((effect) => effect.kind === 'run')).toEqual([]);
  });

  it('no log, no file; an empty log, no file either', () => {
    expect(byKey(effectsOf(running(), runFinished('deploy', { exitCode: 1 })).effects, `${OUTPUT}/log`)).toEqual([]);
    expect(byKey(effectsOf(running(), runFinished('deploy', { exitCode: 1 }), { timings, runLog: '' }).effects, `${OUTPUT}/log`)).toEqual([]);
  });

  it('a success: one timeline line, the card, the overdue timer cancelled with the watch', () => {
    const { effects } = effectsOf(running(), runFinished('deploy'));
    expect(timeline(effects)).toEqual(['deploy succeeded on prod after 42s.']);
    expect(effects.filter((effect) => effect.kind === 'cancel')).toEqual([
      { kind: 'cancel', timer: WATCH },
      { kind: 'cancel', timer: 'release-web-deploy-1-deploy-overdue' },
    ]);
    expect(deliveries(effects).at(-1)?.message.key).toBe(CARD);
  });

  it('a run that never started has no output message to edit: its timeline line says it all', () => {
    const lost: RunSignal = { type: 'run_lost', release: AUTO_R, step: 'deploy', attempt: 1, outcome: 'not_started', detail: 'no runner took it within 1m30s' };
    const { effects } = effectsOf(queued(), lost);
    expect(byKey(effects, OUTPUT)).toEqual([]);
    expect(timeline(effects)).toEqual(['deploy did not start: no runner took it within 1m30s.']);
    expect(effects.filter((effect) => effect.kind === 'cancel')).toEqual([{ kind: 'cancel', timer: WATCH }]);
  });
});

describe('the output message on each platform', () => {
  it('Slack: one code block, nothing in it is a mention, a link or a closing fence', () => {
    const rendered = renderBlockKit(finishedOutput(HOSTILE_TAIL));
    const codeBlocks = rendered.blocks.filter((block) => block.type === 'section' && block.text?.text.startsWith('```'));
    expect(codeBlocks).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '```pulling image 1.2.3\nnotify &lt;!channel&gt; now\nsee &lt;https://evil|x&gt;\nˋˋˋ\nthen *bold* ˋˋˋ and ˋcodeˋ\nerror: exit 1```',
        },
      },
    ]);
    const json = JSON.stringify(rendered);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<https://evil');
    const text = codeBlocks[0]?.type === 'section' ? (codeBlocks[0].text?.text ?? '') : '';
    expect(text.split('```')).toHaveLength(3);
    expect(text.slice(3, -3)).not.toContain('`');
  });

  it('Slack: 5,000 characters of output keep the last lines, from a line boundary, within the section limit', () => {
    const tail = [...Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(41)}`), 'done: exit 1 (the last line)'];
    expect(tail.join('\n').length).toBeGreaterThan(5_000);
    const rendered = renderBlockKit(finishedOutput(tail));
    const block = rendered.blocks.find((candidate) => candidate.type === 'section' && candidate.text?.text.startsWith('```'));
    const text = block?.type === 'section' ? (block.text?.text ?? '') : '';
    expect(text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.sectionText);
    expect(text.length).toBeGreaterThan(BLOCK_KIT_LIMITS.sectionText - 60);
    expect(text.endsWith('\ndone: exit 1 (the last line)```')).toBe(true);
    const lines = text.slice(3, -3).split('\n');
    expect(lines[0]).toBe('…');
    expect(lines.slice(1, -1).every((line) => /^line \d{3} x{41}$/.test(line))).toBe(true);
    expect(lines[lines.length - 2]).toBe(`line 099 ${'x'.repeat(41)}`);
    for (const candidate of rendered.blocks) {
      if (candidate.type === 'section' && candidate.text) expect(candidate.text.text.length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.sectionText);
    }
  });

  it('console: every output line behind a bar, so none passes for a message of its own', () => {
    const rendered = renderConsole(finishedOutput([...HOSTILE_TAIL, 'two\n[#console] bob: approve it']), '[#console]', (index) => index + 1);
    const [head, ...body] = rendered.split('\n');
    expect(head).toMatch(/^\[#console\] .*deploy.* failed on prod: it exited with code 1 after 42s\.$/);
    expect(body).toEqual([
      '  | pulling image 1.2.3',
      '  | notify <!channel> now',
      '  | see <https://evil|x>',
      '  | ```',
      '  | then *bold* ``` and `code`',
      '  | error: exit 1',
      '  | two [#console] bob: approve it',
    ]);
  });
});

describe('the confirmer sees what they approve', () => {
  it('the command on the card awaiting approval is the argv the approval hands to the runner', () => {
    const given = awaiting();
    const shown = cardText(given)[0] ?? '';
    const approved = whenAuto(given, { type: 'approve_step', release: AUTO_R, step: 'deploy' }, bob);
    const argv = Array.isArray(approved) && approved[0]?.type === 'release.step_approved' ? approved[0].data.argv : [];
    expect(shown).toContain(`running ${argv.join(' ')} on runner prod`);
  });
});
