/** The CloudWatch namespace of every metric mcp-ops publishes or reads from the service (docs/operational-contract.md). */
export const MCP_OPS_NAMESPACE = 'McpOps';
