/**
 * The sample `notifications test` sends. Pure. Marked as a test three ways, so no receiver takes it
 * for a real change: type `image.test`, `data.test: true` with eventId 0 (no real event has id 0),
 * and a webhook-id starting `test_` (real ones start `swas_`), unique per send so a receiver that
 * deduplicates by id still shows each test.
 */
import type { PayloadFormat } from './event-payload.js';

export function testWebhookId(subscription: string, at: Date, nonce: string): string {
  return `test_${subscription}_${at.getTime()}_${nonce}`;
}

export function testEventBody(format: PayloadFormat, subscription: string, at: Date): string {
  const text = `[swas-inventory] test notification for subscription ${subscription} at ${at.toISOString()}: delivery works`;
  switch (format) {
    case 'json':
      return JSON.stringify({
        type: 'image.test',
        timestamp: at.toISOString(),
        data: { test: true, eventId: 0, subscription, message: text },
      });
    case 'slack': return JSON.stringify({ text });
    case 'dingtalk': return JSON.stringify({ msgtype: 'text', text: { content: text } });
  }
}
