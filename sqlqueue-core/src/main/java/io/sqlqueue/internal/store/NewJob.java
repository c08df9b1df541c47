package io.sqlqueue.internal.store;

import java.time.Instant;
import java.util.Set;

import io.sqlqueue.JobState;

/**
 * A row to insert, fully resolved: the store only writes it.
 *
 * @param queue queue name
 * @param type job type
 * @param payload payload JSON
 * @param metadata metadata JSON object, or {@code null}
 * @param priority priority
 * @param delayMillis run this many milliseconds after the database's now, when {@code runAt} is {@code null}
 * @param runAt absolute time to run at, or {@code null}
 * @param maxAttempts attempts allowed, {@code -1} for no limit
 * @param uniqueKey unique key, or {@code null}
 * @param parentId parent job id, or {@code null}
 * @param orderingKey FIFO ordering key, or {@code null}
 * @param retentionMillis per-job retention, or {@code null}
 * @param concurrencyKey the key its queue's per-key limits count it under, or {@code null}
 * @param uniqueForMillis with a unique key: no other job with the key may have been enqueued within this many
 * milliseconds, or {@code null}
 * @param uniqueAmong with a unique key: no other job with the key may be in these states, or {@code null} for the
 * active states alone
 */
public record NewJob(String queue, String type, String payload, String metadata, int priority, long delayMillis,
		Instant runAt, int maxAttempts, String uniqueKey, Long parentId, String orderingKey, Long retentionMillis,
		String concurrencyKey, Long uniqueForMillis, Set<JobState> uniqueAmong) {

	/** A job without a concurrency key, unique among the active jobs alone when it has a unique key. */
	public NewJob(String queue, String type, String payload, String metadata, int priority, long delayMillis,
			Instant runAt, int maxAttempts, String uniqueKey, Long parentId, String orderingKey, Long retentionMillis) {
		this(queue, type, payload, metadata, priority, delayMillis, runAt, maxAttempts, uniqueKey, parentId,
				orderingKey, retentionMillis, null, null, null);
	}

	/**
	 * Whether the job is due now and has nothing but a queue, type, payload, priority and maximum
	 * attempts (no metadata, schedule, unique key, parent, ordering key or retention): the most
	 * common job, which a shorter insert statement writes.
	 */
	public boolean bare() {
		return dueNow() && this.metadata == null && this.uniqueKey == null && this.orderingKey == null
				&& this.retentionMillis == null && this.concurrencyKey == null;
	}

	/** Whether its unique key is held to more than the active jobs: a period, or states besides the active ones. */
	public boolean uniqueBeyondActive() {
		return this.uniqueKey != null && (this.uniqueForMillis != null || this.uniqueAmong != null);
	}

	/** Whether the job is READY as soon as it is committed: no delay, no time to run at, no parent to wait for. */
	public boolean dueNow() {
		return this.runAt == null && this.delayMillis == 0 && this.parentId == null;
	}

}
