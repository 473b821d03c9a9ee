/**
 * A subscription's delivery state as the row `notifications status` prints and the console shows
 * (the keys of NOTIFICATION_STATUS_LAYOUT, docs/NOTIFICATIONS.md). The target is scheme and host
 * only (describeTarget): never a path, query or credentials.
 */
import { describeTarget, type Subscription } from '../config/subscriptions.js';
import type { NotificationStatus } from './notification-status.js';

export function notificationStatusRow(sub: Pick<Subscription, 'url'>, s: NotificationStatus): Record<string, unknown> {
  return {
    subscription: s.subscription,
    target: describeTarget(sub.url),
    started: s.started,
    lagEvents: s.lagEvents,
    // Whole milliseconds: the figure is an age, not a measurement.
    lagSeconds: Math.round(s.lagSeconds * 1000) / 1000,
    unscanned: s.unscanned,
    pending: s.pending,
    failing: s.failing,
    dead: s.dead,
    delivered: s.delivered,
    lastDeliveredAt: s.lastDeliveredAt?.toISOString() ?? null,
    lastError: s.lastError,
  };
}
