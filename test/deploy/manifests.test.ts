/** The deployment files (manifests/k8s, Dockerfile, .dockerignore) parse and agree with what the code reads. */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_MANIFEST_DIR } from '../../src/adapters/teams/manifest.js';
import { ENVIRONMENT_VARIABLES, EXAMPLE_CONFIG, loadConfig } from '../../src/config.js';
import { parseRunbookText } from '../../src/domain/runbook-yaml.js';
import { NODE_FLAGS } from '../../bench/planb-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const K8S = join(ROOT, 'manifests', 'k8s');
const PORT = 3000;

// Only the fields checked below; zod keeps the rest out of the way.
const labels = z.record(z.string(), z.string());
const secretKeyRef = z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() });
const envVar = z.object({ name: z.string(), value: z.string().optional(), valueFrom: z.object({ secretKeyRef: secretKeyRef.optional() }).optional() });
const httpProbe = z.object({ httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }) });
const quantities = z.object({ cpu: z.union([z.string(), z.number()]), memory: z.string() });
const container = z.object({
  name: z.string(),
  image: z.string(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  ports: z.array(z.object({ name: z.string().optional(), containerPort: z.number() })).optional(),
  env: z.array(envVar).default([]),
  readinessProbe: z.unknown().optional(),
  livenessProbe: z.unknown().optional(),
  startupProbe: z.unknown().optional(),
  resources: z.object({ requests: quantities, limits: quantities }).optional(),
  securityContext: z.object({ runAsNonRoot: z.boolean().optional(), readOnlyRootFilesystem: z.boolean().optional() }).optional(),
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })).default([]),
});
type Container = z.infer<typeof container>;
const deployment = z.object({
  kind: z.literal('Deployment'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    replicas: z.number(),
    selector: z.object({ matchLabels: labels }),
    template: z.object({
      metadata: z.object({ labels }),
      spec: z.object({
        terminationGracePeriodSeconds: z.number().optional(),
        securityContext: z.object({ runAsNonRoot: z.boolean().optional(), runAsUser: z.number().optional() }).optional(),
        containers: z.array(container).min(1),
        initContainers: z.array(container).default([]),
        volumes: z.array(z.object({ name: z.string() })).default([]),
      }),
    }),
  }),
});
type Deployment = z.infer<typeof deployment>;
const service = z.object({
  kind: z.literal('Service'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({ selector: labels, ports: z.array(z.object({ port: z.number(), targetPort: z.union([z.string(), z.number()]) })) }),
});
const secret = z.object({ kind: z.literal('Secret'), metadata: z.object({ name: z.string() }), stringData: z.record(z.string(), z.string()) });
const configMap = z.object({ kind: z.literal('ConfigMap'), metadata: z.object({ name: z.string() }), data: z.record(z.string(), z.string()) });

interface Manifest {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  readonly body: unknown;
}

/** Every document of every file in manifests/k8s; a YAML error anywhere fails here, naming the file. */
const readManifests = async (): Promise<Manifest[]> => {
  const files = (await readdir(K8S)).filter((name) => /\.ya?ml$/.test(name)).sort();
  const manifests: Manifest[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(join(K8S, file), 'utf8'))) {
      expect(doc.errors.map((error) => `${file}: ${error.message}`)).toEqual([]);
      expect(doc.warnings.map((warning) => `${file}: ${warning.message}`)).toEqual([]);
      const body: unknown = doc.toJS();
      const head = z.object({ kind: z.string(), metadata: z.object({ name: z.string() }).optional() }).parse(body);
      manifests.push({ file, kind: head.kind, name: head.metadata?.name ?? '', body });
    }
  }
  return manifests;
};

/** The variable names config.ts reads. */
const configuredVariables = (): Promise<readonly string[]> => Promise.resolve(ENVIRONMENT_VARIABLES);

const matches = (selector: Readonly<Record<string, string>>, podLabels: Readonly<Record<string, string>>): boolean =>
  Object.entries(selector).every(([key, value]) => podLabels[key] === value);

/** A probe's or Service's port, by number or by the container port's name. */
const portNumber = (port: string | number, owner: Container): number | undefined =>
  typeof port === 'number' ? port : owner.ports?.find((entry) => entry.name === port)?.containerPort;

const allContainers = (d: Deployment): Container[] => [...d.spec.template.spec.initContainers, ...d.spec.template.spec.containers];

let manifests: Manifest[];
const one = <T>(kind: string, name: string, schema: z.ZodType<T>): T => {
  const found = manifests.filter((m) => m.kind === kind && m.name === name);
  expect(found.map((m) => `${m.kind}/${m.name}`)).toEqual([`${kind}/${name}`]);
  return schema.parse(found[0]?.body);
};

