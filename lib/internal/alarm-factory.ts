/**
 * The one alarm factory every mcp-ops construct creates its alarms with: one naming rule
 * (`<prefix>-<service>-<id>`), one description format (severity, what is wrong, the threshold in words, the
 * runbook link), tags, OK actions, optional aggressive clones for deployment rollback, and routing that is
 * decided at synth time, once every construct has added its alarms:
 *
 * - a critical alarm that a page composite claimed (`McpMonitoring.addSegment`) notifies nobody directly:
 *   the page composite notifies, so one incident gives one page;
 * - every other alarm notifies its router's topic for its severity (the monitoring construct's topic when
 *   it was claimed, else the topic its own construct was given), on ALARM and on OK.
 */
import { IResolvable, IResolveContext, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmSeverity, McpAlarm, McpAlarmOptions } from '../monitoring/alarms';
import { alarmDescription, DEFAULT_RUNBOOK_BASE_URL, normaliseRunbookBaseUrl } from '../monitoring/naming';
import { acknowledgeCompliance } from './compliance';
import { checkPattern, Problems } from './validate';

/** Where an alarm's notifications go, per severity. Looked up at synth time. */
export interface AlarmRouter {
  /** The topics an alarm of this severity notifies directly (none: an empty list). */
  topicsFor(severity: AlarmSeverity): sns.ITopic[];
}

/** The router of a construct that was only given one topic (or none): every severity goes there. */
export function singleTopicRouter(topic: sns.ITopic | undefined): AlarmRouter {
  return { topicsFor: () => (topic ? [topic] : []) };
}

interface AlarmRecord {
  readonly mcpAlarm: McpAlarm;
  /** The router of the construct that created it. */
  readonly ownRouter: AlarmRouter;
  /** Set when a page composite claimed it; then that monitoring construct routes it. */
  claimedBy?: AlarmRouter;
  /** True when the claiming page composite notifies for it (critical alarms). */
  paged?: boolean;
}

const records = new WeakMap<cloudwatch.IAlarm, AlarmRecord>();

/**
 * Hands an alarm to a page owner (a monitoring construct): its critical alarms then notify only through the
 * page composite, its warnings through `router`. Returns true when the alarm is now paged by the caller.
 * Alarms not made by an {@link AlarmFactory} are paged when critical, and their actions are left alone.
 */
export function claimAlarm(alarm: McpAlarm, router: AlarmRouter): boolean {
  const record = records.get(alarm.alarm);
  const paged = alarm.severity === AlarmSeverity.CRITICAL;
  if (record) {
    if (record.claimedBy && record.claimedBy !== router) {
      throw new Error(
        `${alarm.alarm.node.path}: alarm ${alarm.alarmName} is already part of another monitoring construct's page; add each segment to one McpMonitoring only`,
      );
    }
    record.claimedBy = router;
    record.paged = paged;
    if (paged)
      acknowledgeCompliance(alarm.alarm, {
        CloudWatchAlarmAction: `Critical alarm ${alarm.alarmName} feeds the page composite of its monitoring construct, which carries the ALARM and OK actions (one page per incident); its own actions would page twice`,
      });
  }
  return paged;
}

/** What an alarm says about itself, beside its CloudWatch properties. */
export interface AlarmText {
  /** Critical or warning. */
  readonly severity: AlarmSeverity;
  /** What is wrong, e.g. `p99 target response time is above baseline`. */
  readonly summary: string;
  /** The threshold in words, with its derivation and evaluation. */
  readonly threshold: string;
  /** The runbook file under the runbook base URL (without `.md`), or an absolute https URL. */
  readonly runbook: string;
  /** An extra sentence (deployment behaviour, caveats). @default the severity's routing in words */
  readonly note?: string;
  /** Roll back ECS deployments while this alarm (or its clone) is in ALARM. @default false */
  readonly deploymentAlarm?: boolean;
  /**
   * Construct id of the alarm under the factory's scope.
   * @default the alarm id
   */
  readonly constructId?: string;
}

/** The CloudWatch side of a metric alarm: everything but its name, description and actions. */
export type MetricAlarmSpec = Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription' | 'actionsEnabled'>;

/** Settings of one construct's factory. */
export interface AlarmFactoryProps {
  /** The service the alarms watch: the middle part of every name, and the description's subject. */
  readonly serviceName: string;
  /**
   * First part of every alarm name.
   * @default the stack name
   */
  readonly alarmNamePrefix?: string;
  /** Base URL of the runbooks (no trailing slash); runbook file names are appended with `.md`. */
  readonly runbookBaseUrl: string;
  /** Where the construct's own alarms notify when no monitoring construct claims them. */
  readonly router: AlarmRouter;
  /**
   * Tags on every alarm, beside `mcp-ops:service` and `mcp-ops:severity`.
   * @default none
   */
  readonly tags?: Record<string, string>;
  /** Which construct asks (for error messages), e.g. `McpBackup`. */
  readonly owner: string;
}

