// Large per-sample artifacts (captured activations, inpainted images, probe features) live outside
// records: in the run directory embedded, in the JetStream object store with NATS. Records hold
// only the name.
export interface ArtifactStore {
  put(name: string, bytes: Uint8Array): Promise<void>;
  /** Undefined when absent. */
  get(name: string): Promise<Uint8Array | undefined>;
}
