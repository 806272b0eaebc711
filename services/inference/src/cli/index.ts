// `./cli` entry of @locscope/inference: the subcommands this service contributes to `locscope`.
export { parityCommand } from './parity.ts';
export { benchCommand } from './bench.ts';
