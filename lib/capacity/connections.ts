/**
 * The database connection budget: do the service's connection pools, at the maximum task count, fit
 * the RDS for PostgreSQL instance's `max_connections`? Pure: no CDK imports. Documented in
 * docs/capacity.md ("Database connection budget").
 *
 * RDS sets PostgreSQL's `max_connections` by default to `LEAST({DBInstanceClassMemory/9531392}, 5000)`
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections;
 * the stored copy of that page defers its table to the web page, the formula is quoted from it by
 * https://github.com/developmentseed/eoapi-cdk/pull/1 and measured in
 * https://gist.github.com/guizmaii/1cacffef793c2ba9645083c3e18b3d8c). Parameter-formula division
 * truncates (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ParamValuesRef.html).
 * `DBInstanceClassMemory` is the class's memory minus what RDS reserves for the operating system and its
 * management processes, "always somewhat lower" than the class's memory and not published (same page).
 * Measured values (the gist: 856 connections on an 8 GiB class, 1660 on 15.25 GiB, 413 on 4 GiB, 198
 * on 2 GiB) put it at 88–97 % of the nominal memory; the budget assumes 90 % (an assumption, on the safe
 * side above 4 GiB) unless `maxConnections` is given.
 */
import { rollingDeployment } from '../service/deployment';

/** A database client beside the service's tasks. */
export interface DatabaseClient {
  /** Who connects. */
  readonly name: string;
  /** Connections it may hold at once. */
  readonly connections: number;
  /** Why that many (where in the code it connects). */
  readonly reason: string;
}

/** What the budget is computed for, except the instance class. */
export interface ConnectionBudgetOptions extends ConnectionBudgetClientOptions {
  /**
   * Connections each process keeps in its pool (the operations guide's `pool_size`).
   * @default 20
   */
  readonly poolSize?: number;
  /**
   * Extra connections each process may open above its pool (the guide's `max_overflow`).
   * @default 10
   */
  readonly maxOverflow?: number;
  /**
   * The instance's `max_connections`, when the parameter group sets it (or it was measured with
   * `SHOW max_connections`).
   * @default RDS's default formula on the assumed DBInstanceClassMemory
   */
  readonly maxConnections?: number;
}

/**
 * The clients' side of a connection budget: everything {@link ConnectionBudgetOptions} takes but the pool and
 * `max_connections` (what {@link McpDataTier.checkConnectionBudget} takes: those are the data tier's settings).
 */
export interface ConnectionBudgetClientOptions {
  /** The service's maximum task count (autoscaling maximum). Integer ≥ 1. */
  readonly maxTasks: number;
  /**
   * Processes per task that each hold a pool.
   * @default 1 (the reference server is one Node.js process)
   */
  readonly processesPerTask?: number;
  /**
   * Tasks a rolling deployment starts beside the old ones at the maximum count (each with its pool).
   * @default the deployment batch McpService uses at maxTasks (a quarter of them, at least one)
   */
  readonly deploymentExtraTasks?: number;
  /**
   * Other clients of the database.
   * @default DEFAULT_DATABASE_CLIENTS for the pool given (the DR readiness task)
   */
  readonly otherClients?: DatabaseClient[];
  /**
   * Fraction of the class's memory RDS keeps for the operating system and its processes (DBInstanceClassMemory
   * = memory × (1 − this)).
   * @default 0.1
   */
  readonly memoryReservedFraction?: number;
  /**
   * Connections PostgreSQL keeps for superusers (`superuser_reserved_connections`, 3 by default:
   * https://www.postgresql.org/docs/16/runtime-config-connection.html), which the service cannot use.
   * @default 3
   */
  readonly reservedConnections?: number;
  /**
   * Fraction of the usable connections kept free for operators (psql), monitoring and surprises.
   * @default 0.2
   */
  readonly margin?: number;
}

/** The budget's input: an instance class and the options. */
export interface ConnectionBudgetInput extends ConnectionBudgetOptions {
  /** RDS instance class, e.g. `db.m7g.large`. */
  readonly instanceClass: string;
}

/** A process's connection pool: connections kept open, and further ones it may open under load. */
export interface DatabasePoolSettings {
  /** Connections kept open (`pool_size`, `DATABASE_POOL_SIZE`). */
  readonly poolSize: number;
  /** Further connections under load (`max_overflow`, `DATABASE_POOL_MAX_OVERFLOW`). */
  readonly maxOverflow: number;
}

