// `./cli` entry of @locscope/masks: the subcommands this service contributes to `locscope`.
export { geometry } from './geometry.ts';
