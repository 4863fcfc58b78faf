import { describe, expect, it, vi } from 'vitest';
import { requires } from '../helpers/requires.js';

describe('requires (server binaries for integration suites)', () => {
  it('is satisfied by an existing executable', () => {
    expect(requires({ what: 'a shell', paths: ['/definitely/missing', '/bin/sh'], install: 'apt-get install -y dash' }, {})).toBe(true);
  });

  it('skips loudly, naming the install command, on a developer machine', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(requires({ what: 'Redis server', paths: ['/nope/redis-server'], install: 'apt-get install -y redis-server' }, {})).toBe(false);
      const printed = write.mock.calls.map((c) => String(c[0])).join('');
      expect(printed).toContain('SKIPPED SUITE: Redis server not found');
      expect(printed).toContain('apt-get install -y redis-server');
    } finally {
      write.mockRestore();
    }
  });

  it('fails instead of skipping under CI (RUNBOOK_REQUIRE_ALL=1)', () => {
    expect(() => requires({ what: 'Redis server', paths: ['/nope/redis-server'], install: 'apt-get install -y redis-server' }, { RUNBOOK_REQUIRE_ALL: '1' })).toThrow(/cannot run.*apt-get install -y redis-server/);
  });
});
