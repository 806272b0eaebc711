// deploy/: the manifests render with kubectl's own kustomize, every object passes the Kubernetes /
// KEDA / cert-manager schemas offline, and the rendered objects keep the properties the deployment
// rests on: secure pods, network policies, real health-service names, the GPU set-up, one models
// file, one dataset tree, TLS and credentials from Secrets.
import { natsNames } from '@locscope/orchestrator';
import { readModelsFile } from '@locscope/inference';
import { InferenceClient } from '@locscope/proto/v1/inference';
import { InpaintingClient } from '@locscope/proto/v1/inpainting';
import { MasksClient } from '@locscope/proto/v1/masks';
import { MetricsClient } from '@locscope/proto/v1/metrics';
import { DEFAULT_EVAL_SPLIT } from '@locscope/scenes';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kustomize, SchemaError, validateObject, type K8sObject } from './support/k8s-schema.ts';
import { REPO_ROOT } from './support/orchestrator.ts';

const K8S = join(REPO_ROOT, 'deploy/k8s');
const CERT_MANAGER = join(REPO_ROOT, 'deploy/cert-manager');
const KIND = join(REPO_ROOT, 'deploy/kind');

/** Each model service and the grpc.health.v1 key its server registers (the proto's service name). */
const MODEL_SERVICES: Record<string, string> = {
  masks: MasksClient.serviceName,
  metrics: MetricsClient.serviceName,
  inpainting: InpaintingClient.serviceName,
  inference: InferenceClient.serviceName,
};
/** Pods that may call the model services and NATS. */
const CLIENT_APPS = ['locscope-run', 'locscope-worker'];

