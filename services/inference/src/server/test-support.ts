// Shared setup of the service tests: the LLaVA parity checkpoint with a small BPE tokenizer (the
// fixtures ship none), and a promise wrapper for the generated callback-style client.
import { Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LLAVA_TINY, rewriteCheckpoint, testTokenizerJson } from '../checkpoint/test-support.ts';

/** Copies llava-tiny into `dir` and adds a Llama-style tokenizer whose ids fit its 600-token vocabulary. */
export function writeTinyLlava(dir: string, words: readonly string[] = ['USER', 'ASSISTANT', 'Where', 'cat']): void {
  rewriteCheckpoint(LLAVA_TINY, dir);
  const tokenizer = testTokenizerJson({ added: { 1: '<s>', 2: '</s>', 590: '<image>' }, words, metaspace: true, bos: '<s>', firstId: 100 });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
}

type UnaryMethod = (request: never, metadata: Metadata, callback: (error: ServiceError | null, response: any) => void) => unknown;

/** `call(client.score, request)` → the response (responses are checked field by field in the tests). */
export function unaryCaller(client: () => Client): (method: UnaryMethod, request: unknown) => Promise<any> {
  return (method, request) =>
    new Promise((resolve, reject) => method.call(client(), request as never, new Metadata(), (e, r) => (e ? reject(e) : resolve(r))));
}
