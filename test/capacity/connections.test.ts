import {
  connectionBudget,
  connectionBudgetError,
  defaultDatabaseClients,
  defaultMaxConnections,
  instanceClassMemoryGiB,
} from '../../lib/capacity/connections';

describe('connection budget', () => {
  test('RDS’s default formula: LEAST(⌊DBInstanceClassMemory / 9531392⌋, 5000)', () => {
    expect(defaultMaxConnections(9531392 * 811 + 9531391)).toBe(811);
    expect(defaultMaxConnections(2 ** 30 * 512)).toBe(5000);
    // The measured db.m4.large (8 GiB): 856 connections means DBInstanceClassMemory ≈ 95 % of 8 GiB.
    expect(defaultMaxConnections(2 ** 33 * 0.95)).toBe(856);
  });

  test('class memory from the family and size', () => {
    expect(instanceClassMemoryGiB('db.m7g.large')).toBe(8);
    expect(instanceClassMemoryGiB('db.m7g.2xlarge')).toBe(32);
    expect(instanceClassMemoryGiB('db.r7g.large')).toBe(16);
    expect(instanceClassMemoryGiB('db.r6i.24xlarge')).toBe(768);
    expect(instanceClassMemoryGiB('db.t4g.micro')).toBe(1);
    expect(instanceClassMemoryGiB('db.x2g.large')).toBeUndefined();
    expect(instanceClassMemoryGiB('m7g.large')).toBeUndefined();
  });

  test('the default app: 13 tasks + 3 deploying × (20 + 10) + the DR readiness task fit db.m7g.large', () => {
    const b = connectionBudget({ instanceClass: 'db.m7g.large', maxTasks: 13 });
    expect(b).toMatchObject({
      fits: true,
      memoryGiB: 8,
      dbInstanceClassMemoryBytes: Math.floor(8 * 2 ** 30 * 0.9),
      maxConnections: 811,
      reservedConnections: 3,
      budget: 646,
      connectionsPerProcess: 30,
      tasks: 16,
      serviceConnections: 480,
      demand: 510,
      fixes: [],
    });
    expect(b.explanation.join('\n')).toContain('Fits: 510 ≤ 646 (136 to spare).');
  });

  test('the other clients are counted from the code: only the DR readiness task holds a pool', () => {
    expect(defaultDatabaseClients(30).map((c) => [c.name, c.connections])).toEqual([
      ['DR readiness task', 30],
      ['backup Lambda', 0],
      ['restore Lambda', 0],
    ]);
  });

  test('an overflowing plan returns the numbers and the fixes: larger class, smaller pool, RDS Proxy, fewer tasks', () => {
    const b = connectionBudget({ instanceClass: 'db.t4g.medium', maxTasks: 40 });
    expect([b.fits, b.maxConnections, b.budget, b.tasks, b.demand]).toEqual([false, 405, 321, 50, 1530]);
    expect(b.fixes[0]).toBe('a larger instance class: db.m7g.2xlarge (max_connections 3244, budget 2592 ≥ 1530)');
    expect(b.fixes[1]).toMatch(/^a smaller pool: at most 6 connections per process/);
    // The smaller pool really fits: 6 × (50 + 1) = 306 ≤ 321.
    expect(connectionBudget({ instanceClass: 'db.t4g.medium', maxTasks: 40, poolSize: 4, maxOverflow: 2 }).fits).toBe(
      true,
    );
    expect(connectionBudget({ instanceClass: 'db.t4g.medium', maxTasks: 40, poolSize: 5, maxOverflow: 2 }).fits).toBe(
      false,
    );
    expect(b.fixes[2]).toMatch(/^RDS Proxy/);
    expect(connectionBudgetError(b)).toMatch(
      /^the service's database connections do not fit db\.t4g\.medium: 1530 connections needed, budget 321/,
    );
  });

  test('when nothing fits, the fixes say so', () => {
    const b = connectionBudget({ instanceClass: 'db.m7g.large', maxTasks: 4000 });
    expect(b.fixes[0]).toMatch(/^no db\.m7g\/db\.r7g class fits/);
    expect(b.fixes[1]).toMatch(/^a smaller pool cannot fit/);
  });

  test('given max_connections, other clients, processes and margin are used as given', () => {
    const b = connectionBudget({
      instanceClass: 'db.custom.thing',
      maxTasks: 2,
      maxConnections: 103,
      margin: 0,
      processesPerTask: 2,
      deploymentExtraTasks: 0,
      otherClients: [{ name: 'reporting', connections: 10, reason: 'a BI tool' }],
    });
    expect([b.budget, b.serviceConnections, b.demand, b.fits]).toEqual([100, 120, 130, false]);
    expect(b.memoryGiB).toBeUndefined();
    expect(b.fixes[1]).toMatch(/at most 22 connections per process/); // ⌊(100 − 10) / 4⌋
  });

  test.each([
    [{ maxTasks: 0 }, /^connection budget: maxTasks must be an integer ≥ 1, got 0$/],
    [{ maxTasks: 2.5 }, /maxTasks must be an integer ≥ 1, got 2\.5/],
    [{ poolSize: 0 }, /poolSize must be an integer ≥ 1, got 0/],
    [{ maxOverflow: -1 }, /maxOverflow must be an integer ≥ 0, got -1/],
    [{ margin: 1 }, /margin must be a number from 0 to below 1, got 1/],
    [{ memoryReservedFraction: -0.1 }, /memoryReservedFraction must be a number from 0 to below 1, got -0\.1/],
    [{ maxConnections: 0 }, /maxConnections must be an integer ≥ 1, got 0/],
    [
      { instanceClass: 'db.z9.huge' },
      /instanceClass "db\.z9\.huge" is not a class whose memory is known .* give maxConnections/,
    ],
    [
      { otherClients: [{ name: 'x', connections: -1, reason: '' }] },
      /otherClients entries need a name and a whole number/,
    ],
  ])('bad input %# is rejected with the field and the value', (change, message) => {
    expect(() => connectionBudget({ instanceClass: 'db.m7g.large', maxTasks: 13, ...change })).toThrow(message);
  });
});
