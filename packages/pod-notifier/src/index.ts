// Webhook notices shared by pod-supervisor (crash and state events) and pod-health (health
// transitions), so operators configure and receive one kind of notice.
export { slackBody, type NoticeFormat, type PodEvent } from './pod-event';
export { createWebhookPoster, type WebhookPoster, type WebhookPosterOptions } from './webhook-poster';
