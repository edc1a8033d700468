import fc from 'fast-check';
import {
  BackupComponent,
  BackupManifest,
  MANIFEST_SCHEMA_VERSION,
  backupIdForSlot,
  parseManifest,
} from '../../lib/backup/manifest';
import {
  InvalidRecoveryInput,
  NoRecoveryPoint,
  RpoExceeded,
  cacheSource,
  checkExecutionName,
  classifyStatus,
  DB_TERMINAL_FAILURE_STATES,
  executionName,
  parseRecoveryRequest,
  restoreId,
  restoredPrefix,
  selectRecoveryPoint,
} from '../../lib/dr/recovery-plan';

const NOW = new Date('2026-11-25T08:00:00Z');
const HOUR = 3_600_000;

function manifest(
  slot: Date,
  opts: { db?: Array<'pitr' | 'rds-snapshot'>; cache?: BackupComponent['kind']; lagMs?: number } = {},
): BackupManifest {
  const id = backupIdForSlot(slot);
  const consistency = new Date(slot.getTime() + (opts.lagMs ?? 60_000)).toISOString();
  const components: BackupComponent[] = [
    {
      name: 'configuration',
      kind: 's3-object',
      reference: 'x',
      consistencyTime: consistency,
      s3Key: `backups/${id}/configuration.json.gz`,
      sizeBytes: 10,
      sha256: 'a'.repeat(64),
    },
  ];
  for (const kind of opts.db ?? ['rds-snapshot']) {
    components.push({
      name: 'database',
      kind,
      reference: kind === 'pitr' ? 'prod' : `snap-${id}`,
      consistencyTime: consistency,
      ...(kind === 'pitr' ? { latestRestorableTime: consistency } : {}),
    });
  }
  if (opts.cache)
    components.push({
      name: 'cache',
      kind: opts.cache,
      reference: 'c',
      consistencyTime: consistency,
      ...(opts.cache === 'elasticache-export' ? { s3Key: `backups/${id}/cache.rdb` } : {}),
    });
  return parseManifest({
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    backupId: id,
    slot: slot.toISOString(),
    consistencyTime: consistency,
    createdAt: consistency,
    service: 'mcp',
    components,
  });
}

const hourly = (n: number, opts?: Parameters<typeof manifest>[1]): BackupManifest[] =>
  Array.from({ length: n }, (_, i) => manifest(new Date(NOW.getTime() - (i + 1) * HOUR), opts));

describe('parseRecoveryRequest', () => {
  test('defaults: now, drill, restore the cache, do not accept data loss', () => {
    expect(parseRecoveryRequest({}, NOW)).toEqual({
      targetTime: NOW.toISOString(),
      mode: 'drill',
      restoreCache: true,
      acceptDataLoss: false,
    });
    expect(parseRecoveryRequest(undefined, NOW).mode).toBe('drill');
  });
  test('accepts a target with an offset and normalises it to UTC', () => {
    expect(
      parseRecoveryRequest(
        { targetTime: '2026-11-25T08:30:00+02:00', mode: 'recover', options: { restoreCache: false } },
        NOW,
      ),
    ).toEqual({ targetTime: '2026-11-25T06:30:00.000Z', mode: 'recover', restoreCache: false, acceptDataLoss: false });
  });
  test('a target slightly ahead (clock skew) is taken as now; further ahead is refused', () => {
    expect(parseRecoveryRequest({ targetTime: '2026-11-25T08:00:30Z' }, NOW).targetTime).toBe(NOW.toISOString());
    expect(() => parseRecoveryRequest({ targetTime: '2026-11-25T08:05:00Z' }, NOW)).toThrow(/in the future/);
  });
  test.each([
    [{ targetTime: '2026-11-25' }, /ISO 8601 time with a zone/],
    [{ targetTime: '2026-11-25T08:00:00' }, /ISO 8601 time with a zone/],
    [{ targetTime: 'now' }, /ISO 8601/],
    [{ targetTime: 1700000000 }, /ISO 8601/],
    [{ mode: 'restore' }, /mode must be "drill" or "recover", got "restore"/],
    [{ targettime: '2026-11-25T07:00:00Z' }, /unknown input field\(s\) targettime/],
    [{ options: { restoreCache: 'yes' } }, /options.restoreCache must be true or false/],
    [{ options: { cold: true } }, /unknown option\(s\) cold/],
    [[], /must be a JSON object/],
    ['x', /must be a JSON object/],
  ])('refuses %j', (input, message) => {
    expect(() => parseRecoveryRequest(input, NOW)).toThrow(message);
    try {
      parseRecoveryRequest(input, NOW);
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidRecoveryInput);
      expect((e as Error).name).toBe('InvalidInput');
    }
  });
});

