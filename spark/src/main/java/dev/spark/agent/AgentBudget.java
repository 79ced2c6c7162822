package dev.spark.agent;

import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * {@code agent.budget}: at most {@code runsPerHour} runs (a batch sent to the agent, or a fix) in any
 * hour, and {@code tokensPerDay} tokens (the usage Pi reports on each assistant message) per UTC day;
 * 0 means no limit. Over budget, the agent stops taking events (they stay pending in the database)
 * until the limit resets, by {@code clock} (tests move it by hand).
 */
final class AgentBudget {
  private final Clock clock;
  private final int runsPerHour;
  private final long tokensPerDay;
  private final Deque<Instant> runs = new ArrayDeque<>();
  private LocalDate tokenDay;
  private long tokens;

  AgentBudget(Clock clock, int runsPerHour, long tokensPerDay) {
    this.clock = clock;
    this.runsPerHour = runsPerHour;
    this.tokensPerDay = tokensPerDay;
  }

  void run() {
    runs.addLast(clock.instant());
  }

  void tokens(long n) {
    rollDay();
    tokens += Math.max(0, n);
  }

  /** Why no more runs may start now, with when that changes; null when within budget. */
  String blocked() {
    Instant now = clock.instant();
    while (!runs.isEmpty() && !runs.peekFirst().isAfter(now.minus(Duration.ofHours(1)))) runs.removeFirst();
    if (runsPerHour > 0 && runs.size() >= runsPerHour) {
      return "Over budget: " + runs.size() + " run(s) in the last hour (agent.budget.runsPerHour " + runsPerHour
          + "); events wait, pending, until " + runs.peekFirst().plus(Duration.ofHours(1)) + ".";
    }
    rollDay();
    if (tokensPerDay > 0 && tokens >= tokensPerDay) {
      return "Over budget: " + tokens + " tokens today (agent.budget.tokensPerDay " + tokensPerDay + "); events wait, pending, until "
          + tokenDay.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC) + ".";
    }
    return null;
  }

  JsonObject json() {
    String why = blocked();
    return new JsonObject().put("runsPerHour", runsPerHour).put("runsLastHour", runs.size())
        .put("tokensPerDay", tokensPerDay).put("tokensToday", tokens).put("blocked", why);
  }

  private void rollDay() {
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    if (!today.equals(tokenDay)) {
      tokenDay = today;
      tokens = 0;
    }
  }
}
