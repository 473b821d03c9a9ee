/**
 * One signed POST through Node's real fetch to a local receiver: credentials in the subscription
 * URL (which fetch refuses as such) go as HTTP Basic, decoded, and the request still verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWebhook, splitUserinfo } from '../../src/notify/send-webhook.js';
import { startWebhookReceiver, testSecret, type WebhookReceiver } from '../helpers/webhook-receiver.js';

describe('sendWebhook', () => {
  const secret = testSecret();
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(secret);
  });
  afterAll(async () => receiver?.close());

  it('splits userinfo into a Basic authorization header, percent-escapes decoded; other URLs untouched', () => {
    expect(splitUserinfo('https://alice:p%40ss%3Aword@hooks.example/in?x=1')).toEqual({
      url: 'https://hooks.example/in?x=1', authorization: `Basic ${Buffer.from('alice:p@ss:word').toString('base64')}`,
    });
    expect(splitUserinfo('https://token@hooks.example/')).toEqual({ url: 'https://hooks.example/', authorization: `Basic ${Buffer.from('token:').toString('base64')}` });
    expect(splitUserinfo('https://hooks.example/in')).toEqual({ url: 'https://hooks.example/in', authorization: null });
  });

  it('delivers to a URL with credentials: 2xx, verified, the credentials as Basic and not in the URL', async () => {
    const url = receiver.url.replace('http://', 'http://ops:s%3Acret@');
    const outcome = await sendWebhook({ url, secret, webhookId: 'msg_basic_1', body: '{"type":"image.test"}', timeoutMs: 5_000 });
    expect(outcome).toEqual({ ok: true, status: 204 });
    const [got] = receiver.received;
    expect(got).toMatchObject({ webhookId: 'msg_basic_1', verified: true, authorization: `Basic ${Buffer.from('ops:s:cret').toString('base64')}` });

    const plain = await sendWebhook({ url: receiver.url, secret, webhookId: 'msg_plain_1', body: '{}', timeoutMs: 5_000 });
    expect(plain.ok).toBe(true);
    expect(receiver.received.at(-1)?.authorization).toBeNull();
  });
});
