// Jest setup for every test file.
// The SDK warns once per process that its 2027 releases need Node 22; the Lambdas run on Node 24
// (McpOpsFunction) and this notice only clutters test output on the Node 20 build machine.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Powertools Logger writes straight to stdout (not through jest's console), so a passing suite would print the
// handlers' JSON lines: silent unless a test sets a level itself before importing a handler.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