/** The answer: the numbers on both sides and, when they do not fit, the fixes. */
export interface ConnectionBudget {
  /** True when the demand fits the budget. */
  readonly fits: boolean;
  /** The instance class. */
  readonly instanceClass: string;
  /** The class's memory, GiB (undefined for a class the table does not know, with maxConnections given). */
  readonly memoryGiB?: number;
  /** DBInstanceClassMemory assumed, bytes (undefined when maxConnections was given). */
  readonly dbInstanceClassMemoryBytes?: number;
  /** max_connections: given, or RDS's default formula. */
  readonly maxConnections: number;
  /** Connections reserved for superusers. */
  readonly reservedConnections: number;
  /** Connections the budget allows: ⌊(max_connections − reserved) × (1 − margin)⌋. */
  readonly budget: number;
  /** Connections one process may hold: poolSize + maxOverflow. */
  readonly connectionsPerProcess: number;
  /** Tasks holding pools at once: maxTasks + deploymentExtraTasks. */
  readonly tasks: number;
  /** The service's connections: tasks × processesPerTask × connectionsPerProcess. */
  readonly serviceConnections: number;
  /** The other clients counted. */
  readonly otherClients: DatabaseClient[];
  /** Every connection counted: service plus other clients. */
  readonly demand: number;
  /** Fixes when it does not fit (empty when it fits). */
  readonly fixes: string[];
  /** The smallest db.m7g/db.r7g class whose budget fits the demand, when it does not fit and one does. */
  readonly largerInstanceClass?: string;
  /**
   * The largest pool that fits, split like the guide's (two thirds pool, one third overflow), when it does not fit
   * and a pool of at least one connection per process does.
   */
  readonly smallerPool?: DatabasePoolSettings;
  /** The arithmetic, in sentences. */
  readonly explanation: string[];
}

/** GiB per `large` size of the families RDS offers for PostgreSQL (4 GiB per vCPU for m, 8 for r). */
const FAMILY_GIB_PER_LARGE: Record<string, number> = {
  m5: 8,
  m6g: 8,
  m6gd: 8,
  m6i: 8,
  m7g: 8,
  m7i: 8,
  m8g: 8,
  r5: 16,
  r6g: 16,
  r6gd: 16,
  r6i: 16,
  r7g: 16,
  r7i: 16,
  r8g: 16,
};
const SIZE_FACTOR: Record<string, number> = {
  large: 1,
  xlarge: 2,
  '2xlarge': 4,
  '4xlarge': 8,
  '8xlarge': 16,
  '12xlarge': 24,
  '16xlarge': 32,
  '24xlarge': 48,
};
/** Burstable classes (t3, t4g): memory by size. */
const BURSTABLE_GIB: Record<string, number> = { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, '2xlarge': 32 };

/**
 * The memory of an RDS instance class in GiB (the DB instance class hardware specifications:
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html), or
 * undefined for a class this table does not know.
 */
export function instanceClassMemoryGiB(instanceClass: string): number | undefined {
  const m = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceClass);
  if (!m) return undefined;
  const [, family, size] = m;
  if (family === 't3' || family === 't4g') return BURSTABLE_GIB[size];
  const perLarge = FAMILY_GIB_PER_LARGE[family];
  const factor = SIZE_FACTOR[size];
  return perLarge !== undefined && factor !== undefined ? perLarge * factor : undefined;
}

/** RDS's default PostgreSQL max_connections for a DBInstanceClassMemory in bytes: LEAST(⌊memory / 9531392⌋, 5000). */
export function defaultMaxConnections(dbInstanceClassMemoryBytes: number): number {
  return Math.min(Math.floor(dbInstanceClassMemoryBytes / 9531392), 5000);
}

/**
 * The database clients beside the service's tasks, counted from the code:
 * - the DR readiness task (lib/dr/disaster-recovery.ts `readinessTask`) runs the service's own image once,
 *   so it opens one process's pool; it connects to the restored instance, which after a cut-over carries
 *   the fleet, so it is counted against the same class;
 * - the backup Lambda (lambda/backup) takes RDS snapshots through the RDS API and opens no PostgreSQL
 *   connection;
 * - the restore Lambda (lambda/restore) restores through the RDS API and opens no PostgreSQL connection.
 */
