package io.sqlqueue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one row of the job table. Changing it changes nothing in the database.
 *
 * @param id the job's identity
 * @param queue the queue it runs on
 * @param type the job type: the name its handler is registered under
 * @param payload the payload as JSON text
 * @param metadata caller-supplied key/value pairs (trace context, tenant, ...), never {@code null}
 * @param state the state at the time of reading
 * @param priority higher runs first
 * @param runAt not run before this instant (database clock)
 * @param attempt how many times it has been claimed; the fencing token of the current run
 * @param maxAttempts attempts allowed before it goes to {@link JobState#DEAD}, {@code -1} for no limit
 * @param lockedUntil end of the current lease, {@code null} unless running
 * @param lockedBy the worker holding the lease, {@code null} unless running
 * @param uniqueKey deduplication key while READY or RUNNING, or {@code null}
 * @param lastError class, message and trimmed stack trace of the last failure, or {@code null}
 * @param createdAt when it was enqueued
 * @param finishedAt when it reached a finished state, or {@code null}
 * @param parentId the job this one waits for, or {@code null}
 * @param orderingKey the FIFO ordering key, or {@code null}
 * @param result the JSON result written by the handler, or {@code null}
 * @param logs log lines appended by the handler, oldest first
 * @param concurrencyKey the key its queue's per-key limits count it under, or {@code null}
 * @param batchId the batch or workflow it is a member of, or {@code null}
 * @param step its step name within its workflow, or for a callback when it runs ({@code onComplete},
 * {@code onSuccess}, {@code onFailure}); {@code null} for other jobs
 * @param callbackFor the batch or workflow it is a callback of, or {@code null}
 */
public record Job(long id, String queue, String type, String payload, Map<String, String> metadata,
		JobState state, int priority, Instant runAt, int attempt, int maxAttempts, @Nullable Instant lockedUntil,
		@Nullable String lockedBy, @Nullable String uniqueKey, @Nullable String lastError, Instant createdAt,
		@Nullable Instant finishedAt, @Nullable Long parentId, @Nullable String orderingKey, @Nullable String result,
		List<String> logs, @Nullable String concurrencyKey, @Nullable Long batchId, @Nullable String step,
		@Nullable Long callbackFor) {

	public Job {
		metadata = (metadata != null) ? Map.copyOf(metadata) : Map.of();
		logs = (logs != null) ? List.copyOf(logs) : List.of();
	}

	/** Whether this run is the last one its attempts allow, so that a failure makes the job DEAD. */
	public boolean isLastAttempt() {
		return this.maxAttempts != -1 && this.attempt >= this.maxAttempts;
	}

	/** The error stored when this job goes DEAD after a last attempt that failed with {@code reason}. */
	public String outOfAttempts(String reason) {
		return "Out of attempts (" + this.attempt + " of " + this.maxAttempts + "): " + reason;
	}

}
