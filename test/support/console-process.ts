/** Drives the real `planb` console in a child process, a line at a time, as a person at a terminal would. */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI = resolve('dist/cli.js');

/** The console died (exited or was killed) while a line was being handled. */
export class ConsoleExited extends Error {}

export class ConsoleProcess {
  private output = '';
  private sync = 0;
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  stderr = '';

  constructor(env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [CLI], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
    });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((done) => this.child.on('close', done));
    // Writing to a console that was just killed fails with EPIPE; `send` notices the death itself.
    this.child.stdin.on('error', () => undefined);
  }

  /** Neither exited nor killed. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** Waits until the transcript contains `text`; false after `ms`. */
  async waitFor(text: string, ms = 10_000): Promise<boolean> {
    for (const deadline = Date.now() + ms; !this.output.includes(text); ) {
      if (Date.now() > deadline || !this.alive) return this.output.includes(text);
      await new Promise((wake) => setTimeout(wake, 20));
    }
    return true;
  }

  /** Everything printed so far. */
  get transcript(): string {
    return this.output;
  }

  /** Types a line and waits until the console has handled it; returns what it printed in reply. */
  async send(line: string): Promise<string> {
    this.sync += 1;
    const marker = `# sync ${this.sync}`;
    const from = this.output.length;
    this.child.stdin.write(`${line}\n${marker}\n`);
    const deadline = Date.now() + 10_000;
    while (!this.output.includes(`> ${marker}\n`, from)) {
      if (Date.now() > deadline) throw new Error(`no answer to ${line}; output so far:\n${this.output.slice(from)}\nstderr:\n${this.stderr}`);
      if (!this.alive) throw new ConsoleExited(`console exited (${this.child.exitCode ?? this.child.signalCode ?? '?'}) on ${line}:\n${this.stderr}`);
      await new Promise((wake) => setTimeout(wake, 10));
    }
    const reply = this.output.slice(from, this.output.indexOf(`> ${marker}\n`, from));
    // Drop the echo of our own line and the prompt of the marker line.
    return reply.split('\n').slice(1, -1).join('\n');
  }

  /** The number of the newest button labelled `label` printed after `from`, if any. */
  button(label: string, from = 0): string | undefined {
    const matches = [...this.output.slice(from).matchAll(/\[(\d+)\] ([^[\n]+?)(?=\s{2}\[|\n|$)/g)].filter((match) => match[2]?.trim() === label);
    return matches[matches.length - 1]?.[1];
  }

  /** Presses the newest button labelled `label` (as the latest card shows it). */
  async press(label: string): Promise<string> {
    const number = this.button(label);
    if (number === undefined) throw new Error(`no button "${label}" in:\n${this.output}`);
    return this.send(`!${number}`);
  }

  async end(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}
