// The one event shape every notice of the pod uses: a service's state change (pod-supervisor)
// or the pod's health transition (pod-health, service "pod").
export interface PodEvent {
  event: 'service_state' | 'pod_health';
  service: string;
  state: string;
  previousState: string;
  exitCode: number | null;
  signal: string | null;
  restarts: number;
  lastLines: string[];
  time: string;
  /** True for an exit or a degradation nobody asked for. */
  unexpected: boolean;
  source?: string;
  message?: string;
  /** pod_health only: the checks that are not passing, with their status. */
  checks?: Record<string, string>;
}

export type NoticeFormat = 'json' | 'slack';

/** A Slack-compatible incoming-webhook body. */
export function slackBody(event: PodEvent): { text: string } {
  if (event.event === 'pod_health') {
    return { text: `core-pod: ${event.message ?? `pod health ${event.previousState} → ${event.state}`}` };
  }
  const how = event.signal ? `signal ${event.signal}` : `code ${event.exitCode ?? 'unknown'}`;
  const tail = event.lastLines.length > 0 ? `\n\`\`\`${event.lastLines.join('\n')}\`\`\`` : '';
  return {
    text: `core-pod: *${event.service}* is ${event.state} (was ${event.previousState}, exit ${how}, restarts ${event.restarts})${tail}`,
  };
}