const base = kustomize(K8S);
const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in the rendered manifests`);
  return found;
};
const workloads = (objects: K8sObject[]) => objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
const podSpec = (workload: K8sObject) => workload.spec!.template.spec;
const env = (container: any): Record<string, any> => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('deploy manifests', () => {
  it('list every manifest file in the kustomization', async () => {
    const files = (await readdir(K8S)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    const kustomization = parse(await readFile(join(K8S, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(files);
  });

  it('pass the Kubernetes, KEDA and cert-manager schemas (base, cert-manager, kind overlay)', async () => {
    const all = [...base, ...kustomize(CERT_MANAGER), ...kustomize(KIND)];
    expect(all.length).toBeGreaterThan(30);
    for (const object of all) await validateObject(object);
  });

  it('have a validator that rejects what the API server would', async () => {
    const masks = structuredClone(find(base, 'Deployment', 'masks'));
    masks.spec!.replicas = 'two';
    await expect(validateObject(masks)).rejects.toThrow(/Deployment\/masks.*replicas must be integer/);
    const scaled = structuredClone(find(base, 'ScaledObject', 'locscope-worker'));
    delete scaled.spec!.scaleTargetRef;
    await expect(validateObject(scaled)).rejects.toThrow(/scaleTargetRef/);
    await expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' } })).rejects.toThrow(SchemaError);
  });

  it('run every pod non-root, read-only, without capabilities, under seccomp and without an API token', () => {
    for (const workload of [...workloads(base), ...workloads(kustomize(KIND))]) {
      const pod = podSpec(workload);
      const name = `${workload.kind}/${workload.metadata.name}`;
      expect(pod.securityContext, name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser, name).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken, name).toBe(false);
      const volumes = new Map<string, any>((pod.volumes ?? []).map((v: any) => [v.name, v]));
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(container.securityContext, name).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        // Writable only where needed: scratch (emptyDir) and data volumes (PVCs), never config or secrets.
        for (const mount of container.volumeMounts ?? []) {
          const volume = volumes.get(mount.name) ?? { persistentVolumeClaim: {} }; // StatefulSet claim templates
          if (volume.secret || volume.configMap) expect(mount.readOnly, `${name} ${mount.mountPath}`).toBe(true);
          if (!mount.readOnly) expect(volume.emptyDir ?? volume.persistentVolumeClaim, `${name} ${mount.mountPath}`).toBeDefined();
          if (volume.persistentVolumeClaim?.readOnly) expect(mount.readOnly, `${name} ${mount.mountPath}`).toBe(true);
        }
      }
    }
    const namespace = find(base, 'Namespace', 'locscope');
    expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('mount every file an env variable names', () => {
    for (const workload of workloads(base)) {
      const pod = podSpec(workload);
      for (const container of pod.containers) {
        const mounts: string[] = (container.volumeMounts ?? []).map((m: any) => m.mountPath);
        for (const [name, value] of Object.entries(env(container))) {
          if (typeof value !== 'string' || !value.startsWith('/etc/')) continue;
          expect(mounts.some((m) => value.startsWith(`${m}/`)), `${workload.metadata.name} ${name}=${value}`).toBe(true);
        }
      }
    }
  });

  it('probe each model service through grpc.health.v1 under its real service name, with a Service, budget and policy', () => {
    for (const [name, healthName] of Object.entries(MODEL_SERVICES)) {
      const deployment = find(base, 'Deployment', name);
      const labels = deployment.spec!.template.metadata.labels;
      const container = podSpec(deployment).containers[0];
      expect(container.args.slice(0, 2)).toEqual(['serve', name]);
      // The kubelet's gRPC probes speak plaintext: health has its own port, beside the TLS one.
      const healthPort = Number(env(container).LOCSCOPE_HEALTH_PORT);
      expect(container.ports).toContainEqual({ name: 'health', containerPort: healthPort });
      expect(container.startupProbe.grpc, name).toEqual({ port: healthPort, service: healthName });
      expect(container.readinessProbe.grpc, name).toEqual({ port: healthPort, service: healthName });
      expect(container.livenessProbe.grpc, name).toEqual({ port: healthPort, service: '' });
      expect(container.resources.requests.cpu, name).toBeDefined();
      expect(container.resources.limits.memory, name).toBeDefined();
      expect(env(container)).toMatchObject({ LOCSCOPE_TLS_CERT: expect.any(String), LOCSCOPE_TLS_KEY: expect.any(String), LOCSCOPE_AUTH_TOKENS: expect.any(String) });

      const service = find(base, 'Service', name);
      expect(service.spec!.selector).toEqual(deployment.spec!.selector.matchLabels);
      expect(labels).toMatchObject(find(base, 'PodDisruptionBudget', name).spec!.selector.matchLabels);

      const policy = find(base, 'NetworkPolicy', name);
      expect(labels).toMatchObject(policy.spec!.podSelector.matchLabels);
      expect(policy.spec!.ingress).toEqual([
        { from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: CLIENT_APPS }] } }], ports: [{ port: 'grpc' }] },
      ]);
    }
    // The policies' client labels are the labels the orchestrator Job's and workers' pods really carry.
    expect(find(base, 'Job', 'locscope-run').spec!.template.metadata.labels.app).toBe('locscope-run');
    expect(find(base, 'Deployment', 'locscope-worker').spec!.template.metadata.labels.app).toBe('locscope-worker');
    expect(find(base, 'NetworkPolicy', 'default-deny-ingress').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  it('probe the workers on the health endpoint `locscope worker` serves (NATS readiness, liveness)', () => {
    const container = podSpec(find(base, 'Deployment', 'locscope-worker')).containers[0];
    const port = Number(env(container).LOCSCOPE_HEALTH_PORT);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/livez', port });
  });

  it('give every long-running workload a disruption budget', () => {
    for (const workload of workloads(base).filter((w) => w.kind !== 'Job')) {
      const labels = workload.spec!.template.metadata.labels;
      const budgets = base.filter((o) => o.kind === 'PodDisruptionBudget' && Object.entries(o.spec!.selector.matchLabels).every(([k, v]) => labels[k] === v));
      expect(budgets, workload.metadata.name).toHaveLength(1);
      // minAvailable on a single replica would block every node drain.
      if ((workload.spec!.replicas ?? 1) <= 1) expect(budgets[0].spec!.minAvailable, workload.metadata.name).toBeUndefined();
    }
  });

  it('schedule inference and workers on a GPU in CUDA float16, with threads = CPU request = CPU limit', () => {
    for (const deployment of [find(base, 'Deployment', 'inference'), find(base, 'Deployment', 'locscope-worker')]) {
      const pod = podSpec(deployment);
      const container = pod.containers[0];
      const name = deployment.metadata.name;
      expect(container.image, name).toBe('locscope:cuda');
      expect(container.resources.limits['nvidia.com/gpu'], name).toBe('1');
      expect(pod.tolerations, name).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
      expect(pod.nodeSelector, name).toEqual({ 'nvidia.com/gpu.present': 'true' });
      expect(env(container), name).toMatchObject({ LOCSCOPE_EXECUTION_PROVIDER: 'cuda', LOCSCOPE_PRECISION: 'float16' });
      const threads = env(container).LOCSCOPE_THREADS;
      expect(container.resources.requests.cpu, name).toBe(threads);
      expect(container.resources.limits.cpu, name).toBe(threads);
      expect(container.resources.requests.memory, name).toBe(container.resources.limits.memory);
    }
    // Startup covers preparing a 7B model's weights on a first start: at least 30 minutes.
    const inference = podSpec(find(base, 'Deployment', 'inference')).containers[0];
    expect(inference.startupProbe.periodSeconds * inference.startupProbe.failureThreshold).toBeGreaterThanOrEqual(30 * 60);
  });

  it('give the inference Deployment and the workers one models file that the service parses', async () => {
    const configMap = find(base, 'ConfigMap', 'locscope-models');
    for (const name of ['inference', 'locscope-worker']) {
      const pod = podSpec(find(base, 'Deployment', name));
      const file = env(pod.containers[0]).LOCSCOPE_MODELS;
      const mount = pod.containers[0].volumeMounts.find((m: any) => file === `${m.mountPath}/models.yaml`);
      expect(pod.volumes.find((v: any) => v.name === mount.name).configMap.name, name).toBe(configMap.metadata.name);
    }
    const dir = await mkdtemp(join(tmpdir(), 'locscope-models-'));
    await writeFile(join(dir, 'models.yaml'), configMap.data!['models.yaml']);
    const entries = readModelsFile(join(dir, 'models.yaml'));
    expect(entries.map((e) => e.name)).toEqual(['demo-llava', 'demo-internvl']);
    for (const entry of entries) expect(entry.dir).toMatch(/^\/models\//);
  });

  it('show the Job and the workers one dataset tree where the image resolves the default split', async () => {
    const workdir = /^WORKDIR (\S+)$/m.exec(await readFile(join(REPO_ROOT, 'deploy/Dockerfile'), 'utf8'))![1];
    const defaultSplit = posix.join(workdir, relative(REPO_ROOT, DEFAULT_EVAL_SPLIT));
    const mounts = [find(base, 'Job', 'locscope-run'), find(base, 'Deployment', 'locscope-worker')].map((w) => {
      const pod = podSpec(w);
      const claim = (name: string) => pod.volumes.find((v: any) => v.name === name)?.persistentVolumeClaim?.claimName;
      return pod.containers[0].volumeMounts.filter((m: any) => claim(m.name) === 'locscope-datasets').map((m: any) => m.mountPath);
    });
    expect(mounts[0]).toHaveLength(1);
    expect(mounts[1]).toEqual(mounts[0]);
    expect(defaultSplit.startsWith(`${mounts[0][0]}/`)).toBe(true);
  });

  it('run NATS with TLS and credentials from a Secret, the monitoring port closed to other namespaces', () => {
    const conf = find(base, 'ConfigMap', 'nats-config').data!['nats.conf'];
    expect(conf).toMatch(/tls \{[^}]*cert_file[^}]*key_file/);
    expect(conf).toMatch(/authorization \{\s*user: \$LOCSCOPE_NATS_USER\s*password: \$LOCSCOPE_NATS_PASSWORD\s*\}/);
    const nats = podSpec(find(base, 'StatefulSet', 'nats')).containers[0];
    for (const container of [nats, ...[find(base, 'Job', 'locscope-run'), find(base, 'Deployment', 'locscope-worker')].map((w) => podSpec(w).containers[0])]) {
      for (const key of ['LOCSCOPE_NATS_USER', 'LOCSCOPE_NATS_PASSWORD']) {
        expect(env(container)[key], key).toEqual({ secretKeyRef: { name: 'locscope-nats-auth', key: key === 'LOCSCOPE_NATS_USER' ? 'user' : 'password' } });
      }
      expect(container.args.join(' ')).not.toMatch(/user|pass|token|creds/i);
    }
    const worker = podSpec(find(base, 'Deployment', 'locscope-worker')).containers[0];
    expect(env(worker).LOCSCOPE_NATS_URL).toMatch(/^tls:\/\//);
    const job = podSpec(find(base, 'Job', 'locscope-run')).containers[0];
    expect(job.args[job.args.indexOf('--nats') + 1]).toMatch(/^tls:\/\//);

    const policy = find(base, 'NetworkPolicy', 'nats');
    const monitor = policy.spec!.ingress.find((rule: any) => rule.ports.some((p: any) => p.port === 'monitor'));
    for (const peer of monitor.from) {
      // Same namespace (no namespaceSelector), or exactly the KEDA operator.
      if (peer.namespaceSelector) expect(peer).toEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } }, podSelector: { matchLabels: { app: 'keda-operator' } } });
    }
    const client = policy.spec!.ingress.find((rule: any) => rule.ports.some((p: any) => p.port === 'client'));
    expect(client.from).toEqual([{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: CLIENT_APPS }] } }]);
  });

  it('take every server certificate from a Secret that the cert-manager example issues', () => {
    const issued = new Map(kustomize(CERT_MANAGER).filter((o) => o.kind === 'Certificate').map((c) => [c.spec!.secretName, c]));
    const secretsMounted = workloads(base).flatMap((w) => (podSpec(w).volumes ?? []).filter((v: any) => v.secret).map((v: any) => v.secret.secretName as string));
    for (const name of [...Object.keys(MODEL_SERVICES), 'nats']) {
      const certificate = issued.get(`locscope-${name}-tls`);
      expect(certificate, name).toBeDefined();
      expect(secretsMounted).toContain(`locscope-${name}-tls`);
      // Clients dial the Service's short name (masks:50051, tls://nats:4222).
      expect(certificate!.spec!.dnsNames, name).toContain(name);
    }
    expect(issued.has('locscope-ca')).toBe(true);
  });

  it('scale workers to zero on the lag of the consumer the workers pull from', () => {
    const scaled = find(base, 'ScaledObject', 'locscope-worker');
    expect(scaled.spec!.minReplicaCount).toBe(0);
    const trigger = scaled.spec!.triggers[0];
    expect(trigger.type).toBe('nats-jetstream');
    expect(trigger.metadata).toMatchObject({ stream: natsNames.JOB_STREAM, consumer: natsNames.WORKER_CONSUMER });
    const worker = find(base, 'Deployment', scaled.spec!.scaleTargetRef.name);
    expect(podSpec(worker).containers[0].args[0]).toBe('worker');
    expect(podSpec(find(base, 'Job', 'locscope-run')).containers[0].args).toEqual(expect.arrayContaining(['run', '--nats']));
  });

  it('build images that run as a numeric non-root user, the CUDA one in CUDA float16', async () => {
    const cpu = await readFile(join(REPO_ROOT, 'deploy/Dockerfile'), 'utf8');
    const cuda = await readFile(join(REPO_ROOT, 'deploy/Dockerfile.cuda'), 'utf8');
    expect(cpu).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip/);
    expect(cuda).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12/);
    for (const dockerfile of [cpu, cuda]) {
      // Numeric, so the kubelet can verify runAsNonRoot against the image.
      const users = [...dockerfile.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
      expect(users.at(-1)).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    }
    expect(cuda).toMatch(/LOCSCOPE_EXECUTION_PROVIDER=cuda/);
    expect(cuda).toMatch(/LOCSCOPE_PRECISION=float16/);
  });
});
