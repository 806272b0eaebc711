// Entry `@locscope/scenes/demo-check`: the demo models' acceptance check through the runtime.
export { runDemoCheck, DEFAULT_DEMO_CHECK, DEMO_PROMPTS, type DemoCheckOptions, type DemoCheckResult } from './demo-check.ts';
