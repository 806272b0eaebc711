// ScoreClassification: list prompt (class name mentioned) or binary prompt (yes/no matches truth).
import { ClassificationPrompt, type ScoreClassificationRequest, type ScoreClassificationResponse } from '@locscope/proto/v1/metrics';
import { InvalidArgumentError } from '@locscope/server-kit';
import { mentionsClass } from '../classification/class-name.ts';
import { parseYesNo } from '../classification/yes-no.ts';
import { yesNoToProto } from './proto-enums.ts';

export async function scoreClassificationHandler(request: ScoreClassificationRequest): Promise<ScoreClassificationResponse> {
  if (request.answers.length === 0) throw new InvalidArgumentError('at least one answer is required', { field: 'answers' });
  let results;
  if (request.prompt === ClassificationPrompt.CLASSIFICATION_PROMPT_LIST) {
    results = request.answers.map((a, i) => {
      if (a.className.trim() === '') throw new InvalidArgumentError('required for the list prompt', { field: `answers[${i}].class_name` });
      return { correct: mentionsClass(a.answer, a.className), parsed: 0 };
    });
  } else if (request.prompt === ClassificationPrompt.CLASSIFICATION_PROMPT_BINARY) {
    results = request.answers.map((a) => {
      const parsed = parseYesNo(a.answer);
      return { correct: parsed === (a.objectPresent ? 'yes' : 'no'), parsed: yesNoToProto(parsed) };
    });
  } else {
    throw new InvalidArgumentError('must be CLASSIFICATION_PROMPT_LIST or CLASSIFICATION_PROMPT_BINARY', { field: 'prompt' });
  }
  return { results, accuracy: results.filter((r) => r.correct).length / results.length };
}
