export { ALERTER_MEASUREMENTS } from './alert-repository.ts';
export { ALERT_DELIVERY_MEASUREMENT, readDeliveries } from './delivery/index.ts';
export { alertingTopicGroupId, overlayAlerting, startAlertingTopicReader, type AlertingRecordRejected, type AlertingTopicReader } from './alerting-topic.ts';
