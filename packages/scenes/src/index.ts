// Public surface of @locscope/scenes: the seeded synthetic scene generator and its COCO output,
// and where the shipped split and demo models live (also the light entry `@locscope/scenes/paths`,
// for services that need only the paths).
export { CATEGORY_NAMES, type CategoryName } from './shapes.ts';
export { generateScene, DEFAULT_SCENE_OPTIONS, type Scene, type SceneObject, type SceneOptions } from './scene.ts';
export { toCoco, COCO_CATEGORIES, imageFileName, type CocoDataset, type CocoAnnotation, type CocoImage, type CocoCategory } from './coco.ts';
export { writeSplit, encodePng, SceneWriteError, type SplitOptions } from './split.ts';
export { polygonArea, boundingBox, containsPoint, type Box } from './polygon.ts';
export { DEFAULT_EVAL_SPLIT, DEMO_MODEL_NAMES, DEMO_MODELS_DIR, resolveModelDir } from './paths.ts';
