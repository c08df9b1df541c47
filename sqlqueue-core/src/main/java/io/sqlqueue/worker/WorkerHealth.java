package io.sqlqueue.worker;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * How a {@link JobWorker} is doing, for health checks.
 *
 * @param running whether it is started and not stopped
 * @param databaseReachable whether its last database call succeeded
 * @param lastError the message of the last database failure, or {@code null}
 * @param lastErrorAt when that failure happened (the worker's clock), or {@code null}
 * @param lastSuccessAt when a database call last succeeded (the worker's clock), or {@code null}
 * @param outcomesWaiting outcomes of finished runs not written yet (at most the worker's outcome backlog)
 * @param oldestOutcomeWaiting how long the oldest of them has waited, zero with none
 * @param outcomesStalled whether that is longer than half the shortest lease of the worker's queues: runs whose
 * outcome is not written keep their jobs RUNNING, and another node may run them again once their leases lapse
 */
public record WorkerHealth(boolean running, boolean databaseReachable, @Nullable String lastError, @Nullable Instant lastErrorAt,
		@Nullable Instant lastSuccessAt, int outcomesWaiting, Duration oldestOutcomeWaiting, boolean outcomesStalled) {

	/** The health of a worker that is not running. */
	public static WorkerHealth stopped() {
		return new WorkerHealth(false, true, null, null, null, 0, Duration.ZERO, false);
	}

	/** Running, reaching its database, and writing the outcomes of its runs in time. */
	public boolean isHealthy() {
		return this.running && this.databaseReachable && !this.outcomesStalled;
	}

}
