import * as fc from 'fast-check';
import {
  cacheExportName,
  decideCacheExport,
  decideSnapshot,
  newestManifestBackupId,
  OwnSnapshot,
  rdsSnapshotId,
  rdsSnapshotPrefix,
  resolveSlot,
  selectSnapshotsToPrune,
  slotOfOwnName,
  steadyStateSnapshotCount,
  isValidServiceName,
} from '../../lib/backup/selection';
import { parseBackupEnv } from '../../lib/backup/handler-config';
import { parseSupplementary, parseManifest } from '../../lib/backup/manifest';

const H = 3_600_000;
const D = 24 * H;
const at = (iso: string) => new Date(iso);

describe('resolveSlot', () => {
  const now = at('2026-11-25T07:42:10Z');

  test('a scheduled event maps to the slot of its scheduled time, whatever the invocation time', () => {
    const ev = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-25T07:00:03Z' };
    expect(resolveSlot(ev, now, 60)).toEqual({
      slot: at('2026-11-25T07:00:00Z'),
      backupId: '20261125T0700Z',
      source: 'schedule',
    });
    // A retry an hour later still belongs to the same slot.
    expect(resolveSlot(ev, at('2026-11-25T08:30:00Z'), 60).backupId).toBe('20261125T0700Z');
  });

  test('{} is the current slot; {slot} names one', () => {
    expect(resolveSlot({}, now, 60).backupId).toBe('20261125T0700Z');
    expect(resolveSlot({}, now, 15).backupId).toBe('20261125T0730Z');
    expect(resolveSlot({ slot: '2026-11-24T23:59:59Z' }, now, 60)).toMatchObject({
      backupId: '20261124T2300Z',
      source: 'explicit',
    });
  });

  test.each([
    [null, /must be a JSON object/],
    ['hello', /must be a JSON object/],
    [[], /must be a JSON object/],
    [{ 'detail-type': 'Object Created', time: '2026-11-25T07:00:00Z' }, /detail-type must be "Scheduled Event"/],
    [{ 'detail-type': 'Scheduled Event', time: 'yesterday' }, /field time must be an ISO 8601 time, got "yesterday"/],
    [{ slot: 42 }, /field slot must be an ISO 8601 time, got 42/],
    [{ foo: 1 }, /unknown event fields foo/],
    [{ slot: '2026-11-25T10:00:00Z' }, /is in the future/],
  ])('rejects %j', (event, msg) => {
    expect(() => resolveSlot(event, now, 60)).toThrow(msg);
  });
});

describe('names', () => {
  test('snapshot and export names embed the backup id and parse back', () => {
    expect(rdsSnapshotId('mcp-server', '20261125T0700Z')).toBe('mcpops-mcp-server-db-20261125t0700z');
    expect(cacheExportName('mcp-server', '20261125T0700Z')).toBe('mcpops-mcp-server-cache-20261125t0700z');
    expect(slotOfOwnName('mcpops-mcp-server-db-20261125t0700z', rdsSnapshotPrefix('mcp-server'))).toEqual(
      at('2026-11-25T07:00:00Z'),
    );
    expect(slotOfOwnName('rds:mcp-2026-11-25-07-00', rdsSnapshotPrefix('mcp-server'))).toBeUndefined();
    expect(slotOfOwnName('mcpops-mcp-server-db-garbage', rdsSnapshotPrefix('mcp-server'))).toBeUndefined();
  });

  test('service names', () => {
    expect(isValidServiceName('mcp-server')).toBe(true);
    for (const bad of ['', 'MCP', 'a--b', '-a', 'a-', 'a_b', 'x'.repeat(21), 'x'.repeat(41)])
      expect(isValidServiceName(bad)).toBe(false);
  });
});

