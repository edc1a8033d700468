// Jest setup for every test file.
// The SDK warns once per process that its 2027 releases need Node 22; the Lambdas run on Node 24
// (McpOpsFunction) and this notice only clutters test output on the Node 20 build machine.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
