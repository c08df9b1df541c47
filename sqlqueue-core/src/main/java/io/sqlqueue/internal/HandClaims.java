package io.sqlqueue.internal;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.sqlqueue.ClaimedJob;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobQueue;
import io.sqlqueue.internal.store.ClaimParams;

/**
 * Claiming by hand ({@code JobQueue.claim} and {@code poll}): jobs taken in one statement for code that pulls
 * them itself, each a {@link HandClaim} whose outcome its claimer writes. Limits and pauses of the queue do not
 * apply: whoever claims by hand asks for those jobs on purpose.
 */
public final class HandClaims {

	/** The {@code locked_by} of jobs claimed by hand. */
	private static final String CLAIMER_ID = "claim:" + ManagementFactory.getRuntimeMXBean().getName();

	/** The longest a poll waits before it claims again, for enqueues in other JVMs, which do not wake it. */
	private static final long MAX_POLL_WAIT_MILLIS = 250;

	private final QueueServices services;

	public HandClaims(QueueServices services) {
		this.services = services;
	}

	/** Up to {@code limit} due jobs of {@code queue}, each leased for {@code lease}; the arguments checked. */
	public List<ClaimedJob> claim(String queue, int limit, Duration lease) {
		JobQueue.validateQueueName(queue);
		if (limit < 1 || limit > JobQuery.MAX_LIMIT) {
			throw new IllegalArgumentException("limit must be between 1 and " + JobQuery.MAX_LIMIT + ", was " + limit);
		}
		Objects.requireNonNull(lease, "lease must not be null");
		if (lease.isNegative() || lease.isZero()) {
			throw new IllegalArgumentException("lease must be positive, was " + lease);
		}
		return this.services.store()
			.jobGetAvailable(new ClaimParams(queue, limit, lease, CLAIMER_ID))
			.stream()
			.<ClaimedJob>map((job) -> new HandClaim(this.services, job))
			.toList();
	}

	/** The next due job of {@code queue}, waiting up to {@code wait}; an enqueue in this JVM wakes the wait. */
	public Optional<ClaimedJob> poll(String queue, Duration wait, Duration lease) throws InterruptedException {
		Objects.requireNonNull(wait, "wait must not be null");
		long deadline = System.nanoTime() + wait.toNanos();
		Object signal = new Object();
		Consumer<String> wakeup = (name) -> {
			if (name.equals(queue)) {
				synchronized (signal) {
					signal.notifyAll();
				}
			}
		};
		this.services.wakeups().add(wakeup);
		try {
			while (true) {
				List<ClaimedJob> claimed = claim(queue, 1, lease);
				if (!claimed.isEmpty()) {
					return Optional.of(claimed.get(0));
				}
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return Optional.empty();
				}
				synchronized (signal) {
					signal.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(remaining), MAX_POLL_WAIT_MILLIS)));
				}
			}
		}
		finally {
			this.services.wakeups().remove(wakeup);
		}
	}

}
