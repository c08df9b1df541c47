package io.sqlqueue.worker;

import java.time.Instant;

/** Records the outcome of the worker's database calls. */
final class HealthTracker {

	/** Run by the first call that succeeds after a failure. */
	private final Runnable recovered;

	private volatile boolean reachable = true;

	private volatile String lastError;

	private volatile Instant lastErrorAt;

	private volatile Instant lastSuccessAt;

	/**
	 * @param recovered run by the first call that succeeds after a failure, on that call's thread;
	 * two calls succeeding at once may both run it
	 */
	HealthTracker(Runnable recovered) {
		this.recovered = recovered;
	}

	void success() {
		boolean wasReachable = this.reachable;
		this.reachable = true;
		this.lastSuccessAt = Instant.now();
		if (!wasReachable) {
			this.recovered.run();
		}
	}

	void failure(Throwable ex) {
		// the error first: a health check that sees the database unreachable must see why
		this.lastError = ex.getClass().getSimpleName() + ": " + ex.getMessage();
		this.lastErrorAt = Instant.now();
		this.reachable = false;
	}

	boolean reachable() {
		return this.reachable;
	}

	WorkerHealth snapshot(boolean running) {
		return new WorkerHealth(running, this.reachable, this.lastError, this.lastErrorAt, this.lastSuccessAt);
	}

}
