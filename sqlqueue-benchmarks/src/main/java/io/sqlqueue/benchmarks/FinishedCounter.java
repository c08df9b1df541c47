package io.sqlqueue.benchmarks;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener;

/** Counts runs whose success was recorded, and remembers when the last one was. */
final class FinishedCounter implements JobEventListener {

	/** The job type counted; {@code null} for every type. */
	private final String type;

	private final AtomicLong succeeded = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private volatile long lastNanos;

	/** Counts the runs of every job type. */
	FinishedCounter() {
		this(null);
	}

	/** Counts the runs of jobs of {@code type} only (a batch's members, not its callback). */
	FinishedCounter(String type) {
		this.type = type;
	}

	@Override
	public void jobFinished(Job job, Outcome outcome, Duration execution, Throwable error) {
		if (this.type != null && !this.type.equals(job.type())) {
			return;
		}
		if (outcome == Outcome.SUCCEEDED) {
			this.succeeded.incrementAndGet();
		}
		else {
			this.failed.incrementAndGet();
		}
		this.lastNanos = System.nanoTime();
	}

	long succeeded() {
		return this.succeeded.get();
	}

	long failed() {
		return this.failed.get();
	}

	long lastNanos() {
		return this.lastNanos;
	}

	/**
	 * Waits until {@code count} successes are recorded.
	 * @throws IllegalStateException when they are not within {@code timeout}
	 */
	void await(long count, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.succeeded.get() < count) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Only " + this.succeeded.get() + " of " + count + " jobs succeeded within "
						+ timeout + " (" + this.failed.get() + " runs failed)");
			}
			Thread.sleep(1);
		}
	}

}
