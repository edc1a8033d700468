/**
 * CloudWatch Logs Insights saved queries for the troubleshooting runbook, and an evaluator for the
 * subset of the Insights query language they use, so they are tested offline against real log
 * lines. Pure: no CDK imports.
 *
 * Evaluator subset (semantics of the CloudWatch Logs Insights query syntax reference):
 * - commands `fields a, b`, `filter <expr>`, `stats <aggs> [by <keys>]`, `sort <field> asc|desc`,
 *   `limit <n>`, separated by `|` (one per line, as `QueryString` renders them);
 * - fields of JSON messages are discovered like Insights does: top-level keys, nested keys with
 *   dots (`a.b`); `@timestamp` (event time, ms) and `@message`;
 * - filter expressions: `=`, `!=`, `<`, `<=`, `>`, `>=`, `and`, `or`, `not`, parentheses,
 *   `field in ["a", "b"]`, `ispresent(field)`, string and number literals; a comparison with a
 *   missing field is false;
 * - aggregations `count(*)`, `count(field)` (events where the field is present), `sum`, `avg`,
 *   `min`, `max`, `pct(field, p)` (nearest-rank percentile; Insights' own is approximate), with
 *   `as alias`; grouping `by field, …` and `by bin(<n>s|m|h)`.
 */

/** Parts of a saved query, rendered exactly as `logs.QueryString` renders them. */
export interface InsightsQueryParts {
  readonly fields?: readonly string[];
  readonly filterStatements?: readonly string[];
  readonly statsStatements?: readonly string[];
  readonly sort?: string;
  readonly limit?: number;
}

/** A saved query of the troubleshooting section. */
export interface SavedQuery {
  /** Key and construct id. */
  readonly id: 'SlowestTools' | 'TopErrorTypes' | 'RequestTrail' | 'ErrorRatePerMinute';
  /** Title shown in the console, after the `<serviceName>/` folder prefix. */
  readonly title: string;
  readonly parts: InsightsQueryParts;
  /** What the query answers. */
  readonly description: string;
}

/** The placeholder to replace with a request id in the RequestTrail query. */
export const REQUEST_ID_PLACEHOLDER = 'REPLACE_WITH_REQUEST_ID';

/** Saved queries on the application log group. */
export const SAVED_QUERIES: readonly SavedQuery[] = [
  {
    id: 'SlowestTools',
    title: 'slowest-tools',
    description: 'p50/p95/p99 tool-call duration by tool, slowest p95 first',
    parts: {
      fields: ['tool', 'duration_ms'],
      filterStatements: [
        'log_type = "app" and event in ["tool_call_completed", "tool_call_failed"] and ispresent(tool) and ispresent(duration_ms)',
      ],
      statsStatements: [
        'count(*) as calls, pct(duration_ms, 50) as p50_ms, pct(duration_ms, 95) as p95_ms, pct(duration_ms, 99) as p99_ms by tool',
      ],
      sort: 'p95_ms desc',
      limit: 50,
    },
  },
  {
    id: 'TopErrorTypes',
    title: 'top-error-types',
    description: 'failed requests and tool calls by error_type, most frequent first',
    parts: {
      filterStatements: [
        'log_type = "app" and event in ["request_failed", "tool_call_failed"] and ispresent(error_type)',
      ],
      statsStatements: ['count(*) as errors by error_type'],
      sort: 'errors desc',
      limit: 20,
    },
  },
  {
    id: 'RequestTrail',
    title: 'request-trail',
    description: `every line (application and audit) of one request, in order; replace ${REQUEST_ID_PLACEHOLDER}`,
    parts: {
      fields: [
        '@timestamp',
        'log_type',
        'level',
        'event',
        'message',
        'method',
        'tool',
        'duration_ms',
        'status_code',
        'error_type',
        'error',
        'event_type',
        'principal',
        'action',
        'resource',
        'result',
      ],
      filterStatements: [`request_id = "${REQUEST_ID_PLACEHOLDER}"`],
      sort: '@timestamp asc',
      limit: 1000,
    },
  },
  {
    id: 'ErrorRatePerMinute',
    title: 'error-rate-per-minute',
    description: 'requests and failed requests per minute (failed requests are the ones with error_type)',
    parts: {
      filterStatements: ['log_type = "app" and event in ["request_completed", "request_failed"]'],
      statsStatements: ['count(*) as requests, count(error_type) as errors by bin(1m)'],
    },
  },
];

