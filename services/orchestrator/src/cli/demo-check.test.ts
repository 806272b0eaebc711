import { describe, expect, it } from 'vitest';
import { demoCheckCommand } from './demo-check.ts';

describe('locscope demo-check', () => {
  it('rejects a missing model, a directory without config.json and a split without annotations', async () => {
    await expect(demoCheckCommand.run([])).rejects.toThrow(/--model is required/);
    await expect(demoCheckCommand.run(['--model', '/nonexistent/model'])).rejects.toThrow(/--model: \/nonexistent\/model has no config.json/);
    await expect(demoCheckCommand.run(['--model', 'demo-llava', '--data', '/nonexistent/split'])).rejects.toThrow(/--data: \/nonexistent\/split has no annotations.json/);
  });
});
