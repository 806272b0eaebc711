// Every `locscope` subcommand, loaded lazily so that e.g. `geometry` never loads onnxruntime.
import type { Command } from '@locscope/server-kit';

export interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

export const commands: Record<string, CommandEntry> = {
};
