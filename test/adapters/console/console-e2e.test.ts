/** The console as a newcomer meets it: the real bin in a child process, on the example config. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, ConsoleProcess } from '../../support/console-process.js';

describe('planb console, end to end', () => {
  it('runs a whole paired release from start to completed, refusing what the rules forbid', async () => {
    const session = new ConsoleProcess();
    expect(await session.send('/release runbooks')).toContain('web-deploy: Web release. /release start web-deploy version=<Version to deploy> confirmer=@name');

    expect(await session.send('/release start web-deploy version=latest confirmer=@bob')).toMatch(/^\[to alice\] .*version.*\^\\d\+\\\.\\d\+\\\.\\d\+\$/);
    expect(await session.send('/release start web-deploy version=1.2.3 confirmer=@alice')).toContain('[to alice] You cannot confirm your own release');
    expect(await session.send('/release start web-deploy version=1.2.3 confirmer=@dave')).toContain('[to alice] dave may not confirm web-deploy');
    expect(await session.send('/release start nope')).toContain('There is no runbook nope. Runbooks: api-deploy, checkout-deploy, web-deploy.');

    const started = await session.send('/release start web-deploy version=1.2.3 confirmer=@bob');
    expect(started).toContain('[#console] Web release 1.2.3 (web-deploy-1): alice drives, bob confirms. Waiting for bob.  [');
    expect(started).toMatch(/\[\d+\] Accept {2}\[\d+\] Decline/);

    await session.send('/as dave');
    expect(await session.send('/release start web-deploy version=1.2.4 confirmer=@bob')).toContain('[to dave] Web release 1.2.3 is being run by alice since');
    expect(await session.press('Accept')).toContain('[to dave] Only bob, the confirmer of web-deploy-1, may accept.');

    await session.send('/as bob');
    expect(await session.press('Accept')).toContain('bob accepted to confirm every step.');

    for (const step of ['canary', 'rollout', 'smoke']) {
      expect(await session.press('Start')).toContain('[to bob] You confirm web-deploy-1; alice drives it and starts each step.');
      await session.send('/as alice');
      expect(await session.press('Start')).toContain(`alice started ${step}`);
      expect(await session.press('Done')).toContain(`alice finished ${step}; waiting for bob to confirm.`);
      expect(await session.press('Confirm')).toContain('[to alice] You drive web-deploy-1: you cannot confirm your own work. bob must.');
      await session.send('/as bob');
      const confirmed = await session.press('Confirm');
      expect(confirmed).toContain(`bob confirmed ${step}.`);
      // Pressing the same button again counts once.
      const again = /\[(\d+)\] Confirm/.exec(session.transcript.slice(session.transcript.lastIndexOf(`alice finished ${step}`)))?.[1];
      expect(await session.send(`!${again ?? 0}`)).toContain(step === 'smoke' ? '[to bob] web-deploy-1 is complete.' : `[to bob] Step ${step} was already confirmed by bob at`);
    }
    expect(session.transcript).toContain('Web release 1.2.3 is complete.');
    expect(await session.send('/release status web-deploy-1')).toContain('Completed at');
    expect(await session.send('/release list')).toContain('web-deploy-1: Web release 1.2.3, alice with bob, completed');
    expect(await session.end()).toBe(0);
    expect(session.stderr).toBe('');
  });

  it('holds the point of no return for both people, rolls back in reverse and locks the runbook', async () => {
    const session = new ConsoleProcess();
    await session.send('/release start checkout-deploy version=1.2.3 confirmer=@bob');
    await session.send('/as bob');
    await session.press('Accept');
    expect(await session.press('Confirm backup')).toContain('[to bob] Preflight backup (Backup taken and a restore tested today) needs evidence: /release check checkout-deploy-1 backup <');
    await session.send('/release check backup snapshot 881, restore tested on staging');
    await session.send('/as alice');
    expect(await session.press('Confirm rehearsal')).toContain('Step 1 of 3: alice to start Drain traffic from the blue pool.');
    await session.press('Start');
    await session.press('Done');
    await session.send('/as bob');
    const atMigration = await session.press('Confirm');
    expect(atMigration).toContain(
      'Point of no return: Run migration 42 cannot simply be undone. From here on, rolling back means Restore the database from the backup (~2h), then Put the blue pool back (~1m): about 2h1m.',
    );
    expect(atMigration).toContain('Waiting for alice and bob to accept it.');
    // No Start button until both have accepted; an old Start button presses the step it belonged to.
    expect(atMigration).not.toMatch(/\] Start/);
    await session.send('/as alice');
    expect(await session.press('Start')).toContain('[to alice] Step drain was already confirmed by bob');
    expect(await session.press('Accept point of no return')).toContain('Waiting for bob to accept it.');
    await session.send('/as bob');
    expect(await session.press('Accept point of no return')).toContain('Step 2 of 3: alice to start Run migration 42.');
    await session.send('/as alice');
    await session.press('Start');
    expect(await session.send('/release rollback checkout-deploy-1 migration hangs on a lock')).toContain(
      'alice started the rollback (migration hangs on a lock): undo migrate, then undo drain.',
    );
    for (const step of ['migrate', 'drain']) {
      await session.send('/as alice');
      expect(await session.press('Done')).toContain(`alice undid ${step}; waiting for bob to confirm.`);
      await session.send('/as bob');
      await session.press('Confirm');
    }
    expect(session.transcript).toContain('checkout-deploy is locked until someone runs /release unlock checkout-deploy <reason>.');
    await session.send('/as alice');
    expect(await session.send('/release start checkout-deploy version=1.2.4 confirmer=@bob')).toContain('[to alice] checkout-deploy is locked since the rollback of checkout-deploy-1 (migration hangs on a lock).');
    expect(await session.send('/release unlock checkout-deploy lock timeout added to migration 42')).toContain('alice unlocked checkout-deploy: lock timeout added to migration 42');
    expect(await session.send('/release start checkout-deploy version=1.2.4 confirmer=@bob')).toContain('Checkout release 1.2.4 (checkout-deploy-2)');
    expect(await session.end()).toBe(0);
  });

  it('reads a whole script from a pipe and exits at the end of input', () => {
    const script = ['/release start web-deploy version=2.0.0 confirmer=@bob', '/as bob', '!1', '/release status', ''].join('\n');
    const output = execFileSync(process.execPath, [CLI], { input: script, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
    const lines = output.trimEnd().split('\n');
    expect(lines[0]).toBe('Plan B console. You are alice; /as <name> switches user; !<n> presses button n; /help.');
    expect(output).toContain('alice> /release start web-deploy version=2.0.0 confirmer=@bob');
    expect(output).toContain('[#console] Web release 2.0.0 (web-deploy-1): alice drives, bob confirms. Waiting for bob.  [1] Accept  [2] Decline');
    expect(output).toContain('bob> !1');
    expect(output).toContain('[#console] bob accepted to confirm every step.');
    expect(output).toMatch(/\[to bob\] Web release 2\.0\.0 \(web-deploy-1\): alice drives, bob confirms\. Step 1 of 3: alice to start Deploy 2\.0\.0 to the canary\./);
  });
});

describe('incidents in the console', () => {
  it('trouble on a running release, an extension with a reason, a rollback decision that starts the rollback, resolution', async () => {
    const session = new ConsoleProcess();
    await session.send('/release start web-deploy version=1.2.3 confirmer=@bob');
    await session.send('/as bob');
    await session.press('Accept');
    await session.send('/as alice');
    await session.press('Start');
    const opened = await session.press("Something's wrong");
    expect(opened).toContain('alice opened inc-1 (severity 2): Something is wrong at canary (Deploy 1.2.3 to the canary). alice leads; decide by');
    expect(opened).toMatch(/\[\d+\] Roll back {2}\[\d+\] Extend {2}\[\d+\] Fixed {2}\[\d+\] Resolve/);
    expect(await session.press('Extend')).toContain('[to alice] Say how long and why: /incident decide inc-1 extend 10m <reason>');
    expect(await session.send('/incident decide extend 10m canary logs being read')).toMatch(/alice extended inc-1 to \d\d:\d\d \(extension 1 of 2\): canary logs being read/);
    await session.send('/as bob');
    const decided = await session.send('/incident decide rollback errors keep coming');
    expect(decided).toContain('bob decided on inc-1: roll back (errors keep coming).');
    expect(decided).toContain('bob started the rollback (inc-1: errors keep coming): undo canary.');
    expect(await session.send('/incident resolve rolled back')).toContain('bob resolved inc-1: rolled back');
    expect(await session.send('/incident update too late')).toContain('[to bob] No incident is open in this channel.');
    expect(await session.end()).toBe(0);
  });
});