/** Renders query parts exactly as aws-cdk-lib's `logs.QueryString#toString()` does. */
export function renderInsightsQuery(parts: InsightsQueryParts): string {
  const lines: string[] = [];
  if (parts.fields && parts.fields.length > 0) lines.push(`fields ${parts.fields.join(', ')}`);
  for (const f of parts.filterStatements ?? []) lines.push(`filter ${f}`);
  for (const s of parts.statsStatements ?? []) lines.push(`stats ${s}`);
  if (parts.sort) lines.push(`sort ${parts.sort}`);
  if (parts.limit !== undefined) lines.push(`limit ${parts.limit}`);
  return lines.join('\n| ');
}

/** A log event as Insights sees it. */
export interface InsightsEvent {
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly message: string;
}

/** A result row: field name → value. */
export type InsightsRow = Record<string, string | number | boolean | null>;

type Value = string | number | boolean | null | undefined;
type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'field'; name: string }
  | { k: 'not'; e: Expr }
  | { k: 'bin'; op: 'and' | 'or' | '=' | '!=' | '<' | '<=' | '>' | '>='; l: Expr; r: Expr }
  | { k: 'in'; e: Expr; list: Value[] }
  | { k: 'ispresent'; name: string };

function tokenize(src: string): string[] {
  const re =
    /\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|-?\d+(?:\.\d+)?|!=|<=|>=|[=<>()[\],*]|[@A-Za-z_][\w.@]*)/y;
  const out: string[] = [];
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new Error(`Insights evaluator: cannot read ${JSON.stringify(src.slice(i))}`);
    out.push(m[1]);
    i = re.lastIndex;
  }
  return out;
}

function unquote(tok: string): string {
  if (tok.startsWith('`')) return tok.slice(1, -1);
  return JSON.parse(tok.startsWith("'") ? `"${tok.slice(1, -1).replace(/"/g, '\\"')}"` : tok);
}

