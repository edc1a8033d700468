/** Imported first by the DR tests: the restore Lambda's logger reads its level when it is created. */
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
export {};
