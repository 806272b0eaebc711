// Durable file replacement: write a temporary file in the same directory, fsync it, rename it over
// the target (write-file-atomic), then fsync the directory so the rename itself survives a crash.
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

export async function writeFileDurably(file: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(file, typeof data === 'string' ? data : Buffer.from(data), { fsync: true });
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
