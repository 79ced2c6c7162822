package dev.spark.agent;

/** The agent verticle's event-bus addresses (local to the Spark process that runs the agent). */
public final class AgentBus {
  private AgentBus() {}

  /** Request, any body: replies with the agent's state and, unless {@code {"transcript": false}}, its transcript. */
  public static final String STATE = "spark.agent.state";
  /** Request {@code {"text": "...", "source": "dashboard"}}: a prompt (a follow-up while the agent is busy); replies once Pi accepts it. */
  public static final String PROMPT = "spark.agent.prompt";
  /** Request, any body: aborts the agent's current run. */
  public static final String ABORT = "spark.agent.abort";
  /**
   * Published transcript changes: {@code {"v": n, "op": "add", "entry": {...}}}, {@code {"v": n, "op": "append",
   * "seq": s, "text": "..."}} (assistant text as it streams) or {@code {"v": n, "op": "update", "entry": {...}}};
   * and {@code {"v": n, "op": "state", "state": {...}}} when the agent's state changes.
   */
  public static final String TRANSCRIPT = "spark.agent.transcript";
  /** Request {@code {"id": n}}: applies a fix made on a branch (cherry-pick); fails 409 with the reason, changing nothing. */
  public static final String FIX_APPLY = "spark.agent.fix.apply";
  /** Request {@code {"id": n}}: discards a fix (its worktree and branch are removed). */
  public static final String FIX_DISCARD = "spark.agent.fix.discard";
}