export function defaultDatabaseClients(connectionsPerProcess: number): DatabaseClient[] {
  return [
    {
      name: 'DR readiness task',
      connections: connectionsPerProcess,
      reason: "one run of the service's image (one process's pool) against the restored database",
    },
    { name: 'backup Lambda', connections: 0, reason: 'RDS snapshots through the RDS API, no SQL connection' },
    { name: 'restore Lambda', connections: 0, reason: 'restores through the RDS API, no SQL connection' },
  ];
}

/** The database side of the budget: what the instance admits, before any client is counted. */
export interface ConnectionLimitsInput {
  /** RDS instance class, e.g. `db.m7g.large`. */
  readonly instanceClass: string;
  /** As {@link ConnectionBudgetOptions.maxConnections}. @default RDS's default formula */
  readonly maxConnections?: number;
  /** As {@link ConnectionBudgetOptions.memoryReservedFraction}. @default 0.1 */
  readonly memoryReservedFraction?: number;
  /** As {@link ConnectionBudgetOptions.reservedConnections}. @default 3 */
  readonly reservedConnections?: number;
  /** As {@link ConnectionBudgetOptions.margin}. @default 0.2 */
  readonly margin?: number;
}

/** What an instance admits: max_connections, the superuser reserve and the budget left for clients. */
export interface ConnectionLimits {
  /** The instance class. */
  readonly instanceClass: string;
  /** The class's memory, GiB, when the table knows it. */
  readonly memoryGiB?: number;
  /** DBInstanceClassMemory assumed, bytes (undefined when maxConnections was given). */
  readonly dbInstanceClassMemoryBytes?: number;
  /** max_connections: given, or RDS's default formula. */
  readonly maxConnections: number;
  /** Connections reserved for superusers. */
  readonly reservedConnections: number;
  /** Connections clients may use: max_connections − reserved. */
  readonly usableConnections: number;
  /** The budget: ⌊usable × (1 − margin)⌋. */
  readonly budget: number;
  /** The margin kept free. */
  readonly margin: number;
  /** The memory fraction assumed reserved for the OS. */
  readonly memoryReservedFraction: number;
}

/**
 * The database side of the connection budget (max_connections, the superuser reserve, the budget), shared by
 * {@link connectionBudget} and the data tier's connection alarms. Throws on invalid input, and for a class whose
 * memory is unknown when maxConnections is not given.
 */
export function connectionLimits(input: ConnectionLimitsInput): ConnectionLimits {
  const reserved = input.reservedConnections ?? 3;
  const margin = input.margin ?? 0.2;
  const reservedFraction = input.memoryReservedFraction ?? 0.1;
  check(isInt(reserved, 0), `reservedConnections must be an integer ≥ 0, got ${JSON.stringify(reserved)}`);
  check(
    typeof margin === 'number' && margin >= 0 && margin < 1,
    `margin must be a number from 0 to below 1, got ${JSON.stringify(margin)}`,
  );
  check(
    typeof reservedFraction === 'number' && reservedFraction >= 0 && reservedFraction < 1,
    `memoryReservedFraction must be a number from 0 to below 1, got ${JSON.stringify(reservedFraction)}`,
  );
  const memoryGiB = instanceClassMemoryGiB(input.instanceClass);
  let dbMemory: number | undefined;
  let maxConnections: number;
  if (input.maxConnections !== undefined) {
    check(
      isInt(input.maxConnections, 1),
      `maxConnections must be an integer ≥ 1, got ${JSON.stringify(input.maxConnections)}`,
    );
    maxConnections = input.maxConnections;
  } else {
    check(
      memoryGiB !== undefined,
      `instanceClass ${JSON.stringify(input.instanceClass)} is not a class whose memory is known (db.t3/t4g.micro…2xlarge, db.m5/m6g/m6i/m7g/m7i/m8g or db.r5/r6g/r6i/r7g/r7i/r8g .large…24xlarge); give maxConnections`,
    );
    dbMemory = Math.floor(memoryGiB! * 2 ** 30 * (1 - reservedFraction));
    maxConnections = defaultMaxConnections(dbMemory);
  }
  const usable = Math.max(0, maxConnections - reserved);
  return {
    instanceClass: input.instanceClass,
    ...(memoryGiB !== undefined ? { memoryGiB } : {}),
    ...(dbMemory !== undefined ? { dbInstanceClassMemoryBytes: dbMemory } : {}),
    maxConnections,
    reservedConnections: reserved,
    usableConnections: usable,
    budget: Math.floor(usable * (1 - margin)),
    margin,
    memoryReservedFraction: reservedFraction,
  };
}

