// The masks RPCs whose work is CPU-bound JavaScript (image resampling, polygon rasterization,
// projection, COCO parsing, token selections over millions of scores), as tasks of the service's worker pool: each runs in a worker
// thread, so health and cheap calls keep being answered meanwhile (issue 13).
import type {
  ContainerizeRequest,
  FilterDatasetRequest,
  PreprocessRequest,
  ProjectRequest,
  SelectRandomRequest,
  SelectRegisterTokensRequest,
  SelectTopKRequest,
} from '@locscope/proto/v1/masks';
import { handleFilterDataset } from './filter.ts';
import type { MasksLimits } from './limits.ts';
import { handlePreprocess } from './preprocess.ts';
import { containerizeObject, project as projectObject } from './project.ts';
import { handleSelectRandom, handleSelectRegisterTokens, handleSelectTopK } from './select.ts';

/** What a task gets: the request and the server's limits (a worker has no other state). */
export interface MasksTask<R> {
  request: R;
  limits: MasksLimits;
}

export const preprocess = ({ request }: MasksTask<PreprocessRequest>) => handlePreprocess(request);
export const project = ({ request, limits }: MasksTask<ProjectRequest>) => projectObject(request, limits);
export const containerize = ({ request, limits }: MasksTask<ContainerizeRequest>) => containerizeObject(request, limits);
export const filterDataset = ({ request }: MasksTask<FilterDatasetRequest>) => handleFilterDataset(request);
export const selectRandom = ({ request }: MasksTask<SelectRandomRequest>) => handleSelectRandom(request);
export const selectRegisterTokens = ({ request }: MasksTask<SelectRegisterTokensRequest>) => handleSelectRegisterTokens(request);
export const selectTopK = ({ request }: MasksTask<SelectTopKRequest>) => handleSelectTopK(request);
