package io.sqlqueue.internal.execution;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

import org.springframework.core.NestedExceptionUtils;

import io.sqlqueue.worker.WorkerHealth;

/** Records the outcome of the worker's database calls. */
public final class HealthTracker {

	/** Run by the first call that succeeds after a failure. */
	private final Runnable recovered;

	private final InstantSource clock;

	private volatile boolean reachable = true;

	private volatile String lastError;

	private volatile Instant lastErrorAt;

	private volatile Instant lastSuccessAt;

	/**
	 * @param recovered run by the first call that succeeds after a failure, on that call's thread;
	 * two calls succeeding at once may both run it
	 */
	public HealthTracker(Runnable recovered, InstantSource clock) {
		this.recovered = recovered;
		this.clock = clock;
	}

	public void success() {
		boolean wasReachable = this.reachable;
		this.reachable = true;
		this.lastSuccessAt = this.clock.instant();
		if (!wasReachable) {
			this.recovered.run();
		}
	}

	public void failure(Throwable ex) {
		// the error first: a health check that sees the database unreachable must see why
		this.lastError = describe(ex);
		this.lastErrorAt = this.clock.instant();
		this.reachable = false;
	}

	public boolean reachable() {
		return this.reachable;
	}

	/** With what the completer says of the outcomes waiting to be written. */
	WorkerHealth snapshot(boolean running, int outcomesWaiting, Duration oldestOutcomeWaiting, boolean outcomesStalled) {
		return new WorkerHealth(running, this.reachable, this.lastError, this.lastErrorAt, this.lastSuccessAt,
				outcomesWaiting, oldestOutcomeWaiting, outcomesStalled);
	}

	/**
	 * The failure with its most specific cause: Spring's "Failed to obtain JDBC Connection" alone does not say
	 * that the pool timed out with every connection in use, nor the driver's that the server refused.
	 */
	public static String describe(Throwable ex) {
		String said = ex.getClass().getSimpleName() + ": " + ex.getMessage();
		Throwable root = NestedExceptionUtils.getMostSpecificCause(ex);
		if (root != ex && root.getMessage() != null
				&& (ex.getMessage() == null || !ex.getMessage().contains(root.getMessage()))) {
			said += " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
		}
		return said;
	}

}
