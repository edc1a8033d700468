export * from './baseline';
export * from './naming';
export * from './alarm-topic';
export * from './alert-routing';
export * from './probe';
export * from './alarms';
export * from './monitoring';
