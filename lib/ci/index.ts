export * from './ci-identity';
