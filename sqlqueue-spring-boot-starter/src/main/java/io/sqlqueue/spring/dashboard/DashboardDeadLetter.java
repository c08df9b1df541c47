package io.sqlqueue.spring.dashboard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sqlqueue.DeadLetterGroup;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.spring.QueueStatistics;

/**
 * The dead letter page's groups of every dead job, counted by the database at most once per sample interval
 * ({@code sqlqueue.metrics.sample-interval}) however many pages poll them, and again at once after an action that
 * may have changed them. Nothing is counted while no page asks.
 */
class DashboardDeadLetter {

	/**
	 * The most groups of dead jobs the database returns, largest first, before those sharing a first line of error are
	 * merged; the page says when there were more.
	 */
	static final int DEAD_LETTER_GROUPS = 500;

	private final JdbcJobQueue jobs;

	private final QueueStatistics statistics;

	private Map<String, Object> groups;

	/** When {@link #groups} were counted ({@link System#nanoTime()}). */
	private long countedAt;

	DashboardDeadLetter(JdbcJobQueue jobs, QueueStatistics statistics) {
		this.jobs = jobs;
		this.statistics = statistics;
	}

	/** The groups, counted now when those kept are older than a sample interval. */
	synchronized Map<String, Object> groups() {
		long now = System.nanoTime();
		if (this.groups == null || now - this.countedAt >= this.statistics.interval().toNanos()) {
			this.groups = count();
			this.countedAt = now;
		}
		return this.groups;
	}

	/** Counts again at the next request: an action replayed, killed or deleted jobs. */
	synchronized void forget() {
		this.groups = null;
	}

	private Map<String, Object> count() {
		List<DeadLetterGroup> found = this.jobs.deadLetterGroups(DEAD_LETTER_GROUPS);
		Map<List<String>, Map<String, Object>> groups = new LinkedHashMap<>();
		for (DeadLetterGroup each : found) {
			Map<String, Object> group = groups.computeIfAbsent(
					List.of(each.queue(), each.type(), groupError(each.error())), (key) -> {
						Map<String, Object> created = new LinkedHashMap<>();
						created.put("queue", key.get(0));
						created.put("type", key.get(1));
						created.put("error", key.get(2));
						created.put("count", 0L);
						created.put("newestId", 0L);
						return created;
					});
			group.merge("count", each.count(), (a, b) -> (long) a + (long) b);
			group.merge("newestId", each.newestId(), (a, b) -> Math.max((long) a, (long) b));
		}
		List<Map<String, Object>> sorted = new ArrayList<>(groups.values());
		sorted.sort((a, b) -> Long.compare((long) b.get("count"), (long) a.get("count")));
		return Map.of("groups", sorted, "truncated", found.size() == DEAD_LETTER_GROUPS, "countedAt",
				Instant.now().toString());
	}

	/** What a dead job is grouped by: the first line of the start of its last error the database groups. */
	static String groupError(String lastError) {
		return DashboardReads.firstLine((lastError != null && lastError.length() > DeadLetterGroup.ERROR_PREFIX)
				? lastError.substring(0, DeadLetterGroup.ERROR_PREFIX) : lastError);
	}

}