describe('decideSnapshot (quota-aware cadence)', () => {
  const snap = (iso: string, status = 'available'): OwnSnapshot => ({
    id: rdsSnapshotId('svc', iso.replace(/[-:]/g, '').slice(0, 13) + 'Z'),
    time: at(iso),
    status,
  });
  const base = { everyHours: 24, reserve: 10, quota: { used: 20, max: 100 } };

  test('takes one snapshot per window: the first slot of the day that finds none', () => {
    expect(
      decideSnapshot({ ...base, slot: at('2026-11-25T00:00:00Z'), ownSnapshots: [snap('2026-11-24T00:00:00Z')] }).take,
    ).toBe(true);
    const later = decideSnapshot({
      ...base,
      slot: at('2026-11-25T01:00:00Z'),
      ownSnapshots: [snap('2026-11-24T00:00:00Z'), snap('2026-11-25T00:00:00Z')],
    });
    expect(later).toMatchObject({ take: false });
    expect(later.reason).toMatch(/already covers/);
  });

  test('a window whose first run failed is made up by a later slot of the same window', () => {
    expect(
      decideSnapshot({ ...base, slot: at('2026-11-25T05:00:00Z'), ownSnapshots: [snap('2026-11-24T00:00:00Z')] }).take,
    ).toBe(true);
  });

  test('never while one is still being created', () => {
    expect(
      decideSnapshot({
        ...base,
        slot: at('2026-11-25T00:00:00Z'),
        ownSnapshots: [snap('2026-11-24T00:00:00Z', 'creating')],
      }).take,
    ).toBe(false);
  });

  test('stays inside the manual-snapshot quota minus the reserve', () => {
    const slot = at('2026-11-25T00:00:00Z');
    expect(decideSnapshot({ ...base, slot, ownSnapshots: [], quota: { used: 89, max: 100 } }).take).toBe(true);
    const full = decideSnapshot({ ...base, slot, ownSnapshots: [], quota: { used: 90, max: 100 } });
    expect(full).toMatchObject({ take: false, blockedByQuota: true });
    expect(full.reason).toMatch(/90 of 100 used, 10 kept in reserve/);
    // A raised quota is honoured.
    expect(decideSnapshot({ ...base, slot, ownSnapshots: [], quota: { used: 150, max: 300 } }).take).toBe(true);
  });

  test('property: following the decision every hour for 60 days takes exactly one snapshot per window', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 6, 12, 24, 48), (every) => {
        const own: OwnSnapshot[] = [];
        const start = at('2026-01-01T00:00:00Z').getTime();
        for (let h = 0; h < 60 * 24; h++) {
          const slot = new Date(start + h * H);
          const d = decideSnapshot({ slot, everyHours: every, ownSnapshots: own, reserve: 0 });
          if (d.take) own.push({ id: `s${h}`, time: slot, status: 'available' });
        }
        return own.length === Math.ceil((60 * 24) / every);
      }),
      { numRuns: 6 },
    );
  });

  test('steady-state snapshot count', () => {
    expect(steadyStateSnapshotCount(720, 24, 3)).toBe(31);
    expect(steadyStateSnapshotCount(24, 24, 3)).toBe(3);
  });
});

describe('decideCacheExport', () => {
  const exp = (iso: string): OwnSnapshot => ({ id: `e-${iso}`, time: at(iso), status: 'exported' });
  test('one export per window', () => {
    expect(
      decideCacheExport({
        slot: at('2026-11-25T00:00:00Z'),
        everyHours: 24,
        exports: [exp('2026-11-24T00:00:00Z')],
        reserve: 2,
      }).take,
    ).toBe(true);
    expect(
      decideCacheExport({
        slot: at('2026-11-25T03:00:00Z'),
        everyHours: 24,
        exports: [exp('2026-11-25T00:00:00Z')],
        reserve: 2,
      }).take,
    ).toBe(false);
  });
  test('never more than the daily per-node limit minus the reserve in 24 h', () => {
    const exports = Array.from({ length: 18 }, (_, i) =>
      exp(new Date(at('2026-11-24T08:00:00Z').getTime() + i * H).toISOString()),
    );
    const d = decideCacheExport({ slot: at('2026-11-25T02:00:00Z'), everyHours: 1, exports, reserve: 2 });
    expect(d).toMatchObject({ take: false, blockedByQuota: true });
    expect(
      decideCacheExport({ slot: at('2026-11-25T02:00:00Z'), everyHours: 1, exports: exports.slice(1), reserve: 2 })
        .take,
    ).toBe(true);
  });
});

