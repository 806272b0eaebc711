// Entry of a worker-pool thread. Plain JavaScript because it runs before any TypeScript loader:
// it registers tsx's (the project runs TypeScript directly, without a build step; a tsx-started
// process's workers would inherit it, a test runner's do not) and hands over to worker-tasks.ts.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { taskRunner } = await import('./worker-tasks.ts');
export default await taskRunner(workerData.taskModule);
