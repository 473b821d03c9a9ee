/**
 * The request body for one event, in the subscription's format. Pure.
 * - `json`: Standard Webhooks' envelope `{type, timestamp, data}` with the generic event in data.
 * - `slack`: `{"text": "..."}`, which Slack-compatible incoming webhooks (Mattermost, Rocket.Chat,
 *   Feishu's, Teams' workflows) accept.
 * - `dingtalk`: `{"msgtype": "text", "text": {"content": "..."}}`, DingTalk's custom robot.
 */
import { STATUS_LABELS } from '../domain/vocabulary.js';
import { tagKeyChanges } from './match-event.js';
import type { NotifiableEvent } from './notifiable-event.js';

export type PayloadFormat = 'json' | 'slack' | 'dingtalk';

const status = (code: number | null) => (code === null ? null : { code, name: STATUS_LABELS[code] ?? `status ${code}` });

export function eventPayload(event: NotifiableEvent) {
  return {
    type: `image.${event.kind}`,
    timestamp: event.observedAt.toISOString(),
    data: {
      eventId: event.id,
      runId: event.runId,
      kind: event.kind,
      observedAt: event.observedAt.toISOString(),
      account: event.account,
      region: event.regionId,
      image: { id: event.imageId, name: event.imageName },
      oldStatus: status(event.oldStatus),
      newStatus: status(event.newStatus),
      changedFields: Object.keys(event.changes),
      changes: event.changes,
    },
  };
}

/** One line a person reads in a chat room. */
export function eventText(event: NotifiableEvent): string {
  const label = (code: number | null) => (code === null ? 'none' : (STATUS_LABELS[code] ?? `status ${code}`));
  const image = event.imageName ? `${event.imageId} (${event.imageName})` : event.imageId;
  const where = `${event.account}/${event.regionId}`;
  const what = (() => {
    switch (event.kind) {
      case 'status_changed': return `status ${label(event.oldStatus)} -> ${label(event.newStatus)}`;
      case 'created': return `created (${label(event.newStatus)})`;
      case 'deleted': return 'deleted';
      case 'restored': return `restored (${label(event.newStatus)})`;
      case 'tags_changed': {
        const { appeared, disappeared } = tagKeyChanges(event);
        const parts = [...appeared.map((k) => `+${k}`), ...disappeared.map((k) => `-${k}`)];
        return `tags changed${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
      }
      default: return `${event.kind}: ${Object.keys(event.changes).join(', ')}`;
    }
  })();
  return `[swas-inventory] image ${image} in ${where}: ${what} at ${event.observedAt.toISOString()} (event ${event.id})`;
}

export function renderBody(format: PayloadFormat, event: NotifiableEvent): string {
  switch (format) {
    case 'json': return JSON.stringify(eventPayload(event));
    case 'slack': return JSON.stringify({ text: eventText(event) });
    case 'dingtalk': return JSON.stringify({ msgtype: 'text', text: { content: eventText(event) } });
  }
}

/**
 * Stable per (subscription, event), so a receiver deduplicates redeliveries and replays by it.
 * Subscription names are restricted to [A-Za-z0-9._-], so the id is unambiguous.
 */
export const webhookId = (subscription: string, eventId: number): string => `swas_${subscription}_${eventId}`;
