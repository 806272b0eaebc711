// deploy/: every manifest parses, every service Deployment is probed through grpc.health.v1 and
// has resources, and the KEDA trigger names the stream and consumer the code really uses.
import { natsNames } from '@locscope/orchestrator';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './support/orchestrator.ts';

const K8S = join(REPO_ROOT, 'deploy/k8s');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, any>;
  [key: string]: unknown;
}

async function manifests(): Promise<{ file: string; doc: Manifest }[]> {
  const out: { file: string; doc: Manifest }[] = [];
  for (const file of (await readdir(K8S)).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(await readFile(join(K8S, file), 'utf8'))) {
      expect(doc.errors, file).toEqual([]);
      out.push({ file, doc: doc.toJS() as Manifest });
    }
  }
  return out;
}

describe('deploy manifests', () => {
  it('all parse and name their kind and object', async () => {
    const all = await manifests();
    expect(all.length).toBeGreaterThan(10);
    for (const { file, doc } of all) {
      expect(typeof doc.apiVersion, file).toBe('string');
      expect(typeof doc.kind, file).toBe('string');
      if (doc.kind !== 'Kustomization') expect(doc.metadata?.name, file).toMatch(/^[a-z0-9.-]+$/);
    }
  });

  it('list every manifest in the kustomization', async () => {
    const files = (await readdir(K8S)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    const kustomization = (await manifests()).find((m) => m.doc.kind === 'Kustomization')!.doc as unknown as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(files);
  });

  it('run each service with gRPC health probes, resources and a matching Service', async () => {
    const all = (await manifests()).map((m) => m.doc);
    for (const name of ['masks', 'metrics', 'inpainting', 'inference']) {
      const deployment = all.find((d) => d.kind === 'Deployment' && d.metadata.name === name)!;
      expect(deployment, name).toBeDefined();
      const container = deployment.spec!.template.spec.containers[0];
      expect(container.args.slice(0, 2)).toEqual(['serve', name]);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(container[probe].grpc.port, `${name} ${probe}`).toBe(50051);
      expect(container.resources.requests.cpu, name).toBeDefined();
      expect(container.resources.limits.memory, name).toBeDefined();
      const service = all.find((d) => d.kind === 'Service' && d.metadata.name === name)!;
      expect(service.spec!.selector).toEqual(deployment.spec!.selector.matchLabels);
    }
  });

  it('scale workers to zero on the lag of the consumer the workers pull from', async () => {
    const all = (await manifests()).map((m) => m.doc);
    const scaled = all.find((d) => d.kind === 'ScaledObject')!;
    expect(scaled.spec!.minReplicaCount).toBe(0);
    const trigger = scaled.spec!.triggers[0];
    expect(trigger.type).toBe('nats-jetstream');
    expect(trigger.metadata).toMatchObject({ stream: natsNames.JOB_STREAM, consumer: natsNames.WORKER_CONSUMER });
    const worker = all.find((d) => d.kind === 'Deployment' && d.metadata.name === scaled.spec!.scaleTargetRef.name)!;
    expect(worker.spec!.template.spec.containers[0].args[0]).toBe('worker');
    const job = all.find((d) => d.kind === 'Job')!;
    expect(job.spec!.template.spec.containers[0].args).toEqual(expect.arrayContaining(['run', '--nats']));
  });

  it('build a CUDA image with the CUDA 12 onnxruntime provider', async () => {
    expect(await readFile(join(REPO_ROOT, 'deploy/Dockerfile.cuda'), 'utf8')).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12/);
    expect(await readFile(join(REPO_ROOT, 'deploy/Dockerfile'), 'utf8')).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip/);
  });
});
