// Subcommands of the metrics service, listed in the orchestrator's `locscope` dispatcher.
export { scoreAnswersCommand } from './score-answers.ts';
