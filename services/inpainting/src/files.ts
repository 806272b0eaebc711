// Files named on the command line: a missing input or an unwritable output is the user's error,
// so it becomes a typed error naming the flag and path instead of an fs stack trace.
import { readFile, writeFile } from 'node:fs/promises';
import { FailedPreconditionError, NotFoundError } from '@locscope/server-kit';

export async function readInputFile(path: string, field: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new NotFoundError(`cannot read ${path}: ${(error as Error).message}`, { field, cause: error });
  }
}

export async function writeOutputFile(path: string, data: Uint8Array, field: string): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (error) {
    throw new FailedPreconditionError(`cannot write ${path}: ${(error as Error).message}`, { field, cause: error });
  }
}
