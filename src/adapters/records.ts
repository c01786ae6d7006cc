/** Small records the platform adapters keep across restarts and replicas (Teams conversation references). */
export interface Records {
  get(kind: string, id: string): Promise<string | undefined>;
  set(kind: string, id: string, value: string): Promise<void>;
}
