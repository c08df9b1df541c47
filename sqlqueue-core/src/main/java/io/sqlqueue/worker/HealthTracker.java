package io.sqlqueue.worker;

import java.time.Instant;

/** Records the outcome of the worker's database calls. */
final class HealthTracker {

	private volatile boolean reachable = true;

	private volatile String lastError;

	private volatile Instant lastErrorAt;

	private volatile Instant lastSuccessAt;

	void success() {
		this.reachable = true;
		this.lastSuccessAt = Instant.now();
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