/** Evaluation of the aggressive clone of an alarm that rolls back deployments. */
export interface DeploymentClone {
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

const ALARM_ID = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const MAX_ALARM_NAME = 255;

/** `<prefix>-<service>-<id>`: deterministic, independent of any resource attribute (see deployment alarms). */
export function alarmNameOf(prefix: string, serviceName: string, id: string): string {
  return `${prefix}-${serviceName}-${id}`;
}

/**
 * The factory of a construct that takes {@link McpAlarmOptions}: validates them (prefix, runbook base URL) and
 * routes the construct's alarms to `router`, or to `options.alarmTopic` when no router is given.
 */
export function alarmFactoryFor(
  scope: Construct,
  owner: string,
  serviceName: string,
  options: McpAlarmOptions,
  router: AlarmRouter = singleTopicRouter(options.alarmTopic),
): AlarmFactory {
  // Every problem of the alarm options at once, naming the construct (as the constructs' own prop checks do).
  const problems = new Problems(owner, scope.node.path);
  if (options.alarmNamePrefix !== undefined && !Token.isUnresolved(options.alarmNamePrefix)) {
    problems.pattern(
      'alarmNamePrefix',
      options.alarmNamePrefix,
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
      'letters, digits, . _ -, starting with a letter or digit, 1–128 characters',
    );
  }
  for (const [key, value] of Object.entries(options.alarmTags ?? {})) {
    problems.pattern(
      'alarmTags key',
      key,
      /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u,
      '1–128 letters, digits, spaces or _ . : / = + - @, not starting with aws:',
    );
    problems.pattern(
      `alarmTags[${key}]`,
      value,
      /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u,
      'at most 256 letters, digits, spaces or _ . : / = + - @',
    );
  }
  const runbookBaseUrl = problems.capture(() =>
    normaliseRunbookBaseUrl(options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL, owner),
  );
  problems.throwIfAny();
  return new AlarmFactory(scope, {
    owner,
    serviceName,
    alarmNamePrefix: options.alarmNamePrefix,
    runbookBaseUrl: runbookBaseUrl!,
    router,
    tags: options.alarmTags,
  });
}

/** Creates, names, describes, tags and routes the alarms of one construct. */
export class AlarmFactory {
  /** Every alarm made by this factory, in creation order (deployment clones aside). */
  public readonly alarms: McpAlarm[] = [];
  /** The aggressive clones made for deployment rollback, which notify nobody. */
  public readonly deploymentClones: McpAlarm[] = [];
  /** The name prefix in force (`<prefix>-<service>`). */
  public readonly namePrefix: string;

  constructor(
    private readonly scope: Construct,
    private readonly props: AlarmFactoryProps,
  ) {
    const prefix = props.alarmNamePrefix ?? Stack.of(scope).stackName;
    this.namePrefix = `${prefix}-${props.serviceName}`;
  }

  /** The literal name an alarm of this factory gets. */
  public nameOf(id: string): string {
    return alarmNameOf(this.props.alarmNamePrefix ?? Stack.of(this.scope).stackName, this.props.serviceName, id);
  }

  /** The runbook URL of a runbook file name (or an absolute URL, unchanged). */
  public runbookUrl(runbook: string): string {
    return /^https?:\/\//.test(runbook) ? runbook : `${this.props.runbookBaseUrl}/${runbook}.md`;
  }

  /** A metric (or math expression) alarm. */
  public metricAlarm(id: string, text: AlarmText, spec: MetricAlarmSpec): McpAlarm {
    return this.addAlarm(
      id,
      text,
      (constructId, alarmName, description) =>
        new cloudwatch.Alarm(this.scope, constructId, { ...spec, alarmName, alarmDescription: description }),
    );
  }

