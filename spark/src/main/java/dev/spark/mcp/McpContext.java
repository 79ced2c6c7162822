package dev.spark.mcp;

import dev.spark.config.AgentConfig;
import dev.spark.query.DashboardReads;
import dev.spark.query.ReadStore;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * What the MCP endpoint needs from the web server that mounts it: the token check and body limit of
 * its route, the read side, and whether this process is the read-only dashboard sidecar (which never
 * writes and runs no agent).
 */
public record McpContext(Vertx vertx, Handler<RoutingContext> auth, Handler<RoutingContext> bodyLimit, ReadStore reads,
    DashboardReads dashboardReads, boolean sidecar, AgentConfig agent) {
}
