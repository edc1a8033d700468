// The capacity model: pure TypeScript, no CDK imports (see docs/capacity.md).
export * from './types';
export * from './fargate';
export * from './model';
export * from './format';
