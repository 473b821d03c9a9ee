/** An image event as the notifier reads it from image_events (plus the image's current name). */
export interface NotifiableEvent {
  id: number;
  runId: string;
  observedAt: Date;
  account: string;
  regionId: string;
  imageId: string;
  imageName: string | null;
  kind: string;
  oldStatus: number | null;
  newStatus: number | null;
  /** `{field: {old, new}}`; `tags` as `[{key, value}]` lists. */
  changes: Record<string, { old: unknown; new: unknown }>;
}