describe('selectSnapshotsToPrune', () => {
  const now = at('2026-11-25T07:00:00Z');
  const daily = (days: number, status = 'available'): OwnSnapshot[] =>
    Array.from({ length: days }, (_, i) => ({
      id: `snap-${i}`,
      time: new Date(now.getTime() - i * D),
      status,
    }));

  test('deletes only what is past retention, oldest first', () => {
    const ids = selectSnapshotsToPrune({ snapshots: daily(40), now, retentionMs: 30 * D, keepNewest: 3 });
    expect(ids).toEqual([
      'snap-39',
      'snap-38',
      'snap-37',
      'snap-36',
      'snap-35',
      'snap-34',
      'snap-33',
      'snap-32',
      'snap-31',
    ]);
    expect(ids).not.toContain('snap-30'); // exactly at the boundary: inside retention + skew
  });

  test('always keeps the newest N even when all are past retention', () => {
    const old = daily(10).map((s) => ({ ...s, time: new Date(s.time.getTime() - 100 * D) }));
    expect(selectSnapshotsToPrune({ snapshots: old, now, retentionMs: 30 * D, keepNewest: 4 }).sort()).toEqual([
      'snap-4',
      'snap-5',
      'snap-6',
      'snap-7',
      'snap-8',
      'snap-9',
    ]);
  });

  test('clock skew: a snapshot just past retention by less than the tolerance is kept, one dated in the future counts as newest', () => {
    const snapshots: OwnSnapshot[] = [
      { id: 'future', time: new Date(now.getTime() + 2 * H), status: 'available' },
      { id: 'edge', time: new Date(now.getTime() - 30 * D - 10 * 60_000), status: 'available' },
      { id: 'old', time: new Date(now.getTime() - 30 * D - 20 * 60_000), status: 'available' },
      { id: 'older', time: new Date(now.getTime() - 31 * D), status: 'available' },
    ];
    expect(
      selectSnapshotsToPrune({ snapshots, now, retentionMs: 30 * D, keepNewest: 1, clockSkewMs: 15 * 60_000 }),
    ).toEqual(['older', 'old']);
    // With a Lambda clock 20 minutes slow, "old" is inside retention + skew and stays.
    const slow = new Date(now.getTime() - 20 * 60_000);
    expect(
      selectSnapshotsToPrune({ snapshots, now: slow, retentionMs: 30 * D, keepNewest: 1, clockSkewMs: 15 * 60_000 }),
    ).toEqual(['older']);
  });

  test('never deletes snapshots that are not available, and caps deletions per run', () => {
    const snaps = [
      ...daily(5),
      ...daily(40)
        .slice(5)
        .map((s) => ({ ...s, status: 'creating' })),
    ];
    expect(selectSnapshotsToPrune({ snapshots: snaps, now, retentionMs: D, keepNewest: 1 })).toEqual([
      'snap-4',
      'snap-3',
      'snap-2',
    ]);
    expect(
      selectSnapshotsToPrune({ snapshots: daily(60), now, retentionMs: D, keepNewest: 1, maxDeletes: 5 }),
    ).toHaveLength(5);
  });

  test('property: the newest N and everything inside retention survive', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2 * D, max: 90 * D }), { minLength: 0, maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 60 }),
        (ages, keep, retentionDays) => {
          const snapshots = ages.map((age, i) => ({
            id: `s${i}`,
            time: new Date(now.getTime() - age),
            status: 'available',
          }));
          const del = new Set(
            selectSnapshotsToPrune({
              snapshots,
              now,
              retentionMs: retentionDays * D,
              keepNewest: keep,
              maxDeletes: 1000,
            }),
          );
          const newest = [...snapshots].sort((a, b) => b.time.getTime() - a.time.getTime()).slice(0, keep);
          return (
            newest.every((s) => !del.has(s.id)) &&
            snapshots.every((s) => !del.has(s.id) || now.getTime() - s.time.getTime() > retentionDays * D)
          );
        },
      ),
    );
  });

  test('rejects nonsense', () => {
    expect(() => selectSnapshotsToPrune({ snapshots: [], now: new Date(NaN), retentionMs: D, keepNewest: 1 })).toThrow(
      /now must be a valid Date/,
    );
    expect(() => selectSnapshotsToPrune({ snapshots: [], now, retentionMs: D, keepNewest: 0 })).toThrow(
      /keepNewest must be an integer ≥ 1, got 0/,
    );
  });
});

