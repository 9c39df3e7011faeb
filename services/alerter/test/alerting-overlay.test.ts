import { expect, it } from 'vitest';
import type { AlertingChangeV1 } from '@meterline/contracts';
import { overlayAlerting, type AlertingTopicState } from '@meterline/feeds';
import { parseAlertingConfig, type AlertingConfig } from '../src/alerting-config.ts';

type SubscriptionChange = Extract<AlertingChangeV1, { kind: 'subscription' }>;

const FILE = `
version: 1
defaults: { repeatIntervalMinutes: 60 }
subscriptions:
  - { id: file-e1, enterpriseId: e1, url: 'https://file.example.com/e1', secret: file-secret-0123456789 }
  - { id: shared, enterpriseId: e1, url: 'https://file.example.com/shared', secret: file-secret-0123456789 }
`;

const topicSubscription = (id: string, url: string): SubscriptionChange => ({
  v: 1,
  kind: 'subscription',
  subscription: { id, enterpriseId: 'e1', url, secret: `secret-of-${id}-0123456789abcdef`, format: 'alertmanager', minSeverity: 'warning', rateLimit: { perMinute: 2, burst: 1 }, createdAt: '2026-11-27T08:00:00.000Z' },
  changedAt: '2026-11-27T08:00:00.000Z',
  changedBy: 'ops-admin',
});

// The alerter's own file under the topic's overlay (packages/feeds): its rules stay the file's,
// its subscriptions come with the file's defaults filled in, and the topic's replace them by id.
it('keeps the alerting file’s rules and defaults under the topic’s subscriptions', () => {
  const parsed = parseAlertingConfig(FILE, 'alerting.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const topic: AlertingTopicState = {
    subscriptions: () => new Map([['shared', topicSubscription('shared', 'https://hooks.example.com/replaced')]]),
    silences: () => new Map(),
  };
  const config: AlertingConfig = overlayAlerting(parsed.config, topic);

  expect(config.rulesFor('e1').repeatIntervalMinutes).toBe(60);
  expect(config.rulesFor('e1').meterOffline).toEqual({ enabled: true, severity: 'critical', afterMinutes: 30 });
  expect(config.subscription('file-e1')).toEqual({
    id: 'file-e1',
    enterpriseId: 'e1',
    url: 'https://file.example.com/e1',
    secret: 'file-secret-0123456789',
    format: 'meterline',
    rules: undefined,
    minSeverity: 'info',
    rateLimit: { perMinute: 6, burst: 3 },
  });
  expect(config.subscriptionsOf('e1').map((s) => [s.id, s.url, s.format])).toEqual([
    ['file-e1', 'https://file.example.com/e1', 'meterline'],
    ['shared', 'https://hooks.example.com/replaced', 'alertmanager'],
  ]);
});
