package dev.spark.storage;

import dev.spark.event.EventRow;
import dev.spark.event.IssueSummary;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The occurrences one commit adds to each issue, counted together so the commit runs one upsert per
 * fingerprint rather than one per event (a flood of one bug in a group commit of 5,000 rows is one
 * upsert). Filled on the writer thread only.
 */
final class IssueTally {
  static final class Issue {
    final String fingerprint;
    final String type;
    final IssueSummary summary;
    String firstSeen;
    String lastSeen;
    long count;
    final long firstId;
    long lastId;

    Issue(String fingerprint, String type, IssueSummary summary, String timestamp, long id) {
      this.fingerprint = fingerprint;
      this.type = type;
      this.summary = summary;
      this.firstSeen = timestamp;
      this.lastSeen = timestamp;
      this.firstId = id;
      this.lastId = id;
    }
  }

  private final Map<String, Issue> issues = new LinkedHashMap<>();

  /** Adds rows with the ids they were given; rows without a fingerprint are not part of any issue. */
  void add(List<EventRow> rows, long[] ids) {
    add(rows, ids, null);
  }

  /** As {@link #add(List, long[])}, only the rows inserted now ({@code fresh}; null for all): a retry is no new occurrence. */
  void add(List<EventRow> rows, long[] ids, boolean[] fresh) {
    for (int i = 0; i < rows.size(); i++) {
      if (fresh != null && !fresh[i]) continue;
      EventRow r = rows.get(i);
      String fp = r.fingerprint();
      if (fp == null) continue;
      Issue issue = issues.get(fp);
      if (issue == null) {
        issues.put(fp, new Issue(fp, r.type(), r.summary(), r.timestamp(), ids[i]));
        issue = issues.get(fp);
      } else {
        if (r.timestamp().compareTo(issue.firstSeen) < 0) issue.firstSeen = r.timestamp();
        if (r.timestamp().compareTo(issue.lastSeen) > 0) issue.lastSeen = r.timestamp();
        issue.lastId = Math.max(issue.lastId, ids[i]);
      }
      issue.count++;
    }
  }

  Collection<Issue> issues() {
    return issues.values();
  }

  boolean isEmpty() {
    return issues.isEmpty();
  }
}
