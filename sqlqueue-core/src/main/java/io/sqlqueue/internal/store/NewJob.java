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
 * @param membership its place in a batch or workflow, or {@code null}
 */
public record NewJob(String queue, String type, String payload, String metadata, int priority, long delayMillis,
		Instant runAt, int maxAttempts, String uniqueKey, Long parentId, String orderingKey, Long retentionMillis,
		String concurrencyKey, Long uniqueForMillis, Set<JobState> uniqueAmong, Membership membership) {

	/**
	 * A job's place in a batch or workflow.
	 *
	 * @param batchId the batch or workflow it is a member of, or {@code null} for a callback
	 * @param step its step name, or when a callback runs; {@code null} for a batch's member
	 * @param callbackFor the batch or workflow it is a callback of, or {@code null} for a member
	 * @param waits whether it is WAITING when inserted: a step with dependencies, or a callback
	 */
	public record Membership(Long batchId, String step, Long callbackFor, boolean waits) {
	}

	/** A job outside any batch or workflow. */
	public NewJob(String queue, String type, String payload, String metadata, int priority, long delayMillis,
			Instant runAt, int maxAttempts, String uniqueKey, Long parentId, String orderingKey, Long retentionMillis,
			String concurrencyKey, Long uniqueForMillis, Set<JobState> uniqueAmong) {
		this(queue, type, payload, metadata, priority, delayMillis, runAt, maxAttempts, uniqueKey, parentId,
				orderingKey, retentionMillis, concurrencyKey, uniqueForMillis, uniqueAmong, null);
	}

	/** The same job with its place in a batch or workflow. */
	public NewJob in(Membership membership) {
		return new NewJob(this.queue, this.type, this.payload, this.metadata, this.priority, this.delayMillis,
				this.runAt, this.maxAttempts, this.uniqueKey, this.parentId, this.orderingKey, this.retentionMillis,
				this.concurrencyKey, this.uniqueForMillis, this.uniqueAmong, membership);
	}

	/** Whether it is WAITING when inserted, for a step's dependencies or as a callback. */
	public boolean waitsInGroup() {
		return this.membership != null && this.membership.waits();
	}

	/** A job without a concurrency key, unique among the active jobs alone when it has a unique key. */
	public NewJob(String queue, String type, String payload, String metadata, int priority, long delayMillis,
			Instant runAt, int maxAttempts, String uniqueKey, Long parentId, String orderingKey, Long retentionMillis) {
		this(queue, type, payload, metadata, priority, delayMillis, runAt, maxAttempts, uniqueKey, parentId,
				orderingKey, retentionMillis, null, null, null, null);
	}

	/**
	 * Whether the job is due now and has nothing but a queue, type, payload, priority and maximum
	 * attempts (no metadata, schedule, unique key, parent, ordering key or retention): the most
	 * common job, which a shorter insert statement writes.
	 */
	public boolean bare() {
		return dueNow() && this.metadata == null && this.uniqueKey == null && this.orderingKey == null
				&& this.retentionMillis == null && this.concurrencyKey == null && this.membership == null;
	}

	/** Whether its unique key is held to more than the active jobs: a period, or states besides the active ones. */
	public boolean uniqueBeyondActive() {
		return this.uniqueKey != null && (this.uniqueForMillis != null || this.uniqueAmong != null);
	}

	/** Whether the job is READY as soon as it is committed: no delay, no time to run at, no parent or dependency to wait for. */
	public boolean dueNow() {
		return this.runAt == null && this.delayMillis == 0 && this.parentId == null && !waitsInGroup();
	}

}
