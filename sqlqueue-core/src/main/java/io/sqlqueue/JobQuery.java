package io.sqlqueue;

import org.jspecify.annotations.Nullable;

/**
 * A filter for {@link JobQueue#list(JobQuery)}, paged by id.
 *
 * <pre>{@code
 * List<Job> dead = jobs.list(JobQuery.all().inQueue("mail").inState(JobState.DEAD).limit(50));
 * List<Job> next = jobs.list(JobQuery.all().inState(JobState.DEAD).afterId(dead.get(49).id()));
 * List<Job> newest = jobs.list(JobQuery.all().inQueue("mail").newestFirst().limit(50));
 * List<Job> older = jobs.list(JobQuery.all().inQueue("mail").newestFirst().beforeId(newest.get(49).id()));
 * }</pre>
 *
 * @param queue only this queue, or {@code null} for all
 * @param state only this state, or {@code null} for all
 * @param type only this job type, or {@code null} for all
 * @param afterId only ids greater than this (paging), {@code 0} to start
 * @param limit at most this many, 1 to 10,000
 * @param beforeId only ids less than this (paging newest first), {@code 0} for no bound
 * @param descending whether the newest job (highest id) comes first rather than the oldest
 * @param uniqueKey only the jobs with this unique key, or {@code null} for all
 * @param parentId only the children of this job, or {@code null} for all
 * @param metadataKey with {@code metadataValue}: only jobs whose metadata maps this key to that value, or
 * {@code null} for all
 * @param metadataValue the value {@code metadataKey} must have
 */
public record JobQuery(@Nullable String queue, @Nullable JobState state, @Nullable String type, long afterId, int limit,
		long beforeId, boolean descending, @Nullable String uniqueKey, @Nullable Long parentId, @Nullable String metadataKey,
		@Nullable String metadataValue) {

	/** The largest page {@link #limit} allows. */
	public static final int MAX_LIMIT = 10_000;

	/**
	 * Checks the filter; {@code null} queue, state or type match every job.
	 * @throws IllegalArgumentException when the queue name is not valid, {@code limit} is not between 1 and
	 * {@value #MAX_LIMIT}, or {@code afterId} is negative
	 */
	public JobQuery {
		if (queue != null) {
			JobQueue.validateQueueName(queue);
		}
		if (limit < 1 || limit > MAX_LIMIT) {
			throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
		}
		if (afterId < 0) {
			throw new IllegalArgumentException("afterId must not be negative, was " + afterId);
		}
		if (beforeId < 0) {
			throw new IllegalArgumentException("beforeId must not be negative, was " + beforeId);
		}
		if ((metadataKey == null) != (metadataValue == null)) {
			throw new IllegalArgumentException("A metadata filter needs both a key and a value");
		}
	}

	/** Every job, first 100. */
	public static JobQuery all() {
		return new JobQuery(null, null, null, 0, 100, 0, false, null, null, null, null);
	}

	/**
	 * A copy matching only jobs of {@code queue}, or of every queue when {@code null}.
	 * @throws IllegalArgumentException when {@code queue} is not a valid queue name
	 */
	public JobQuery inQueue(@Nullable String queue) {
		return new JobQuery(queue, this.state, this.type, this.afterId, this.limit, this.beforeId, this.descending,
				this.uniqueKey, this.parentId, this.metadataKey,
				this.metadataValue);
	}

	/** A copy matching only jobs in {@code state}, or in every state when {@code null}. */
	public JobQuery inState(@Nullable JobState state) {
		return new JobQuery(this.queue, state, this.type, this.afterId, this.limit, this.beforeId, this.descending,
				this.uniqueKey, this.parentId, this.metadataKey,
				this.metadataValue);
	}

	/** A copy matching only jobs of {@code type} exactly, or of every type when {@code null}. */
	public JobQuery ofType(@Nullable String type) {
		return new JobQuery(this.queue, this.state, type, this.afterId, this.limit, this.beforeId, this.descending,
				this.uniqueKey, this.parentId, this.metadataKey,
				this.metadataValue);
	}

	/**
	 * A copy returning only jobs whose id is greater than {@code afterId}: pass the last id of a page to get
	 * the next, {@code 0} for the first.
	 * @throws IllegalArgumentException when {@code afterId} is negative
	 */
	public JobQuery afterId(long afterId) {
		return new JobQuery(this.queue, this.state, this.type, afterId, this.limit, this.beforeId, this.descending,
				this.uniqueKey, this.parentId, this.metadataKey,
				this.metadataValue);
	}

	/**
	 * A copy returning at most {@code limit} jobs (the default is 100).
	 * @throws IllegalArgumentException when {@code limit} is not between 1 and {@value #MAX_LIMIT}
	 */
	public JobQuery limit(int limit) {
		return new JobQuery(this.queue, this.state, this.type, this.afterId, limit, this.beforeId, this.descending,
				this.uniqueKey, this.parentId, this.metadataKey,
				this.metadataValue);
	}

	/**
	 * A copy returning only jobs whose id is less than {@code beforeId}: with {@link #newestFirst()}, pass the last
	 * id of a page to get the next, {@code 0} for the first.
	 * @throws IllegalArgumentException when {@code beforeId} is negative
	 */
	public JobQuery beforeId(long beforeId) {
		return new JobQuery(this.queue, this.state, this.type, this.afterId, this.limit, beforeId, this.descending,
				this.uniqueKey, this.parentId, this.metadataKey,
				this.metadataValue);
	}

	/** A copy returning the newest jobs (highest id) first. */
	public JobQuery newestFirst() {
		return new JobQuery(this.queue, this.state, this.type, this.afterId, this.limit, this.beforeId, true,
				this.uniqueKey, this.parentId, this.metadataKey,
				this.metadataValue);
	}

	/** A copy matching only jobs whose unique key is {@code uniqueKey}, in any state; every job when {@code null}. */
	public JobQuery withUniqueKey(String uniqueKey) {
		return new JobQuery(this.queue, this.state, this.type, this.afterId, this.limit, this.beforeId, this.descending,
				uniqueKey, this.parentId, this.metadataKey, this.metadataValue);
	}

	/** A copy matching only the children of job {@code parentId} (enqueued to wait for it), in any state. */
	public JobQuery childrenOf(long parentId) {
		return new JobQuery(this.queue, this.state, this.type, this.afterId, this.limit, this.beforeId, this.descending,
				this.uniqueKey, parentId, this.metadataKey,
				this.metadataValue);
	}

	/**
	 * A copy matching only jobs whose metadata maps {@code key} to {@code value} exactly (a tenant, an order
	 * number); {@code null} for both matches every job. No index serves it: keep it to small tables or narrow it
	 * with a queue, a state or a page.
	 * @throws IllegalArgumentException when only one of them is {@code null}
	 */
	public JobQuery withMetadata(String key, String value) {
		return new JobQuery(this.queue, this.state, this.type, this.afterId, this.limit, this.beforeId, this.descending,
				this.uniqueKey, this.parentId, key, value);
	}

}
