package io.sqlqueue.worker;

import java.time.Duration;

import io.sqlqueue.InvalidSettingException;

/**
 * How one queue is worked.
 *
 * <pre>{@code
 * QueueSettings mail = QueueSettings.defaults().withConcurrency(4).withLease(Duration.ofMinutes(1));
 * }</pre>
 *
 * @param concurrency handlers running at once on this node
 * @param pollInterval how often an idle worker looks for due jobs when no notification wakes it
 * @param lease how long a claimed job stays owned without a heartbeat (the visibility timeout)
 * @param maxAttempts attempts before a job is dead-lettered, {@code -1} for no limit; used at enqueue
 * when the options and the handler do not say
 * @param backoff the delay before a failed job's next attempt
 * @param batchSize the most jobs claimed in one statement
 * @param fifo whether jobs run strictly one at a time in enqueue order (per ordering key), across
 * all nodes
 */
public record QueueSettings(int concurrency, Duration pollInterval, Duration lease, int maxAttempts, Backoff backoff,
		int batchSize, boolean fifo) {

	/** Handlers running at once per queue unless configured. */
	public static final int DEFAULT_CONCURRENCY = 8;

	/** Poll interval unless configured. */
	public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

	/** Lease unless configured. */
	public static final Duration DEFAULT_LEASE = Duration.ofMinutes(5);

	/** Claim batch size unless configured. */
	public static final int DEFAULT_BATCH_SIZE = 200;

	private static final QueueSettings DEFAULTS = new QueueSettings(DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL,
			DEFAULT_LEASE, io.sqlqueue.JobQueue.DEFAULT_MAX_ATTEMPTS, Backoff.DEFAULT, DEFAULT_BATCH_SIZE, false);

	/**
	 * Checks the settings.
	 * @throws InvalidSettingException when {@code concurrency} or {@code batchSize} is below 1, the poll interval
	 * is not positive, the lease is shorter than 1 s, {@code maxAttempts} is neither positive nor {@code -1}, or the
	 * poll interval, lease or backoff is {@code null}
	 */
	public QueueSettings {
		InvalidSettingException.requireAtLeast("concurrency", 1, concurrency);
		InvalidSettingException.requirePositive("pollInterval", pollInterval);
		InvalidSettingException.requireNonNull("lease", lease);
		if (lease.toMillis() < 1000) {
			throw new InvalidSettingException("lease", "must be at least 1s, was " + lease);
		}
		InvalidSettingException.requireAttempts("maxAttempts", maxAttempts);
		InvalidSettingException.requireNonNull("backoff", backoff);
		InvalidSettingException.requireAtLeast("batchSize", 1, batchSize);
	}

	/** The defaults: 8 handlers, 1 s polling, 5 min lease, 10 attempts, exponential backoff. */
	public static QueueSettings defaults() {
		return DEFAULTS;
	}

	/**
	 * A copy running at most {@code concurrency} handlers of this queue at once on this node (the default is
	 * {@value #DEFAULT_CONCURRENCY}).
	 * @throws InvalidSettingException when {@code concurrency} is below 1
	 */
	public QueueSettings withConcurrency(int concurrency) {
		return new QueueSettings(concurrency, this.pollInterval, this.lease, this.maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	/**
	 * A copy whose idle worker looks for due jobs every {@code pollInterval} when no notification wakes it (the
	 * default is 1 s).
	 * @throws InvalidSettingException when {@code pollInterval} is {@code null}, zero or negative
	 */
	public QueueSettings withPollInterval(Duration pollInterval) {
		return new QueueSettings(this.concurrency, pollInterval, this.lease, this.maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	/**
	 * A copy in which a claimed job stays owned for {@code lease} from its claim or its handler's last
	 * {@link io.sqlqueue.JobContext#heartbeat()}: a handler running past it is interrupted and its attempt fails,
	 * and the jobs of a node that died are rescued once it has passed (the default is 5 min).
	 * @throws InvalidSettingException when {@code lease} is {@code null} or shorter than 1 s
	 */
	public QueueSettings withLease(Duration lease) {
		return new QueueSettings(this.concurrency, this.pollInterval, lease, this.maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	/**
	 * A copy whose jobs get {@code maxAttempts} attempts, {@code -1} for no limit, when neither the enqueue
	 * options nor the handler say (the default is {@value io.sqlqueue.JobQueue#DEFAULT_MAX_ATTEMPTS}).
	 * @throws InvalidSettingException when {@code maxAttempts} is neither positive nor {@code -1}
	 */
	public QueueSettings withMaxAttempts(int maxAttempts) {
		return new QueueSettings(this.concurrency, this.pollInterval, this.lease, maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	/**
	 * A copy that delays a failed job's next attempt by {@code backoff} unless its handler or enqueue options
	 * give one (the default is {@link Backoff#DEFAULT}).
	 * @throws InvalidSettingException when {@code backoff} is {@code null}
	 */
	public QueueSettings withBackoff(Backoff backoff) {
		return new QueueSettings(this.concurrency, this.pollInterval, this.lease, this.maxAttempts, backoff,
				this.batchSize, this.fifo);
	}

	/**
	 * A copy claiming at most {@code batchSize} jobs in one statement (the default is {@value #DEFAULT_BATCH_SIZE}).
	 * A worker claims its free handler slots plus a prefetch sized to the handlers' pace, so only a queue with a
	 * backlog and fast handlers claims whole batches.
	 * @throws InvalidSettingException when {@code batchSize} is below 1
	 */
	public QueueSettings withBatchSize(int batchSize) {
		return new QueueSettings(this.concurrency, this.pollInterval, this.lease, this.maxAttempts, this.backoff,
				batchSize, this.fifo);
	}

	/**
	 * A copy that, when {@code fifo} is {@code true}, runs this queue's jobs one at a time in enqueue order across
	 * all nodes: per ordering key, and as one sequence for jobs without one (the default is {@code false}).
	 */
	public QueueSettings withFifo(boolean fifo) {
		return new QueueSettings(this.concurrency, this.pollInterval, this.lease, this.maxAttempts, this.backoff,
				this.batchSize, fifo);
	}

}