function parseExpr(src: string): Expr {
  const t = tokenize(src);
  let k = 0;
  const peek = (): string | undefined => t[k];
  const take = (want?: string): string => {
    const tok = t[k++];
    if (tok === undefined || (want !== undefined && tok.toLowerCase() !== want))
      throw new Error(`Insights evaluator: expected ${want ?? 'a token'} in ${JSON.stringify(src)}`);
    return tok;
  };
  const literal = (tok: string): Value => {
    if (/^["'`]/.test(tok)) return unquote(tok);
    if (/^-?\d/.test(tok)) return Number(tok);
    throw new Error(`Insights evaluator: expected a literal, got ${tok}`);
  };
  function or(): Expr {
    let l = and();
    while (peek()?.toLowerCase() === 'or') {
      k++;
      l = { k: 'bin', op: 'or', l, r: and() };
    }
    return l;
  }
  function and(): Expr {
    let l = not();
    while (peek()?.toLowerCase() === 'and') {
      k++;
      l = { k: 'bin', op: 'and', l, r: not() };
    }
    return l;
  }
  function not(): Expr {
    if (peek()?.toLowerCase() === 'not') {
      k++;
      return { k: 'not', e: not() };
    }
    return cmp();
  }
  function cmp(): Expr {
    const l = atom();
    const op = peek();
    if (op && ['=', '!=', '<', '<=', '>', '>='].includes(op)) {
      k++;
      return { k: 'bin', op: op as '=', l, r: atom() };
    }
    if (op?.toLowerCase() === 'in') {
      k++;
      take('[');
      const list: Value[] = [];
      while (peek() !== ']') {
        list.push(literal(take()));
        if (peek() === ',') k++;
      }
      take(']');
      return { k: 'in', e: l, list };
    }
    return l;
  }
  function atom(): Expr {
    const tok = take();
    if (tok === '(') {
      const e = or();
      take(')');
      return e;
    }
    if (tok.toLowerCase() === 'ispresent') {
      take('(');
      const name = take();
      take(')');
      return { k: 'ispresent', name: name.replace(/^`|`$/g, '') };
    }
    if (/^["'\d-]/.test(tok)) return { k: 'lit', v: literal(tok) };
    if (tok.startsWith('`')) return { k: 'field', name: tok.slice(1, -1) };
    return { k: 'field', name: tok };
  }
  const e = or();
  if (k !== t.length) throw new Error(`Insights evaluator: unexpected ${t[k]} in ${JSON.stringify(src)}`);
  return e;
}

function flatten(prefix: string, v: unknown, out: Record<string, Value>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [key, val] of Object.entries(v as Record<string, unknown>))
      flatten(prefix ? `${prefix}.${key}` : key, val, out);
  } else if (Array.isArray(v)) {
    v.forEach((val, i) => flatten(`${prefix}.${i}`, val, out));
  } else {
    out[prefix] = v as Value;
  }
}

function fieldsOf(e: InsightsEvent): Record<string, Value> {
  const out: Record<string, Value> = { '@timestamp': e.timestamp, '@message': e.message };
  try {
    const doc = JSON.parse(e.message);
    if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) flatten('', doc, out);
  } catch {
    // not JSON: only @timestamp and @message
  }
  return out;
}

function evalExpr(e: Expr, row: Record<string, Value>): Value {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'field':
      return row[e.name];
    case 'ispresent':
      return row[e.name] !== undefined && row[e.name] !== null;
    case 'not':
      return !truthy(evalExpr(e.e, row));
    case 'in': {
      const v = evalExpr(e.e, row);
      return v !== undefined && e.list.some((x) => x === v);
    }
    case 'bin': {
      if (e.op === 'and') return truthy(evalExpr(e.l, row)) && truthy(evalExpr(e.r, row));
      if (e.op === 'or') return truthy(evalExpr(e.l, row)) || truthy(evalExpr(e.r, row));
      const l = evalExpr(e.l, row);
      const r = evalExpr(e.r, row);
      if (l === undefined || l === null || r === undefined || r === null) return false;
      const [a, b] = typeof l === 'number' || typeof r === 'number' ? [Number(l), Number(r)] : [String(l), String(r)];
      switch (e.op) {
        case '=':
          return a === b;
        case '!=':
          return a !== b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        case '>=':
          return a >= b;
      }
    }
  }
  return undefined;
}

function truthy(v: Value): boolean {
  return v !== undefined && v !== null && v !== false && v !== 0 && v !== '';
}

function splitTopLevel(src: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const ch of src) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      quote = ch;
      cur += ch;
      continue;
    }
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === sep && depth === 0) {
      parts.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

interface Aggregation {
  fn: string;
  arg: string;
  p?: number;
  alias: string;
}

function parseStats(src: string): { aggs: Aggregation[]; by: string[] } {
  const m = /^(.*?)(?:\s+by\s+(.+))?$/i.exec(src.trim());
  if (!m) throw new Error(`Insights evaluator: cannot read stats ${src}`);
  const aggs = splitTopLevel(m[1], ',').map((a): Aggregation => {
    const am = /^(\w+)\(\s*([^,)]+?)\s*(?:,\s*(\d+(?:\.\d+)?)\s*)?\)(?:\s+as\s+(\w+))?$/i.exec(a);
    if (!am) throw new Error(`Insights evaluator: unsupported aggregation ${a}`);
    const fn = am[1].toLowerCase();
    if (!['count', 'sum', 'avg', 'min', 'max', 'pct'].includes(fn))
      throw new Error(`Insights evaluator: unsupported function ${fn}`);
    return { fn, arg: am[2], p: am[3] === undefined ? undefined : Number(am[3]), alias: am[4] ?? a };
  });
  return { aggs, by: m[2] ? splitTopLevel(m[2], ',') : [] };
}

