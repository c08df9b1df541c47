package io.sqlqueue.worker;

import java.time.Duration;
import java.util.Objects;

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
	 * @throws IllegalArgumentException when {@code concurrency} or {@code batchSize} is below 1, the poll interval
	 * is not positive, the lease is shorter than 1 s, or {@code maxAttempts} is neither positive nor {@code -1}
	 * @throws NullPointerException when the poll interval, lease or backoff is {@code null}
	 */
	public QueueSettings {
		if (concurrency < 1) {
			throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
		}
		requirePositive(pollInterval, "pollInterval");
		requirePositive(lease, "lease");
		if (lease.toMillis() < 1000) {
			throw new IllegalArgumentException("lease must be at least 1s, was " + lease);
		}
		if (maxAttempts == 0 || maxAttempts < -1) {
			throw new IllegalArgumentException("maxAttempts must be positive or -1 (no limit), was " + maxAttempts);
		}
		Objects.requireNonNull(backoff, "backoff must not be null");
		if (batchSize < 1) {
			throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
		}
	}

	/** The defaults: 8 handlers, 1 s polling, 5 min lease, 10 attempts, exponential backoff. */
	public static QueueSettings defaults() {
		return DEFAULTS;
	}

	/**
	 * A copy running at most {@code concurrency} handlers of this queue at once on this node (the default is
	 * {@value #DEFAULT_CONCURRENCY}).
	 * @throws IllegalArgumentException when {@code concurrency} is below 1
	 */
	public QueueSettings withConcurrency(int concurrency) {
		return new QueueSettings(concurrency, this.pollInterval, this.lease, this.maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	/**
	 * A copy whose idle worker looks for due jobs every {@code pollInterval} when no notification wakes it (the
	 * default is 1 s).
	 * @throws IllegalArgumentException when {@code pollInterval} is zero or negative
	 * @throws NullPointerException when {@code pollInterval} is {@code null}
	 */
	public QueueSettings withPollInterval(Duration pollInterval) {
		return new QueueSettings(this.concurrency, pollInterval, this.lease, this.maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	/**
	 * A copy in which a claimed job stays owned for {@code lease} from its claim or its handler's last
	 * {@link io.sqlqueue.JobContext#heartbeat()}: a handler running past it is interrupted and its attempt fails,
	 * and the jobs of a node that died are rescued once it has passed (the default is 5 min).
	 * @throws IllegalArgumentException when {@code lease} is shorter than 1 s
	 * @throws NullPointerException when {@code lease} is {@code null}
	 */
	public QueueSettings withLease(Duration lease) {
		return new QueueSettings(this.concurrency, this.pollInterval, lease, this.maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	/**
	 * A copy whose jobs get {@code maxAttempts} attempts, {@code -1} for no limit, when neither the enqueue
	 * options nor the handler say (the default is {@value io.sqlqueue.JobQueue#DEFAULT_MAX_ATTEMPTS}).
	 * @throws IllegalArgumentException when {@code maxAttempts} is neither positive nor {@code -1}
	 */
	public QueueSettings withMaxAttempts(int maxAttempts) {
		return new QueueSettings(this.concurrency, this.pollInterval, this.lease, maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	/**
	 * A copy that delays a failed job's next attempt by {@code backoff} unless its handler or enqueue options
	 * give one (the default is {@link Backoff#DEFAULT}).
	 * @throws NullPointerException when {@code backoff} is {@code null}
	 */
	public QueueSettings withBackoff(Backoff backoff) {
		return new QueueSettings(this.concurrency, this.pollInterval, this.lease, this.maxAttempts, backoff,
				this.batchSize, this.fifo);
	}

	/**
	 * A copy claiming at most {@code batchSize} jobs in one statement (the default is {@value #DEFAULT_BATCH_SIZE}).
	 * A worker claims its free handler slots plus a prefetch sized to the handlers' pace, so only a queue with a
	 * backlog and fast handlers claims whole batches.
	 * @throws IllegalArgumentException when {@code batchSize} is below 1
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

	private static void requirePositive(Duration value, String name) {
		Objects.requireNonNull(value, () -> name + " must not be null");
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, was " + value);
		}
	}

}
