// `locscope demo-check --model NAME|DIR [--data DIR] --json`: evaluates a demo model on a scene
// split through the locscope runtime (see demo-check/demo-check.ts for the metrics).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineFlags, parseFlags, UsageError, type Command } from '@locscope/server-kit';
import { DEFAULT_EVAL_SPLIT, resolveModelDir } from '@locscope/scenes';

const flags = defineFlags({
  model: { type: 'string', value: 'NAME|DIR', description: 'demo-llava, demo-internvl or a checkpoint directory (required)' },
  data: { type: 'string', value: 'DIR', description: 'scene split to evaluate on', default: DEFAULT_EVAL_SPLIT },
  json: { type: 'boolean', description: 'print one JSON object' },
});

export const demoCheckCommand: Command<typeof flags> = {
  name: 'demo-check',
  summary: 'evaluate a demo model on a scene split: localization, classification, object vs random token ablation',
  flags,
  async run(argv) {
    const { values } = parseFlags(this, argv);
    if (!values.model) throw new UsageError('--model is required (demo-llava, demo-internvl or a checkpoint directory)');
    const modelDir = resolveModelDir(values.model);
    if (!existsSync(join(modelDir, 'config.json'))) throw new UsageError(`--model: ${modelDir} has no config.json`);
    const dataDir = values.data ?? DEFAULT_EVAL_SPLIT;
    if (!existsSync(join(dataDir, 'annotations.json'))) throw new UsageError(`--data: ${dataDir} has no annotations.json`);
    // Loaded here so that `locscope scenes` never loads onnxruntime.
    const { runDemoCheck } = await import('../demo-check/demo-check.ts');
    const result = await runDemoCheck({ modelDir, dataDir });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const pct = (v: number | null): string => (v === null ? 'n/a' : `${(100 * v).toFixed(1)} %`);
      process.stdout.write(
        [
          `model ${modelDir} on ${dataDir} (${result.samples} objects)`,
          `localization (mean success at IoU 0.5/0.7/0.9): ${result.localization.toFixed(3)}`,
          `list classification accuracy: ${result.classification.toFixed(3)}`,
          `localization drop, object tokens → mean embedding: ${pct(result.object_ablation_drop)}`,
          `localization drop, as many random tokens: ${pct(result.random_ablation_drop)}`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  },
};