function groupKey(by: string, row: Record<string, Value>): Value {
  const bm = /^bin\((\d+)([smh])\)$/i.exec(by);
  if (bm) {
    const ms = Number(bm[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[bm[2].toLowerCase() as 's' | 'm' | 'h'];
    const t = row['@timestamp'] as number;
    return Math.floor(t / ms) * ms;
  }
  return row[by];
}

function aggregate(a: Aggregation, rows: Record<string, Value>[]): number | null {
  if (a.fn === 'count')
    return a.arg === '*' ? rows.length : rows.filter((r) => r[a.arg] !== undefined && r[a.arg] !== null).length;
  const values = rows
    .map((r) => r[a.arg])
    .filter(
      (v): v is number =>
        typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))),
    )
    .map(Number);
  if (values.length === 0) return null;
  switch (a.fn) {
    case 'sum':
      return values.reduce((s, v) => s + v, 0);
    case 'avg':
      return values.reduce((s, v) => s + v, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'pct': {
      const sorted = [...values].sort((x, y) => x - y);
      const rank = Math.max(1, Math.ceil(((a.p ?? 50) / 100) * sorted.length));
      return sorted[rank - 1];
    }
  }
  return null;
}

/**
 * Runs a query (as rendered by {@link renderInsightsQuery}) over events and returns the result rows.
 * Throws for syntax outside the supported subset rather than guessing.
 */
export function runInsightsQuery(query: string, events: readonly InsightsEvent[]): InsightsRow[] {
  let rows: Record<string, Value>[] = events.map(fieldsOf);
  let projection: string[] | undefined;
  for (const raw of splitTopLevel(query.replace(/\n/g, ' '), '|')) {
    const m = /^(\w+)\s+([\s\S]*)$/.exec(raw.trim());
    if (!m) throw new Error(`Insights evaluator: cannot read command ${raw}`);
    const [, cmd, arg] = m;
    switch (cmd.toLowerCase()) {
      case 'fields':
        projection = splitTopLevel(arg, ',');
        break;
      case 'filter': {
        const e = parseExpr(arg);
        rows = rows.filter((r) => truthy(evalExpr(e, r)));
        break;
      }
      case 'stats': {
        const { aggs, by } = parseStats(arg);
        const groups = new Map<string, { keys: Value[]; rows: Record<string, Value>[] }>();
        for (const r of rows) {
          const keys = by.map((b) => groupKey(b, r));
          if (keys.some((v) => v === undefined || v === null)) continue;
          const id = JSON.stringify(keys);
          const g = groups.get(id) ?? { keys, rows: [] };
          g.rows.push(r);
          groups.set(id, g);
        }
        rows = [...groups.values()].map((g) => {
          const out: Record<string, Value> = {};
          by.forEach((b, i) => {
            out[b] = g.keys[i];
          });
          for (const a of aggs) out[a.alias] = aggregate(a, g.rows);
          return out;
        });
        projection = [...by, ...aggs.map((a) => a.alias)];
        break;
      }
      case 'sort': {
        const sm = /^(\S+)(?:\s+(asc|desc))?$/i.exec(arg.trim());
        if (!sm) throw new Error(`Insights evaluator: cannot read sort ${arg}`);
        const dir = (sm[2] ?? 'desc').toLowerCase() === 'asc' ? 1 : -1;
        const f = sm[1];
        rows = [...rows].sort((a, b) => {
          const x = a[f];
          const y = b[f];
          if (x === y) return 0;
          if (x === undefined || x === null) return 1;
          if (y === undefined || y === null) return -1;
          return (x < y ? -1 : 1) * dir;
        });
        break;
      }
      case 'limit':
        rows = rows.slice(0, Number(arg.trim()));
        break;
      default:
        throw new Error(`Insights evaluator: unsupported command ${cmd}`);
    }
  }
  return rows.map((r) => {
    const out: InsightsRow = {};
    for (const key of projection ?? Object.keys(r)) {
      const v = r[key];
      if (v !== undefined) out[key] = v;
    }
    return out;
  });
}
