import type { Rule } from '../types.js';

export const missingRto: Rule = {
  id: 'missing-rto',
  rationale: 'The RTO is what the run, the TUI budget bar and the DR report measure against; without it nobody knows when a recovery is late.',
  fix: 'Give the runbook meta an rto, e.g. runbook(\'pg-failover\', { title: …, rto: \'15m\' }).',
  severity: 'warn',
  check({ model }) {
    if (model.rto === undefined) return [{ message: `runbook "${model.id}" has no rto`, pos: model.pos }];
    if (model.rto.ms === undefined) return [{ message: `runbook "${model.id}" rto ${JSON.stringify(model.rto.text)} is not a duration (write "15m", "1h30m")`, pos: model.pos }];
    return [];
  },
};
