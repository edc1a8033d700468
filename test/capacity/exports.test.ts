import * as publicApi from '../../lib';

// Separate file: importing the package root loads every concern's constructs (aws-cdk-lib).
test('the capacity model is exported from the package root', () => {
  const api = publicApi as Record<string, unknown>;
  for (const name of [
    'planCapacity',
    'validateCapacityInput',
    'minTasksFor',
    'isValidFargateSize',
    'fargateSizes',
    'fargateMemoryOptions',
    'smallestFargateMemory',
    'largestFargateMemory',
    'formatPlanTable',
    'ceilTolerant',
  ]) {
    expect(typeof api[name]).toBe('function');
  }
  expect(api.MAX_TASKS_PER_SERVICE).toBe(5000);
  expect(api.CAPACITY_DEFAULTS).toMatchObject({ headroom: 0.5, availabilityZones: 2, survivesAzLoss: false });
  // The CLI is a dev tool (excluded from the build), not part of the API.
  expect(api.runCapacityCli).toBeUndefined();
});
