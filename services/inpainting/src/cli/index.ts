// `./cli` entry of @locscope/inpainting: the subcommands this service contributes to `locscope`.
export { inpaintCommand } from './inpaint.ts';
