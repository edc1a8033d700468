import {
  FARGATE_CPU_VALUES,
  MAX_FARGATE_MEMORY_MIB,
  describeFargateMemory,
  fargateMemoryOptions,
  fargateSizes,
  isValidFargateCpu,
  isValidFargateSize,
  largestFargateMemory,
  smallestFargateMemory,
} from '../../lib/capacity/fargate';

describe('Fargate task sizes', () => {
  test('the table matches the ECS developer guide, CPU by CPU', () => {
    const steps = (min: number, max: number, step: number) =>
      Array.from({ length: (max - min) / step + 1 }, (_, k) => min + k * step);
    expect(FARGATE_CPU_VALUES).toEqual([256, 512, 1024, 2048, 4096, 8192, 16384]);
    expect(fargateMemoryOptions(256)).toEqual([512, 1024, 2048]);
    expect(fargateMemoryOptions(512)).toEqual([1024, 2048, 3072, 4096]);
    expect(fargateMemoryOptions(1024)).toEqual(steps(2048, 8192, 1024));
    expect(fargateMemoryOptions(2048)).toEqual(steps(4096, 16384, 1024));
    expect(fargateMemoryOptions(4096)).toEqual(steps(8192, 30720, 1024));
    expect(fargateMemoryOptions(8192)).toEqual(steps(16384, 61440, 4096));
    expect(fargateMemoryOptions(16384)).toEqual(steps(32768, 122880, 8192));
    expect(fargateSizes()).toHaveLength(3 + 4 + 7 + 13 + 23 + 12 + 12);
    expect(MAX_FARGATE_MEMORY_MIB).toBe(Math.max(...fargateSizes().map((s) => s.memoryMiB)));
  });

  test('isValidFargateSize accepts exactly the table', () => {
    const valid = new Set(fargateSizes().map((s) => `${s.cpu}/${s.memoryMiB}`));
    for (const cpu of [128, ...FARGATE_CPU_VALUES, 3072, 32768]) {
      for (let memoryMiB = 256; memoryMiB <= 131072; memoryMiB += 256) {
        expect(isValidFargateSize(cpu, memoryMiB)).toBe(valid.has(`${cpu}/${memoryMiB}`));
      }
    }
    expect(isValidFargateSize(1024, 2048.5)).toBe(false);
    expect(isValidFargateSize(NaN, 2048)).toBe(false);
    expect(isValidFargateCpu(1024)).toBe(true);
    expect(isValidFargateCpu(1000)).toBe(false);
  });

  test('fargateSizes is ordered by CPU, then memory, and returns a fresh copy', () => {
    const sizes = fargateSizes();
    for (let k = 1; k < sizes.length; k++) {
      const [a, b] = [sizes[k - 1], sizes[k]];
      expect(a.cpu < b.cpu || (a.cpu === b.cpu && a.memoryMiB < b.memoryMiB)).toBe(true);
    }
    fargateMemoryOptions(256).push(999);
    expect(fargateMemoryOptions(256)).toEqual([512, 1024, 2048]);
  });

  test('smallestFargateMemory picks the smallest valid memory that covers the need', () => {
    expect(smallestFargateMemory(1024, 0)).toBe(2048);
    expect(smallestFargateMemory(1024, 2048)).toBe(2048);
    expect(smallestFargateMemory(1024, 2049)).toBe(3072);
    expect(smallestFargateMemory(256, 1500)).toBe(2048);
    expect(smallestFargateMemory(8192, 16385)).toBe(20480);
    expect(smallestFargateMemory(1024, 8193)).toBeUndefined();
    expect(smallestFargateMemory(1000, 10)).toBeUndefined();
    expect(largestFargateMemory(4096)).toBe(30720);
    expect(largestFargateMemory(1000)).toBeUndefined();
  });

  test('describeFargateMemory words the allowed memory for error messages', () => {
    expect(describeFargateMemory(256)).toBe('512, 1024 or 2048');
    expect(describeFargateMemory(2048)).toBe('4096 to 16384 in steps of 1024');
    expect(describeFargateMemory(999)).toContain('256, 512, 1024, 2048, 4096, 8192, 16384');
  });
});
