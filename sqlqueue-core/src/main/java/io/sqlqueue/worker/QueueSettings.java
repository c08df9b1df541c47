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
	public static final int DEFAULT_BATCH_SIZE = 100;

	private static final QueueSettings DEFAULTS = new QueueSettings(DEFAULT_CONCURRENCY, DEFAULT_POLL_INTERVAL,
			DEFAULT_LEASE, io.sqlqueue.JobQueue.DEFAULT_MAX_ATTEMPTS, Backoff.DEFAULT, DEFAULT_BATCH_SIZE, false);

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

	public QueueSettings withConcurrency(int concurrency) {
		return new QueueSettings(concurrency, this.pollInterval, this.lease, this.maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	public QueueSettings withPollInterval(Duration pollInterval) {
		return new QueueSettings(this.concurrency, pollInterval, this.lease, this.maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	public QueueSettings withLease(Duration lease) {
		return new QueueSettings(this.concurrency, this.pollInterval, lease, this.maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	public QueueSettings withMaxAttempts(int maxAttempts) {
		return new QueueSettings(this.concurrency, this.pollInterval, this.lease, maxAttempts, this.backoff,
				this.batchSize, this.fifo);
	}

	public QueueSettings withBackoff(Backoff backoff) {
		return new QueueSettings(this.concurrency, this.pollInterval, this.lease, this.maxAttempts, backoff,
				this.batchSize, this.fifo);
	}

	public QueueSettings withBatchSize(int batchSize) {
		return new QueueSettings(this.concurrency, this.pollInterval, this.lease, this.maxAttempts, this.backoff,
				batchSize, this.fifo);
	}

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
