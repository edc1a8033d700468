/**
 * The valid AWS Fargate task sizes (Linux). Pure data and functions: no CDK imports.
 *
 * A Fargate task's CPU (in CPU units, 1024 = 1 vCPU) and memory (MiB) must form one of these
 * combinations; anything else is rejected by ECS at deploy time. Source: "Task CPU and memory"
 * in the Amazon ECS developer guide (8 and 16 vCPU need platform version 1.4.0 or later).
 */

/** One valid Fargate task size. */
export interface FargateSize {
  /** CPU units: 256 = 0.25 vCPU … 16384 = 16 vCPU. */
  readonly cpu: number;
  /** Memory in MiB. */
  readonly memoryMiB: number;
}

/** The memory range of one Fargate CPU size: from `min` to `max` in steps of `step`, or an explicit list. */
interface MemoryRange {
  readonly cpu: number;
  readonly memoryMiB: readonly number[];
  /** Human-readable form for error messages. */
  readonly text: string;
}

function range(cpu: number, min: number, max: number, step: number): MemoryRange {
  const memoryMiB: number[] = [];
  for (let m = min; m <= max; m += step) memoryMiB.push(m);
  return { cpu, memoryMiB, text: `${min} to ${max} in steps of ${step}` };
}

const TABLE: readonly MemoryRange[] = [
  { cpu: 256, memoryMiB: [512, 1024, 2048], text: '512, 1024 or 2048' },
  range(512, 1024, 4096, 1024),
  range(1024, 2048, 8192, 1024),
  range(2048, 4096, 16384, 1024),
  range(4096, 8192, 30720, 1024),
  range(8192, 16384, 61440, 4096),
  range(16384, 32768, 122880, 8192),
];

/** The valid Fargate CPU values, ascending: 256, 512, 1024, 2048, 4096, 8192, 16384. */
export const FARGATE_CPU_VALUES: readonly number[] = TABLE.map((r) => r.cpu);

/** The largest memory of any Fargate task, MiB (16 vCPU / 120 GiB). */
export const MAX_FARGATE_MEMORY_MIB = 122880;

function rowOf(cpu: number): MemoryRange | undefined {
  return TABLE.find((r) => r.cpu === cpu);
}

/** True when `cpu` is one of {@link FARGATE_CPU_VALUES}. */
export function isValidFargateCpu(cpu: number): boolean {
  return rowOf(cpu) !== undefined;
}

/** The valid memory sizes (MiB, ascending) for a Fargate CPU value; empty for an invalid CPU value. */
export function fargateMemoryOptions(cpu: number): number[] {
  return [...(rowOf(cpu)?.memoryMiB ?? [])];
}

/**
 * The allowed memory for a CPU value in words, for error messages, e.g.
 * `2048 to 8192 in steps of 1024`; for an invalid CPU value, the list of valid CPU values.
 */
export function describeFargateMemory(cpu: number): string {
  return rowOf(cpu)?.text ?? `(no memory is valid: taskCpu must be one of ${FARGATE_CPU_VALUES.join(', ')})`;
}

/** True when (cpu, memoryMiB) is a valid Fargate task size. */
export function isValidFargateSize(cpu: number, memoryMiB: number): boolean {
  return rowOf(cpu)?.memoryMiB.includes(memoryMiB) ?? false;
}

/** Every valid Fargate task size, ordered by CPU, then memory. */
export function fargateSizes(): FargateSize[] {
  return TABLE.flatMap((r) => r.memoryMiB.map((memoryMiB) => ({ cpu: r.cpu, memoryMiB })));
}

/**
 * The smallest valid memory (MiB) for `cpu` that is at least `neededMiB`, or `undefined` when
 * even the largest memory for that CPU is too small (or `cpu` is not a Fargate CPU value).
 * A need at or below the smallest option gives the smallest option.
 */
export function smallestFargateMemory(cpu: number, neededMiB: number): number | undefined {
  return rowOf(cpu)?.memoryMiB.find((m) => m >= neededMiB);
}

/** The largest valid memory (MiB) for `cpu`, or `undefined` for an invalid CPU value. */
export function largestFargateMemory(cpu: number): number | undefined {
  const options = rowOf(cpu)?.memoryMiB;
  return options ? options[options.length - 1] : undefined;
}