/** The classes the fixes consider, smallest first (per family order m, r). */
const LARGER_CLASSES = ['m7g', 'r7g'].flatMap((family) =>
  Object.keys(SIZE_FACTOR).map((size) => `db.${family}.${size}`),
);

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`connection budget: ${message}`);
}

function isInt(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

/**
 * Computes the connection budget (see the module comment) and, when the demand does not fit, the
 * fixes: the smallest larger class that fits, the largest pool per process that fits, and RDS Proxy.
 * Throws on invalid input (names the field, the value and what is allowed).
 */
export function connectionBudget(input: ConnectionBudgetInput): ConnectionBudget {
  const poolSize = input.poolSize ?? 20;
  const maxOverflow = input.maxOverflow ?? 10;
  const processes = input.processesPerTask ?? 1;
  check(isInt(input.maxTasks, 1), `maxTasks must be an integer ≥ 1, got ${JSON.stringify(input.maxTasks)}`);
  check(isInt(poolSize, 1), `poolSize must be an integer ≥ 1, got ${JSON.stringify(poolSize)}`);
  check(isInt(maxOverflow, 0), `maxOverflow must be an integer ≥ 0, got ${JSON.stringify(maxOverflow)}`);
  check(isInt(processes, 1), `processesPerTask must be an integer ≥ 1, got ${JSON.stringify(processes)}`);
  const limits = connectionLimits(input);
  const { memoryGiB, maxConnections, margin } = limits;
  const reserved = limits.reservedConnections;
  const reservedFraction = limits.memoryReservedFraction;
  const dbMemory = limits.dbInstanceClassMemoryBytes;
  const extra = input.deploymentExtraTasks ?? rollingDeployment(input.maxTasks).batchSize;
  check(isInt(extra, 0), `deploymentExtraTasks must be an integer ≥ 0, got ${JSON.stringify(extra)}`);
  const perProcess = poolSize + maxOverflow;
  const others = input.otherClients ?? defaultDatabaseClients(perProcess);
  for (const c of others) {
    check(
      typeof c.name === 'string' && isInt(c.connections, 0),
      `otherClients entries need a name and a whole number of connections ≥ 0, got ${JSON.stringify(c)}`,
    );
  }
  const othersTotal = others.reduce((a, c) => a + c.connections, 0);
  const tasks = input.maxTasks + extra;
  const serviceConnections = tasks * processes * perProcess;
  const demand = serviceConnections + othersTotal;
  const budgetOf = (max: number) => Math.max(0, Math.floor((max - reserved) * (1 - margin)));
  const budget = limits.budget;
  const fits = demand <= budget;

  const fixes: string[] = [];
  let largerInstanceClass: string | undefined;
  let smallerPool: DatabasePoolSettings | undefined;
  if (!fits) {
    const larger = LARGER_CLASSES.find((cls) => {
      const gib = instanceClassMemoryGiB(cls)!;
      return (
        (memoryGiB === undefined || gib > memoryGiB) &&
        budgetOf(defaultMaxConnections(Math.floor(gib * 2 ** 30 * (1 - reservedFraction)))) >= demand
      );
    });
    if (larger) {
      const max = defaultMaxConnections(Math.floor(instanceClassMemoryGiB(larger)! * 2 ** 30 * (1 - reservedFraction)));
      fixes.push(`a larger instance class: ${larger} (max_connections ${max}, budget ${budgetOf(max)} ≥ ${demand})`);
      largerInstanceClass = larger;
    } else {
      fixes.push(`no db.m7g/db.r7g class fits ${demand} connections under the default formula (its cap is 5000)`);
    }
    // The default clients hold one process's pool (the readiness task), which shrinks with the pool.
    const perProcessFit = input.otherClients
      ? Math.floor((budget - othersTotal) / (tasks * processes))
      : Math.floor(budget / (tasks * processes + 1));
    if (perProcessFit >= 1) {
      // The guide's split (20 + 10): two thirds kept open, one third overflow; at least one kept open.
      const size = Math.max(1, Math.ceil((perProcessFit * 2) / 3));
      smallerPool = { poolSize: size, maxOverflow: perProcessFit - size };
      fixes.push(
        `a smaller pool: at most ${perProcessFit} connections per process (pool_size + max_overflow, now ${poolSize} + ${maxOverflow}), e.g. ${size} + ${perProcessFit - size}`,
      );
    } else {
      fixes.push(`a smaller pool cannot fit: ${tasks} tasks need more than one connection each beyond the budget`);
    }
    fixes.push(
      'RDS Proxy between the tasks and the database: the pools connect to the proxy, which multiplexes them onto a bounded share of max_connections (MaxConnectionsPercent); McpDataTier does not create one (see docs/capacity.md)',
    );
    fixes.push(`fewer tasks at the maximum: larger tasks or a lower maxTasksFactor (now ${input.maxTasks} tasks)`);
  }

  const explanation = [
    input.maxConnections !== undefined
      ? `max_connections ${maxConnections}, given.`
      : `max_connections ${maxConnections}: LEAST(⌊DBInstanceClassMemory / 9531392⌋, 5000) with DBInstanceClassMemory assumed ${formatGiB(dbMemory!)} (${input.instanceClass}: ${memoryGiB} GiB less ${reservedFraction * 100} % for the OS and RDS processes).`,
    `Budget ${budget}: (${maxConnections} − ${reserved} reserved for superusers) × (1 − ${margin} margin), rounded down.`,
    `Service ${serviceConnections}: (${input.maxTasks} tasks at the maximum + ${extra} started by a rolling deployment) × ${processes} process${processes > 1 ? 'es' : ''} × (pool ${poolSize} + overflow ${maxOverflow}).`,
    `Other clients ${othersTotal}: ${others.map((c) => `${c.name} ${c.connections}`).join(', ')}.`,
    fits ? `Fits: ${demand} ≤ ${budget} (${budget - demand} to spare).` : `Does not fit: ${demand} > ${budget}.`,
  ];
  return {
    fits,
    instanceClass: input.instanceClass,
    ...(memoryGiB !== undefined ? { memoryGiB } : {}),
    ...(dbMemory !== undefined ? { dbInstanceClassMemoryBytes: dbMemory } : {}),
    maxConnections,
    reservedConnections: reserved,
    budget,
    connectionsPerProcess: perProcess,
    tasks,
    serviceConnections,
    otherClients: others.map((c) => ({ ...c })),
    demand,
    fixes,
    ...(largerInstanceClass ? { largerInstanceClass } : {}),
    ...(smallerPool ? { smallerPool } : {}),
    explanation,
  };
}

function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB (${bytes} bytes)`;
}

/** Where the settings the fixes change are set, named in the error (props of a construct, context keys of an app). */
export interface ConnectionBudgetSettings {
  /** Sets the instance class to a given class, e.g. `-c databaseInstanceClass=db.m7g.xlarge`. */
  readonly instanceClass: (instanceClass: string) => string;
  /** Sets the pool to a given size and overflow, e.g. `-c databasePoolSize=4 -c databasePoolMaxOverflow=2`. */
  readonly pool: (poolSize: number, maxOverflow: number) => string;
}

/**
 * The budget as an error message for a plan that does not fit (synth-time errors name the numbers and the fixes).
 * With `settings`, the message ends with the settings that apply the first two fixes.
 */
export function connectionBudgetError(b: ConnectionBudget, settings?: ConnectionBudgetSettings): string {
  const apply: string[] = [];
  if (settings && b.largerInstanceClass) apply.push(settings.instanceClass(b.largerInstanceClass));
  if (settings && b.smallerPool) apply.push(settings.pool(b.smallerPool.poolSize, b.smallerPool.maxOverflow));
  return (
    `the service's database connections do not fit ${b.instanceClass}: ${b.demand} connections needed, budget ${b.budget} ` +
    `(max_connections ${b.maxConnections} − ${b.reservedConnections} reserved, less the margin). ${b.explanation.slice(0, 4).join(' ')} ` +
    `Fixes: ${b.fixes.join('; ')}.` +
    (apply.length ? ` To apply one: ${apply.join('; or ')}.` : '')
  );
}
