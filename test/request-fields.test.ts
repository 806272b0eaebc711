// Issue 14 item 5: no request field names a file. Every field of every message a locscope service
// receives is listed from the .proto contract; none may be a path, file, directory or URL (models
// are registry keys, artifacts and sessions opaque ids the server made or holds in memory).
import { protoRoot } from '@locscope/proto';
import { loadProtoRoot } from '@locscope/server-kit/fuzz';
import { describe, expect, it } from 'vitest';

const SERVICES = ['inference', 'masks', 'metrics', 'inpainting'];
const FILE_LIKE = /path|file|dir|folder|url|uri/i;

type MessageType = ReturnType<ReturnType<typeof loadProtoRoot>['lookupType']>;

describe('request fields', () => {
  it('never name a file, directory or URL, in any message reachable from a request', () => {
    const root = loadProtoRoot(protoRoot, SERVICES.map((name) => `locscope/v1/${name}.proto`));
    const reachable = new Set<string>();
    const visit = (type: MessageType) => {
      if (reachable.has(type.fullName)) return;
      reachable.add(type.fullName);
      for (const field of type.fieldsArray) {
        expect(field.name, `${type.fullName}.${field.name}`).not.toMatch(FILE_LIKE);
        field.resolve();
        if (field.resolvedType && 'fieldsArray' in field.resolvedType) visit(field.resolvedType as MessageType);
      }
    };
    const services = SERVICES.map((name) => root.lookupService(`locscope.v1.${name[0].toUpperCase()}${name.slice(1)}`));
    for (const method of services.flatMap((s) => s.methodsArray)) {
      method.resolve();
      visit(method.resolvedRequestType!);
    }
    expect(services.flatMap((s) => s.methodsArray).length).toBeGreaterThan(20);
    expect(reachable.has('.locscope.v1.ScoreRequest')).toBe(true);
    expect(reachable.has('.locscope.v1.VisualPositions')).toBe(true);
  });
});
