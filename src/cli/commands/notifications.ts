/**
 * `notifications status | replay | test`: the operator's view of webhook delivery and its two
 * tools. Subscriptions come from the accounts file (SWAS_CONFIG); none declared, or a name it does
 * not declare, is a configuration/usage error (exit 2) found before the database is opened.
 * Nothing here prints a URL beyond scheme and host (describeTarget) or a secret.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { Subscription, SubscriptionSpec } from '../../config/subscriptions.js';
import type { DatabaseHandle } from '../../db/database.js';
import type { ReplayResult } from '../../notify/replay-subscription.js';
import type { SendOutcome } from '../../notify/send-webhook.js';
import type { Row } from '../../reports/format/columns.js';
import type { Terminal } from '../../reports/format/terminal.js';
import { NOTIFICATION_STATUS_LAYOUT } from '../../reports/layouts.js';
import {
  addExamples, addOutputOptions, notInFuture, resolveOutput, timeArg, withDatabase, writeOut, type OutputFlags,
} from '../command-options.js';
import { ConfigurationError, UsageError } from '../../domain/errors.js';
import { EXIT } from '../exit-codes.js';

export interface NotificationsDeps {
  /** Default: the configured database, schema checked, never migrated (status works read-mostly). */
  openDb?: () => Promise<DatabaseHandle>;
  /** Default: SWAS_CONFIG's subscriptions, secrets from the environment. */
  subscriptions?: () => Subscription[];
  /** What `status` reads: the subscriptions without secrets. Default: SWAS_CONFIG's (or `subscriptions`, when given). */
  subscriptionSpecs?: () => SubscriptionSpec[];
  terminal?: () => Terminal;
  now?: () => Date;
}

/** One line: what replay did, for a person and for a log. */
export function replaySummary(target: string, since: Date, r: ReplayResult): string {
  const before = [r.revivedDead > 0 ? `${r.revivedDead} dead revived` : '', r.wasDelivered > 0 ? `${r.wasDelivered} delivered before` : '']
    .filter((x) => x !== '');
  const failed = r.failed > 0 ? `${r.failed} failed (left pending or dead${r.lastError ? `, last error ${r.lastError}` : ''})` : '0 failed';
  return `replay ${r.subscription} (${target}): ${r.replayed} event${r.replayed === 1 ? '' : 's'} since ${since.toISOString()}`
    + `${before.length > 0 ? ` (${before.join(', ')})` : ''}: ${r.redelivered} re-delivered, ${failed}\n`;
}

export function testSummary(name: string, target: string, webhookId: string, outcome: SendOutcome): string {
  const result = outcome.ok ? `HTTP ${outcome.status}` : outcome.reason;
  return `test ${name} (${target}): ${result} (webhook-id ${webhookId})\n`;
}

/** The defaults of NotificationsDeps, loaded when a command runs, not when the program is built (src/cli/program.ts). */
async function resolveDeps(deps: NotificationsDeps) {
  const [{ loadConfig }, { loadSubscriptions, loadSubscriptionSpecs }, { openAppDatabase }] = await Promise.all([
    import('../../config/env.js'), import('../../config/subscriptions.js'), import('../open-app-database.js')]);
  return {
    openDb: deps.openDb ?? (() => openAppDatabase(loadConfig(), { migrate: false })),
    subscriptions: deps.subscriptions ?? (() => loadSubscriptions(loadConfig())),
    // status reads delivery state only: it needs the names and URLs, never the signing secrets.
    specs: deps.subscriptionSpecs ?? deps.subscriptions ?? (() => loadSubscriptionSpecs(loadConfig())),
  };
}

