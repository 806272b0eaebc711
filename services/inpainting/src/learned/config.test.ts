// Learned-backend configuration: flags win over environment, named defaults, precise errors.
import { describe, expect, it } from 'vitest';
import { parseFlags, SERVICE_FLAGS } from '@locscope/server-kit';
import { DEFAULT_ONNX_INPUT_SIZE, LEARNED_FLAGS, readLearnedConfig as readValues } from './config.ts';

const readLearnedConfig = (argv: string[], env: NodeJS.ProcessEnv) =>
  readValues(parseFlags({ name: 'serve', summary: '', flags: { ...SERVICE_FLAGS, ...LEARNED_FLAGS } }, argv).values, env);

describe('readLearnedConfig', () => {
  it('is off without a model', () => {
    expect(readLearnedConfig(['--port', '1'], {})).toBeUndefined();
  });

  it('reads flags, falls back to the environment, and leaves other flags alone', () => {
    const env = { LOCSCOPE_INPAINT_MODEL: '/env.onnx', LOCSCOPE_INPAINT_MODEL_OUTPUT_RANGE: 'byte', LOCSCOPE_INPAINT_MODEL_OUTPUT: 'out' };
    expect(readLearnedConfig(['--model', '/flag.onnx', '--model-size', '256', '--port', '9'], env)).toEqual({
      modelPath: '/flag.onnx',
      size: 256,
      outputRange: 'byte',
      imageInput: undefined,
      maskInput: undefined,
      output: 'out',
    });
    expect(readLearnedConfig([], env)?.size).toBe(DEFAULT_ONNX_INPUT_SIZE);
  });

  it('rejects a bad size or output range naming the flag', () => {
    expect(() => readLearnedConfig(['--model', 'm.onnx', '--model-size', '0'], {})).toThrow(/^model-size: /);
    expect(() => readLearnedConfig(['--model', 'm.onnx', '--model-output-range', 'percent'], {})).toThrow(/^model-output-range: expected one of unit, byte/);
  });
});