/** A directory laid out as the kubelet mounts a ConfigMap: each key a symlink into a timestamped directory. */
const mountConfigMap = async (target: string, data: Readonly<Record<string, string>>): Promise<void> => {
  const version = join(target, '..2026_01_01_00_00_00.000000001');
  await mkdir(version, { recursive: true });
  await symlink('..2026_01_01_00_00_00.000000001', join(target, '..data'));
  for (const [key, text] of Object.entries(data)) {
    await writeFile(join(version, key), text);
    await symlink(join('..data', key), join(target, key));
  }
};

const deployments = (): Deployment[] => manifests.filter((m) => m.kind === 'Deployment').map((m) => deployment.parse(m.body));

beforeAll(async () => {
  manifests = await readManifests();
});

describe('manifests/k8s', () => {
  it('parses, every document a named Kubernetes object', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const m of manifests) {
      if (m.file !== 'kustomization.yaml') expect(m.name, `${m.file}: ${m.kind}`).not.toBe('');
    }
  });

  it('kustomization.yaml lists every manifest but the secret example, and the image the Deployments use', async () => {
    const files = (await readdir(K8S)).filter((name) => /\.ya?ml$/.test(name) && name !== 'kustomization.yaml' && name !== 'secret.example.yaml');
    const kustomization = z
      .object({ resources: z.array(z.string()), images: z.array(z.object({ name: z.string(), newTag: z.string() })) })
      .parse(parse(await readFile(join(K8S, 'kustomization.yaml'), 'utf8')));
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    const { version } = z.object({ version: z.string() }).parse(JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')));
    const planbImages = deployments().flatMap((d) => allContainers(d).map((c) => c.image));
    expect(new Set(planbImages)).toEqual(new Set(kustomization.images.map((image) => `${image.name}:${image.newTag}`)));
    expect(kustomization.images.map((image) => image.newTag)).toEqual([version]);
  });

  it('runs the bot: 2 replicas of planb serve, probes on the container port, limits, never root', () => {
    const bot = one('Deployment', 'planb', deployment);
    expect(bot.spec.replicas).toBe(2);
    expect(matches(bot.spec.selector.matchLabels, bot.spec.template.metadata.labels)).toBe(true);
    const pod = bot.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).not.toBe(0);
    const [serve] = pod.containers;
    if (!serve) throw new Error('no container');
    expect(serve.image).toMatch(/^ghcr\.io\/[^/]+\/planb:\d+\.\d+\.\d+$/);
    expect(serve.args).toEqual(['serve']);
    expect(serve.ports?.map((port) => port.containerPort)).toEqual([PORT]);
    expect(serve.env.find((v) => v.name === 'PORT')?.value).toBe(String(PORT));
    const probe = (value: unknown): { path: string; port: number | undefined } => {
      const { httpGet } = httpProbe.parse(value);
      return { path: httpGet.path, port: portNumber(httpGet.port, serve) };
    };
    expect(probe(serve.readinessProbe)).toEqual({ path: '/readyz', port: PORT });
    expect(probe(serve.livenessProbe)).toEqual({ path: '/healthz', port: PORT });
    expect(probe(serve.startupProbe)).toEqual({ path: '/healthz', port: PORT });
    expect(serve.resources).toBeDefined();
    expect(serve.securityContext?.readOnlyRootFilesystem).toBe(true);
  });

  it('gives every container of every Deployment only variables config.ts reads', async () => {
    const known = await configuredVariables();
    // The source pattern must keep finding the schema: an empty list would let anything through.
    expect(known).toEqual(expect.arrayContaining(['PORT', 'LOG_LEVEL', 'PLANB_CONFIG', 'REDIS_URL', 'SLACK_BOT_TOKEN', 'PLANB_API_TOKEN']));
    for (const d of deployments()) {
      for (const c of allContainers(d)) {
        for (const v of c.env) expect(known, `${d.metadata.name}/${c.name}: ${v.name}`).toContain(v.name);
      }
    }
  });

  it('points PLANB_CONFIG at planb.yaml in the directory the init container fills', () => {
    for (const d of deployments()) {
      const pod = d.spec.template.spec;
      const volumes = new Set(pod.volumes.map((volume) => volume.name));
      for (const c of allContainers(d)) for (const mount of c.volumeMounts) expect(volumes, `${d.metadata.name}/${c.name}`).toContain(mount.name);
      for (const c of pod.containers) {
        expect(c.env.find((v) => v.name === 'PLANB_CONFIG')?.value).toBe('/etc/planb/planb.yaml');
        const etc = c.volumeMounts.find((mount) => mount.mountPath === '/etc/planb');
        expect(etc, `${d.metadata.name}/${c.name}`).toBeDefined();
        expect(pod.initContainers.some((init) => init.volumeMounts.some((mount) => mount.name === etc?.name && mount.mountPath === '/etc/planb'))).toBe(true);
      }
    }
  });

  it('runs runner prod without chat credentials, a Service or a port', () => {
    const runner = one('Deployment', 'planb-runner-prod', deployment);
    expect(runner.spec.replicas).toBe(1);
    const [worker] = runner.spec.template.spec.containers;
    expect(worker?.args).toEqual(['worker', '--runner', 'prod']);
    expect(worker?.ports).toBeUndefined();
    const names = allContainers(runner).flatMap((c) => c.env.map((v) => v.name));
    expect(names.filter((name) => /^(SLACK_|MICROSOFT_)/.test(name))).toEqual([]);
    expect(names).toContain('REDIS_URL');
    const podLabels = runner.spec.template.metadata.labels;
    for (const m of manifests.filter((entry) => entry.kind === 'Service')) {
      expect(matches(service.parse(m.body).spec.selector, podLabels), `Service ${m.name}`).toBe(false);
    }
  });

  it('refers only to Secret keys that secret.example.yaml shows', () => {
    const examples = manifests.filter((m) => m.file === 'secret.example.yaml').map((m) => secret.parse(m.body));
    expect(examples.length).toBeGreaterThan(0);
    const refs = deployments().flatMap((d) => allContainers(d).flatMap((c) => c.env.flatMap((v) => (v.valueFrom?.secretKeyRef ? [v.valueFrom.secretKeyRef] : []))));
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(Object.keys(examples.find((s) => s.metadata.name === ref.name)?.stringData ?? {}), `${ref.name}/${ref.key}`).toContain(ref.key);
    }
  });

  it('exposes the bot on its container port, keeps one up through disruptions', () => {
    const bot = one('Deployment', 'planb', deployment);
    const podLabels = bot.spec.template.metadata.labels;
    const svc = one('Service', 'planb', service);
    expect(matches(svc.spec.selector, podLabels)).toBe(true);
    const [serve] = bot.spec.template.spec.containers;
    if (!serve) throw new Error('no container');
    expect(svc.spec.ports.map((port) => portNumber(port.targetPort, serve))).toEqual([PORT]);
    const pdb = one('PodDisruptionBudget', 'planb', z.object({ spec: z.object({ minAvailable: z.number(), selector: z.object({ matchLabels: labels }) }) }));
    expect(pdb.spec.minAvailable).toBe(1);
    expect(matches(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    const runner = one('Deployment', 'planb-runner-prod', deployment);
    expect(matches(pdb.spec.selector.matchLabels, runner.spec.template.metadata.labels)).toBe(false);
  });

  it('runs the example Redis with noeviction and an append-only file on a volume', () => {
    const redis = one(
      'StatefulSet',
      'planb-redis',
      z.object({
        spec: z.object({
          template: z.object({ spec: z.object({ containers: z.array(z.object({ args: z.array(z.string()) })) }) }),
          volumeClaimTemplates: z.array(z.unknown()).min(1),
        }),
      }),
    );
    const args = redis.spec.template.spec.containers[0]?.args.join(' ');
    expect(args).toContain('--maxmemory-policy noeviction');
    expect(args).toContain('--appendonly yes');
    expect(one('Service', 'planb-redis', service).spec.ports.map((port) => port.port)).toEqual([6379]);
  });

  describe('the ConfigMaps', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'planb-k8s-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('hold a planb.yaml and runbooks that the app loads, with runbooks: runbooks', () => {
      const config = one('ConfigMap', 'planb-config', configMap);
      const runbooks = one('ConfigMap', 'planb-runbooks', configMap);
      const planbYaml = config.data['planb.yaml'] ?? '';
      expect(z.object({ runbooks: z.string() }).parse(parse(planbYaml)).runbooks).toBe('runbooks');
      for (const [key, text] of Object.entries(runbooks.data)) {
        const parsed = parseRunbookText(text, key);
        expect(parsed.ok ? [] : parsed.issues).toEqual([]);
      }
    });

    it('are copied by each init container into an /etc/planb that loads, naming the runner the Deployment runs', async () => {
      const config = one('ConfigMap', 'planb-config', configMap);
      const runbooks = one('ConfigMap', 'planb-runbooks', configMap);
      await mountConfigMap(join(dir, 'config'), config.data);
      await mountConfigMap(join(dir, 'runbooks'), runbooks.data);
      for (const d of deployments()) {
        const etc = join(dir, d.metadata.name, 'etc', 'planb');
        await mkdir(etc, { recursive: true });
        const [init] = d.spec.template.spec.initContainers;
        const [program, flag, script = ''] = z.array(z.string()).parse(init?.command);
        expect([program, flag]).toEqual(['sh', '-c']);
        // The script's absolute paths (tokens after a space), moved under the scratch directory.
        const local = script.replace(/ \/(config|runbooks|etc\/planb)\b/g, (_, path: string) => ` ${path === 'etc/planb' ? etc : join(dir, path)}`);
        expect((local.match(/ \/\S*/g) ?? []).filter((path) => !path.startsWith(` ${dir}`))).toEqual([]);
        execFileSync('sh', ['-c', local]);
        const loaded = await loadConfig({ PLANB_CONFIG: join(etc, 'planb.yaml') });
        expect(loaded.runbooks.map((runbook) => `${runbook.name}.yaml`).sort()).toEqual(Object.keys(runbooks.data).sort());
        // planb worker --runner <name> exits at once when no runbook names its runner.
        const [command, option, runner] = d.spec.template.spec.containers[0]?.args ?? [];
        if (command === 'worker') {
          expect(option).toBe('--runner');
          expect(loaded.runbooks.flatMap((runbook) => runbook.steps.map((step) => step.run?.runner))).toContain(runner);
        }
      }
    });
  });
});