describe('newestManifestBackupId', () => {
  test('picks the newest valid manifest key and ignores others', () => {
    expect(
      newestManifestBackupId([
        'manifests/20261125T0600Z.json',
        'manifests/20261125T0700Z.json',
        'manifests/zzz.json',
        'backups/20261126T0000Z/x',
      ]),
    ).toBe('20261125T0700Z');
    expect(newestManifestBackupId([])).toBeUndefined();
  });
});

describe('parseBackupEnv', () => {
  const base = { BACKUP_BUCKET: 'b', SERVICE_NAME: 'mcp-server', SSM_PARAMETER_PREFIX: '/mcp/prod' };
  test('defaults', () => {
    const c = parseBackupEnv({ ...base, DB_INSTANCE_ID: 'db1', CACHE_REPLICATION_GROUP_ID: 'rg1' });
    expect(c).toMatchObject({
      intervalMinutes: 60,
      secretArns: [],
      database: { snapshotEveryHours: 24, snapshotRetentionHours: 720, keepNewestSnapshots: 3, quotaReserve: 10 },
      cache: { mode: 'rebuildable', exportEveryHours: 24 },
    });
    expect(c.s3Endpoint).toBeUndefined();
  });
  test.each([
    [{ ...base, BACKUP_BUCKET: undefined }, /BACKUP_BUCKET is not set/],
    [{ ...base, SERVICE_NAME: 'Bad Name' }, /SERVICE_NAME must be .* got "Bad Name"/],
    [{ ...base, BACKUP_INTERVAL_MINUTES: '0' }, /BACKUP_INTERVAL_MINUTES must be an integer from 1 to 1440, got "0"/],
    [{ ...base, SSM_PARAMETER_PREFIX: 'mcp' }, /SSM_PARAMETER_PREFIX must be a parameter path/],
    [{ ...base, SECRET_ARNS: 'not-an-arn' }, /SECRET_ARNS must be a comma-separated list of ARNs/],
    [
      { ...base, CACHE_REPLICATION_GROUP_ID: 'rg', CACHE_BACKUP_MODE: 'dump' },
      /CACHE_BACKUP_MODE must be "export" or "rebuildable", got "dump"/,
    ],
    [
      { ...base, CACHE_REPLICATION_GROUP_ID: 'rg', CACHE_EXPORT_EVERY_HOURS: '1' },
      /CACHE_EXPORT_EVERY_HOURS must be an integer from 2 to 168/,
    ],
    [{ BACKUP_BUCKET: 'b', SERVICE_NAME: 'svc' }, /nothing to back up/],
  ])('rejects %j', (env, msg) => {
    expect(() => parseBackupEnv(env)).toThrow(msg);
  });
});

describe('parseSupplementary (manifest addition)', () => {
  const manifest = parseManifest({
    schemaVersion: 1,
    backupId: '20261125T0700Z',
    slot: '2026-11-25T07:00:00.000Z',
    consistencyTime: '2026-11-25T06:58:00.000Z',
    createdAt: '2026-11-25T07:00:09.000Z',
    service: 'svc',
    components: [
      {
        name: 'database',
        kind: 'pitr',
        reference: 'db',
        consistencyTime: '2026-11-25T06:58:00.000Z',
        latestRestorableTime: '2026-11-25T06:58:00.000Z',
      },
    ],
  });
  test('absent is empty; entries are validated like components', () => {
    expect(parseSupplementary(manifest)).toEqual([]);
    const ok = {
      ...manifest,
      supplementary: [
        { name: 'database', kind: 'rds-snapshot', reference: 'snap', consistencyTime: '2026-11-25T00:00:00Z' },
      ],
    } as never;
    expect(parseSupplementary(ok)).toHaveLength(1);
    const bad = {
      ...manifest,
      supplementary: [
        { name: 'cache', kind: 'elasticache-export', reference: 'x', consistencyTime: '2026-11-25T00:00:00Z' },
      ],
    } as never;
    expect(() => parseSupplementary(bad)).toThrow(/supplementary\[0\]\.s3Key is required/);
  });
});
