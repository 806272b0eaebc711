// The masks RPCs whose work is CPU-bound JavaScript (image resampling, polygon rasterization,
// projection, COCO parsing), as tasks of the service's worker pool: each runs in a worker
// thread, so health and cheap calls keep being answered meanwhile (issue 13).
import type { ContainerizeRequest, FilterDatasetRequest, PreprocessRequest, ProjectRequest } from '@locscope/proto/v1/masks';
import { handleFilterDataset } from './filter.ts';
import type { MasksLimits } from './limits.ts';
import { handlePreprocess } from './preprocess.ts';
import { containerizeObject, project as projectObject } from './project.ts';

/** What a task gets: the request and the server's limits (a worker has no other state). */
export interface MasksTask<R> {
  request: R;
  limits: MasksLimits;
}

export const preprocess = ({ request }: MasksTask<PreprocessRequest>) => handlePreprocess(request);
export const project = ({ request, limits }: MasksTask<ProjectRequest>) => projectObject(request, limits);
export const containerize = ({ request, limits }: MasksTask<ContainerizeRequest>) => containerizeObject(request, limits);
export const filterDataset = ({ request }: MasksTask<FilterDatasetRequest>) => handleFilterDataset(request);
