export { alertingTopicGroupId, overlayAlerting, startAlertingTopicReader, type AlertingRecordRejected, type AlertingTopicReader } from './alerting-topic.ts';
export { createAlertManager } from './alert-manager.ts';
export { parseAlertingConfig } from './alerting-config.ts';
export { createAlerterMetrics } from './metrics.ts';
