import { it } from 'vitest';
it('probe', async () => {
  console.log('before import');
  const { loadOpenCv } = await import('./opencv/runtime.ts');
  console.log('imported');
  const cv = await loadOpenCv();
  console.log('ready', typeof cv.Mat);
}, 100000);
