package io.sqlqueue.worker;

import java.time.Instant;

/**
 * How a {@link JobWorker} is doing, for health checks.
 *
 * @param running whether it is started and not stopped
 * @param databaseReachable whether its last database call succeeded
 * @param lastError the message of the last database failure, or {@code null}
 * @param lastErrorAt when that failure happened (this JVM's clock), or {@code null}
 * @param lastSuccessAt when a database call last succeeded (this JVM's clock), or {@code null}
 */
public record WorkerHealth(boolean running, boolean databaseReachable, String lastError, Instant lastErrorAt,
		Instant lastSuccessAt) {

	/** Running and reaching its database. */
	public boolean isHealthy() {
		return this.running && this.databaseReachable;
	}

}
