package io.sqlqueue;

import org.jspecify.annotations.Nullable;

/**
 * The limits of a queue across the cluster, stored with the queue and picked up by every node without a
 * restart. Each is {@code null} when not set.
 *
 * <pre>{@code
 * jobs.updateQueueLimits("erp", QueueLimits.none().withGlobalConcurrency(3));
 * jobs.updateQueueLimits("payments", QueueLimits.none().withRateLimit(RateLimit.parse("100/1m")));
 * }</pre>
 *
 * @param globalConcurrency the most jobs of the queue RUNNING at once on all nodes together
 * @param keyConcurrency the most jobs of one concurrency key RUNNING at once (jobs without a key are not held to it)
 * @param rateLimit the most job starts per period
 */
public record QueueLimits(@Nullable Integer globalConcurrency, @Nullable Integer keyConcurrency, @Nullable RateLimit rateLimit) {

	private static final QueueLimits NONE = new QueueLimits(null, null, null);

	/**
	 * Checks the limits.
	 * @throws InvalidSettingException when a concurrency is below 1
	 */
	public QueueLimits {
		if (globalConcurrency != null) {
			InvalidSettingException.requireAtLeast("globalConcurrency", 1, globalConcurrency);
		}
		if (keyConcurrency != null) {
			InvalidSettingException.requireAtLeast("keyConcurrency", 1, keyConcurrency);
		}
	}

	/** No limits: the queue runs as fast as its nodes' handlers. */
	public static QueueLimits none() {
		return NONE;
	}

	/** A copy with at most {@code globalConcurrency} jobs RUNNING across the cluster; {@code null} for none. */
	public QueueLimits withGlobalConcurrency(@Nullable Integer globalConcurrency) {
		return new QueueLimits(globalConcurrency, this.keyConcurrency, this.rateLimit);
	}

	/** A copy with at most {@code keyConcurrency} jobs of one concurrency key RUNNING at once; {@code null} for none. */
	public QueueLimits withKeyConcurrency(@Nullable Integer keyConcurrency) {
		return new QueueLimits(this.globalConcurrency, keyConcurrency, this.rateLimit);
	}

	/** A copy with {@code rateLimit}; {@code null} for none. */
	public QueueLimits withRateLimit(@Nullable RateLimit rateLimit) {
		return new QueueLimits(this.globalConcurrency, this.keyConcurrency, rateLimit);
	}

	/** Whether any limit is set. */
	public boolean any() {
		return this.globalConcurrency != null || this.keyConcurrency != null || this.rateLimit != null;
	}

}