  /**
   * A metric alarm and its aggressive clone `<id>Deployment` (same metric and threshold, faster evaluation, no
   * notifications), which rolls back deployments in its place. Returns the alarm; the clone is in `alarms` too.
   */
  public metricAlarmWithDeploymentClone(
    id: string,
    text: AlarmText,
    spec: MetricAlarmSpec,
    clone: DeploymentClone,
  ): McpAlarm {
    const main = this.metricAlarm(id, { ...text, deploymentAlarm: false }, spec);
    const cloneId = `${id}Deployment`;
    const alarmName = this.nameOf(cloneId);
    const alarm = new cloudwatch.Alarm(this.scope, `${text.constructId ?? id}Deployment`, {
      ...spec,
      evaluationPeriods: clone.evaluationPeriods,
      datapointsToAlarm: clone.datapointsToAlarm,
      alarmName,
      alarmDescription: alarmDescription({
        service: this.props.serviceName,
        severity: text.severity,
        summary: `${text.summary} (deployment rollback clone of ${main.alarmName})`,
        threshold: `as ${main.alarmName}, in ${clone.datapointsToAlarm} of ${clone.evaluationPeriods} periods`,
        note: 'Rolls back ECS deployments only; notifies nobody (the alarm it clones does).',
        runbookUrl: main.runbookUrl,
      }),
    });
    this.tag(alarm, text.severity);
    const record: McpAlarm = {
      id: cloneId,
      alarm,
      severity: text.severity,
      runbookUrl: main.runbookUrl,
      alarmName,
      deploymentAlarm: true,
    };
    // The clone is never routed: it exists for the ECS deployment circuit only.
    this.deploymentClones.push(record);
    return main;
  }

  /**
   * An alarm built by `build` (an anomaly-detection alarm, a math expression's `createAlarm`), named, described,
   * tagged and routed like the others.
   */
  public addAlarm(
    id: string,
    text: AlarmText,
    build: (constructId: string, alarmName: string, description: string) => cloudwatch.Alarm,
  ): McpAlarm {
    checkPattern(
      this.props.owner,
      'alarm id',
      id,
      ALARM_ID,
      'letters and digits, starting with a letter, 1–64 characters',
    );
    if (this.alarms.some((a) => a.id === id)) {
      throw new Error(`${this.props.owner} at ${this.scope.node.path}: two alarms with the id ${JSON.stringify(id)}`);
    }
    const alarmName = this.nameOf(id);
    if (!alarmName.includes('${Token') && alarmName.length > MAX_ALARM_NAME) {
      throw new Error(
        `${this.props.owner} at ${this.scope.node.path}: alarm name ${JSON.stringify(alarmName)} has ${alarmName.length} characters; CloudWatch allows ${MAX_ALARM_NAME} (shorten alarmNamePrefix or serviceName)`,
      );
    }
    const runbookUrl = this.runbookUrl(text.runbook);
    const description = alarmDescription({
      service: this.props.serviceName,
      severity: text.severity,
      summary: text.summary,
      threshold: text.threshold,
      note:
        text.note ??
        (text.severity === AlarmSeverity.CRITICAL
          ? 'Critical: pages (through the page composite when monitoring includes it).'
          : 'Warning: notifies, does not page.'),
      runbookUrl,
    });
    const alarm = build(text.constructId ?? id, alarmName, description);
    const mcpAlarm: McpAlarm = {
      id,
      alarm,
      severity: text.severity,
      runbookUrl,
      alarmName,
      deploymentAlarm: text.deploymentAlarm ?? false,
    };
    const record: AlarmRecord = { mcpAlarm, ownRouter: this.props.router };
    records.set(alarm, record);
    this.tag(alarm, text.severity);
    this.route(alarm, record);
    this.alarms.push(mcpAlarm);
    return mcpAlarm;
  }

  private tag(alarm: cloudwatch.Alarm, severity: AlarmSeverity): void {
    Tags.of(alarm).add('mcp-ops:service', this.props.serviceName);
    Tags.of(alarm).add('mcp-ops:severity', severity);
    for (const [key, value] of Object.entries(this.props.tags ?? {})) Tags.of(alarm).add(key, value);
  }

  /**
   * ALARM and OK notifications, resolved at synth time from whoever routes the alarm then, after any action a
   * user added with `addAlarmAction`/`addOkAction`. An alarm with no action renders none (no empty list).
   */
  private route(alarm: cloudwatch.Alarm, record: AlarmRecord): void {
    const targets = (): string[] => {
      if (record.paged) return []; // the page composite notifies
      const router = record.claimedBy ?? record.ownRouter;
      return router.topicsFor(record.mcpAlarm.severity).map((t) => t.topicArn);
    };
    const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
    const withRouted = (userActions: unknown): string[] => Token.asList(new RoutedActions(userActions, targets));
    cfn.alarmActions = withRouted(cfn.alarmActions);
    cfn.okActions = withRouted(cfn.okActions);
  }
}

/**
 * An action list resolved at synth time: the actions a user added to the alarm, then the routed topics. Resolves to undefined rather than an empty list, so an alarm without actions renders none.
 */
class RoutedActions implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(
    private readonly userActions: unknown,
    private readonly routed: () => string[],
  ) {}

  public resolve(context: IResolveContext): string[] | undefined {
    const own = (context.resolve(this.userActions) as string[] | undefined) ?? [];
    const all = [...own, ...this.routed()];
    return all.length > 0 ? all : undefined;
  }

  public toString(): string {
    return Token.asString(this);
  }
}