describe('selectRecoveryPoint', () => {
  const pitr = {
    earliest: new Date(NOW.getTime() - 7 * 24 * HOUR).toISOString(),
    latest: new Date(NOW.getTime() - 5 * 60_000).toISOString(),
  };

  test('target inside the PITR window: PITR to the target, no data loss; configuration from the newest manifest at or before it', () => {
    const target = new Date(NOW.getTime() - 90 * 60_000).toISOString();
    const p = selectRecoveryPoint({
      targetTime: target,
      manifests: hourly(5),
      pitr,
      rpoSeconds: 3600,
      acceptDataLoss: false,
    });
    expect(p).toMatchObject({
      method: 'pitr',
      restoreTime: target,
      dataLossSeconds: 0,
      backupId: backupIdForSlot(new Date(NOW.getTime() - 2 * HOUR)),
    });
  });

  test('target after the window end: PITR to the latest restorable time, data loss = the lag', () => {
    const p = selectRecoveryPoint({
      targetTime: NOW.toISOString(),
      manifests: hourly(3),
      pitr,
      rpoSeconds: 3600,
      acceptDataLoss: false,
    });
    expect(p).toMatchObject({ method: 'pitr', restoreTime: pitr.latest, dataLossSeconds: 300 });
  });

  test('target before the window: the newest snapshot at or before the target, never one after it', () => {
    const manifests = [
      manifest(new Date('2026-11-10T06:00:00Z')),
      manifest(new Date('2026-11-10T07:00:00Z')),
      manifest(new Date('2026-11-10T08:00:00Z')),
    ];
    const p = selectRecoveryPoint({
      targetTime: '2026-11-10T07:45:00Z',
      manifests,
      pitr,
      rpoSeconds: 3600,
      acceptDataLoss: false,
    });
    expect(p).toMatchObject({
      method: 'snapshot',
      snapshotId: 'snap-20261110T0700Z',
      backupId: '20261110T0700Z',
      consistencyTime: '2026-11-10T07:01:00.000Z',
      dataLossSeconds: 44 * 60,
    });
  });

  test('a manifest whose consistency time is just after the target is not used, even if its slot is before', () => {
    const m = manifest(new Date('2026-11-10T07:00:00Z'), { lagMs: 10 * 60_000 }); // consistent at 07:10
    const older = manifest(new Date('2026-11-10T06:00:00Z'));
    const p = selectRecoveryPoint({
      targetTime: '2026-11-10T07:05:00Z',
      manifests: [m, older],
      rpoSeconds: 7200,
      acceptDataLoss: false,
    });
    expect(p.backupId).toBe('20261110T0600Z');
  });

  test('PITR-only manifests: restorable through the window, not without it', () => {
    const m = manifest(new Date(NOW.getTime() - 3 * HOUR), { db: ['pitr'] });
    expect(
      selectRecoveryPoint({
        targetTime: NOW.toISOString(),
        manifests: [m],
        pitr,
        rpoSeconds: 3600,
        acceptDataLoss: false,
      }),
    ).toMatchObject({ method: 'pitr', restoreTime: pitr.latest, backupId: m.backupId });
    expect(() =>
      selectRecoveryPoint({
        targetTime: NOW.toISOString(),
        manifests: [m],
        rpoSeconds: 3 * 3600,
        acceptDataLoss: false,
      }),
    ).toThrow(NoRecoveryPoint);
  });

  test('the backup Lambda layout: PITR component, snapshot and cache export as supplementary points', () => {
    const slot = new Date('2026-11-10T07:00:00Z');
    const base = manifest(slot, { db: ['pitr'], cache: 'rebuildable' });
    const m = parseManifest({
      ...base,
      supplementary: [
        {
          name: 'database',
          kind: 'rds-snapshot',
          reference: 'mcp-20261110t0300z',
          consistencyTime: '2026-11-10T03:02:00Z',
        },
        {
          name: 'cache',
          kind: 'elasticache-export',
          reference: 'mcp-cache-snap',
          consistencyTime: '2026-11-10T06:00:00Z',
          s3Key: 'mcp-cache-export-20261110T0600Z-0001.rdb',
        },
      ],
    });
    // No PITR window (e.g. the instance is gone): the supplementary snapshot is the recovery point.
    const p = selectRecoveryPoint({
      targetTime: '2026-11-10T07:30:00Z',
      manifests: [m],
      rpoSeconds: 6 * 3600,
      acceptDataLoss: false,
    });
    expect(p).toMatchObject({
      method: 'snapshot',
      snapshotId: 'mcp-20261110t0300z',
      consistencyTime: '2026-11-10T03:02:00.000Z',
      backupId: '20261110T0700Z',
    });
    expect(p.cache).toMatchObject({ kind: 'elasticache-export', s3Key: 'mcp-cache-export-20261110T0600Z-0001.rdb' });
    expect(p.configuration?.kind).toBe('s3-object');
    // An export newer than the target is not used: the cache starts cold.
    const early = selectRecoveryPoint({
      targetTime: '2026-11-10T07:02:00Z',
      manifests: [m],
      rpoSeconds: 6 * 3600,
      acceptDataLoss: false,
    });
    expect(early.cache).toMatchObject({ kind: 'elasticache-export' });
    const m2 = parseManifest({
      ...m,
      supplementary: [{ ...m.supplementary![0] }, { ...m.supplementary![1], consistencyTime: '2026-11-10T07:20:00Z' }],
    });
    expect(
      selectRecoveryPoint({
        targetTime: '2026-11-10T07:10:00Z',
        manifests: [m2],
        rpoSeconds: 6 * 3600,
        acceptDataLoss: false,
      }).cache?.kind,
    ).toBe('rebuildable');
    // An invalid supplementary list is ignored, the manifest itself still counts.
    const broken = { ...m, supplementary: [{ name: 'database', kind: 'bogus' }] } as unknown as BackupManifest;
    expect(() =>
      selectRecoveryPoint({
        targetTime: '2026-11-10T07:30:00Z',
        manifests: [broken],
        rpoSeconds: 6 * 3600,
        acceptDataLoss: false,
      }),
    ).toThrow(NoRecoveryPoint);
  });

  test('no PITR: data loss above the RPO fails unless accepted', () => {
    const manifests = [manifest(new Date(NOW.getTime() - 3 * HOUR))];
    expect(() =>
      selectRecoveryPoint({ targetTime: NOW.toISOString(), manifests, rpoSeconds: 3600, acceptDataLoss: false }),
    ).toThrow(RpoExceeded);
    expect(() =>
      selectRecoveryPoint({ targetTime: NOW.toISOString(), manifests, rpoSeconds: 3600, acceptDataLoss: false }),
    ).toThrow(/10740 s exceeds the RPO of 3600 s/);
    expect(
      selectRecoveryPoint({ targetTime: NOW.toISOString(), manifests, rpoSeconds: 3600, acceptDataLoss: true })
        .dataLossSeconds,
    ).toBe(10740);
  });

  test('target before the oldest backup is invalid input; nothing at all is NoRecoveryPoint', () => {
    expect(() =>
      selectRecoveryPoint({
        targetTime: '2026-01-01T00:00:00Z',
        manifests: hourly(2),
        pitr,
        rpoSeconds: 3600,
        acceptDataLoss: false,
      }),
    ).toThrow(InvalidRecoveryInput);
    expect(() =>
      selectRecoveryPoint({ targetTime: NOW.toISOString(), manifests: [], rpoSeconds: 3600, acceptDataLoss: false }),
    ).toThrow(NoRecoveryPoint);
  });

  test('manifests without a database component and no PITR: NoRecoveryPoint', () => {
    const m = manifest(new Date(NOW.getTime() - HOUR), { db: [] });
    expect(() =>
      selectRecoveryPoint({ targetTime: NOW.toISOString(), manifests: [m], rpoSeconds: 7200, acceptDataLoss: false }),
    ).toThrow(/no database backup at or before/);
  });

  test('property: the chosen point is never after the target and data loss = target − consistency', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 24 * 30 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 24 * 30 * 60 }),
        fc.boolean(),
        (hoursAgo, targetMinutesAgo, withPitr) => {
          const manifests = hoursAgo.map((h) => manifest(new Date(NOW.getTime() - h * HOUR)));
          const target = new Date(NOW.getTime() - targetMinutesAgo * 60_000);
          try {
            const p = selectRecoveryPoint({
              targetTime: target.toISOString(),
              manifests,
              pitr: withPitr ? pitr : undefined,
              rpoSeconds: 10 ** 9,
              acceptDataLoss: false,
            });
            expect(Date.parse(p.consistencyTime)).toBeLessThanOrEqual(target.getTime());
            expect(p.dataLossSeconds).toBe(Math.round((target.getTime() - Date.parse(p.consistencyTime)) / 1000));
            if (p.backupId)
              expect(Date.parse(manifests.find((m) => m.backupId === p.backupId)!.consistencyTime)).toBeLessThanOrEqual(
                target.getTime(),
              );
            // Nothing better was available: no manifest with a snapshot between the point and the target.
            for (const m of manifests) {
              const c = Date.parse(m.consistencyTime);
              if (c <= target.getTime()) expect(c).toBeLessThanOrEqual(Date.parse(p.consistencyTime));
            }
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidRecoveryInput); // only "before the oldest backup" can happen here
            const oldest = Math.min(
              ...manifests.map((m) => Date.parse(m.consistencyTime)),
              withPitr ? Date.parse(pitr.earliest) : Infinity,
            );
            expect(target.getTime()).toBeLessThan(oldest);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('names and states', () => {
  test('cacheSource: the export only when asked and present', () => {
    const exp: BackupComponent = {
      name: 'cache',
      kind: 'elasticache-export',
      reference: 'c',
      consistencyTime: NOW.toISOString(),
      s3Key: 'k.rdb',
    };
    expect(cacheSource(exp, true)).toEqual({ kind: 'export', s3Key: 'k.rdb' });
    expect(cacheSource(exp, false)).toEqual({ kind: 'cold' });
    expect(cacheSource({ ...exp, kind: 'rebuildable' }, true)).toEqual({ kind: 'cold' });
    expect(cacheSource(null, true)).toEqual({ kind: 'cold' });
  });

  test('restoreId: deterministic, prefixed, valid for RDS and ElastiCache', () => {
    const a = restoreId('mcp', 'drill-20261125T0300Z');
    expect(a).toBe(restoreId('mcp', 'drill-20261125T0300Z'));
    expect(a).not.toBe(restoreId('mcp', 'drill-20261202T0300Z'));
    expect(a).toMatch(/^mcp-dr-[0-9a-z]{7}$/);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), (name) => {
        const id = restoreId('my-long-service-name1', name);
        expect(id.length).toBeLessThanOrEqual(40);
        expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      }),
    );
    expect(restoredPrefix('My_Service')).toBe('my-service-dr');
    expect(() => restoredPrefix('9lives')).toThrow(/must start with a letter/);
  });

  test('executionName: from the minute of the time, stable, with an optional clean suffix', () => {
    expect(executionName('drill', new Date('2026-11-30T03:00:41Z'))).toBe('drill-20261130T0300Z');
    expect(executionName('recover', new Date('2026-11-25T06:30:00Z'), 'INC 42/a')).toBe(
      'recover-20261125T0630Z-INC-42-a',
    );
    expect(() => executionName('drill', new Date('x'))).toThrow(/valid Date/);
  });

  test('checkExecutionName: the mode prefix is required', () => {
    expect(() => checkExecutionName('drill-20261125T0300Z', 'drill')).not.toThrow();
    expect(() =>
      checkExecutionName(executionName('recover', new Date('2026-11-25T06:30:00Z'), 'INC1'), 'recover'),
    ).not.toThrow();
    expect(() => checkExecutionName('drill-', 'drill')).toThrow(InvalidRecoveryInput);
    expect(() => checkExecutionName('recover-x', 'drill')).toThrow(/must start with "drill-"/);
    expect(() => checkExecutionName('0b6e0d5c-uuid', 'recover')).toThrow(
      /must start with "recover-".*got "0b6e0d5c-uuid"/,
    );
  });

  test('classifyStatus', () => {
    expect(classifyStatus('available', DB_TERMINAL_FAILURE_STATES)).toBe('available');
    expect(classifyStatus('incompatible-restore', DB_TERMINAL_FAILURE_STATES)).toBe('failed');
    expect(classifyStatus('backing-up', DB_TERMINAL_FAILURE_STATES)).toBe('pending');
  });
});
