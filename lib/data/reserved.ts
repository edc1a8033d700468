/**
 * Names RDS for PostgreSQL refuses for the master user and the database. Pure: no CDK.
 *
 * RDS: the master user name "can't be a reserved word for the chosen database engine", 1–16 letters,
 * digits or underscores starting with a letter (CreateDBInstance, MasterUsername:
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html). The words are
 * PostgreSQL's reserved key words (https://www.postgresql.org/docs/current/sql-keywords-appendix.html);
 * PostgreSQL also reserves role names starting with `pg_` and the role `public`
 * (https://www.postgresql.org/docs/current/sql-createrole.html), and RDS keeps `rdsadmin`, `rdsrepladmin`
 * and the `rds_` roles (such as `rds_superuser`) for itself.
 */

/** PostgreSQL's reserved key words (reserved, or reserved except as a function or type name). */
export const POSTGRES_RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate ' +
    'collation column concurrently constraint create cross current_catalog current_date current_role ' +
    'current_schema current_time current_timestamp current_user default deferrable desc distinct do else end ' +
    'except false fetch for foreign freeze from full grant group having ilike in initially inner intersect into ' +
    'is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on ' +
    'only or order outer overlaps placing primary references returning right select session_user similar some ' +
    'symmetric system_user table tablesample then to trailing true union unique user using variadic verbose when ' +
    'where window with'
  ).split(' '),
);

/** Why `name` cannot be the master user (or database) name of an RDS for PostgreSQL instance, or undefined. */
export function reservedPostgresNameProblem(prop: string, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (POSTGRES_RESERVED_WORDS.has(lower))
    return `${prop} must not be a PostgreSQL reserved word, got ${JSON.stringify(name)} (RDS refuses it)`;
  if (lower.startsWith('pg_') || lower === 'public' || lower === 'none')
    return `${prop} must not be a name PostgreSQL reserves for roles (pg_…, public, none), got ${JSON.stringify(name)}`;
  if (lower === 'rdsadmin' || lower === 'rdsrepladmin' || lower.startsWith('rds_'))
    return `${prop} must not be a name RDS reserves for its own users (rdsadmin, rdsrepladmin, rds_…), got ${JSON.stringify(name)}`;
  return undefined;
}
