// Issue 14 item 5: no request field names a file. Every field of every message a locscope service
// receives is listed from the .proto contract; none may be a path, file, directory or URL (models
// are registry keys, artifacts and sessions opaque ids the server made or holds in memory).
import { protoFile, protoRoot } from '@locscope/proto';
import { loadSync } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';

const SERVICES = ['inference', 'masks', 'metrics', 'inpainting'];
const FILE_LIKE = /path|file|dir|folder|url|uri/i;

interface FieldDescriptor {
  name: string;
  type: string;
  typeName?: string;
}
interface MessageDescriptor {
  field: FieldDescriptor[];
}

describe('request fields', () => {
  it('never name a file, directory or URL, in any message reachable from a request', () => {
    const definitions = loadSync(SERVICES.map(protoFile), { includeDirs: [protoRoot] });
    const messages = new Map<string, MessageDescriptor>();
    const requests: string[] = [];
    for (const [name, value] of Object.entries(definitions)) {
      if ('format' in value && value.format === 'Protocol Buffer 3 DescriptorProto') messages.set(name, value.type as MessageDescriptor);
      else if (!('format' in value)) for (const method of Object.values(value)) requests.push((method as { requestType: { type: { name: string } } }).requestType.type.name);
    }
    const reachable = new Set<string>();
    const visit = (name: string) => {
      const qualified = [...messages.keys()].find((key) => key === name || key.endsWith(`.${name}`));
      if (!qualified || reachable.has(qualified)) return;
      reachable.add(qualified);
      for (const field of messages.get(qualified)!.field) {
        expect(field.name, `${qualified}.${field.name}`).not.toMatch(FILE_LIKE);
        if (field.type === 'TYPE_MESSAGE' && field.typeName) visit(field.typeName);
      }
    };
    for (const request of requests) visit(request);
    expect(requests.length).toBeGreaterThan(20);
    expect(reachable.has('locscope.v1.ScoreRequest')).toBe(true);
  });
});
