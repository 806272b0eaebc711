// Subcommands of @locscope/scenes, registered in services/orchestrator/src/cli/commands.ts.
export { scenesCommand } from './scenes.ts';
