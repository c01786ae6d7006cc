/**
 * The drill's real processes: one redis-server with AOF (fsync always) that crashes and comes back on the same port
 * and data, and `planb serve` replicas on it, killed with SIGKILL and replaced after a pause.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedisServer } from '../test/support/redis-server.js';
import type { RedisServer } from '../test/support/redis-server.js';
import { startPlanb } from './planb-process.js';
import type { PlanbProcess } from './planb-process.js';
import type { Random } from './drill-random.js';
import { sleep } from './drill-random.js';

export interface ClusterOptions {
  readonly replicas: number;
  readonly slackApiUrl: string;
  readonly prefix: string;
  /** planb.yaml */
  readonly config: string;
  readonly env: Readonly<Record<string, string>>;
  /** Which replica a request goes to. */
  readonly random: Random;
}

export const isAlive = (replica: PlanbProcess): boolean => replica.child.exitCode === null && replica.child.signalCode === null;

export class Cluster {
  kills = 0;
  redisRestarts = 0;
  /** Replicas started, the first ones included. */
  starts = 0;
  /** When each kill was sent (ms since the epoch): a message posted twice is checked against them. */
  readonly killedAt: number[] = [];
  private readonly replicas: PlanbProcess[] = [];
  /** Everything each replica logged once it was up (planb-process keeps only a tail), the dead ones' too. */
  private readonly output = new Map<PlanbProcess, string[]>();
  private readonly restarts = new Set<Promise<void>>();
  private stopping = false;

  private constructor(
    private readonly options: ClusterOptions,
    private redis: RedisServer,
    readonly redisPort: number,
    private readonly redisDir: string,
  ) {}

  static async start(options: ClusterOptions): Promise<Cluster> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'planb-drill-redis-'));
    const redis = await startRedisServer({ appendonly: true, port, dir });
    const cluster = new Cluster(options, redis, port, dir);
    try {
      await Promise.all(Array.from({ length: options.replicas }, () => cluster.startReplica()));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get redisUrl(): string {
    return this.redis.url;
  }

  live(): PlanbProcess[] {
    return this.replicas.filter(isAlive);
  }

  /** A live replica at random, as a load balancer would pick; undefined while none is up. */
  pick(): PlanbProcess | undefined {
    const live = this.live();
    return live.length === 0 ? undefined : this.options.random.pick(live);
  }

  private async startReplica(): Promise<void> {
    const replica = await startPlanb({ slackApiUrl: this.options.slackApiUrl, redisUrl: this.redis.url, prefix: this.options.prefix, config: this.options.config, env: this.options.env });
    this.starts += 1;
    const chunks: string[] = [];
    replica.child.stderr?.on('data', (chunk: string) => chunks.push(chunk));
    this.output.set(replica, chunks);
    if (this.stopping) {
      await replica.kill();
      return;
    }
    this.replicas.push(replica);
  }

  /**
   * SIGKILL `victim`, and start a replacement `pauseMs` later (retried until it comes up: Redis may be down meanwhile).
   * Resolves once it is dead; the replacement comes in the background.
   */
  async kill(victim: PlanbProcess, pauseMs: number): Promise<void> {
    this.killedAt.push(Date.now());
    await victim.kill();
    this.kills += 1;
    this.replicas.splice(this.replicas.indexOf(victim), 1);
    const restart = (async () => {
      await sleep(pauseMs);
      while (!this.stopping) {
        try {
          await this.startReplica();
          return;
        } catch {
          await sleep(500);
        }
      }
    })();
    this.restarts.add(restart);
    void restart.finally(() => this.restarts.delete(restart));
  }

  /** Redis dies (SIGKILL: what AOF with fsync always wrote is all there is) and starts again on its port and data after `downMs`. */
  async crashRedis(downMs: number): Promise<void> {
    await this.redis.kill();
    await sleep(downMs);
    this.redis = await startRedisServer({ appendonly: true, port: this.redisPort, dir: this.redisDir });
    this.redisRestarts += 1;
  }

  /** What `replica` logged once it was up. */
  logOf(replica: PlanbProcess): string {
    return this.output.get(replica)?.join('') ?? '';
  }

  /** Every replica's log, each headed by its pid. */
  logs(): string {
    return [...this.output.keys()].map((replica) => `---- pid ${replica.child.pid ?? '?'}\n${this.logOf(replica)}`).join('\n');
  }

  /** Resolves once every replacement under way is up. */
  async replaced(): Promise<void> {
    while (this.restarts.size > 0) await Promise.all([...this.restarts]);
  }

  /** Kills every replica and Redis and removes Redis's data. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.replaced();
    await Promise.all(this.replicas.splice(0).map((replica) => replica.kill()));
    await this.redis.stop();
    rmSync(this.redisDir, { recursive: true, force: true });
  }
}
