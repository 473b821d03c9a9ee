/**
 * Child: the throughput baseline. `count` signed POSTs (sendWebhook: the same Standard Webhooks
 * signing and fetch the notifier uses, json bodies of the same shape) to the same receiver,
 * `concurrency` at once, with no database at all. Replies with the wall time.
 */
import { renderBody } from '../../src/notify/event-payload.js';
import { sendWebhook } from '../../src/notify/send-webhook.js';
import { childInput, sendToParent } from '../lib/fork-child.js';
import { nowMs } from '../lib/timing.js';

export interface PostLoopInput { url: string; secret: string; count: number; concurrency: number }

const input = childInput<PostLoopInput>();
let next = 0;
let failed = 0;
const lane = async (): Promise<void> => {
  while (next < input.count) {
    const id = next++;
    const body = renderBody('json', {
      id, runId: '00000000-0000-4000-8000-000000000000', observedAt: new Date(), account: 'bench', regionId: 'cn-hangzhou',
      imageId: `m-bench${String(id).padStart(8, '0')}`, imageName: 'image', kind: 'created', oldStatus: null, newStatus: 1, changes: {},
    });
    const outcome = await sendWebhook({ url: input.url, secret: input.secret, webhookId: `swas_loop_${id}`, body, timeoutMs: 10_000 });
    if (!outcome.ok) failed += 1;
  }
};
const start = nowMs();
await Promise.all(Array.from({ length: input.concurrency }, lane));
await sendToParent({ ms: nowMs() - start, failed });
process.exit(0);
