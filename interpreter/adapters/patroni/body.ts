/** What a switchover / failover asks of Patroni. Pure (the renderer uses it). */
export interface Names {
  readonly leader: string | undefined;
  readonly candidate: string;
  readonly scheduledAt: string | undefined;
}

export function requestBody(op: 'switchover' | 'failover', n: Names): Record<string, string> {
  const body: Record<string, string> = {};
  if (op === 'switchover' && n.leader !== undefined) body['leader'] = n.leader;
  body['candidate'] = n.candidate;
  if (n.scheduledAt !== undefined) body['scheduled_at'] = n.scheduledAt;
  return body;
}