export function registerNotificationsCommand(program: Command, deps: NotificationsDeps = {}): void {
  const group = program.command('notifications')
    .description('webhook subscriptions (docs/NOTIFICATIONS.md): delivery status, replay of past events, a signed test request');
  addExamples(group, [
    'swas-inventory notifications status',
    'swas-inventory notifications replay ops --since 24h',
    'swas-inventory notifications test ops',
  ]);

  const status = group.command('status [name]')
    .description('per subscription: lag (events not yet delivered, age of the oldest), failing deliveries, dead events, delivered, last error; exit 0');
  addOutputOptions(status);
  addExamples(status, [
    'swas-inventory notifications status',
    "swas-inventory notifications status --format json | jq '.[] | select(.dead > 0)'",
  ]);
  status.action(async (name: string | undefined, flags: OutputFlags, command: Command) => {
    const [{ openDb, specs }, { notificationStatus }, { notificationStatusRow }, { formatRows }] = await Promise.all([resolveDeps(deps),
      import('../../notify/notification-status.js'), import('../../notify/notification-status-row.js'), import('../../reports/format/format-rows.js')]);
    const subs = name === undefined ? configured(specs()) : [pick(specs(), name)];
    const output = resolveOutput(flags, deps.terminal?.());
    const rows = await withDatabase({ openDb }, async (h) => {
      const out: Row[] = [];
      for (const sub of subs) out.push(notificationStatusRow(sub, await notificationStatus(h.db, sub.name)));
      return out;
    });
    writeOut(command, formatRows(output.format, NOTIFICATION_STATUS_LAYOUT, rows, output.table));
  });

  const replay = group.command('replay <name>')
    .description('deliver the subscription\'s matching events observed since TIME again, now, with their original webhook-ids (delivered ones again, dead ones revived); exit 1 if one still fails')
    .requiredOption('--since <time>', 'events observed at or after TIME (ISO 8601, or relative: 30m, 24h, 7d, 2w)', timeArg);
  addExamples(replay, [
    'swas-inventory notifications replay ops --since 24h',
    'swas-inventory notifications replay ops --since 2026-01-31T08:00:00Z',
  ]);
  replay.action(async (name: string, flags: { since: Date }, command: Command) => {
    const [{ openDb, subscriptions }, { describeTarget }, { replaySubscription }] = await Promise.all([resolveDeps(deps),
      import('../../config/subscriptions.js'), import('../../notify/replay-subscription.js')]);
    const sub = pick(subscriptions(), name);
    notInFuture(command, '--since', flags.since, deps);
    const result = await withDatabase({ openDb }, (h) => replaySubscription(h.db, sub, flags.since));
    writeOut(command, replaySummary(describeTarget(sub.url), flags.since, result));
    process.exitCode = result.failed > 0 ? EXIT.failed : EXIT.ok;
  });

  const test = group.command('test <name>')
    .description('send one signed sample event (type image.test, eventId 0, webhook-id test_...) to the subscription\'s URL and print the HTTP status; exit 0 on 2xx, 1 otherwise. Touches no delivery state');
  addExamples(test, ['swas-inventory notifications test ops']);
  test.action(async (name: string, _flags: unknown, command: Command) => {
    const [{ subscriptions }, { describeTarget }, { sendWebhook }, { testEventBody, testWebhookId }] = await Promise.all([resolveDeps(deps),
      import('../../config/subscriptions.js'), import('../../notify/send-webhook.js'), import('../../notify/test-event.js')]);
    const sub = pick(subscriptions(), name);
    const at = deps.now?.() ?? new Date();
    const id = testWebhookId(sub.name, at, randomBytes(4).toString('hex'));
    const outcome = await sendWebhook({ url: sub.url, secret: sub.secret, webhookId: id, body: testEventBody(sub.format, sub.name, at), timeoutMs: sub.timeoutMs, at });
    writeOut(command, testSummary(sub.name, describeTarget(sub.url), id, outcome));
    process.exitCode = outcome.ok ? EXIT.ok : EXIT.failed;
  });
}

function configured<S extends SubscriptionSpec>(subs: S[]): S[] {
  if (subs.length === 0) {
    throw new ConfigurationError('the accounts file (SWAS_CONFIG) declares no subscriptions; see docs/NOTIFICATIONS.md');
  }
  return subs;
}

function pick<S extends SubscriptionSpec>(subs: S[], name: string): S {
  const sub = configured(subs).find((s) => s.name === name);
  if (!sub) throw new UsageError(`unknown subscription '${name}': the accounts file (SWAS_CONFIG) declares ${subs.map((s) => s.name).join(', ')}`);
  return sub;
}
