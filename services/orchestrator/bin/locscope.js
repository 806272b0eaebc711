#!/usr/bin/env node
// Entry point of the `locscope` command: registers the TypeScript loader, then dispatches.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
