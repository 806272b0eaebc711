// Every `locscope` subcommand, loaded lazily so that e.g. `geometry` never loads onnxruntime.
import type { Command } from '@locscope/server-kit';

export interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

export const commands: Record<string, CommandEntry> = {
  run: {
    summary: 'run the study (embedded, or over NATS workers) and write its report; prints the report path last',
    load: async () => (await import('./run.ts')).runCommand,
  },
  status: {
    summary: 'show the progress of a run',
    load: async () => (await import('./status.ts')).statusCommand,
  },
  report: {
    summary: "re-render a run's report (HTML, Markdown, CSV, JSON, SVG) from its aggregates",
    load: async () => (await import('./report.ts')).reportCommand,
  },
  serve: {
    summary: 'start one service (masks, inference, inpainting, metrics, orchestrator) or all of them',
    load: async () => (await import('./serve.ts')).serveCommand,
  },
  worker: {
    summary: 'run per-sample jobs from the NATS JetStream work queue',
    load: async () => (await import('./worker.ts')).workerCommand,
  },
  parity: {
    summary: 'prove a checkpoint computes what Hugging Face computes: compare every tensor of DIR/reference.safetensors',
    load: async () => (await import('@locscope/inference/cli')).parityCommand,
  },
  bench: {
    summary: 'benchmark the model runtime: prefill, KV-cache decode, batched variants, hook cost, peak RSS',
    load: async () => (await import('@locscope/inference/cli')).benchCommand,
  },
  scenes: {
    summary: 'write a seeded synthetic scene split (PNG images + COCO annotations.json)',
    load: async () => (await import('@locscope/scenes/cli')).scenesCommand,
  },
  'demo-check': {
    summary: 'evaluate a demo model on a scene split: localization, classification, object vs random token ablation',
    load: async () => (await import('./demo-check.ts')).demoCheckCommand,
  },
  'score-answers': {
    summary: 'score LLaVA/InternVL box answers against COCO boxes: IoU, success at 0.5/0.7/0.9, localization',
    load: async () => (await import('@locscope/metrics/cli')).scoreAnswersCommand,
  },
  geometry: {
    summary: 'COCO annotations → pycocotools RLE/area/bbox, token views and object tokens per padding (JSON, overlay PNGs)',
    load: async () => (await import('@locscope/masks/cli')).geometry,
  },
  inpaint: {
    summary: 'remove an object from an image: dilate its mask, then inpaint (Telea, Navier–Stokes or ONNX)',
    load: async () => (await import('@locscope/inpainting/cli')).inpaintCommand,
  },
};