/** Dockerfile instructions, continuation lines joined, comments dropped, grouped by stage. */
const dockerStages = (text: string): { instruction: string; args: string }[][] => {
  const stages: { instruction: string; args: string }[][] = [];
  const logical = text.replace(/\\\n/g, ' ').split('\n');
  for (const line of logical.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
    const [, instruction = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (instruction.toUpperCase() === 'FROM') stages.push([]);
    stages.at(-1)?.push({ instruction: instruction.toUpperCase(), args });
  }
  return stages;
};

describe('Dockerfile', () => {
  let stages: { instruction: string; args: string }[][];
  let ignored: string[];
  beforeAll(async () => {
    stages = dockerStages(await readFile(join(ROOT, 'Dockerfile'), 'utf8'));
    ignored = (await readFile(join(ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((line) => line.trim().replace(/\/$/, ''))
      .filter((line) => line !== '' && !line.startsWith('#'));
  });
  const final = (): { instruction: string; args: string }[] => stages.at(-1) ?? [];
  const argsOf = (instruction: string): string[] => final().filter((i) => i.instruction === instruction).map((i) => i.args);

  it('builds in one stage and runs on production dependencies in another', () => {
    expect(stages.map((stage) => stage[0]?.args)).toEqual(['node:20-bookworm-slim AS build', 'node:20-bookworm-slim']);
    expect(stages[0]?.some((i) => i.instruction === 'RUN' && /\bnpm ci\b/.test(i.args) && !i.args.includes('--omit=dev'))).toBe(true);
    expect(stages[0]?.some((i) => i.instruction === 'RUN' && i.args.includes('npm run build'))).toBe(true);
    expect(argsOf('RUN').some((args) => args.includes('npm ci --omit=dev'))).toBe(true);
  });

  it('copies what the app reads at run time relative to dist/', () => {
    const copied = argsOf('COPY');
    expect(copied).toContain('--from=build /app/dist ./dist');
    for (const dir of [relative(ROOT, EXAMPLE_CONFIG).replace(/\/[^/]+$/, ''), relative(ROOT, TEAMS_MANIFEST_DIR)]) {
      expect(copied).toContain(`${dir} ./${dir}`);
    }
  });

  it('runs as a user that is not root, on port 3000, checked on /healthz without curl', () => {
    const users = argsOf('USER');
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(argsOf('EXPOSE')).toEqual([String(PORT)]);
    expect(argsOf('ENV').join(' ')).toContain(`PORT=${PORT}`);
    const [healthcheck = ''] = argsOf('HEALTHCHECK');
    expect(healthcheck).toContain('/healthz');
    expect(healthcheck).not.toMatch(/\b(curl|wget)\b/);
    // The flags the benchmarks measured planb serve with.
    expect(argsOf('ENTRYPOINT')).toEqual([JSON.stringify(['node', ...NODE_FLAGS, 'dist/cli.js']).replace(/","/g, '", "')]);
    expect(argsOf('CMD')).toEqual(['["serve"]']);
  });

  it('has a .dockerignore that keeps node_modules and .git out, and nothing the Dockerfile copies', () => {
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.git', 'dist']));
    const sources = stages
      .flat()
      .filter((i) => i.instruction === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      const parts = source.split('/');
      const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
      expect(ignored.filter((pattern) => prefixes.includes(pattern)), source).toEqual([]);
    }
  });
});
